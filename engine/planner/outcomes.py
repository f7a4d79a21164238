"""Wins, losses and draws in a column of results (issue 13).

A season's schedule keeps each game's outcome in one text column: "W 24–17", "L 10–30",
"T 7–7", or "Win", "Lost", "Draw". "How many wins did they have" counts the rows whose result
is a win; no column is named, so the noun names the outcome. The profile only sees some cells,
so the code checks every cell and declines on one that is no outcome ("Cancelled").
"""

from __future__ import annotations

import re
from typing import Final

from engine.code_names import DECLINE
from engine.planner.filters import Filter
from engine.planner.matching import Token, name_has, singular
from engine.types import ColumnProfile, TableProfile

# The outcome nouns and the first letters of the cells they mean (a draw and a tie are one)
OUTCOME_NOUNS: Final = {
    "wins": ("W",),
    "victories": ("W",),
    "losses": ("L",),
    "defeats": ("L",),
    "draws": ("D", "T"),
    "ties": ("D", "T"),
}
OUTCOME_NAMES: Final = {("W",): "a win", ("L",): "a loss", ("D", "T"): "a draw or tie"}
# A cell that starts with an outcome: a letter alone ("W 24–17", "L", "W(OT)") or a word
OUTCOME_CELL: Final = r"^\s*(?:[WLDT]|win|won|loss|lost|draw|drawn|drew|tie|tied)(?![A-Za-z])"
RESULT_SHARE: Final = 0.8  # of the profiled cells, to call a column one of results

_OUTCOME: Final = re.compile(OUTCOME_CELL, re.IGNORECASE)


def result_column(table: TableProfile) -> ColumnProfile | None:
    """The table's one text column whose cells are mostly outcomes, with at least two kinds."""
    found = []
    for c in table.columns:
        seen = [v for v in c.texts if v.strip()] if c.kind == "text" else []
        outcomes = [v for v in seen if _OUTCOME.match(v)]
        kinds = {v.strip()[:1].upper() for v in outcomes}
        if seen and len(outcomes) >= RESULT_SHARE * len(seen) and len(kinds) > 1:
            found.append(c)
    return found[0] if len(found) == 1 else None


def outcome_filters(tokens: list[Token], table: TableProfile) -> list[Filter]:
    """'how many wins', 'the number of losses in october': a row filter on the results column
    for each outcome noun; marks the noun used. None when a column is named for the outcome
    ("Wins", "Losses": that column is meant) or the table has no column of results."""
    said = [i for i, t in enumerate(tokens) if t.text in OUTCOME_NOUNS and not (t.used or t.quoted)]
    column = result_column(table) if said else None
    if column is None:
        return []
    found = []
    for i in said:
        word = tokens[i].text
        if any(name_has(c, {singular(word)}) for c in table.columns):
            continue
        tokens[i].used = True
        found.append(Filter(column, "outcome", OUTCOME_NOUNS[word]))
    return found


def outcome_lines(frame: str, column: ColumnProfile, py) -> list[str]:
    """Lines that read each cell's outcome letter (`outcome`), declining unless every filled
    cell starts with one (`py` writes literals)."""
    why = f"{column.name} cells like {{odd.iloc[0]!r}} are not a win, loss or draw"
    return [
        f'cells = {frame}[{py(column.name)}].fillna("").astype(str).str.strip()',
        f'odd = cells[(cells != "") & ~cells.str.match({py(OUTCOME_CELL)}, case=False)]',
        "if len(odd):",
        f"    {DECLINE}(f{py(why)})",
        "outcome = cells.str[:1].str.upper()",
    ]
