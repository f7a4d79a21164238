"""Plans to readable pandas/plotly code, the kind an analyst would write (issue 5).

Tables over `BIG_TABLE_ROWS` rows get DuckDB `sql()` aggregations instead (engine/planner/sqlgen):
pandas over the whole frame would first copy it out of Arrow (issue 7: 10M-row aggregates
must take < 0.5 s).
"""

from __future__ import annotations

import json
import keyword
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, Final

from engine.planner.filters import Filter
from engine.planner.plans import AGG_WORDS, Plan
from engine.types import ColumnProfile, TableProfile

BIG_TABLE_ROWS: Final = 1_000_000
PERIOD_CODES: Final = {"day": "D", "week": "W", "month": "M", "quarter": "Q", "year": "Y"}


def table_variable(table: TableProfile, profiles: Sequence[TableProfile]) -> str:
    """`df` when there is one table; the table's own name when there are several."""
    if len(profiles) > 1 and table.name.isidentifier() and not keyword.iskeyword(table.name):
        return table.name
    return "df"


def py(value: Any) -> str:
    """A Python literal for a value, strings in double quotes like the rest of the code."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, tuple | list):
        return "[" + ", ".join(py(v) for v in value) + "]"
    if hasattr(value, "isoformat"):
        return json.dumps(value.isoformat())
    return repr(value)


def col(frame: str, column: ColumnProfile | str) -> str:
    name = column if isinstance(column, str) else column.name
    return f"{frame}[{py(name)}]"


def condition(frame: str, f: Filter) -> str:
    """One filter as a pandas boolean expression (no outer parentheses)."""
    c = col(frame, f.column)
    if f.column.kind == "date":
        c = f"pd.to_datetime({c})"
    if f.op == "dates":
        return _date_range(c, *f.value, whole_days=f.column.type.upper() == "DATE")
    if f.op == "in":
        return f"{c}.isin({py(f.value)})"
    if f.op == "not in":
        return f"~{c}.isin({py(f.value)})"
    if f.op == "contains":
        return f"{c}.str.contains({py(f.value)}, case=False, regex=False, na=False)"
    if f.op == "between":
        return f"{c}.between({py(f.value[0])}, {py(f.value[1])})"
    return f"{c} {f.op} {py(f.value)}"


def _period_name(first: date, after: date) -> str | None:
    """'2024', '2013-07' or '2024-12-25' when the range is exactly that period."""
    months = (after.year * 12 + after.month) - (first.year * 12 + first.month)
    if (first.month, first.day, after.month, after.day) == (1, 1, 1, 1) and months == 12:
        return str(first.year)
    if first.day == 1 and after.day == 1 and months == 1:
        return f"{first:%Y-%m}"
    if (after - first).days == 1:
        return first.isoformat()
    return None


def _date_range(c: str, first: date, after: date, *, whole_days: bool) -> str:
    """A whole year or month as people say it; other spans as comparisons (times kept right)."""
    name = _period_name(first, after)
    if name is not None and len(name) == 4:
        return f"{c}.dt.year == {name}"
    if name is not None and len(name) == 7:
        return f'{c}.dt.to_period("M") == "{name}"'
    if not whole_days:  # a TIMESTAMP: the last day runs until midnight
        return f"({c} >= {py(first)}) & ({c} < {py(after)})"
    if name is not None:
        return f"{c} == {py(first)}"
    return f"{c}.between({py(first)}, {py(date.fromordinal(after.toordinal() - 1))})"


def filter_lines(plan: Plan, frame: str) -> tuple[list[str], str]:
    """Lines that select the plan's rows, and the variable that holds them."""
    if not plan.filters:
        return [], frame
    parts = [condition(frame, f) for f in plan.filters]
    if len(parts) == 1:
        cond = parts[0]
    else:
        cond = " & ".join(p if _atomic(p) else f"({p})" for p in parts)
    return [f"rows = {frame}[{cond}]"], "rows"


def _atomic(expression: str) -> bool:
    """A method call chain needs no parentheses around it in `a & b`; a comparison does."""
    return not any(op in expression for op in (" == ", " != ", " > ", " < ", " >= ", " <= "))


