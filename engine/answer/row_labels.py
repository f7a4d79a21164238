"""A row label used as a column name: `df[df['Attendance'].idxmax()]` means `df.loc[…]`.

`idxmax()` and `idxmin()` of one of a frame's columns give the label of a row, and `df[label]`
looks the label up among the columns, so the run fails with a bare `KeyError: 39`. The embedded
model wrote this in 3 of the ~430 programs recorded on wtq-train (nt-5455 twice as
`df[df['Per capita (USD, 2017)'].idxmax()]['Country']`, nt-13515 with `- 1` for the row
before), and its repair did not trace the number back to the row. The meaning is not in doubt,
so the code is rewritten before it runs rather than sent back: the label, or the label plus or
minus a whole number, of a column of the same frame. `df[df.mean().idxmax()]` (a column's
name) and a label of a grouped result (a group's key) are left alone.
"""

from __future__ import annotations

import ast
from typing import Final

from engine.extraction import Edit, span, spliced

_ROW_LABELS: Final = frozenset({"idxmax", "idxmin"})


def rows_by_label(code: str) -> str:
    """`code` with `df[<a column of df>.idxmax()]` (± a whole number) written `df.loc[…]`;
    unchanged when it does not parse (the run says why)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return code
    edits: list[Edit] = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name)):
            continue
        frame = node.value
        if _row_label_of(node.slice, frame.id):
            edits.append((*span(frame), f"{frame.id}.loc"))
    return spliced(code, edits)


def _row_label_of(index: ast.expr, frame: str) -> bool:
    """Whether `index` is a row label of `frame`: `<column>.idxmax()`, or that ± a whole number."""
    if isinstance(index, ast.BinOp) and isinstance(index.op, ast.Add | ast.Sub):
        whole = isinstance(index.right, ast.Constant) and type(index.right.value) is int
        return whole and _row_label_of(index.left, frame)
    return (
        isinstance(index, ast.Call)
        and not index.args
        and isinstance(index.func, ast.Attribute)
        and index.func.attr in _ROW_LABELS
        and _column_of(index.func.value, frame)
    )


def _column_of(node: ast.expr, frame: str) -> bool:
    """`frame['name']` or `frame.name`: one column of the frame."""
    if isinstance(node, ast.Subscript):
        key = node.slice
        named = isinstance(key, ast.Constant) and isinstance(key.value, str)
        return named and isinstance(node.value, ast.Name) and node.value.id == frame
    owner = node.value if isinstance(node, ast.Attribute) else None
    return isinstance(owner, ast.Name) and owner.id == frame
