"""Yes/no questions that compare: 'did A play more minutes than B', 'is the E code less than
1950', and the ones that offer two answers, 'does A have more or less people than B' (issue 13).

One numeric column is read in the row each value names, as a lookup reads it, and compared with
the other row's value or with the number said. The answer is "Yes" or "No", or the one of the
two answers offered that holds (query.py reads "more or less … than" with its first word and
keeps the two). A tie between the two offered answers is neither: the code says so instead.
"""

from __future__ import annotations

from typing import Final

from engine.code_names import DECLINE
from engine.planner.filters import Filter
from engine.planner.intents.lookup import LOOKUP_WORDS
from engine.planner.intents.values import FILTER_WORDS
from engine.planner.plans import Intent, Plan, new_plan
from engine.planner.query import YES_NO_START, Query
from engine.planner.snippets import condition, measure_words, py

_WORDS: Final = {">": "more than", "<": "less than", ">=": "at least", "<=": "at most"}
_COMPARED: Final = frozenset(_WORDS)


def _direction(q: Query) -> str | None:
    """'>' or '<': the one comparison said between two named rows, as a comparative ("more
    minutes than B") or as a comparison no number follows ("greater than that of B")."""
    said = {">" if v == "desc" else "<" for _, f, v in q.keywords if f == "comparative"}
    compared = [v for _, f, v in q.keywords if f == "cmp"]
    if compared and (said or len(compared) != 1 or len(q.loose) != 1):
        return None
    said |= {v for v in compared if v in ("<", ">")}
    return said.pop() if len(said) == 1 and len(said | set(compared)) == 1 else None


class _YesOrNo(Intent):
    """What the two share: rows read as named (a Total row may be named), and an answer that is
    "Yes"/"No", or one of the two answers offered (kept after the plan's two values)."""

    every_row = False
    picks_an_option = True  # "more or less": one of the two answers the question offers

    def gives(self, plan: Plan) -> str:
        return "option" if len(plan.values) > 2 else "boolean"


class Versus(_YesOrNo):
    """'did A play more minutes than B', 'does A have more or less people than B': one numeric
    column read in the two rows two values name, the first compared with the second."""

    reads = frozenset({"comparative", "link", "gain"})
    compares_rows = True  # "greater than that of B": a comparison with no number after it

    def match(self, q: Query) -> Plan | None:
        if not YES_NO_START.match(q.question) or q.groups or q.has("agg"):
            return None
        said = {f for _, f, _ in q.keywords} - FILTER_WORDS - LOOKUP_WORDS - {"comparative"}
        pairs = [f for f in q.filters if f.op == "in" and len(f.value) == 2]
        numbers = [m.column for m in q.measures if m.column.kind == "number"]
        if said or len(pairs) != 1 or len(q.filters) != 1 or any(v.rows != 1 for v in q.values):
            return None
        if len(numbers) != 1 or len(q.measures) != 1 or q.has("tcmp"):
            return None
        direction = _direction(q)
        if direction is None:
            return None
        first, second = (Filter(pairs[0].column, "==", v) for v in pairs[0].value)
        parts = {"measures": (numbers[0],), "values": (first, second, *q.offered)}
        return new_plan(q, self, filters=(), descending=direction == ">", **parts)

    def explain(self, plan: Plan) -> str:
        first, second = plan.values[:2]
        more = "more" if plan.descending else "less"
        return (
            f"Whether the {measure_words(plan)} of {first.value} is {more} than that of "
            f"{second.value} ({first.column.name})"
        )

    def pandas(self, plan: Plan, rows: str, frame: str) -> list[str]:
        m = plan.measures[0].name
        first, second = plan.values[:2]
        op = ">" if plan.descending else "<"
        return [
            f"first = {frame}.loc[{condition(frame, first)}, {py(m)}]",
            f"second = {frame}.loc[{condition(frame, second)}, {py(m)}]",
            "if len(first) != 1 or len(second) != 1 or first.isna().any() or second.isna().any():",
            f"    {DECLINE}({py(f'each of the two names must pick one row with a {m}')})",
            "a, b = first.iloc[0], second.iloc[0]",
            *_answer(plan, ("a", op, "b"), f"{py(f'both have the {m} ')} + str(a)"),
        ]


class VersusNumber(_YesOrNo):
    """'is the E code less than 1950', 'was the score of X more or less than 35': one numeric
    column read in the row a value names, compared with the number said."""

    reads = frozenset({"link", "gain"})

    def match(self, q: Query) -> Plan | None:
        if not YES_NO_START.match(q.question) or q.groups or q.has("agg") or len(q.filters) != 2:
            return None
        said = {f for _, f, _ in q.keywords} - FILTER_WORDS - LOOKUP_WORDS
        named = [f for f in q.filters if f.op == "=="]
        compared = [f for f in q.filters if f.op in _COMPARED and f.column.kind == "number"]
        if said or q.has("tcmp") or len(named) != 1 or len(compared) != 1 or q.measures:
            return None
        if len(q.values) != 1 or q.values[0].rows != 1 or q.values[0].column != named[0].column:
            return None
        value, number = named[0], compared[0]
        parts = {"measures": (number.column,), "values": (value, number, *q.offered)}
        return new_plan(q, self, filters=(), **parts)

    def explain(self, plan: Plan) -> str:
        value, number = plan.values[:2]
        return (
            f"Whether the {measure_words(plan)} where {value.column.name} == {value.value} is "
            f"{_WORDS[number.op]} {number.value}"
        )

    def pandas(self, plan: Plan, rows: str, frame: str) -> list[str]:
        m = plan.measures[0].name
        value, number = plan.values[:2]
        return [
            f"cell = {frame}.loc[{condition(frame, value)}, {py(m)}]",
            "if len(cell) != 1 or cell.isna().any():",
            f"    {DECLINE}({py(f'the name must pick one row with a {m}')})",
            "a = cell.iloc[0]",
            *_answer(plan, ("a", number.op, repr(number.value)), py(f"the {m} is {number.value}")),
        ]


def _answer(plan: Plan, compared: tuple[str, str, str], tie: str) -> list[str]:
    """`result` from whether `left op right` holds: "Yes"/"No", or the answer offered that
    holds. When the two sides are equal neither offered answer does: the code declines with the
    expression `tie` (why)."""
    left, op, right = compared
    if len(plan.values) <= 2:
        return [f'result = "Yes" if {left} {op} {right} else "No"']
    said, other = plan.values[2:4]
    return [
        f"if {left} == {right}:",
        f"    {DECLINE}({py(f'neither {said} nor {other}: ')} + {tie})",
        f"result = {py(said)} if {left} {op} {right} else {py(other)}",
    ]