def describe_filters(plan: Plan) -> str:
    words = []
    for f in plan.filters:
        if f.op == "dates":
            name = _period_name(*f.value)
            last = date.fromordinal(f.value[1].toordinal() - 1)
            words.append(
                f"{f.column.name} in {name}" if name else f"{f.column.name} {f.value[0]} to {last}"
            )
        elif f.op in ("in", "not in"):
            words.append(f"{f.column.name} {f.op} {', '.join(map(str, f.value))}")
        elif f.op == "between":
            words.append(f"{f.column.name} between {f.value[0]} and {f.value[1]}")
        else:
            words.append(f"{f.column.name} {f.op} {f.value}")
    return f", where {' and '.join(words)}" if words else ""


def explanation(plan: Plan) -> str:
    """One line saying what the code computes, e.g. "Mean of price, grouped by region"."""
    m = ", ".join(c.name for c in plan.measures)
    g = " and ".join(c.name for c in plan.groups)
    agg = AGG_WORDS.get(plan.agg, plan.agg.title())
    by = f", grouped by {g}" if g else ""
    texts: dict[str, Callable[[], str]] = {
        "count_rows": lambda: "Number of rows",
        "count_groups": lambda: f"Number of rows per {g}",
        "distinct_count": lambda: f"Number of distinct values of {g}",
        "unique": lambda: f"Distinct values of {g}",
        "distinct_groups": lambda: f"Number of distinct values of {m} per {g}",
        "aggregate": lambda: f"{agg} of {m}{by}",
        "top_groups": lambda: _top_words(plan),
        "top_rows": lambda: (
            f"The {plan.n} rows with the {'highest' if plan.descending else 'lowest'} {m}"
        ),
        "share": lambda: f"Share of {'total ' + m if m else 'rows'} per {g}, in percent",
        "share_rows": lambda: "Share of rows that match, in percent",
        "histogram": lambda: (
            f"Distribution of {m}" + (f", coloured by {plan.color.name}" if plan.color else "")
        ),
        "trend": lambda: _trend_words(plan),
        "corr": lambda: f"Pearson correlation of {m.replace(', ', ' and ')}",
        "corr_matrix": lambda: "Correlation matrix of the numeric columns",
        "scatter": lambda: (
            f"Scatter plot of {plan.measures[1].name} against {plan.measures[0].name}"
            if len(plan.measures) == 2
            else "Scatter plot"
        ),
        "describe": lambda: f"Summary statistics of {m or 'every column'}{by}",
        "missing": lambda: f"Missing values in {m or 'each column'}",
        "first_last": lambda: (
            f"{(plan.period or '').title()} date in {plan.time.name if plan.time else ''}"
        ),
        "head": lambda: f"The first {plan.n} rows",
        "mode": lambda: f"Most common value of {g}",
        "sort": lambda: f"Rows sorted by {m}, {'highest' if plan.descending else 'lowest'} first",
        "pivot": lambda: f"Pivot of {agg.lower()} {m or 'rows'} by {g}",
        "rows": lambda: "Rows",
    }
    return texts[plan.intent]() + describe_filters(plan)


def _top_words(plan: Plan) -> str:
    g = plan.groups[0].name
    agg = AGG_WORDS.get(plan.agg, plan.agg).lower()
    what = "rows" if plan.agg == "count" else f"{agg} {plan.measures[0].name}"
    most = "highest" if plan.descending else "lowest"
    if plan.agg == "count":
        most = "most" if plan.descending else "fewest"
    if plan.n:
        return f"The {plan.n} values of {g} with the {most} {what}"
    return f"The {g} with the {most} {what}"


def _trend_words(plan: Plan) -> str:
    time = plan.time.name if plan.time else "time"
    what = (
        "Number of rows"
        if plan.agg == "count"
        else f"{AGG_WORDS[plan.agg]} of {plan.measures[0].name}"
    )
    per = f"per {plan.period} of {time}" if plan.period else f"per {time}"
    return f"{what} {per}" + (f", by {plan.color.name}" if plan.color else "")


def code_for_plan(
    plan: Plan, profiles: Sequence[TableProfile], big_table_rows: int = BIG_TABLE_ROWS
) -> str:
    """The code for a plan: pandas for ordinary tables, sql() aggregates for big ones
    (`big_table_rows` is the `big_table_rows` setting)."""
    frame = table_variable(plan.table, profiles)
    if plan.table.rows >= big_table_rows:
        from engine.planner.sqlgen import sql_code

        code = sql_code(plan, frame)
        if code is not None:
            return code
    from engine.planner.pandasgen import pandas_code

    return pandas_code(plan, frame)
