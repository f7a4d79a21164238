"""Question -> CodeDraft: read the question, take the first intent that matches, write its code.

Tables from `big_table_rows` rows on get DuckDB `sql()` aggregations when the intent has them:
pandas over the whole frame would first copy it out of Arrow (issue 7: 10M-row aggregates must
take < 0.5 s). A database table always does (issue 15: the SQL runs in the database), and an
intent without a SQL form declines for it.
"""

from __future__ import annotations

import keyword
from collections.abc import Mapping, Sequence
from typing import Final

from engine.code_names import FIRST_TABLE
from engine.config import Settings
from engine.databases.urls import database_of_source
from engine.errors import UnsupportedError
from engine.identifiers import quote_ident
from engine.planner.compared_counts import compared_count
from engine.planner.durations import clock_lines, clockish
from engine.planner.intents import plan_for_query
from engine.planner.intents.aggregates import Aggregate
from engine.planner.plans import Plan
from engine.planner.query import read_question
from engine.planner.snippets import describe_filters, filter_lines, py
from engine.planner.text_numbers import conversion_lines
from engine.types import CodeDraft, TableProfile
from engine.value_index import ValueIndex

BIG_TABLE_ROWS: Final = 1_000_000


def plan(
    question: str,
    profiles: Sequence[TableProfile],
    settings: Settings,
    values: Mapping[str, ValueIndex] | None = None,
) -> CodeDraft:
    """Code for `question` with a one-line explanation and a confidence, or UnsupportedError.
    `values`: the value index of each table small enough to have one, by table name; without
    it only the profile's most frequent values are recognised."""
    compared = compared_count(question)  # "are there more than 8 properties": a count first
    found = plan_for_query(
        read_question(compared.question if compared else question, profiles, values)
    )
    said = explanation(found) + (compared.explain() if compared else "")
    if found.confidence < settings.planner_min_confidence:
        raise UnsupportedError(
            f"I am not confident enough to answer this offline (I read it as: "
            f"{said}). Rephrase it with exact column names, or ask the LLM."
        )
    if compared is not None and found.intent.gives(found) != "number":
        raise UnsupportedError(
            f"The question compares a count with {compared.number}, but my reading of it "
            f"({explanation(found)}) gives no one number, so I will not guess."
        )
    code = code_for_plan(found, profiles, settings.big_table_rows)
    if compared is not None:
        code += "\n".join(compared.lines()) + "\n"
    return CodeDraft(code=code, backend="planner", explanation=said, confidence=found.confidence)


def explanation(plan: Plan) -> str:
    """One line saying what the code computes, e.g. "Mean of price, grouped by region"."""
    converted = converted_columns(plan)
    numbers = f", reading {' and '.join(converted)} as numbers" if converted else ""
    return plan.intent.explain(plan) + describe_filters(plan) + numbers


def code_for_plan(
    plan: Plan, profiles: Sequence[TableProfile], big_table_rows: int = BIG_TABLE_ROWS
) -> str:
    """The code for a plan: pandas for ordinary tables, sql() aggregates for big ones
    (`big_table_rows` is the `big_table_rows` setting)."""
    frame = table_variable(plan.table, profiles)
    database = database_of_source(plan.table.source)
    converted = converted_columns(plan)
    if plan.table.rows >= big_table_rows or database:
        pandas_only = any(  # no SQL form: snippets._zero, _one_month_each, outcome_lines
            f.op in ("none", "outcome") or (f.op == "months" and f.column.kind != "date")
            for f in plan.filters
        )
        if all(r.column for r in plan.drop_rows) and not converted and not pandas_only:
            table = ".".join(quote_ident(part) for part in plan.table.name.split("."))
            lines = plan.intent.sql(plan, table)
            if lines is not None:
                return "\n".join(lines) + "\n"
        if database:  # issue 15: never pandas over a table that stays in its database
            raise UnsupportedError(
                f"{plan.table.name} lives in {database}, and this kind of question has no SQL "
                "form in the offline planner; ask the LLM, which writes sql() for it."
            )
    numbers = [line for c in converted for line in _conversion(plan, frame, c)]
    lines, rows = filter_lines(plan, frame)
    return "\n".join(numbers + lines + plan.intent.pandas(plan, rows, frame)) + "\n"


def _conversion(plan: Plan, frame: str, name: str) -> list[str]:
    """The lines that read one text column as numbers: durations in seconds, else numbers."""
    column = plan.table.column(name)
    if column is not None and clockish(column):
        if isinstance(plan.intent, Aggregate):  # "the longest time": seconds, not "3:34:14"
            raise UnsupportedError(
                f"{name} holds durations (like 1:23.45): the offline planner compares and "
                "ranks them, but does not compute with them; ask the LLM for this one."
            )
        return clock_lines(frame, name, py)
    labels = [r.label for r in plan.drop_rows if r.label]
    return conversion_lines(frame, name, py, labels)


def converted_columns(plan: Plan) -> list[str]:
    """The numbers-as-text columns the code computes with: measures of an intent that
    computes, and columns compared with a number."""
    used = {c.name for c in plan.measures} if plan.intent.computes else set()
    used |= {c.name for c in (plan.time,) if c is not None}
    used |= {
        f.column.name
        for f in plan.filters
        if f.op in (">", ">=", "<", "<=", "between")
        or (f.op == "==" and isinstance(f.value, int | float))  # "only 20,000": filters.py
    }
    return [c for c in plan.text_numbers if c in used]


def table_variable(table: TableProfile, profiles: Sequence[TableProfile]) -> str:
    """`df` when there is one table; the table's own name when there are several."""
    if len(profiles) > 1 and table.name.isidentifier() and not keyword.iskeyword(table.name):
        return table.name
    return FIRST_TABLE
