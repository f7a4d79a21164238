"""The chart builder's first choice, read from the profile (issue 16): a category against a measure.

A new user opened the Data page on a sales table and was offered "Mean of order_id by order_id":
the first column twice. The default x is now a category (a text column with few values), and y
a numeric measure: never an id (a key column, or unique integers in a dense run like 1..5000) and
never a year. A measure that adds up (quantity, revenue) is summed, any other averaged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from engine.types import ColumnProfile, TableProfile

MAX_CATEGORIES: Final = 30  # more bars than this do not read as a bar chart
_ID_NAME: Final = re.compile(r"(^|[_ ])(id|key|code|num|no|nr|zip|iso)$|^index$", re.I)
_CAMEL_ID_NAME: Final = re.compile(r"[a-z0-9](Id|ID|Key|Code|Num)$")  # orderId, not "paid"
_YEAR_NAME: Final = re.compile(r"(^|_)(year|yr|fy)($|_)", re.I)
_ADDITIVE_NAME: Final = re.compile(
    r"quantity|qty|amount|revenue|sales|total|count|units|sold|profit|cost|spend|pop|volume",
    re.I,
)


@dataclass(frozen=True)
class ChartDefaults:
    """What the builder shows first: the x column, the y column (None: count rows) and how
    y is aggregated per x (one of engine.charts.AGGREGATIONS)."""

    x: str
    y: str | None
    aggregation: str


def chart_defaults(profile: TableProfile) -> ChartDefaults | None:
    """A category for x and a measure for y (None for a table without columns)."""
    if not profile.columns:
        return None
    x = _category(profile)
    measures = [c for c in profile.columns if c.name != x.name and is_measure(c, profile.rows)]
    if not measures:
        return ChartDefaults(x.name, None, "count")
    y = measures[0]
    return ChartDefaults(x.name, y.name, "sum" if _ADDITIVE_NAME.search(y.name) else "mean")


def is_measure(column: ColumnProfile, rows: int) -> bool:
    """A number worth adding or averaging: not an id, a code or a year."""
    return column.kind == "number" and not is_identifier(column, rows) and not is_year(column)


def is_identifier(column: ColumnProfile, rows: int) -> bool:
    """A key, not a quantity: named like one (order_id, iso_num), or unique integers in a
    dense run (1..5000). Unique integers spread wide (a population) stay a measure."""
    if _ID_NAME.search(column.name) or _CAMEL_ID_NAME.search(column.name):
        return True
    if "INT" not in column.type.upper() or column.min is None or column.max is None:
        return False
    present = rows - column.null_count
    unique = present > 1 and column.distinct_count >= present * 0.98  # approximate counts
    try:
        span = float(column.max) - float(column.min) + 1
    except (TypeError, ValueError):
        return False
    return unique and span <= column.distinct_count * 1.1


def is_year(column: ColumnProfile) -> bool:
    """A year: named so, or whole numbers all between 1800 and 2100."""
    if _YEAR_NAME.search(column.name):
        return True
    if "INT" not in column.type.upper() or column.min is None or column.max is None:
        return False
    try:
        return 1800 <= float(column.min) and float(column.max) <= 2100
    except (TypeError, ValueError):
        return False


def _category(profile: TableProfile) -> ColumnProfile:
    """The first text or yes/no column with 2..MAX_CATEGORIES values; else a date, a year or
    a few-valued whole number; else the first column."""
    columns = profile.columns
    few = [c for c in columns if 2 <= c.distinct_count <= MAX_CATEGORIES]
    for wanted in (
        [c for c in few if c.kind in ("text", "bool")],
        [c for c in columns if c.kind == "date"],
        [c for c in few if c.kind == "number" and not is_measure(c, profile.rows)],
        [c for c in columns if c.kind == "text"],
    ):
        if wanted:
            return wanted[0]
    return columns[0]
