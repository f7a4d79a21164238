"""A count of 1 for "how many …": one row matched, and the number asked for is in it.

"how many laps did tony stewart race in 2012?" (wtq-train nt-5538) was answered 1: the code
counted the rows for Tony Stewart in 2012, and one matches, while the answer is that row's
"Race Distance Laps" cell (129). In the wtq-train records the local model's answers of 1 were
right 3 times of 12, while 39 of the 2,000 gold answers are 1. The loop sends such a count back
once, naming the column, with a way to keep it when counting rows is meant.

Only where what the question counts names a number column of the table ("laps" and "Race
Distance Laps"): 89 of wtq-train's 2,000 questions, 6 of them with a gold answer of 1, each
that column's cell. Sent back wherever code counted one row (stop 62, first try, 104 targeted
questions), the small model answered "how many members identified with the liberal party?" with
the member's name, and "how many players tied for fourth place?" with a player's: told that a
number may be in the row, it took a cell of whatever kind.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from typing import Final

from engine.answer.unmatched import number_value
from engine.answer_kinds import plain_words
from engine.planner.matching import name_words, singular
from engine.planner.readings import names_or_orders, numbers_rows
from engine.planner.text_numbers import numberish
from engine.sql_reading import sql_queries
from engine.types import Answer, ColumnProfile, TableProfile

# Calls that count rows: len(df[...]), df[...].shape[0], .count(), .size, .nunique()
_COUNTING_CALLS: Final = frozenset({"count", "nunique"})
_COUNTING_ATTRIBUTES: Final = frozenset({"size", "shape"})
# what "how many …" counts: "how many laps did …", "the total number of games played"
_COUNTED: Final = re.compile(r"\b(?:how many|number of)\s+(?:the\s+)?([a-z]+)")
_YEAR_START: Final = re.compile(r"\s*(?:1\d|20)\d\d\b")  # "1996–97", "2004 season"


def counts_rows(code: str) -> bool:
    """Whether `code` counts rows (len(), .shape, .size, .count(), .nunique(), or COUNT in the
    SQL it runs): a 1 it computes is then one matching row, not a value the table holds."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return False
    if any("count(" in query.lower().replace(" ", "") for query in sql_queries(tree)):
        return True
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id == "len":
                return True
            if isinstance(func, ast.Attribute) and func.attr in _COUNTING_CALLS:
                return True
        elif isinstance(node, ast.Attribute) and node.attr in _COUNTING_ATTRIBUTES:
            return True
    return False


def counted_column(question: str, profiles: Sequence[TableProfile]) -> ColumnProfile | None:
    """The number column that what the question counts names ("how many laps …" and "Race
    Distance Laps", numbers or numbers written as text); a year, a season, an id, a rank, or a
    column that numbers the rows, is no such count. None when no column, or more than one, is
    named so."""
    text = plain_words(question)
    said = _COUNTED.search(text)
    if said is None:
        return None
    counted = singular(said.group(1))
    named = [
        c
        for p in profiles
        for c in p.columns
        if (c.kind == "number" or (numberish(c) and not _periods(c)))
        and not names_or_orders(c)  # a year, an id, a rank: no amount
        and not numbers_rows(c, p.rows)  # Game 1 … 16: "how many games" counts the rows
        and counted in _words(c.name)
    ]
    if len(named) > 1:  # "games played" beside "Points per game": the one the question spells
        words = _words(text)
        named = [c for c in named if _words(c.name) <= words]
    return named[0] if len(named) == 1 else None


def _words(text: str) -> set[str]:
    """A name's or a question's words, each singular: what a counted noun is matched by."""
    return {singular(w) for w in name_words(text)}


def _periods(column: ColumnProfile) -> bool:
    """A text column whose profiled values all start with a year ("1996–97"): seasons or
    periods, which name rows ("how many seasons did he play" counts them), not amounts."""
    texts = column.texts
    return bool(texts) and all(_YEAR_START.match(t) for t in texts)


def one_row_note(
    question: str, code: str, answer: Answer | None, profiles: Sequence[TableProfile]
) -> str | None:
    """What goes back to the model when `code` counted rows and found one, where the question
    counts what a number column holds (None otherwise)."""
    if not (number_value(answer) == 1 and counts_rows(code)):
        return None
    column = counted_column(question, profiles)
    if column is None:
        return None
    return (
        "The result is 1 because the code counts the rows its filter matches, and one row "
        f"matches, while the question asks for a number the table's {column.name!r} column "
        f"holds. If that row's {column.name!r} is the answer, set result to it (the cell as "
        "written, or as a number); if the number of matching rows is the answer, give the same "
        "code again."
    )
