"""Every setting, declared once: a field of `Settings` with its type, default, help, label, unit,
allowed values and bounds. `SETTINGS` (the table the README, the Settings page and the validator
read) is derived from those fields.

Values come from, in order of precedence: explicit overrides (Settings page, CLI flags), the
environment (`DECIPHER_<NAME>`), then the default. Every value is checked when a `Settings` is
built (type, choices, bounds), so a typo such as `DECIPHER_BACKEND=planer` stops the start-up with
a message naming the allowed values, instead of quietly answering with another backend.
`Settings.sources` records where each value came from, for the diagnostics panel. The API key is
not a setting here: only `engine.llm` reads it.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Final, get_type_hints

from engine.errors import InputError
from engine.model_registry import MODELS
from engine.types import Backend

ENV_PREFIX: Final = "DECIPHER_"
# full: refuse unless every sandbox layer is active; require (default): refuse without process
# isolation; reduced: run with whatever the host offers (issue #3, degraded hosts).
ISOLATION_MODES: Final = ("full", "require", "reduced")
_METADATA_KEY: Final = "decipher.setting"
_TRUE: Final = ("1", "true", "yes", "on")
_FALSE: Final = ("0", "false", "no", "off")

Number = int | float
Choices = tuple[str, ...] | Callable[[], tuple[str, ...]]


@dataclass(frozen=True)
class Setting:
    """One setting's declaration, derived from its `Settings` field."""

    name: str
    type: type
    default: Any
    help: str
    label: str = ""
    unit: str = ""
    min_value: Number | None = None  # inclusive
    max_value: Number | None = None  # inclusive
    choices_from: Choices = ()  # a tuple, or a function when the list lives elsewhere

    @property
    def choices(self) -> tuple[str, ...]:
        """The allowed values; empty when any value of the type goes."""
        found = self.choices_from() if callable(self.choices_from) else self.choices_from
        return tuple(str(c) for c in found)

    @property
    def env_var(self) -> str:
        return ENV_PREFIX + self.name.upper()

    @property
    def label_with_unit(self) -> str:
        """'Run time limit (s)': the Settings page's label."""
        return f"{self.label} ({self.unit})" if self.unit else self.label

    @property
    def requirement(self) -> str:
        """What a valid value is, for error messages: 'one of auto, planner, local, openai'."""
        if self.choices:
            return "one of " + ", ".join(self.choices)
        if self.type is bool:
            return "true or false (or 1/0, yes/no, on/off)"
        kind = {int: "a whole number", float: "a number"}.get(self.type, "text")
        low, high = self.min_value, self.max_value
        if low is not None and high is not None:
            return f"{kind} from {_number(low)} to {_number(high)}"
        if low is not None:
            return f"{kind} of at least {_number(low)}"
        if high is not None:
            return f"{kind} of at most {_number(high)}"
        return kind


def setting(
    default: Any,
    help: str,
    *,
    label: str,
    unit: str = "",
    choices: Choices = (),
    min_value: Number | None = None,
    max_value: Number | None = None,
) -> Any:
    """Declare a `Settings` field: its default plus what `Setting` needs (stored in metadata)."""
    meta = {
        "help": help,
        "label": label,
        "unit": unit,
        "choices_from": choices,
        "min_value": min_value,
        "max_value": max_value,
    }
    return field(default=default, metadata={_METADATA_KEY: meta})


def _local_models() -> tuple[str, ...]:
    """The bundled models, read when checked (a test registers one at run time)."""
    return tuple(MODELS)


