"""Conditions joined with `&` or `|` without brackets: `df['Result'] == 'Won' & df['Score'] > 3`.

In Python `&` and `|` bind tighter than `==` and `>`, so that reads as the chain
`df['Result'] == ('Won' & df['Score']) > 3`: pandas fails with "Cannot perform 'rand_' with a
dtyped [int64] array and scalar of type [bool]", words a small model does not trace back to
the brackets (wtq-train nt-1298: the repair kept them). Where two or more conditions are so
joined (comparisons, or calls that make a mask: `.isin(...)`, `.str.contains(...)`, `.notna()`),
what was meant is plain, so `prepared` brackets them itself (`with_bracketed_conditions`).
Elsewhere (`a == b & mask`, which may be meant) the check names the cause before the run, so the
repair gets the fix instead of the riddle.
"""

from __future__ import annotations

import ast
import copy
from typing import Final

from engine.extraction import Edit, span, spliced, within

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


def with_bracketed_conditions(code: str) -> str:
    """`code` with each unbracketed run of conditions bracketed as it was meant:
    `df.a == 1 & df.b > 2` becomes `(df.a == 1) & (df.b > 2)`. Only where two or more
    conditions are joined (a chain through `&`/`|`, or a comparison beside a bracketed one or a
    call that makes a mask), which nobody means as Python reads it; `n & 1 == 0` and
    `a == b & mask` are left to the check and its repair. In the wtq-train and DABench-dev
    records, every one of the 8 unbracketed conditions was of the first kind; their repairs kept
    the brackets out in 4 of 6 questions. A comparison beside `.isin(...)` (wtq-train nt-9637,
    stop 64) kept them out through two repairs."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return code
    lines = [line.encode() for line in code.splitlines(keepends=True)]
    edits: list[Edit] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare) or node.end_lineno is None:
            continue
        where = span(node)
        if within(where, edits):
            continue  # inside a condition already rewritten, which rewrites it too
        meant = _Regrouper(lines).visit(copy.deepcopy(node))  # the walk goes on over `tree`
        if ast.dump(meant) != ast.dump(node):
            edits.append((*where, ast.unparse(meant)))
    return spliced(code, edits)


class _Regrouper(ast.NodeTransformer):
    """Comparisons read with `&` and `|` binding looser than them, inner ones first."""

    def __init__(self, lines: list[bytes]) -> None:
        self.lines = lines

    def visit_Compare(self, node: ast.Compare) -> ast.expr:
        node = self.generic_visit(node)  # type: ignore[assignment]
        merged: list[ast.AST] = [*self._flat(node.left)]
        for op, side in zip(node.ops, node.comparators, strict=True):
            merged.extend((op, *self._flat(side)))
        if len(merged) == 1 + 2 * len(node.ops):  # no & or | among its operands
            return node
        conditions = sum(isinstance(t, ast.cmpop | ast.Compare) for t in merged)
        conditions += sum(_makes_mask(merged, i) for i in range(len(merged)))
        if conditions < 2:
            return node
        return _grouped(merged) or node

    def _flat(self, side: ast.expr) -> list[ast.AST]:
        if (
            isinstance(side, ast.BinOp)
            and isinstance(side.op, ast.BitAnd | ast.BitOr)
            and not _bracketed(self.lines, side)
        ):
            return [*self._flat(side.left), side.op, *self._flat(side.right)]
        return [side]


# methods whose call makes a True/False mask of a column, as a comparison does
_MASKS: Final = frozenset(
    {"isin", "contains", "startswith", "endswith", "match", "fullmatch", "between", "duplicated"}
    | {"isna", "isnull", "notna", "notnull", "eq", "ne", "lt", "le", "gt", "ge"}
)


def _makes_mask(tokens: list[ast.AST], i: int) -> bool:
    """Whether `tokens[i]` is a condition of its own: a call that makes a mask
    (`df.b.isin([...])`, `df.c.str.contains('x')`) joined by `&` or `|` on each side it has, not
    an operand of a comparison (`df.b.isin(x) == flag`)."""
    token = tokens[i]
    beside = tokens[max(i - 1, 0) : i] + tokens[i + 1 : i + 2]
    return (
        isinstance(token, ast.Call)
        and isinstance(token.func, ast.Attribute)
        and token.func.attr in _MASKS
        and not any(isinstance(t, ast.cmpop) for t in beside)
    )


def _grouped(tokens: list[ast.AST]) -> ast.expr | None:
    """`a == b & c > d | e` as `((a == b) & (c > d)) | e`; None when it is not such a run."""
    joined: ast.expr | None = None
    for either in _split(tokens, ast.BitOr):
        both: ast.expr | None = None
        for chain in _split(either, ast.BitAnd):
            condition = _chain(chain)
            if condition is None:
                return None
            both = condition if both is None else ast.BinOp(both, ast.BitAnd(), condition)
        if both is None:
            return None
        joined = both if joined is None else ast.BinOp(joined, ast.BitOr(), both)
    return joined


def _split(tokens: list[ast.AST], op: type[ast.operator]) -> list[list[ast.AST]]:
    parts: list[list[ast.AST]] = [[]]
    for token in tokens:
        if isinstance(token, op):
            parts.append([])
        else:
            parts[-1].append(token)
    return parts


def _chain(tokens: list[ast.AST]) -> ast.expr | None:
    """`a`, or `a < b <= c` from its operands and operators in turn."""
    operands, ops = tokens[::2], tokens[1::2]
    if not operands or not all(isinstance(o, ast.expr) for o in operands):
        return None
    if not all(isinstance(o, ast.cmpop) for o in ops) or len(operands) != len(ops) + 1:
        return None
    if not ops:
        return operands[0]  # type: ignore[return-value]
    return ast.Compare(operands[0], ops, operands[1:])  # type: ignore[arg-type]
