"""A filter no row can pass: one column equal to two different values at once.

Asked to compare two rows ("is the total score for december 26 the same score as january 2?"),
the embedded model wrote `df[(df['Date'] == 'December 26') & (df['Date'] == 'January 2')]`
(wtq-train nt-8339): no row holds both dates, so the selection is empty whatever the table
holds, its sum 0 on both sides of the comparison, and the answer True. The rows of either value
are meant, so the loop sends such code back before it runs, and declines its answer if the
repair keeps it. The same in SQL: `WHERE Date = 'December 26' AND Date = 'January 2'`.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from typing import Any

from engine.sql_reading import sql_and_equalities, sql_queries

FIX = (
    "select the rows of either value (with `|`, `.isin([...])` or SQL `IN (...)`), or each "
    "value's rows on their own."
)


def impossible_filters(code: str) -> list[str]:
    """What the code's filters require at once and no row can be ("keeps the rows where
    `df['Date']` is 'December 26' and 'January 2' at once"); none when the code does not parse
    (the run reports that)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    joins = [node for node in ast.walk(tree) if _joins_with_and(node)]
    inner = {id(child) for node in joins for child in ast.iter_child_nodes(node)}
    found: list[str] = []
    for node in joins:
        if id(node) not in inner:  # each chain once, from its top
            found.extend(_clashes(_equalities(node)))
    for query in sql_queries(tree):
        for conjunction in sql_and_equalities(query):
            found.extend(_clashes(conjunction))
    return list(dict.fromkeys(found))


def _joins_with_and(node: Any) -> bool:
    return (isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitAnd)) or (
        isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And)
    )


def _equalities(node: ast.expr) -> list[tuple[str, object]]:
    """(the compared expression, the constant) for each `x == constant` that `&` or `and`
    joins in `node`, however deep the chain; other conditions are left out."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitAnd):
        return _equalities(node.left) + _equalities(node.right)
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And):
        return [pair for value in node.values for pair in _equalities(value)]
    if (
        isinstance(node, ast.Compare)
        and len(node.ops) == 1
        and isinstance(node.ops[0], ast.Eq)
        and isinstance(node.comparators[0], ast.Constant)
        and not isinstance(node.left, ast.Constant)
    ):
        return [(f"`{ast.unparse(node.left)}`", node.comparators[0].value)]
    return []


def _clashes(pairs: list[tuple[str, object]]) -> list[str]:
    """The expressions that `pairs` set equal to two or more different values."""
    values: dict[str, list[object]] = defaultdict(list)
    for column, value in pairs:
        if value not in values[column]:
            values[column].append(value)
    return [
        f"keeps the rows where {column} is {' and '.join(map(repr, held))} at once, which no row is"
        for column, held in values.items()
        if len(held) > 1
    ]
