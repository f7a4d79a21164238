"""Pieces of code and wording that several intents write: literals, column references, filters,
aggregate names, and the words of explanations (issue 5).

Pandas code reads like an analyst's: `df["price"]`, strings in double quotes. SQL code runs in
DuckDB `sql()` over the Arrow table for big tables (issue 7: aggregates over 10M rows in < 0.5 s),
so only the small result reaches pandas. This module imports nothing from the intents, so every
intent module can use it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from typing import Any, Final

from engine.code_names import DECLINE, RESULT
from engine.identifiers import quote_ident
from engine.planner.filters import Filter
from engine.planner.outcomes import OUTCOME_NAMES, outcome_lines
from engine.planner.plans import Plan
from engine.types import ColumnProfile, SummaryRow

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
PANDAS_AGG: Final = {"mean": "mean", "sum": "sum", "median": "median", "min": "min", "max": "max",
                     "std": "std", "var": "var", "count": "count"}  # fmt: skip
SQL_AGG: Final = {"mean": "avg", "sum": "sum", "median": "median", "min": "min", "max": "max",
                  "std": "stddev_samp", "var": "var_samp", "count": "count"}  # fmt: skip
PERIOD_CODES: Final = {"day": "D", "week": "W", "month": "M", "quarter": "Q", "year": "Y"}
ROWS_SHOWN: Final = 1000  # listing rows of a big table: the first 1,000 matches


# --- explanations ---------------------------------------------------------------------------


def measure_words(plan: Plan) -> str:
    return ", ".join(c.name for c in plan.measures)


def group_words(plan: Plan) -> str:
    return " and ".join(c.name for c in plan.groups)


def agg_word(plan: Plan) -> str:
    """'Mean', 'Total', ...: the plan's statistic as the explanation says it."""
    return AGG_WORDS.get(plan.agg, plan.agg.title())


def grouped_by(plan: Plan) -> str:
    return f", grouped by {group_words(plan)}" if plan.groups else ""


