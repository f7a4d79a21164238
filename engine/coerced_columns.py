"""Columns code makes numbers with `pd.to_numeric(..., errors='coerce')` that do not hold
plain numbers: times, dates, texts like '298[110-510]'. Coercing turns most values into NaN and
the statistic is taken over the few left, a silent wrong answer; the column check sends such
code back with the values and the way to get the number (split from columns.py, which reads
the column names code uses)."""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from engine.columns import checked_tables, string_literals, table_root
from engine.extraction import called_name
from engine.types import ColumnProfile, TableProfile

MIN_VALUES_JUDGED: Final = 2  # profiled values needed to say a text column is not numbers


@dataclass(frozen=True)
class Coerced:
    """A column `pd.to_numeric(..., errors='coerce')` would mostly turn into NaN."""

    column: ColumnProfile
    siblings: tuple[str, ...]  # numeric columns named after it ('No. of deaths_median')

    @property
    def for_user(self) -> str:
        shown = ", ".join(repr(str(v)) for v in _shown_values(self.column))
        return (
            f"The code makes the column {self.column.name!r} numbers with pd.to_numeric(..., "
            f"errors='coerce'), which turns most of its values into missing ones: it holds "
            f"values such as {shown}, not plain numbers."
        )

    @property
    def for_model(self) -> str:
        name = self.column.name
        if self.column.kind == "date":
            fix = (
                f"For a duration in seconds use pd.to_timedelta(df[{name!r}].astype(str))"
                ".dt.total_seconds(); for dates, pd.to_datetime(...)."
            )
        elif self.siblings:
            named = ", ".join(map(repr, self.siblings))
            fix = f"The table has the number as a column already: {named}."
        else:
            fix = (
                "Take the number out of the text first, e.g. "
                f"df[{name!r}].str.extract(r'(-?\\d+(?:\\.\\d+)?)')[0].astype(float)."
            )
        return f"{self.for_user} {fix}"


def coerced_columns(code: str, profiles: Sequence[TableProfile]) -> list[Coerced]:
    """Columns the code turns into numbers with `pd.to_numeric(table[col], errors='coerce')`
    that do not hold plain numbers: times, dates, or texts like '298[110-510]'. Coercing makes
    most values NaN and the statistic is taken over the few left, a silent wrong answer
    (DABench-dev 56, 588). A column the code assigned before the call is left out: the profile
    no longer describes it."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    checked = checked_tables(tree, profiles)
    stored: dict[str, int] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store):
            for name in string_literals(node.slice):
                stored[name] = min(stored.get(name, node.lineno), node.lineno)
    found: dict[str, Coerced] = {}
    for node in ast.walk(tree):
        if not (_is_to_numeric(node) and node.args and isinstance(node.args[0], ast.Subscript)):
            continue
        argument = node.args[0]
        root, preserving = table_root(argument.value)
        profile = checked.get(root or "")
        if profile is None or not preserving:
            continue
        for name in string_literals(argument.slice):
            column = profile.column(name)
            if column is None or stored.get(name, node.lineno) < node.lineno:
                continue
            if _mostly_not_numbers(column):
                siblings = tuple(
                    c.name
                    for c in profile.columns
                    if c.kind == "number" and c.name != name and c.name.startswith(name)
                )
                found.setdefault(name, Coerced(column, siblings))
    return list(found.values())


def _is_to_numeric(node: ast.AST) -> bool:
    """`pd.to_numeric(..., errors='coerce')` (or a bare `to_numeric` imported from pandas)."""
    return (
        isinstance(node, ast.Call)
        and called_name(node.func) == "to_numeric"
        and any(
            k.arg == "errors" and isinstance(k.value, ast.Constant) and k.value.value == "coerce"
            for k in node.keywords
        )
    )


def _mostly_not_numbers(column: ColumnProfile) -> bool:
    """Dates and times, or a text column whose profiled values mostly are not numbers."""
    if column.kind == "date":
        return True
    if column.kind != "text":
        return False
    values = column.texts
    failing = sum(1 for v in values if not _parses(v))
    return len(values) >= MIN_VALUES_JUDGED and failing * 2 > len(values)


def _parses(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _shown_values(column: ColumnProfile) -> list[object]:
    return list(dict.fromkeys(column.seen))[:3] or [column.min]
