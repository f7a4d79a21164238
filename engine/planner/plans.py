"""A plan: what the code generator writes, plus the helpers the intents share (issue 5)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from engine.errors import UnsupportedError
from engine.planner.filters import Filter
from engine.planner.query import Query
from engine.types import ColumnProfile, TableProfile

AGG_WORDS: Final = {
    "sum": "Total",
    "mean": "Mean",
    "median": "Median",
    "min": "Minimum",
    "max": "Maximum",
    "std": "Standard deviation",
    "var": "Variance",
    "count": "Count",
}
AGG_VERBS: Final = {"sum": "add up", "mean": "average", "median": "take the median of",
             "min": "take the minimum of", "max": "take the maximum of", "count": "count",
             "std": "take the standard deviation of", "var": "take the variance of"}  # fmt: skip
# Columns whose per-period total is what people mean ("quantity by month"); others get the mean
# (a "body mass trend" is not a sum of body masses).
AMOUNT_NAME: Final = re.compile(
    r"quantit|qty|count|units|amount|sales|revenue|total|number|orders|visits|clicks|spend|cost"
)
COUNTING: Final = re.compile(r"\b(most|fewest|least)\b", re.IGNORECASE)  # of rows, not values
FILTER_WORDS: Final = frozenset(
    "during cmp tcmp between not contains and row which group list much".split()
)
GUESSED_AGG_PENALTY: Final = 0.1  # "body mass by species" means the mean, but it was not said


@dataclass(frozen=True)
class Plan:
    """A computation the code generator can write: intent plus its columns and options."""

    intent: str
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


def new_plan(q: Query, intent: str, **parts) -> Plan:
    confidence = parts.pop("confidence", q.confidence)
    return Plan(intent, q.table, filters=tuple(q.filters), confidence=confidence, **parts)


def numeric_measures(q: Query) -> list[ColumnProfile]:
    return [m.column for m in q.measures if m.column.kind == "number"]


def group_columns(q: Query) -> tuple[ColumnProfile, ...]:
    return tuple(m.column for m in q.groups)


def said_agg(q: Query) -> tuple[str | None, float]:
    agg = q.value("agg")
    aggs = {v for _, f, v in q.keywords if f == "agg"}
    if len(aggs) > 1:
        raise UnsupportedError(
            f"The question asks for several statistics ({', '.join(sorted(aggs))}); ask for one."
        )
    return agg, q.confidence


def one_measure(q: Query, what: str) -> ColumnProfile:
    numbers = numeric_measures(q)
    if len(numbers) == 1:
        return numbers[0]
    if not numbers:
        cols = ", ".join(c.name for c in q.table.columns if c.kind == "number")
        raise UnsupportedError(f"Which column should I {what}? Numeric columns: {cols}.")
    names = " or ".join(c.name for c in numbers)
    raise UnsupportedError(f"Which column should I {what}: {names}? Ask about one at a time.")
