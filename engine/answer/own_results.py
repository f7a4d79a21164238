"""A `results[key] = value` the code means as its own dict, given one.

The sandbox's `results` holds the earlier answers, a list. A small model, told nothing of it
or reading the word as a dict, ends its code with "# Store the result in the results
dictionary": `results[name] = value`, which fails with "list indices must be integers or slices,
not str" after every step that computes the answer has run (DABench-dev q432; the error appears
15 times in the records). Code that only ever stores into `results` by a key, or reads back what it
stored, never means the earlier answers, so it gets an empty dict of its own first.
"""

from __future__ import annotations

import ast
from typing import Final

from engine.code_names import RESULTS

_OWN: Final = f"{RESULTS} = {{}}\n"


def with_own_results(code: str) -> str:
    """`code` with `results = {}` first when it uses `results` only as its own dict; code
    that does not parse, binds the name itself or reads the earlier answers stays."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return code
    subscripted = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Subscript)}
    stored = False
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and _is_results(node.value):
            if not _text_key(node.slice):  # results[-1]: an earlier answer
                return code
            stored = stored or isinstance(node.ctx, ast.Store)
        elif _is_results(node) and id(node) not in subscripted:
            return code  # bound, iterated, measured or passed on: not only a dict's keys
    return _OWN + code if stored else code


def _is_results(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id == RESULTS


def _text_key(key: ast.expr) -> bool:
    """A key that is not a position: a string, a name or an f-string (never a number)."""
    if isinstance(key, ast.Constant):
        return isinstance(key.value, str)
    return not isinstance(key, ast.Slice | ast.UnaryOp)
