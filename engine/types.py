"""Boundary objects: what one pipeline step hands to the next.

Each is a frozen dataclass. `to_json()` is the only producer of the JSON in
`../shared/engine-cli.md`; the CLI and the history store both serialise through it, and
`from_json()` reads it back (history, exports).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Final, Literal

from engine.outputs import OutputFile, SavedTable
from engine.values import json_scalar, now_iso, type_family

AnswerKind = Literal["value", "table", "figure", "text"]
ISO_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
ISO_DATETIME: Final = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?")


class Backend(StrEnum):
    """Who writes the code: the `backend` setting's choices, and `Turn.backend` (not AUTO).

    A StrEnum, so a value is its own JSON and compares equal to the plain string.
    """

    AUTO = "auto"
    PLANNER = "planner"
    LOCAL = "local"
    OPENAI = "openai"

    @property
    def label(self) -> str:
        """How a person reads it: 'offline planner', 'local model'..."""
        return _BACKEND_LABELS[self]

    @property
    def choice_label(self) -> str:
        """The Settings page's wording for choosing it."""
        return _BACKEND_CHOICES[self]


_BACKEND_LABELS: dict[Backend, str] = {
    Backend.AUTO: "automatic",
    Backend.PLANNER: "offline planner",
    Backend.LOCAL: "local model",
    Backend.OPENAI: "OpenAI-compatible model",
}
_BACKEND_CHOICES: dict[Backend, str] = {
    Backend.AUTO: "Automatic: planner first, then a configured model",
    Backend.PLANNER: "Offline planner only (no model)",
    Backend.LOCAL: "Embedded local model",
    Backend.OPENAI: "OpenAI-compatible endpoint",
}


@dataclass(frozen=True)
class ErrorInfo:
    """A handled failure: its contract kind, a plain message with the fix, technical detail."""

    kind: str
    message: str
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "message": self.message}
        if self.detail:
            out["detail"] = self.detail
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ErrorInfo:
        return cls(kind=data["kind"], message=data["message"], detail=data.get("detail", ""))


@dataclass(frozen=True)
class Table:
    """A table loaded into the session's DuckDB, and how its file was read."""

    name: str
    source: str
    format: str  # csv | excel | parquet | json
    rows: int
    columns: tuple[str, ...]
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    notes: tuple[str, ...] = ()  # what the loader fixed or assumed, in plain words

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "source": self.source,
            "format": self.format,
            "rows": self.rows,
            "columns": list(self.columns),
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "sheet": self.sheet,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class ColumnProfile:
    """One column's profile: what the prompt, the planner and the Data page know about it."""

    name: str
    type: str  # DuckDB type name, e.g. BIGINT, DOUBLE, VARCHAR, DATE, TIMESTAMP, BOOLEAN
    null_count: int
    distinct_count: int
    distinct_approximate: bool = False
    min: Any = None
    max: Any = None
    mean: float | None = None
    top_values: tuple[tuple[Any, int], ...] = ()  # most frequent values with their counts
    examples: tuple[Any, ...] = ()

    @property
    def kind(self) -> str:
        """A coarse family: number, text, date, bool or other."""
        return type_family(self.type)

    @property
    def seen(self) -> list[Any]:
        """The profiled values: the most frequent ones, then the examples."""
        return [v for v, _ in self.top_values] + list(self.examples)

    @property
    def texts(self) -> list[str]:
        """The profiled values written as text (what the planner reads a column's cells by,
        before any code runs)."""
        return [v for v in self.seen if isinstance(v, str)]

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "null_count": self.null_count,
            "distinct_count": self.distinct_count,
            "distinct_approximate": self.distinct_approximate,
            "min": json_scalar(self.min),
            "max": json_scalar(self.max),
            "mean": json_scalar(self.mean),
            "top_values": [[json_scalar(v), n] for v, n in self.top_values],
            "examples": [json_scalar(v) for v in self.examples],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ColumnProfile:
        return cls(
            name=data["name"],
            type=data["type"],
            null_count=data["null_count"],
            distinct_count=data["distinct_count"],
            distinct_approximate=data.get("distinct_approximate", False),
            min=data.get("min"),
            max=data.get("max"),
            mean=data.get("mean"),
            top_values=tuple((v, n) for v, n in data.get("top_values", [])),
            examples=tuple(data.get("examples", [])),
        )


