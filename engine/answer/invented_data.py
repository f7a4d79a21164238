"""Code that replaces a loaded table with data it wrote itself.

A small model sometimes starts with "# Sample DataFrame", writes a few rows of invented values
and binds them to `df`: the code runs, and its answer is about made-up numbers (DABench-dev 552:
a correlation of 1.000 between two invented columns). Only a table name bound to literal rows
is caught; a small literal table beside the loaded ones (a lookup of targets, the rows of a
result) is left alone, as the code may well be asked to build one.

When every made-up column is a column of the table that name holds, the rows only stand in for
that table, and `with_loaded_tables` binds the name to the table itself; otherwise the code goes
back (`replaced_tables`), as it computes on columns the table does not have.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Sequence
from typing import Final

from engine.code_names import FIRST_TABLE
from engine.columns import string_literals
from engine.extraction import Edit, called_name, span, spliced
from engine.types import TableProfile

MIN_LITERAL_VALUES: Final = 4  # written-out cells that make rows of data, not a label or two


def replaced_tables(code: str, tables: Collection[str]) -> list[tuple[str, int]]:
    """Each loaded table name (or `df`) the code binds to a DataFrame of values it wrote out,
    with the line it does so (none when the code does not parse: the run reports that)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    names = {FIRST_TABLE, *tables}
    literals = set(_literal_columns(tree))
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Assign) and _frame_of_literals(node.value, literals)):
            continue
        found += [
            (t.id, node.lineno) for t in node.targets if isinstance(t, ast.Name) and t.id in names
        ]
    return found


def with_loaded_tables(code: str, profiles: Sequence[TableProfile]) -> str:
    """`code` with each table name (or `df`) bound to made-up rows of that table's own columns
    bound to the table instead, a comment above saying so. The plain prompt wrote such rows on
    DABench-dev 18, 26, 468 and 552 (stop 49), and each repair wrote them again."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return code
    by_name = {p.name: p for p in profiles}
    if profiles:
        by_name.setdefault(FIRST_TABLE, profiles[0])
    literals = _literal_columns(tree)
    edits: list[Edit] = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
            continue
        target, value = node.targets[0], node.value
        profile = by_name.get(target.id) if isinstance(target, ast.Name) else None
        made_up = _frame_columns(value, literals) if profile is not None else None
        if profile is None or not made_up:
            continue
        if not {c.casefold() for c in made_up} <= {c.casefold() for c in profile.column_names}:
            continue
        indent = " " * node.col_offset
        comment = f"# the loaded table {profile.name}, not the made-up rows the draft wrote\n"
        edits.append((node.lineno, 0, node.lineno, 0, f"{indent}{comment}"))
        edits.append((*span(value), f"{profile.name}.copy()"))
    return spliced(code, edits)


def replaced_message(table: str, line: int) -> tuple[str, str]:
    """(for the model, for you) about `table` bound to made-up rows on `line`."""
    for_user = f"The code replaces the loaded table `{table}` with data it made up (line {line})."
    for_model = (
        f"the code replaces the loaded table `{table}` with data it wrote itself (line {line}), "
        f"so its answer would be about made-up values. The tables are already loaded (`{table}` "
        "holds the real rows): delete the made-up data and compute from the table."
    )
    return for_model, for_user


def _literal_columns(tree: ast.AST) -> dict[str, list[str] | None]:
    """Each name bound to values written out, with their column names where a dict's keys (or
    the keys of its rows) give them."""
    return {
        target.id: _keys(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and _written_out(node.value)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def _frame_columns(node: ast.expr, literals: dict[str, list[str] | None]) -> list[str] | None:
    """The column names of `pd.DataFrame(<values written out>)`: its `columns=`, else the keys
    of the data; None when it is no such frame, and none when its columns are not written out."""
    data = _frame_data(node)
    if not (isinstance(node, ast.Call) and data and _frame_of_literals(node, set(literals))):
        return None
    columns = next((k.value for k in node.keywords if k.arg == "columns"), None)
    if columns is not None:  # a list of names (one string is no columns)
        return string_literals(columns) if isinstance(columns, ast.List | ast.Tuple) else None
    return literals.get(data.id) if isinstance(data, ast.Name) else _keys(data)


def _keys(node: ast.expr) -> list[str] | None:
    """The string keys of a dict literal, or of every dict in a list literal (rows)."""
    if isinstance(node, ast.Dict):
        return string_literals(ast.List(elts=[k for k in node.keys if k is not None]))
    if isinstance(node, ast.List) and node.elts and all(isinstance(e, ast.Dict) for e in node.elts):
        rows = [_keys(e) for e in node.elts]
        return sorted({k for row in rows if row for k in row}) if all(rows) else None
    return None


def _frame_data(node: ast.expr) -> ast.expr | None:
    """The data of a `pd.DataFrame(...)` call (its first argument, or `data=`); None for any
    other expression."""
    if not (isinstance(node, ast.Call) and called_name(node.func) == "DataFrame"):
        return None
    if node.args:
        return node.args[0]
    return next((k.value for k in node.keywords if k.arg == "data"), None)


def _frame_of_literals(node: ast.expr, literals: set[str]) -> bool:
    """`pd.DataFrame(<values written out>)`, directly or through a name bound to them."""
    data = _frame_data(node)
    if isinstance(data, ast.Name):
        return data.id in literals
    return data is not None and _written_out(data)


def _written_out(node: ast.expr) -> bool:
    """A dict or list literal with two or more columns (or rows, lists or dicts) of nothing but
    constants, at least `MIN_LITERAL_VALUES` in all. A column of labels beside computed values
    is the rows of a result, not data."""
    if not isinstance(node, ast.Dict | ast.List):
        return False
    written = [
        len(items)
        for inner in ast.walk(node)
        for items in [_items(inner)]
        if len(items) >= 2 and all(isinstance(item, ast.Constant) for item in items)
    ]
    return len(written) >= 2 and sum(written) >= MIN_LITERAL_VALUES


def _items(node: ast.AST) -> list[ast.expr]:
    """The values of a list or tuple literal, or of a dict literal (one row); else none."""
    if isinstance(node, ast.List | ast.Tuple):
        return list(node.elts)
    return list(node.values) if isinstance(node, ast.Dict) else []