MONTH_NAMES: Final = (  # written out: strftime("%B") follows the machine's locale
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
# A month named in a cell of text ("Oct 10", "Fri., Feb. 28, 1941", "16 September"), as its
# first three letters; the code filter_lines writes reads it into `month`
MONTH_PATTERN: Final = (
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
    r"(?:uary|ruary|ch|il|e|y|ust|t|tember|ober|ember)?\b"
)

# What a cell holds when there is nothing in it ("which clubs have no nickname")
BLANKS: Final = ("", "-", "–", "—", "none", "n/a")


def describe_filters(plan: Plan) -> str:
    """The filters as the end of an explanation: ", where species == Adelie and year in 2008"."""
    words = []
    for f in plan.filters:
        if f.op == "dates":
            name = _period_name(*f.value)
            last = date.fromordinal(f.value[1].toordinal() - 1)
            on = "on" if name and len(name) == 10 else "in"  # on 2024-12-25, in 2024-12
            words.append(
                f"{f.column.name} {on} {name}"
                if name
                else f"{f.column.name} {f.value[0]} to {last}"
            )
        elif f.op in ("in", "not in"):
            words.append(f"{f.column.name} {f.op} {', '.join(map(str, f.value))}")
        elif f.op == "between":
            words.append(f"{f.column.name} between {f.value[0]} and {f.value[1]}")
        elif f.op == "none":
            words.append(f"{f.column.name} is blank or 0")
        elif f.op == "outcome":
            words.append(f"{f.column.name} is {OUTCOME_NAMES[f.value]}")
        elif f.op == "months":
            names = " or ".join(MONTH_NAMES[m - 1] for m in f.value)
            words.append(f"{f.column.name} is in {names} (any year)")
        else:
            words.append(f"{f.column.name} {f.op} {f.value}")
    said = f", where {' and '.join(words)}" if words else ""
    return said + left_out(plan.drop_rows)


def left_out(rows: Iterable[SummaryRow]) -> str:
    """ ", leaving out the Total row" for the summary rows a plan leaves out ('' for none)."""
    names = [f"the {r.label} row" if r.label else f"row {r.position + 1} (a sum)" for r in rows]
    return f", leaving out {' and '.join(names)}" if names else ""


# --- pandas ---------------------------------------------------------------------------------


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
    """`frame["name"]`."""
    name = column if isinstance(column, str) else column.name
    return f"{frame}[{py(name)}]"


def by(plan: Plan) -> str:
    """The groupby key: `"region"`, or `["region", "segment"]` for two groups."""
    names = [g.name for g in plan.groups]
    return py(names[0]) if len(names) == 1 else py(names)


def filter_lines(plan: Plan, frame: str) -> tuple[list[str], str]:
    """Lines that select the plan's rows, and the variable that holds them. A column asked to
    hold nothing ("no casualties") that has both zeros and blank cells is declined first: a
    blank beside written zeros may mean "not known"."""
    checks = []
    for f in plan.filters:
        if f.op == "none":
            c = col(frame, f.column)
            why = f"{f.column.name} has cells of 0 and blank cells, so which rows have none is open"
            checks += [f"if {_zero(c)}.any() and {_blank(c)}.any():", f"    {DECLINE}({py(why)})"]
        if f.op == "months" and f.column.kind != "date":
            checks += _one_month_each(frame, f.column)
        if f.op == "outcome":
            checks += outcome_lines(frame, f.column, py)
    parts = [condition(frame, f) for f in plan.filters]
    parts += [summary_condition(frame, r) for r in plan.drop_rows]
    if not parts:
        return [], frame
    if len(parts) == 1:
        cond = parts[0]
    else:
        cond = " & ".join(p if _atomic(p) else f"({p})" for p in parts)
    return [*checks, f"rows = {frame}[{cond}]"], "rows"


def _one_month_each(frame: str, column: ColumnProfile) -> list[str]:
    """Lines that read the month each cell of a text date column names (`month`, "" for a blank
    cell), declining unless each filled cell names one: a cell of a year alone, or of two months
    ("30 Jan – 2 Feb"), may or may not be in the month asked about."""
    why = f"{column.name} cells like {{odd.iloc[0]!r}} name no month, or two"
    return [
        f'dates = {col(frame, column)}.fillna("").astype(str)',
        f'months = dates.str.lower().str.findall(r"{MONTH_PATTERN}").map(set)',
        'odd = dates[(months.map(len) != 1) & (dates.str.strip() != "")]',
        "if len(odd):",
        f"    {DECLINE}(f{py(why)})",
        'month = months.map(lambda found: min(found, default=""))  # "oct" for "Oct 10"',
    ]


def _zero(c: str) -> str:
    """A cell that is 0, or starts with the number 0 ("0 fatalities, 8 injuries")."""
    lead = f"{c}.astype(str).str.extract(r'^\\s*(\\d+(?:\\.\\d+)?)', expand=False)"
    return f"(pd.to_numeric({lead}, errors='coerce') == 0)"


def _blank(c: str) -> str:
    """A missing cell, or one that says so: '', a dash, 'none', 'n/a'."""
    return f"({c}.isna() | {c}.astype(str).str.strip().str.lower().isin({py(list(BLANKS))}))"


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
    if f.op == "none":  # 0 (also "0 fatalities"), blank, or a dash or "none" in the cell
        return f"{_zero(c)} | {_blank(c)}"
    if f.op == "months":
        if f.column.kind == "date":
            return f"{c}.dt.month.isin({py(f.value)})"
        return f"month.isin({py([MONTH_NAMES[m - 1][:3].lower() for m in f.value])})"  # checks
    if f.op == "outcome":
        return f"outcome.isin({py(list(f.value))})"  # outcome_lines
    return f"{c} {f.op} {py(f.value)}"


def summary_condition(frame: str, row: SummaryRow) -> str:
    """The rows other than a summary row: by its label, or by its place when it has none."""
    if row.column is None:
        return f"{frame}.index != {row.position}"
    return f"{col(frame, row.column)} != {py(row.label)}"


def _atomic(expression: str) -> bool:
    """A method call chain needs no parentheses around it in `a & b`; a comparison does."""
    return not any(op in expression for op in (" == ", " != ", " > ", " < ", " >= ", " <= "))


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


# --- DuckDB SQL -----------------------------------------------------------------------------


def literal(value: Any) -> str:
    """A SQL literal: 'text' with quotes doubled, DATE '2024-01-31', TRUE, 3.5."""
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return repr(value)


def sql_condition(f: Filter) -> str:
    """One filter as a SQL condition, with pandas' semantics for missing values."""
    c = quote_ident(f.column.name)
    if f.op == "dates":
        return f"{c} >= {literal(f.value[0])} AND {c} < {literal(f.value[1])}"
    if f.op in ("in", "not in"):
        values = ", ".join(literal(v) for v in f.value)
        if f.op == "not in":  # like pandas' ~isin: a missing value is "not one of them"
            return f"({c} IS NULL OR {c} NOT IN ({values}))"
        return f"{c} IN ({values})"
    if f.op == "!=":
        return f"{c} IS DISTINCT FROM {literal(f.value)}"  # like pandas: NaN != x is True
    if f.op == "contains":
        return f"contains(lower({c}), {literal(str(f.value).lower())})"
    if f.op == "between":
        return f"{c} BETWEEN {literal(f.value[0])} AND {literal(f.value[1])}"
    if f.op == "months":  # a DATE column's; months in text have no SQL form (code_for_plan)
        return f"month({c}) IN ({', '.join(map(str, f.value))})"
    return f"{c} {'=' if f.op == '==' else f.op} {literal(f.value)}"


def where(plan: Plan, *extra: str) -> str:
    """The WHERE clause for the plan's filters plus `extra` conditions ('' when none)."""
    parts = [sql_condition(f) for f in plan.filters] + list(extra)
    parts += [  # unlabelled summary rows have no SQL form: code_for_plan writes pandas
        f"{quote_ident(r.column)} IS DISTINCT FROM {literal(r.label)}"
        for r in plan.drop_rows
        if r.column is not None
    ]
    return f"\nWHERE {' AND '.join(parts)}" if parts else ""


def not_null(columns: Iterable[ColumnProfile]) -> list[str]:
    """`"x" IS NOT NULL` per column: pandas' groupby and nlargest drop missing keys too."""
    return [f"{quote_ident(c.name)} IS NOT NULL" for c in columns]


def agg_expr(plan: Plan, column: ColumnProfile | None) -> str:
    """`avg("price")`, or `count(*)` when rows are counted."""
    if column is None or plan.agg == "count" and not plan.measures:
        return "count(*)"
    return f"{SQL_AGG[plan.agg]}({quote_ident(column.name)})"


def top_labels(per_group: str, extreme: str) -> list[str]:
    """`result` = the label of `per_group` (a Series by label) at its `extreme` ("max" or
    "min"), or every tied label."""
    return [
        f"best = {per_group}[{per_group} == {per_group}.{extreme}()].index.to_series()",
        "result = best.iloc[0] if len(best) == 1 else best.reset_index(drop=True)  # a tie",
    ]


def call(query: str, target: str = RESULT) -> str:
    """`target = sql(\"\"\"...\"\"\")`, indented like hand-written code."""
    body = "\n".join("    " + line for line in query.strip().splitlines())
    if '"""' in body or "\\" in body:
        return f"{target} = sql({query.strip()!r})"
    return f'{target} = sql("""\n{body}\n""")'
