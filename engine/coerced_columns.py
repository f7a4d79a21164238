"""Columns code makes numbers with `pd.to_numeric(..., errors='coerce')` that do not hold
plain numbers (times, dates, texts like '298[110-510]'), or dates with `pd.to_datetime(...,
errors='coerce')` that do not hold dates (places, names). Coercing turns most values into NaN or
NaT and the statistic is taken over the few left, a silent wrong answer; the column check sends
such code back with the values and the way to get the number or the date (split from
columns.py, which reads the column names code uses)."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from engine.code_names import DECLINE
from engine.columns import checked_tables, string_literals, table_root
from engine.extraction import called_name
from engine.types import ColumnProfile, TableProfile

MIN_VALUES_JUDGED: Final = 2  # profiled values needed to say a text column is not numbers
# A cell with no digit is a date only when it names a month or a day ('March', 'Monday').
_DATE_WORD: Final = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun)", re.I
)


@dataclass(frozen=True)
class Coerced:
    """A column `pd.to_numeric(..., errors='coerce')` (or `pd.to_datetime`) would mostly turn
    into NaN (NaT)."""

    column: ColumnProfile
    siblings: tuple[str, ...]  # what holds it: numbers named after it, or the date columns
    into: str = "to_numeric"  # or "to_datetime": the call that coerces

    @property
    def for_user(self) -> str:
        shown = ", ".join(repr(str(v)) for v in _shown_values(self.column))
        made, held = (
            ("dates", "dates") if self.into == "to_datetime" else ("numbers", "plain numbers")
        )
        return (
            f"The code makes the column {self.column.name!r} {made} with pd.{self.into}(..., "
            f"errors='coerce'), which turns most of its values into missing ones: it holds "
            f"values such as {shown}, not {held}."
        )

    @property
    def for_model(self) -> str:
        name = self.column.name
        if self.into == "to_datetime":
            named = ", ".join(map(repr, self.siblings))
            where = f" ({named})" if named else ""
            fix = (
                f"Take the dates from a column that holds them{where}; if no column holds the "
                f"dates the question needs, call {DECLINE}(...) instead."
            )
        elif self.column.kind == "date":
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
    that do not hold plain numbers (times, dates, texts like '298[110-510]'), or into dates with
    `pd.to_datetime(..., errors='coerce')` that do not hold dates ('Location' in wtq-train
    nt-4194: every ship's launch place became NaT, and a count of 0 was the answer). Coercing
    makes most values missing and the statistic is taken over the few left, a silent wrong
    answer (DABench-dev 56, 588). A column the code assigned before the call is left out: the
    profile no longer describes it."""
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
        into = _coercion(node)
        if into is None or not (node.args and isinstance(node.args[0], ast.Subscript)):
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
            if into == "to_datetime" and _mostly_not_dates(column):
                dates = tuple(c.name for c in profile.columns if c.kind == "date")
                found.setdefault(name, Coerced(column, dates, into))
            elif into == "to_numeric" and _mostly_not_numbers(column):
                siblings = tuple(
                    c.name
                    for c in profile.columns
                    if c.kind == "number" and c.name != name and c.name.startswith(name)
                )
                found.setdefault(name, Coerced(column, siblings))
    return list(found.values())


def _coercion(node: ast.AST) -> str | None:
    """'to_numeric' or 'to_datetime' for `pd.to_numeric(..., errors='coerce')` or
    `pd.to_datetime(..., errors='coerce')` (or the bare names imported from pandas)."""
    if not isinstance(node, ast.Call):
        return None
    name = called_name(node.func)
    coerces = any(
        k.arg == "errors" and isinstance(k.value, ast.Constant) and k.value.value == "coerce"
        for k in node.keywords
    )
    return name if coerces and name in ("to_numeric", "to_datetime") else None


def _mostly_not_numbers(column: ColumnProfile) -> bool:
    """Dates and times, or a text column whose profiled values mostly are not numbers."""
    return column.kind == "date" or _mostly_failing(column, _parses)


def _mostly_not_dates(column: ColumnProfile) -> bool:
    """A text column whose profiled values mostly hold no digit and name no month or day:
    places, names, kinds. (Numbers are left alone: a year read as a date is another fault.)"""
    return _mostly_failing(column, _may_be_date)


def _mostly_failing(column: ColumnProfile, reads: Callable[[str], bool]) -> bool:
    """A text column with enough profiled values to judge, most of which `reads` cannot read."""
    if column.kind != "text":
        return False
    values = column.texts
    failing = sum(1 for v in values if not reads(v))
    return len(values) >= MIN_VALUES_JUDGED and failing * 2 > len(values)


def _parses(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _may_be_date(text: str) -> bool:
    return any(ch.isdigit() for ch in text) or _DATE_WORD.search(text) is not None


def _shown_values(column: ColumnProfile) -> list[object]:
    return list(dict.fromkeys(column.seen))[:3] or [column.min]
