"""A model's code runs on its tables without their summary rows (issue 13).

The prompt names each "Total" row and the filter that leaves it out (engine/prompt.py), yet the
small model sums and counts over the whole table all the same: "the total amount of senators in
all departments" came to 72, twice the Total row's 36; "nations with more than 5 bronze medals"
counted the Total row as a nation. Replayed on 104 targeted wtq-train questions (stop 62), the
model's final code over such tables run with those rows left out first changed 4 of 12 answers:
3 wrong answers became right, and one stayed wrong; no right answer changed.

So the rows are left out before the code runs, a comment saying so (it shows in the answer's
one line), unless the code reads them itself (it names a summary row's label), leaves out rows
by position already (`.iloc[:-1]`, `.drop(…)`), or asks SQL, which reads the stored tables.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from typing import Final

from engine.code_names import FIRST_TABLE, SQL
from engine.types import SummaryRow, TableProfile

# code that leaves rows out by position already: left as written
_BY_POSITION: Final = re.compile(r"\[\s*:\s*-\d+\s*\]|\.head\(\s*-|\.drop\(")


def without_summary_rows(code: str, profiles: Sequence[TableProfile]) -> str:
    """`code` with lines first that leave each loaded table's summary rows out of its frame
    (`df` and the table's own name); `code` itself when no table has one, or the code reads
    them, leaves rows out by position, or calls sql()."""
    labels = {r.label for p in profiles for r in p.summary_rows if r.label is not None}
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return code
    texts = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)}
    calls_sql = any(isinstance(n, ast.Name) and n.id == SQL for n in ast.walk(tree))
    if labels & texts or calls_sql or _BY_POSITION.search(code):
        return code
    lines: list[str] = []
    for i, profile in enumerate(profiles):
        if profile.summary_rows and (i == 0 or profile.name.isidentifier()):
            lines += _left_out(profile, first=i == 0)
    return "\n".join([*lines, code]) if lines else code


def _left_out(profile: TableProfile, *, first: bool) -> list[str]:
    """The lines that leave `profile`'s summary rows out of its frame, a comment first."""
    name = FIRST_TABLE if first else profile.name
    rows = "; ".join(r.describe() for r in profile.summary_rows)
    lines = [f"# leave out the summary rows, not data: {rows}"]
    for row in profile.summary_rows:
        lines.append(f"{name} = {_kept(name, row)}")
    if first and profile.name.isidentifier() and profile.name != FIRST_TABLE:
        lines.append(f"{profile.name} = {FIRST_TABLE}")
    return lines


def _kept(name: str, row: SummaryRow) -> str:
    """`name`'s rows other than `row`: by its label, or by its position when it has none."""
    if row.column is None:
        return f"{name}.drop(index={row.position}, errors='ignore')"
    return f"{name}[{name}[{row.column!r}] != {row.label!r}]"
