"""Ranges cut from the lowest edge the code writes: `pd.cut(age, bins=[0, 12, 19, 59, 100])`.

pandas' `cut` makes intervals open on the left, (0, 12], so a value equal to the first edge
falls in no range: it becomes missing and drops out of every group. Code that writes the ranges
a question gives ("Child (0-12 years old)") means that value in the first one: DABench-dev q6's
one passenger aged 0 left the children's mean fare at 31.54 for 31.09. So each such call gets
`include_lowest=True`, which moves only values equal to the first edge, from no range into the
first; a call that says `include_lowest` or `right`, or gives the number of bins, is left as it
is.
"""

from __future__ import annotations

import ast
from typing import Final

from engine.extraction import Edit, keyword_added, spliced

_PANDAS: Final = frozenset({"pd", "pandas"})


def with_lowest_edge_included(code: str) -> str:
    """`code` with `include_lowest=True` in each `pd.cut` over edges it writes out; code that
    does not parse stays."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return code
    edits: list[Edit] = [
        edit
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and _cut_from_written_edges(node)
        and (edit := keyword_added(node, "include_lowest=True")) is not None
    ]
    return spliced(code, edits)


def _cut_from_written_edges(node: ast.Call) -> bool:
    """`pd.cut(x, [a, b, ...])` or `cut(x, bins=(a, b, ...))`, the first edge a number, that
    leaves `include_lowest` and `right` to their defaults."""
    func = node.func
    is_cut = (
        isinstance(func, ast.Attribute)
        and func.attr == "cut"
        and isinstance(func.value, ast.Name)
        and func.value.id in _PANDAS
    ) or (isinstance(func, ast.Name) and func.id == "cut")
    if not is_cut or len(node.args) > 2 or any(isinstance(a, ast.Starred) for a in node.args):
        return False
    if any(k.arg in (None, "include_lowest", "right") for k in node.keywords):
        return False
    given = [k.value for k in node.keywords if k.arg == "bins"]
    bins = node.args[1] if len(node.args) == 2 else (given[0] if given else None)
    if not isinstance(bins, ast.List | ast.Tuple) or len(bins.elts) < 2:
        return False
    first = bins.elts[0]
    if isinstance(first, ast.UnaryOp) and isinstance(first.op, ast.USub):
        first = first.operand
    return (
        isinstance(first, ast.Constant)
        and isinstance(first.value, int | float)
        and not isinstance(first.value, bool)
    )
