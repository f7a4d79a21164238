"""Filter values written in another case or spacing than the one cell they name, written as the
cell before the code runs (issue 13).

The local model writes the values a question names as the question writes them:
`df['Landmark name'] == 'larned building'` for the cell 'Larned Building', `Host == 'ottawa'`,
or with a space where the cell breaks its line ('AFC Champions League' for 'AFC\\nChampions
League'; 226 of wtq-train's 1,174 tables have a cell with a line break). No row matches, and
the answer hangs on a repair told the cells. Replayed on the 633 distinct wtq-train programs
recorded at stop 67, it rewrites 7 (all from the naive prompt): 3 wrong answers become right,
4 stay wrong, none right becomes wrong. The cell meant is not in doubt when exactly one cell
of the compared column has the same letters once case and spacing are set aside, and no cell
is the value as written, and the question names the value itself; only then is the value
rewritten, and a comment in the code says so.
Other differences (accents, punctuation, a word more or less) are not a spelling but perhaps
another value: those stay the repair's, with the cells named (engine/answer/unmatched.py).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from typing import Any

from engine.extraction import Edit, spliced
from engine.figures import compared_values
from engine.sql_quoting import sql_strings_replaced, sql_texts_rewritten
from engine.value_index import ValueIndex, value_words


def with_values_as_written(code: str, values: Mapping[str, ValueIndex], question: str) -> str:
    """`code` with each text it compares a column with, where no cell of that column is the text
    as written and exactly one is once case and spacing are set aside, written as that cell:
    in pandas (`==`, `.isin`, also on a stripped column) and in the SQL it runs (`=`, `IN`).
    Unchanged when it does not parse or nothing needs it.

    Only a text the question names is rewritten (its words, in order): one the model chose
    itself may be the wrong value, and a filter that finds nothing says so (wtq-train nt-6296
    compared Match status with '1.0 1.0' for "won on penalties"; as the cell '1.0\\n1.0' it
    gave a wrong team where it had been declined)."""
    asked = value_words(question)
    written = {
        text: cell for text, cell in _as_written(code, values).items() if _named(text, asked)
    }
    if not written:
        return code
    tree = ast.parse(code)  # compared_values found comparisons: the code parses
    left = {
        id(part)
        for node in ast.walk(tree)
        if isinstance(node, ast.JoinedStr)
        for part in ast.walk(node)
    }
    left |= {  # names of columns: x['larned building'], x[['a', 'b']]
        id(part)
        for node in ast.walk(tree)
        if isinstance(node, ast.Subscript)
        for part in (node.slice, *getattr(node.slice, "elts", ()))
    }
    edits: list[Edit] = [
        (node.lineno, node.col_offset, node.end_lineno, node.end_col_offset, repr(cell))
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and (cell := written.get(node.value)) is not None
        and id(node) not in left
        and node.end_lineno is not None
        and node.end_col_offset is not None
    ]
    fixed = sql_texts_rewritten(spliced(code, edits), lambda sql: _sql_respelt(sql, written))
    if fixed == code:
        return code
    shown = ", ".join(f"{value!r} as {cell!r}" for value, cell in written.items())
    return f"# the filter values as the table writes them: {shown}\n{fixed}"


def _as_written(code: str, values: Mapping[str, ValueIndex]) -> dict[str, str]:
    """{text: the cell it means} for each text `code` compares a column with that exactly one
    cell of the column has once case and spacing are set aside, and not as written (that cell
    then is the text itself). A text compared with several columns is rewritten only when every
    comparison means the same cell."""
    meant: dict[str, set[str]] = {}
    doubtful: set[str] = set()
    for column, literals in compared_values(code):
        for literal in literals:
            words, folded = value_words(literal), _folded(literal)
            same = {
                v.value
                for index in values.values()
                for v in index.find(words)
                if v.column.casefold() == column.casefold() and _folded(v.value) == folded
            }
            if len(same) != 1:
                doubtful.add(literal)
            meant.setdefault(literal, set()).update(same)
    return {
        literal: cell
        for literal, cells in meant.items()
        if literal not in doubtful and len(cells) == 1 and (cell := next(iter(cells))) != literal
    }


def _named(text: str, asked: tuple[str, ...]) -> bool:
    """Whether the question's words (`asked`) hold `text`'s words, in order and together."""
    words = value_words(text)
    return bool(words) and any(
        asked[i : i + len(words)] == words for i in range(len(asked) - len(words) + 1)
    )


def _folded(text: str) -> str:
    """`text` with case and spacing set aside: 'AFC\\nChampions League' as 'afc champions
    league'."""
    return " ".join(text.split()).casefold()


_SQL_STRING = re.compile(r"'(?:[^']|'')*'")


def _sql_respelt(sql: str, written: Mapping[str, str]) -> str:
    """`sql` with each string literal that `written` names written as its cell."""

    def as_cell(literal: Any, source: str) -> str | None:
        cell = written.get(literal.this)
        if cell is None or _SQL_STRING.fullmatch(source) is None:
            return None  # not named, or not a plain quoted string (an E'' or $$ string)
        return "'" + cell.replace("'", "''") + "'"

    return sql_strings_replaced(sql, as_cell)
