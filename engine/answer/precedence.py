"""Conditions joined with `&` or `|` without brackets: `df['Result'] == 'Won' & df['Score'] > 3`.

In Python `&` and `|` bind tighter than `==` and `>`, so that reads as the chain
`df['Result'] == ('Won' & df['Score']) > 3`: pandas fails with "Cannot perform 'rand_' with a
dtyped [int64] array and scalar of type [bool]", words a small model does not trace back to
the brackets (wtq-train nt-1298: the repair kept them). The check names the cause before the
run, so the repair gets the fix instead of the riddle.
"""

from __future__ import annotations

import ast
from typing import Final

FIX: Final = (
    "In {written}, `&` and `|` bind tighter than the comparisons, so Python compares with a "
    "combination of the conditions: put each condition in brackets, (a == b) & (c > d)."
)


def unbracketed_conditions(code: str) -> list[str]:
    """The comparisons in `code` with an `&` or `|` inside that no brackets group (none when
    the code does not parse: the run reports that). `(a & b) == c` is left alone: written
    so, it is meant."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    lines = [line.encode() for line in code.splitlines(keepends=True)]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and any(
            isinstance(side, ast.BinOp)
            and isinstance(side.op, ast.BitAnd | ast.BitOr)
            and not _bracketed(lines, side)
            for side in (node.left, *node.comparators)
        ):
            found.append(ast.get_source_segment(code, node) or ast.unparse(node))
    return list(dict.fromkeys(found))


def _bracketed(lines: list[bytes], node: ast.expr) -> bool:
    """True when brackets enclose `node` in the source (ast offsets count UTF-8 bytes)."""
    if node.end_lineno is None or node.end_col_offset is None:
        return False
    before = b"".join(lines[: node.lineno - 1]) + lines[node.lineno - 1][: node.col_offset]
    after = lines[node.end_lineno - 1][node.end_col_offset :] + b"".join(lines[node.end_lineno :])
    return before.rstrip().endswith(b"(") and after.lstrip().startswith(b")")