@dataclass(frozen=True)
class Settings:
    """The effective settings, each value checked. Frozen: derive a copy with `with_overrides`."""

    data_dir: str = setting(
        "~/.decipher",
        "Where history, uploaded files and caches are kept.",
        label="Data directory",
    )
    sandbox_timeout_s: float = setting(
        30.0,
        "Wall-clock limit for one run of generated code.",
        label="Run time limit",
        unit="s",
        # 0.1 s still runs small code (a fork from the zygote takes 15-21 ms); over an hour is
        # no longer interactive, and catches milliseconds typed as seconds ("30000").
        min_value=0.1,
        max_value=3600.0,
    )
    sandbox_memory_mb: int = setting(
        4096,
        "Memory a run may add on top of the loaded tables.",
        label="Run memory limit",
        unit="MB",
        min_value=64,  # below this, importing anything in the run fails with MemoryError
    )
    sandbox_isolation: str = setting(
        "require",
        "'full' refuses unless every sandbox layer is active; 'require' refuses to run code "
        "when process isolation is unavailable; 'reduced' runs with whatever layers the host "
        "has and says which.",
        label="Sandbox isolation",
        choices=ISOLATION_MODES,
    )
    max_output_bytes: int = setting(
        1_000_000,
        "Cap on what one run may print (0: printing anything is an output error).",
        label="Printed output cap",
        unit="bytes",
        min_value=0,
    )
    max_result_mb: int = setting(
        512,
        "Cap on the size of one run's result table or figure.",
        label="Result size cap",
        unit="MB",
        min_value=1,  # 0 would refuse every result
    )
    max_display_rows: int = setting(
        1000,
        "Rows of a result kept for display and JSON output (row_count stays true).",
        label="Rows kept for display",
        unit="rows",
        min_value=1,
    )
    # Files a run writes into its folder (issue 14): each is capped by RLIMIT_FSIZE, the folder
    # by its tmpfs size and inode count, and all three are checked again after the run.
    max_file_mb: int = setting(
        100,
        "Cap on one file a run writes into its output folder.",
        label="File size cap",
        unit="MB",
        min_value=1,
        max_value=4096,
    )
    max_files_mb: int = setting(
        200,
        "Cap on all the files one run writes, together (they are held in memory until kept).",
        label="Files total cap",
        unit="MB",
        min_value=1,
        max_value=8192,
    )
    max_files: int = setting(
        50,
        "How many files one run may write.",
        label="Files per run",
        unit="files",
        min_value=1,
        max_value=10_000,
    )
    repair_attempts: int = setting(
        2,
        "How many times a failed run goes back to the LLM.",
        label="Repair attempts",
        min_value=0,
        max_value=10,  # each repair is a model round-trip (minutes on the local model)
    )
    backend: str = setting(
        Backend.AUTO.value,
        "Who writes the code: auto (planner, then a configured model), planner, local, openai.",
        label="Backend",
        choices=tuple(Backend),
    )
    llm_base_url: str = setting(
        "",
        "OpenAI-compatible endpoint (empty: OPENAI_BASE_URL, else api.openai.com).",
        label="Base URL (OpenAI-compatible)",
    )
    llm_model: str = setting(
        "gpt-4o-mini",
        "Model name sent to the OpenAI-compatible endpoint.",
        label="Model",
    )
    llm_temperature: float = setting(
        0.0,
        "Sampling temperature for code generation.",
        label="Temperature",
        min_value=0.0,
        max_value=2.0,  # the range the OpenAI API accepts
    )
    llm_candidates: int = setting(
        1,
        "Programs the LLM writes for a question: with more than 1, the most frequent answer wins "
        "and answers with no majority are declined rather than guessed.",
        label="Candidate programs",
        min_value=1,
        max_value=5,  # each one is a model round-trip and a sandbox run
    )
    llm_candidate_temperature: float = setting(
        0.7,
        "Sampling temperature of the candidates after the first (which uses the temperature); "
        "candidate k is sampled with seed k, so a question asked again draws the same ones.",
        label="Candidate temperature",
        min_value=0.0,
        max_value=2.0,
    )
    llm_confirm_below: float = setting(
        0.95,
        "A model answer less sure than this is given only when the model, asked again with a "
        "plain prompt, computes the same (or, when it does not, a third program sides with it); "
        "0 checks none (only the embedded model reports how sure it is).",
        label="Check answers less sure than",
        min_value=0.0,
        max_value=1.0,
    )
    llm_timeout_s: float = setting(
        120.0,
        "Timeout for one LLM request.",
        label="Model request timeout",
        unit="s",
        min_value=1.0,
        max_value=3600.0,
    )
    llm_max_tokens: int = setting(
        1024,
        "Upper bound on tokens the LLM may generate per reply.",
        label="Tokens per reply",
        unit="tokens",
        min_value=1,
    )
    send_sample_rows: bool = setting(
        True,
        "Send a few real values of each text column, and the cells a question names, to the LLM "
        "(off: only column names, types and aggregates leave the machine).",
        label="Send a few real values to the model",
    )
    local_model: str = setting(
        "qwen2.5-coder-1.5b",
        "The embedded model to serve (local_model_path overrides it).",
        label="Local model",
        choices=_local_models,
    )
    local_model_path: str = setting(
        "",
        "Path to any GGUF file to serve instead of the bundled model.",
        label="Local model file (GGUF)",
    )
    planner_min_confidence: float = setting(
        0.75,
        "The planner declines below this confidence.",
        label="Planner confidence threshold",
        min_value=0.0,
        max_value=1.0,
    )
    llm_min_confidence: float = setting(
        0.87,
        "An LLM answer whose code names columns and values with less than this probability is "
        "declined, its result kept to check, unless a plain prompt can check it (see 'Check "
        "answers less sure than'; not for database tables). Only the embedded model reports "
        "probabilities.",
        label="Model confidence threshold",
        min_value=0.0,
        max_value=1.0,
    )
    big_table_rows: int = setting(
        1_000_000,
        "From this many rows, code should aggregate with sql() (0: always).",
        label="Big table from",
        unit="rows",
        min_value=0,
    )
    duckdb_memory_mb: int = setting(
        0,
        "DuckDB's memory limit for loading and sql() (0: DuckDB's default, 80% of RAM). Past it, "
        "DuckDB spills to disk; a load that cannot spill fails with this hint.",
        label="DuckDB memory limit",
        unit="MB",
        min_value=0,
    )
    session_memory_mb: int = setting(
        0,
        "Memory the tables of one session may need as pandas frames in the sandbox (0: half of "
        "this machine's RAM). A table that would not fit is refused with the sizes.",
        label="Session memory for tables",
        unit="MB",
        min_value=0,
    )
    database_timeout_s: float = setting(
        30.0,
        "Time one query may run in a connected database (PostgreSQL, Spark) before the "
        "database cancels it. It does not count against the run time limit.",
        label="Database query time limit",
        unit="s",
        min_value=1.0,
        max_value=3600.0,
    )
    database_max_rows: int = setting(
        100_000,
        "Rows one database query may bring back (more: the first ones, marked capped); also the "
        "rows of a database table brought in to join it with a loaded file.",
        label="Rows from a database query",
        unit="rows",
        min_value=1,  # no upper bound: the rows become a frame in the sandbox, whose memory cap holds
    )
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        for declared in SETTINGS:
            raw = getattr(self, declared.name)
            source = self.sources.get(declared.name, "default")
            value = _checked(declared, raw, source)
            if value is not raw:
                object.__setattr__(self, declared.name, value)

    @property
    def data_path(self) -> Path:
        return Path(os.path.expanduser(self.data_dir))

    def with_overrides(self, source: str = "override", **values: Any) -> Settings:
        """A copy with some values replaced (checked), recording `source` for each."""
        for name in values:
            setting_declaration(name)  # unknown names: a clear InputError, not a TypeError
        sources = {**self.sources, **dict.fromkeys(values, source)}
        return replace(self, **values, sources=sources)