@dataclass(frozen=True)
class SummaryRow:
    """A row that summarises the others: where it is, how it is labelled, and the evidence."""

    position: int  # 0-based, in the table's order
    column: str | None  # the column holding the label (None: a row with no labels)
    label: str | None
    reason: str

    @property
    def where(self) -> str:
        """How to find it: "Nation = 'Total'", or "no label"."""
        return f"{self.column} = {self.label!r}" if self.column else "no label"

    def describe(self) -> str:
        """One line for notes: "row 15 (Nation = 'Total'): its Gold is the sum of the other rows"."""
        return f"row {self.position + 1} ({self.where}): {self.reason}"

    def to_json(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "column": self.column,
            "label": self.label,
            "reason": self.reason,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SummaryRow:
        return cls(data["position"], data.get("column"), data.get("label"), data["reason"])


@dataclass(frozen=True)
class TableProfile:
    """A table's profile: rows and per-column facts, computed by DuckDB aggregates."""

    name: str
    source: str
    rows: int
    columns: tuple[ColumnProfile, ...]
    sample_rows: tuple[tuple[Any, ...], ...] = ()  # a few rows, for the prompt (privacy setting)
    notes: tuple[str, ...] = ()
    summary_rows: tuple[SummaryRow, ...] = ()  # "Total" rows: not data (engine/summary_rows.py)

    def column(self, name: str) -> ColumnProfile | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "source": self.source,
            "rows": self.rows,
            "columns": [c.to_json() for c in self.columns],
            "sample_rows": [[json_scalar(v) for v in row] for row in self.sample_rows],
            "notes": list(self.notes),
            "summary_rows": [r.to_json() for r in self.summary_rows],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TableProfile:
        return cls(
            name=data["name"],
            source=data["source"],
            rows=data["rows"],
            columns=tuple(ColumnProfile.from_json(c) for c in data["columns"]),
            sample_rows=tuple(tuple(r) for r in data.get("sample_rows", [])),
            notes=tuple(data.get("notes", [])),
            summary_rows=tuple(SummaryRow.from_json(r) for r in data.get("summary_rows", [])),
        )


@dataclass(frozen=True)
class CodeDraft:
    """Code proposed for a question by a backend, before it runs."""

    code: str
    backend: str  # planner | local | openai
    explanation: str = ""  # one line, e.g. "Mean of price, grouped by region"
    confidence: float | None = None  # the planner's; None for an LLM
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    latency_ms: float | None = None


@dataclass(frozen=True)
class TableData:
    """A result table: columns, rows capped for display, and the true row count.

    `arrow` holds the full result as a `pyarrow.Table` when it is at hand (a run, or a history
    turn with its Parquet file); it is never serialised. What a page shows, exports and looks up
    comes from it, so a selected row is found wherever the page showed it (issue 12).
    """

    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    row_count: int
    arrow: Any = field(default=None, compare=False, repr=False)

    @property
    def truncated(self) -> bool:
        return self.row_count > len(self.rows)

    def to_arrow(self) -> Any:  # -> pyarrow.Table
        """`arrow`, or else the kept rows typed again from their JSON (a history turn without
        its Parquet file): ISO dates become dates, mixed kinds become text."""
        import pyarrow as pa

        if self.arrow is not None:
            return self.arrow
        columns = list(zip(*self.rows, strict=True)) if self.rows else [()] * len(self.columns)
        return pa.table([_arrow_column(list(c)) for c in columns], names=list(self.columns))

    def display_slice(self, max_bytes: int, min_rows: int = 1_000) -> Any:  # -> pyarrow.Table
        """The first rows that fit in about `max_bytes` (at least `min_rows`): st.dataframe
        sends its whole argument in one message (200 MB cap), so a 4.7M-row result would not
        arrive at all."""
        table = self.to_arrow()
        if table.num_rows == 0 or table.nbytes <= max_bytes:
            return table
        per_row = table.nbytes / table.num_rows
        return table.slice(0, max(min_rows, int(max_bytes / per_row)))

    def rows_at(self, indexes: Iterable[int]) -> list[tuple[Any, ...]]:
        """The rows at these positions, as JSON scalars like `rows`, for any row of
        `display_slice` (row 2,000 of 5,000 too, not only the kept 1,000); others are skipped."""
        size = self.arrow.num_rows if self.arrow is not None else len(self.rows)
        wanted = [i for i in indexes if 0 <= i < size]
        if self.arrow is None:
            return [self.rows[i] for i in wanted]
        picked = self.arrow.take(wanted)
        columns = [[json_scalar(v) for v in column.to_pylist()] for column in picked.columns]
        return list(zip(*columns, strict=True)) if columns else [() for _ in wanted]

    def to_json(self) -> dict[str, Any]:
        return {
            "columns": list(self.columns),
            "rows": [[json_scalar(v) for v in row] for row in self.rows],
            "row_count": self.row_count,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TableData:
        return cls(
            columns=tuple(data["columns"]),
            rows=tuple(tuple(r) for r in data["rows"]),
            row_count=data["row_count"],
        )


def _arrow_column(values: list[Any]) -> Any:  # -> pyarrow.Array
    """One column of JSON scalars as Arrow: typed when the values agree, text when not."""
    import pyarrow as pa

    present = [v for v in values if v is not None]
    if present and all(isinstance(v, str) for v in present):
        if all(ISO_DATE.fullmatch(v) for v in present):
            return pa.array(values, pa.string()).cast(pa.date32())
        if all(ISO_DATETIME.fullmatch(v) for v in present):
            return pa.array([datetime.fromisoformat(v) if v else None for v in values])
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed kinds, e.g. 1 and "a"
        return pa.array([None if v is None else str(v) for v in values], pa.string())


@dataclass(frozen=True)
class Answer:
    """What the code left in `result` (and `fig`), normalised to one kind."""

    kind: AnswerKind
    text: str  # one-line human summary
    value: Any = None
    table: TableData | None = None
    figure: dict[str, Any] | None = None  # plotly JSON (fig.to_plotly_json() shape)
    images: tuple[str, ...] = ()  # the turn's image files that are its chart (matplotlib PNGs)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "text": self.text,
            "value": json_scalar(self.value),
            "table": self.table.to_json() if self.table is not None else None,
            "figure": self.figure,
            "images": list(self.images),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Answer:
        table = data.get("table")
        return cls(
            kind=data["kind"],
            text=data["text"],
            value=data.get("value"),
            table=TableData.from_json(table) if table else None,
            figure=data.get("figure"),
            images=tuple(str(n) for n in data.get("images") or ()),
        )


@dataclass(frozen=True)
class RunResult:
    """The outcome of running one piece of code in the sandbox. Failures are values, not raises."""

    ok: bool
    answer: Answer | None = None
    stdout: str = ""
    error: ErrorInfo | None = None
    elapsed_ms: float = 0.0
    files: tuple[OutputFile, ...] = ()  # what the code wrote into its folder, as kept
    saved_tables: tuple[SavedTable, ...] = ()  # what it passed to save_table()


@dataclass(frozen=True)
class Attempt:
    """One try at a question: the code sent to the sandbox and what came back (repairs add more)."""

    code: str
    result: RunResult


@dataclass(frozen=True)
class Turn:
    """One question (or code run) in a session, with the code that answered it.

    `to_json()` gives exactly one line of `python -m engine ... --json`, plus extra keys that the
    contract allows (question, explanation, attempts, tokens, created_at).
    """

    question: str | None
    code: str | None
    result: RunResult
    backend: str | None = None
    explanation: str = ""
    attempts: tuple[Attempt, ...] = ()  # earlier failed tries (repairs), oldest first
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    llm_ms: float | None = None
    created_at: str = field(default_factory=now_iso)  # when it was answered (UTC); the one stamp
    id: int | None = None  # the history store's row id, once saved

    @property
    def ok(self) -> bool:
        return self.result.ok

    def to_json(self) -> dict[str, Any]:
        r = self.result
        return {
            "ok": r.ok,
            "backend": self.backend,
            "code": self.code,
            "answer": r.answer.to_json() if r.answer is not None else None,
            "stdout": r.stdout,
            "error": r.error.to_json() if r.error is not None else None,
            "elapsed_ms": round(r.elapsed_ms, 1),
            "files": [f.to_json() for f in r.files],
            "saved_tables": [t.name for t in r.saved_tables],
            "question": self.question,
            "explanation": self.explanation,
            "attempts": [
                {
                    "code": a.code,
                    "error": a.result.error.to_json() if a.result.error else None,
                    "elapsed_ms": round(a.result.elapsed_ms, 1),
                }
                for a in self.attempts
            ],
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "llm_ms": self.llm_ms,
            "created_at": self.created_at,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], *, id: int | None = None) -> Turn:
        answer = data.get("answer")
        error = data.get("error")
        result = RunResult(
            ok=data["ok"],
            answer=Answer.from_json(answer) if answer else None,
            stdout=data.get("stdout", ""),
            error=ErrorInfo.from_json(error) if error else None,
            elapsed_ms=data.get("elapsed_ms", 0.0),
            files=tuple(OutputFile.from_json(f) for f in data.get("files") or ()),
            saved_tables=tuple(SavedTable(str(n)) for n in data.get("saved_tables") or ()),
        )
        attempts = tuple(
            Attempt(
                code=a["code"],
                result=RunResult(
                    ok=False,
                    error=ErrorInfo.from_json(a["error"]) if a.get("error") else None,
                    elapsed_ms=a.get("elapsed_ms", 0.0),  # the whole answer's time (issue 16)
                ),
            )
            for a in data.get("attempts", [])
        )
        return cls(
            question=data.get("question"),
            code=data.get("code"),
            result=result,
            backend=data.get("backend"),
            explanation=data.get("explanation", ""),
            attempts=attempts,
            prompt_tokens=data.get("prompt_tokens"),
            completion_tokens=data.get("completion_tokens"),
            llm_ms=data.get("llm_ms"),
            created_at=data.get("created_at", ""),
            id=id,
        )
