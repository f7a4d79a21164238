"""Every setting, declared once: name, type, default, help.

Values come from, in order of precedence: explicit overrides (Settings page, CLI flags), the
environment (`DECIPHER_<NAME>`), then the default. `Settings.sources` records where each value came
from, for the diagnostics panel. The API key is not a setting here: only `engine.llm` reads it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Final

from engine.errors import InputError

ENV_PREFIX: Final = "DECIPHER_"


@dataclass(frozen=True)
class Setting:
    name: str
    type: type
    default: Any
    help: str


SETTINGS: Final[tuple[Setting, ...]] = (
    Setting("data_dir", str, "~/.decipher", "Where history, uploaded files and caches are kept."),
    Setting("sandbox_timeout_s", float, 30.0, "Wall-clock limit for one run of generated code."),
    Setting("sandbox_memory_mb", int, 4096, "Memory a run may add on top of the loaded tables."),
    Setting(
        "sandbox_isolation",
        str,
        "require",
        "'full' refuses unless every sandbox layer is active; 'require' refuses to run code "
        "when process isolation is unavailable; 'reduced' runs with whatever layers the host "
        "has and says which.",
    ),
    Setting("max_output_bytes", int, 1_000_000, "Cap on what one run may print."),
    Setting("max_result_mb", int, 512, "Cap on the size of one run's result table or figure."),
    Setting("max_display_rows", int, 1000, "Rows of a result kept for display and JSON output."),
    Setting("repair_attempts", int, 2, "How many times a failed run goes back to the LLM."),
    Setting("backend", str, "auto", "auto | planner | local | openai: who writes the code."),
    Setting(
        "llm_base_url",
        str,
        "",
        "OpenAI-compatible endpoint (empty: OPENAI_BASE_URL or api.openai.com).",
    ),
    Setting("llm_model", str, "gpt-4o-mini", "Model name sent to the OpenAI-compatible endpoint."),
    Setting("llm_temperature", float, 0.0, "Sampling temperature for code generation."),
    Setting("llm_timeout_s", float, 120.0, "Timeout for one LLM request."),
    Setting("llm_max_tokens", int, 1024, "Upper bound on tokens the LLM may generate per reply."),
    Setting(
        "send_sample_rows",
        bool,
        True,
        "Send a few sample rows to the LLM (off: schema and aggregates only).",
    ),
    Setting(
        "local_model",
        str,
        "qwen2.5-coder-1.5b",
        "Embedded model: qwen2.5-coder-1.5b | qwen2.5-coder-0.5b.",
    ),
    Setting(
        "local_model_path", str, "", "Path to any GGUF file to serve instead of the bundled model."
    ),
    Setting("planner_min_confidence", float, 0.75, "The planner declines below this confidence."),
    Setting(
        "big_table_rows", int, 1_000_000, "From this many rows, code should aggregate with sql()."
    ),
    Setting(
        "duckdb_memory_mb",
        int,
        0,
        "DuckDB's memory limit for loading and sql() (0: DuckDB's default).",
    ),
    Setting(
        "session_memory_mb",
        int,
        0,
        "Memory the tables of one session may need in pandas (0: half of this machine's RAM).",
    ),
)

_BY_NAME: Final[dict[str, Setting]] = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Settings:
    """The effective settings. Frozen: derive a changed copy with `with_overrides`."""

    data_dir: str = "~/.decipher"
    sandbox_timeout_s: float = 30.0
    sandbox_memory_mb: int = 4096
    sandbox_isolation: str = "require"
    max_output_bytes: int = 1_000_000
    max_result_mb: int = 512
    max_display_rows: int = 1000
    repair_attempts: int = 2
    backend: str = "auto"
    llm_base_url: str = ""
    llm_model: str = "gpt-4o-mini"
    llm_temperature: float = 0.0
    llm_timeout_s: float = 120.0
    llm_max_tokens: int = 1024
    send_sample_rows: bool = True
    local_model: str = "qwen2.5-coder-1.5b"
    local_model_path: str = ""
    planner_min_confidence: float = 0.75
    big_table_rows: int = 1_000_000
    duckdb_memory_mb: int = 0
    session_memory_mb: int = 0
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)

    @property
    def data_path(self) -> Path:
        return Path(os.path.expanduser(self.data_dir))

    def with_overrides(self, source: str = "override", **values: Any) -> Settings:
        """A copy with some values replaced (validated), recording `source` for each."""
        parsed = {name: _parse(name, value) for name, value in values.items()}
        sources = {**self.sources, **dict.fromkeys(parsed, source)}
        return replace(self, **parsed, sources=sources)


def _parse(name: str, raw: Any) -> Any:
    setting = _BY_NAME.get(name)
    if setting is None:
        known = ", ".join(sorted(_BY_NAME))
        raise InputError(f"Unknown setting {name!r}. Known settings: {known}.")
    if isinstance(raw, setting.type) and not (setting.type is int and isinstance(raw, bool)):
        return raw
    text = str(raw).strip()
    try:
        if setting.type is bool:
            if text.lower() in ("1", "true", "yes", "on"):
                return True
            if text.lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError(text)
        return setting.type(text)
    except ValueError:
        raise InputError(
            f"Setting {name} expects {setting.type.__name__}, got {text!r}. "
            f"Set {ENV_PREFIX}{name.upper()} to a valid {setting.type.__name__}."
        ) from None


def load_settings(env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Settings from defaults, then `DECIPHER_*` variables in `env`, then explicit overrides."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for setting in SETTINGS:
        sources[setting.name] = "default"
        key = ENV_PREFIX + setting.name.upper()
        if key in env:
            values[setting.name] = _parse(setting.name, env[key])
            sources[setting.name] = f"environment ({key})"
    settings = Settings(**values, sources=sources)
    if overrides:
        settings = settings.with_overrides("override", **overrides)
    return settings


def setting_names() -> tuple[str, ...]:
    return tuple(f.name for f in fields(Settings) if f.name != "sources")
