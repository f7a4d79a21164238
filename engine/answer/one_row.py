"""A count of 1 for "how many …": one row matched, and the number asked for may be in it.

"how many laps did tony stewart race in 2012?" (wtq-train nt-5538) was answered 1: the code
counted the rows for Tony Stewart in 2012, and one matches, while the answer is that row's
"Laps" cell (129). So was "gerald geis represents how many counties in total?" (nt-4515), whose
answer is the four counties listed in that one row's cell. In the wtq-train records the local
model's answers of 1 were right 3 times of 12, while only 39 of the 2,000 gold answers are 1: a
count that stops at one matching row is most often a lookup read as a count. The loop sends it
back once, with a way to keep it when counting rows is meant.
"""

from __future__ import annotations

import ast
from typing import Final

from engine.answer.unmatched import number_value
from engine.sql_reading import sql_queries
from engine.types import Answer

# Calls that count rows: len(df[...]), df[...].shape[0], .count(), .size, .nunique()
_COUNTING_CALLS: Final = frozenset({"count", "nunique"})
_COUNTING_ATTRIBUTES: Final = frozenset({"size", "shape"})


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


def one_row_note(code: str, answer: Answer | None) -> str | None:
    """What goes back to the model when `code` counted rows and found one (None otherwise)."""
    if not (number_value(answer) == 1 and counts_rows(code)):
        return None
    return (
        "The result is 1 because the code counts the rows its filter matches, and one row "
        "matches. A question asking how many of something one thing has (laps, votes, "
        "counties, goals) usually asks for a number that row holds: a value in one of its "
        "columns, or how many items one of its cells lists. If so, set result to that number "
        "from the matching row; if the number of matching rows is the answer, give the same "
        "code again."
    )