_HINTS: Final = get_type_hints(Settings)
SETTINGS: Final[tuple[Setting, ...]] = tuple(
    Setting(name=f.name, type=_HINTS[f.name], default=f.default, **f.metadata[_METADATA_KEY])
    for f in fields(Settings)
    if _METADATA_KEY in f.metadata
)
_BY_NAME: Final[dict[str, Setting]] = {s.name: s for s in SETTINGS}


def setting_declaration(name: str) -> Setting:
    """The declaration of setting `name`; an InputError listing the known names otherwise."""
    declared = _BY_NAME.get(name)
    if declared is None:
        known = ", ".join(sorted(_BY_NAME))
        raise InputError(f"Unknown setting {name!r}. Known settings: {known}.")
    return declared


def _checked(declared: Setting, raw: Any, source: str) -> Any:
    """`raw` as a value of the setting's type, within its choices and bounds, or an InputError
    naming the setting, the bad value, what is allowed and where to fix it."""
    value = _typed(declared, raw)
    if value is None:
        raise _invalid(declared, raw, source)
    if declared.choices:
        text = value.strip()
        if text not in declared.choices:
            raise _invalid(declared, raw, source)
        return raw if text == raw else text
    low, high = declared.min_value, declared.max_value
    if (low is not None and value < low) or (high is not None and value > high):
        raise _invalid(declared, raw, source)
    return value


def _typed(declared: Setting, raw: Any) -> Any:
    """`raw` converted to the declared type, or None when it is not one."""
    kind = declared.type
    if kind is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        return True if text in _TRUE else False if text in _FALSE else None
    if kind is str:
        return raw if isinstance(raw, str) else str(raw)
    if isinstance(raw, bool):  # True is an int to Python, not a number to a person
        return None
    if isinstance(raw, kind):
        value = raw
    else:
        try:
            value = kind(raw if isinstance(raw, int | float) else str(raw).strip())
        except (ValueError, TypeError, OverflowError):
            return None
        if kind is int and isinstance(raw, float) and raw != value:
            return None  # 1.5 is not a whole number
    if kind is float and not math.isfinite(value):
        return None
    return value


def _invalid(declared: Setting, raw: Any, source: str) -> InputError:
    if source == "default" or source.startswith("environment"):
        fix = f"Fix {declared.env_var}."
    else:  # the Settings page, a CLI flag, a caller's override
        fix = f"Fix the value from {source} (its environment variable is {declared.env_var})."
    return InputError(f"Setting {declared.name} must be {declared.requirement}; got {raw!r}. {fix}")


def _number(value: Number) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"


def load_settings(env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Settings from defaults, then `DECIPHER_*` variables in `env`, then explicit overrides.

    Raises InputError for a value of the wrong type, outside its choices or bounds.
    """
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for declared in SETTINGS:
        sources[declared.name] = "default"
        if declared.env_var in env:
            values[declared.name] = env[declared.env_var]
            sources[declared.name] = f"environment ({declared.env_var})"
    settings = Settings(**values, sources=sources)
    if overrides:
        settings = settings.with_overrides("override", **overrides)
    return settings


def setting_names() -> tuple[str, ...]:
    return tuple(s.name for s in SETTINGS)
