"""A run that found nothing, whatever shape the nothing takes (issue 13).

A filter that matches no row shows up four ways: an empty table (or None, also as the one cell of
a SQL result: the MAX of no rows); an exception from taking the first row of a selection that has
none (`.iloc[0]`: "single positional indexer is out-of-bounds"); a 0 that only a value no cell
holds as written explains; and a count or total of 0 from a language model's filter on a text
value. Each is one situation for the person asking: no row matched, so the answer is a note that
says which values exist, sent back to the model once (engine/answer/loop.py), then an honest
decline when the question asks for a value.

Found on 100 wtq-train questions (seed 2026, backend auto with the local model): 14 of the 47
wrong answers were of these kinds: 7 zeros the value check did not explain (and one right 0,
from code that compared a column with two names at once), 4 empty results to "which"/"what"
questions (one a SQL NULL), and 3 IndexErrors shown in Python's words. With this check, all 15
are declined; on another 100 (seed 7), 10 wrong answers were declined and no right one lost.
Crowd-written questions almost never expect nothing: of wtq-train's 733 "how many …" questions
9 have the answer 0, and of its 445 "which/what/who …" questions of no clearer kind one has none.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Collection, Mapping, Sequence
from typing import Final

from engine.answer.emptiness import is_empty, unheld_literals, unheld_note
from engine.answer.unmatched import (
    is_zero,
    ordinal_suffix,
    unheld_numbers,
    unmatched_values,
    zero_note,
)
from engine.answer_kinds import asks_for_a_number
from engine.figures import compared_values
from engine.types import ErrorInfo, RunResult, TableProfile
from engine.value_index import ValueIndex

# pandas, numpy and Arrow's words for taking a row of a selection that has none (or too few).
# Arrow's (`.values[0]` of a text column, wtq-train nt-13047) does not give the size: a first
# or last item is what the code takes, and only nothing has none.
_NO_ROW_TAKEN: Final = re.compile(
    r"^IndexError: (?:single positional indexer is out-of-bounds"
    r"|index -?\d+ is out of bounds for axis 0 with size 0|index out of bounds(?:$| \())"
    r"|^ValueError: (?:attempt to get arg(?:max|min) of an empty sequence"
    r"|(?:max|min)\(\) (?:arg|iterable argument) is (?:an )?empty)"
)
_SQL_QUERY: Final = re.compile(r"\bselect\b", re.IGNORECASE)
_SQL_TEXT: Final = re.compile(r"'((?:[^']|'')+)'")
_NOT_A_VALUE: Final = re.compile(r"\s*[,;:|/-]?\s*|.*[%{}\n].*")  # separators, formats
# A row past the first of a selection, by position: `.iloc[1]`, `.iloc[-2]`. With every value
# it compares held, the selection had rows but fewer than that: the small model reads "the game
# after X" as the second row of the rows equal to X (18 times in the wtq-train records, each
# told "no row matched", which was not so).
_BEYOND_FIRST: Final = re.compile(r"\.iloc\[\s*(-?[1-9]\d*)\s*\]")
BEYOND_FIRST: Final = (
    "The code takes the {nth} row of a selection ({taken}), and the selection has fewer rows: "
    "a selection keeps only the rows that match its conditions. For the row after (or before) "
    "a matching row in the table's order, find that row and step from it: "
    "i = df.index[df[column] == value][0], then df.loc[i + 1] (df.loc[i - 1] for the one before)."
)
MAX_VALUE_CHARS: Final = 80
SHOWN: Final = 4


def took_from_nothing(error: ErrorInfo | None) -> bool:
    """The code failed taking a row (or the largest value) of a selection with no rows."""
    return (
        error is not None and error.kind == "runtime" and bool(_NO_ROW_TAKEN.match(error.message))
    )


def nothing_found(
    question: str,
    code: str,
    result: RunResult,
    profiles: Sequence[TableProfile],
    values: Mapping[str, ValueIndex],
    *,
    filters_checked: bool,
) -> str | None:
    """The note for a run that found nothing (which values exist, when known); None otherwise.

    `filters_checked`: the drafter filters only on values it found in the tables (the planner),
    so its 0 is a count, not a missed filter.
    """
    names = {p.name for p in profiles} | {c.name for p in profiles for c in p.columns}
    empty = (result.ok and is_empty(result.answer)) or (
        not result.ok and took_from_nothing(result.error)
    )
    zero = result.ok and is_zero(result.answer)
    if not (empty or zero):
        return None
    unmatched = unmatched_values(code, values, names)
    if not filters_checked:  # the planner compares a number with what the question says
        unmatched += unheld_numbers(code, profiles)
    if empty:
        unheld = unheld_literals(code, profiles)
        note = unheld_note(unheld)
        held = held_values(code, profiles, shown={column for column, _, _ in unheld})
        if unmatched or held:
            return f"{note[:-1]}; {'; '.join(unmatched + held)}."
        if not unheld and not result.ok and (beyond := _BEYOND_FIRST.search(code)):
            return BEYOND_FIRST.format(taken=beyond.group(0), nth=_nth(int(beyond.group(1))))
        return note
    if unmatched:
        return zero_note(unmatched)
    compared = filter_values(code, names)
    if filters_checked or not compared or not asks_for_a_number(question):
        return None
    shown = ", ".join(repr(v) for v in compared[:SHOWN])
    held = "".join(f"; {h}" for h in held_values(code, profiles))
    return (
        f"The result is 0: a count or total of 0 usually means that no row matched the code's "
        f"conditions (it compares with {shown}{held}). Check the filter values against the data."
    )


def held_values(
    code: str, profiles: Sequence[TableProfile], shown: Collection[str] = ()
) -> list[str]:
    """What each text column the code compares with a value no profiled cell equals holds
    instead, a few values as written ("Date holds values such as '08-Apr-68', …"): the writing a
    repair needs (wtq-train nt-1983 compared dates written '30-Jan-68' with '1968-01-30', twice).
    A column whose values are `shown` already is left out."""
    columns = {c.name: c for p in profiles for c in p.columns}
    notes: list[str] = []
    for name, literals in dict.fromkeys(compared_values(code)):
        column = columns.get(name)
        if column is None or column.kind != "text" or name in shown:
            continue
        texts = list(dict.fromkeys(column.texts))
        if texts and not set(literals) & set(texts):
            shown = ", ".join(repr(v) for v in texts[:SHOWN])
            notes.append(f"{name} holds values such as {shown}")
    return notes


def filter_values(code: str, names: Collection[str]) -> list[str]:
    """The text values the code may filter on: its text constants that name no table or column,
    and the quoted texts inside its SQL. Formats, separators and f-string parts are left out."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    in_fstrings = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
    texts: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
            continue
        if id(node) in in_fstrings:
            continue
        if _SQL_QUERY.search(node.value):
            texts |= {m.replace("''", "'") for m in _SQL_TEXT.findall(node.value)}
        elif len(node.value) <= MAX_VALUE_CHARS:
            texts.add(node.value)
    return sorted(t for t in texts if t not in names and not _NOT_A_VALUE.fullmatch(t))


def _nth(position: int) -> str:
    """`.iloc`'s position in words: 1 → '2nd', -2 → '2nd-to-last'."""
    if position < 0:
        return f"{_nth(-position - 1)}-to-last"
    return f"{position + 1}{ordinal_suffix(position + 1)}"
