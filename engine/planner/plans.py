"""A plan and the intents that make one (issue 5, style rule 10), plus the helpers their
`match` methods share.

An `Intent` is one kind of question: how it is recognised in a read `Query`, how it explains
itself in one line, and how it is written as pandas code and as DuckDB SQL. A `Plan` is what a
match found: the intent that matched, plus its columns and options. The registry of intents, in
the order they are tried, is `engine.planner.intents.INTENTS`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar, Final

from engine.errors import UnsupportedError
from engine.planner.filters import Filter
from engine.planner.query import Query
from engine.types import ColumnProfile, SummaryRow, TableProfile

GUESSED_AGG_PENALTY: Final = 0.1  # "body mass by species" means the mean, but it was not said
# Keywords only some intents answer ("the row after X", "how many more"): any other intent
# would leave them unused, so it is not allowed to answer (engine/planner/checks.py).
SPECIAL: Final = frozenset(
    {"position", "more", "link", "gain", "or", "comparative", "same", "both", "columns"}
)
# Words that pick rows by rank or place ("the first", "the most", "the most common"): an
# intent that does not read them would answer about other rows.
SELECTORS: Final = frozenset({"first", "last", "super", "mode", "placed"})


class Intent(ABC):
    """One kind of question, from recognising it to writing its code.

    Instances are stateless: the registry holds one of each, and a `Plan` refers to the one that
    matched, so the code writer needs no table keyed by intent names.

    `every_row`: the intent aggregates, ranks, counts or picks by position, so a table's summary
    rows ("Total") are left out of its rows; an intent that reads the rows a value names keeps
    them (a question may ask about the Total row itself).
    """

    every_row: ClassVar[bool] = True
    computes: ClassVar[bool] = True  # False: it only reads cells (numbers as text stay text)
    reads: ClassVar[frozenset[str]] = frozenset()  # the SPECIAL keywords this intent answers
    picks_an_option: ClassVar[bool] = False  # its answer is one of the options "A or B" names
    # its comparison word compares two named rows ("greater than that of B"): no number follows
    compares_rows: ClassVar[bool] = False

    @abstractmethod
    def match(self, q: Query) -> Plan | None:
        """A plan when the question is this kind, else None. Raises UnsupportedError when it is
        this kind but a part is missing or ambiguous: a decline that says what to add."""

    @abstractmethod
    def explain(self, plan: Plan) -> str:
        """What the code computes, in one line without the filters ("Mean of price")."""

    @abstractmethod
    def pandas(self, plan: Plan, rows: str, frame: str) -> list[str]:
        """pandas/plotly lines over `rows` (the filtered rows; `frame` is the whole table)."""

    def sql(self, plan: Plan, table: str) -> list[str] | None:
        """Lines that aggregate in DuckDB `sql()` over `table` (already quoted) for big tables,
        or None when this kind has no SQL form here: the pandas code is used instead."""
        return None

    def gives(self, plan: Plan) -> str:
        """What `result` will hold: `number` (one number), `label` (one value of a column, or
        the values of tied rows), `rows`, `table`, `figure`, `boolean` ("Yes"/"No") or `option`
        (one of two answers the question offers); checked against the question
        before any code is written (engine/answer_kinds.py)."""
        return "table"

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


@dataclass(frozen=True)
class Plan:
    """A computation the code writer can write: the intent plus its columns and options."""

    intent: Intent
    table: TableProfile
    measures: tuple[ColumnProfile, ...] = ()
    agg: str = "mean"
    groups: tuple[ColumnProfile, ...] = ()
    filters: tuple[Filter, ...] = ()
    n: int | None = None
    descending: bool = True
    period: str | None = None  # day | week | month | quarter | year
    time: ColumnProfile | None = None
    color: ColumnProfile | None = None
    confidence: float = 0.95
    drop_rows: tuple[SummaryRow, ...] = ()  # summary rows the code leaves out
    values: tuple[Any, ...] = ()  # cell values the intent uses itself (not as filters)
    text_numbers: tuple[str, ...] = ()  # text columns read as numbers (text_numbers.py)

    def columns_used(self) -> set[str]:
        """Every column the plan computes with, filters on or returns."""
        found = [*self.measures, *self.groups, *(f.column for f in self.filters)]
        found += [c for c in (self.time, self.color) if c is not None]
        return {c.name for c in found}


def new_plan(q: Query, intent: Intent, **parts) -> Plan:
    """A plan for `intent` with the question's table, filters and confidence (unless given)."""
    confidence = parts.pop("confidence", q.confidence)
    filters = parts.pop("filters", tuple(q.filters))
    parts.setdefault("text_numbers", q.text_numbers)
    return Plan(intent, q.table, filters=filters, confidence=confidence, **parts)


def numeric_measures(q: Query) -> list[ColumnProfile]:
    return [m.column for m in q.measures if m.column.kind == "number"]


def group_columns(q: Query) -> tuple[ColumnProfile, ...]:
    return tuple(m.column for m in q.groups)


def said_agg(q: Query) -> tuple[str | None, float]:
    """The statistic the question names (None if none) and the confidence to plan with."""
    agg = q.value("agg")
    aggs = {v for _, f, v in q.keywords if f == "agg"}
    if len(aggs) > 1:
        raise UnsupportedError(
            f"The question asks for several statistics ({', '.join(sorted(aggs))}); ask for one."
        )
    return agg, q.confidence


def one_measure(q: Query, what: str) -> ColumnProfile:
    """The one numeric column the question names; a decline asking which when not one."""
    numbers = numeric_measures(q)
    if len(numbers) == 1:
        return numbers[0]
    if not numbers:
        cols = ", ".join(c.name for c in q.table.columns if c.kind == "number")
        raise UnsupportedError(f"Which column should I {what}? Numeric columns: {cols}.")
    names = " or ".join(c.name for c in numbers)
    raise UnsupportedError(f"Which column should I {what}: {names}? Ask about one at a time.")
