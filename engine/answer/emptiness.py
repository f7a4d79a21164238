"""An answer with nothing in it says why: the filter values that match no row, and the values
that do exist (issue 13: an empty chart for a misspelt region is a silent wrong answer).

Only values the profile knows completely are named (a column whose distinct values all fit in
its top values); for the others the message says the result is empty and to check the filter.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from typing import Final

from engine.answer.expectations import one_value
from engine.figures import has_points
from engine.sql_reading import sql_queries, sql_strings
from engine.types import Answer, ColumnProfile, TableProfile

VALUES_SHOWN: Final = 12
# What a missing value looks like as text: the model's f"{x}" of a None, NaN or NaT, or nothing
# at all ("what is the next film of ahsan's?" answered "None", wtq-train nt-1342). No gold
# answer of wtq-train's 2,000 is one of these.
_MISSING_TEXTS: Final = frozenset({"", "none", "nan", "nat", "<na>", "null"})
EMPTY_PREFIX: Final = "The result is empty"
_NOTHING_MATCHED: Final = (
    "no row matched the code's conditions. Check the filter values and ranges against the data."
)


def is_empty(answer: Answer | None) -> bool:
    """No rows, a chart with no points, or a missing value (the mean of no rows, also as the
    one cell of a SQL result, or written as text: "None", "nan")."""
    if answer is None:
        return False
    if answer.kind == "table":
        table = answer.table
        if table is None:
            return False
        one_cell = table.row_count == 1 and len(table.columns) == 1 and bool(table.rows)
        return table.row_count == 0 or (one_cell and one_value(answer) is None)
    if answer.kind == "figure":  # a figure with no traces at all is drawn by hand: not judged
        traces = (answer.figure or {}).get("data") or []
        return bool(traces) and not has_points(answer.figure)
    if isinstance(answer.value, str):  # `str(None)` or a printed NaN: the text of nothing
        return answer.value.strip().casefold() in _MISSING_TEXTS
    return answer.kind == "value" and answer.value is None


def empty_message(answer: Answer | None) -> str | None:
    """What the page says for an empty answer, in place of "Done" (issue 16): the loop's note
    (the values that exist) when it wrote one; None when the answer is not empty."""
    if not is_empty(answer) or answer is None:
        return None
    if answer.text.startswith(EMPTY_PREFIX):
        return answer.text
    return f"{EMPTY_PREFIX}: {_NOTHING_MATCHED}"


def empty_result_note(code: str, profiles: Sequence[TableProfile]) -> str:
    """Why the result may be empty: each text literal in the code that no row holds."""
    return unheld_note(unheld_literals(code, profiles))


def unheld_note(unheld: Sequence[tuple[str, str, tuple[str, ...]]]) -> str:
    """The empty note for `unheld_literals`' findings (the generic note when there are none)."""
    missing = {
        f"no row has {column} = {literal!r} (its values: {', '.join(map(repr, values))})"
        for column, literal, values in unheld
    }
    if missing:
        return f"{EMPTY_PREFIX}: " + "; ".join(sorted(missing)) + "."
    return f"{EMPTY_PREFIX}: {_NOTHING_MATCHED}"


def unheld_literals(
    code: str, profiles: Sequence[TableProfile]
) -> list[tuple[str, str, tuple[str, ...]]]:
    """(column, literal, a few of its values) for each text literal in the code that no row of
    a completely profiled column holds, while it looks like one of that column's values."""
    literals = string_literals(code)
    names = {c.name for p in profiles for c in p.columns} | {p.name for p in profiles}
    missing = []
    for literal in literals - names:
        for column in (c for p in profiles for c in p.columns):
            known = _all_values(column)
            if known is None or literal in known or not _looks_like(literal, known):
                continue
            missing.append((column.name, literal, tuple(sorted(known)[:VALUES_SHOWN])))
    return missing


def _all_values(column: ColumnProfile) -> set[str] | None:
    """Every value of a text column, when its top values are all of them; else None."""
    if column.kind != "text" or not column.top_values:
        return None
    if len(column.top_values) < column.distinct_count or column.distinct_approximate:
        return None
    return {str(v) for v, _ in column.top_values}


def _looks_like(literal: str, values: set[str]) -> bool:
    """A literal meant for this column: close to one of its values (case, spelling, plural)."""
    from rapidfuzz import fuzz, process

    folded = {v.casefold(): v for v in values}
    if literal.casefold() in folded:
        return True
    return (
        process.extractOne(literal.casefold(), list(folded), scorer=fuzz.ratio, score_cutoff=70)
        is not None
    )


def string_literals(code: str) -> set[str]:
    """Every short text constant in the code (the values it may filter on), the strings inside
    the SQL it runs in place of the query text."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    queries = sql_queries(tree)
    constants = {
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and 0 < len(n.value) <= 80
    }
    inside = {s for query in queries for s in sql_strings(query) if 0 < len(s) <= 80}
    return (constants - set(queries)) | inside
