"""Code that computes with one value twice: `x - x`, `x / x`.

A small model asked for a difference or a comparison between two things sometimes writes the same
expression on both sides (`df['Left office'] - df['Left office']`): the code runs, and its answer
is always 0 (or 1) whatever the table holds. On 100 wtq-train questions the embedded
model did this twice, both shown as answers. Nothing a question asks for is computed this way, so
the loop sends such code back before it runs, and declines its answer if the repair keeps it.
Comparisons are left alone: `x != x` is how some code finds missing values.
"""

from __future__ import annotations

import ast
from typing import Final

# The operations whose result is fixed when both sides are the same expression.
_FIXED: Final = {
    ast.Sub: "subtracts {x} from itself, which is always 0",
    ast.Div: "divides {x} by itself, which is always 1",
    ast.FloorDiv: "divides {x} by itself, which is always 1",
    ast.Mod: "takes {x} modulo itself, which is always 0",
}


def same_operands(code: str) -> list[str]:
    """What the code computes from one expression twice, in a few words each (none when it does
    not parse: the run reports that)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and type(node.op) in _FIXED:
            if _same(node.left, node.right):
                found.append(_FIXED[type(node.op)].format(x=_shown(node.left)))
    return list(dict.fromkeys(found))


def _same(left: ast.expr, right: ast.expr) -> bool:
    """The same expression on both sides, not two constants (`1 - 1` is written on purpose)."""
    if isinstance(left, ast.Constant):
        return False
    return ast.dump(left) == ast.dump(right)


def _shown(node: ast.expr) -> str:
    text = ast.unparse(node)
    return f"`{text}`" if len(text) <= 60 else f"`{text[:57]}...`"
