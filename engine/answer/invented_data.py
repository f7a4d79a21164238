"""Code that replaces a loaded table with data it wrote itself.

A small model sometimes starts with "# Sample DataFrame", writes a few rows of invented values
and binds them to `df`: the code runs, and its answer is about made-up numbers (DABench-dev 552:
a correlation of 1.000 between two invented columns). Only a table name bound to literal rows
is caught; a small literal table beside the loaded ones (a lookup of targets, the rows of a
result) is left alone, as the code may well be asked to build one.
"""

from __future__ import annotations

import ast
from collections.abc import Collection
from typing import Final

from engine.code_names import FIRST_TABLE
from engine.extraction import called_name

MIN_LITERAL_VALUES: Final = 4  # written-out cells that make rows of data, not a label or two


def replaced_tables(code: str, tables: Collection[str]) -> list[tuple[str, int]]:
    """Each loaded table name (or `df`) the code binds to a DataFrame of values it wrote out,
    with the line it does so (none when the code does not parse: the run reports that)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    names = {FIRST_TABLE, *tables}
    literals = {
        target.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and _written_out(node.value)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Assign) and _frame_of_literals(node.value, literals)):
            continue
        found += [
            (t.id, node.lineno) for t in node.targets if isinstance(t, ast.Name) and t.id in names
        ]
    return found


def replaced_message(table: str, line: int) -> tuple[str, str]:
    """(for the model, for you) about `table` bound to made-up rows on `line`."""
    for_user = f"The code replaces the loaded table `{table}` with data it made up (line {line})."
    for_model = (
        f"the code replaces the loaded table `{table}` with data it wrote itself (line {line}), "
        f"so its answer would be about made-up values. The tables are already loaded (`{table}` "
        "holds the real rows): delete the made-up data and compute from the table."
    )
    return for_model, for_user


def _frame_of_literals(node: ast.expr, literals: set[str]) -> bool:
    """`pd.DataFrame(<values written out>)`, directly or through a name bound to them."""
    if not (isinstance(node, ast.Call) and called_name(node.func) == "DataFrame"):
        return False
    data = (
        node.args[0]
        if node.args
        else next((k.value for k in node.keywords if k.arg == "data"), None)
    )
    if isinstance(data, ast.Name):
        return data.id in literals
    return data is not None and _written_out(data)


def _written_out(node: ast.expr) -> bool:
    """A dict or list literal with two or more columns (or rows) of nothing but constants, at
    least `MIN_LITERAL_VALUES` in all. A column of labels beside computed values is the rows of
    a result, not data."""
    if not isinstance(node, ast.Dict | ast.List):
        return False
    written = [
        len(inner.elts)
        for inner in ast.walk(node)
        if isinstance(inner, ast.List | ast.Tuple)
        and len(inner.elts) >= 2
        and all(isinstance(item, ast.Constant) for item in inner.elts)
    ]
    return len(written) >= 2 and sum(written) >= MIN_LITERAL_VALUES
