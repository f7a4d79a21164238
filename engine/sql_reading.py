"""What the SQL in generated code compares and names, read the way the pandas checks read code.

The checks on a draft (columns the tables lack, values no cell holds, what a run that found
nothing compared) read pandas: `df['Role'] == 'Athen Chu'`. The same filter written as
`sql("SELECT COUNT(*) FROM t WHERE Role = 'Athen Chu'")` was invisible to them: on wtq-train's
fixed 100 (seed 2026, backend auto with the local model) 18 of the final programs were SQL, and
their runs that found nothing went back to the repair with no value the column holds, and a
column the table lacks (`WHERE Country = 'UK'`) reached DuckDB, whose "Candidate bindings" name
another concept. Here the query text that `sql(...)` runs is parsed (sqlglot, DuckDB's dialect)
and the same facts come out: the text each column is compared with, the strings, and the
columns that no table of the query has.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from engine.code_names import SQL
from engine.databases.guard import SOURCE_DIALECT

_V = TypeVar("_V")


def sql_literals(tree: ast.Module) -> list[ast.Constant]:
    """The string literals `sql(...)` runs: its first argument, or the one value of the name
    passed to it."""
    literals, passed = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == SQL:
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                literals.append(first)
            elif isinstance(first, ast.Name):
                passed.add(first.id)
    assigned: dict[str, list[ast.expr]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and target.id in passed:
                assigned.setdefault(target.id, []).append(node.value)
    for values in assigned.values():
        if len(values) == 1 and isinstance(values[0], ast.Constant):
            literals.append(values[0])
    return literals


def sql_queries(tree: ast.Module) -> list[str]:
    """The query texts the code runs with `sql(...)`, as literals (f-strings are not read)."""
    return [str(node.value) for node in sql_literals(tree)]


def sql_comparisons(query: str) -> list[tuple[str, tuple[str, ...]]]:
    """(column, texts) for each `column = 'text'` and `column IN ('a', 'b')` of the query."""
    return [
        (column, values)
        for column, read in _compared(query, _text)
        if (values := tuple(v for v in read if v is not None)) and len(values) == len(read)
    ]


def sql_number_comparisons(query: str) -> list[tuple[str, float]]:
    """(column, number) for each `column = 3` and `column IN (1, 2)` of the query."""
    return [(c, n) for c, read in _compared(query, _number) for n in read if n is not None]


def _compared(query: str, read: Callable[[Any], _V | None]) -> list[tuple[str, list[_V | None]]]:
    """(column, what `read` makes of each value) for each `column = value` (either way round)
    and `column IN (...)` of the query; a value `read` cannot read is None."""
    tree = _parsed(query)
    if tree is None:
        return []
    from sqlglot import exp

    found: list[tuple[str, list[_V | None]]] = []
    for node in tree.find_all(exp.EQ, exp.In):
        if isinstance(node, exp.EQ):
            for column, value in _column_sides(node):
                if (got := read(value)) is not None:
                    found.append((column.name, [got]))
        elif isinstance(node.this, exp.Column) and node.expressions:
            found.append((node.this.name, [read(v) for v in node.expressions]))
    return found


def sql_and_equalities(query: str) -> list[list[tuple[str, object]]]:
    """For each chain of conditions the query joins with AND: (column, value) for each of its
    `column = 'text'` and `column = 3`, the column as written (`t1.Date`)."""
    tree = _parsed(query)
    if tree is None:
        return []
    from sqlglot import exp

    chains = []
    for node in tree.find_all(exp.And):
        if isinstance(node.parent, exp.And):
            continue  # part of a chain read from its top
        pairs: list[tuple[str, object]] = []
        for condition in node.flatten():
            if not isinstance(condition, exp.EQ):
                continue
            for column, value in _column_sides(condition):
                if (read := _constant(value)) is not None:
                    pairs.append((f"`{column.sql()}`", read))
        chains.append(pairs)
    return chains


def _column_sides(equality: Any) -> list[tuple[Any, Any]]:
    """(column, the other side) of `column = value`, either way round: one pair per side
    that is a column."""
    from sqlglot import exp

    sides = ((equality.this, equality.expression), (equality.expression, equality.this))
    return [(column, value) for column, value in sides if isinstance(column, exp.Column)]


def _constant(node: Any) -> str | int | float | None:
    """A literal's value: its text, or its number (2001, not 2001.0)."""
    if (text := _text(node)) is not None:
        return text
    number = _number(node)
    return int(number) if number is not None and number.is_integer() else number


def sql_strings(query: str) -> set[str]:
    """The query's string constants, unescaped (`'O''Brien'` is O'Brien)."""
    tree = _parsed(query)
    if tree is None:
        return set()
    from sqlglot import exp

    return {str(n.this) for n in tree.find_all(exp.Literal) if n.is_string}


def sql_unknown_columns(
    query: str, tables: Mapping[str, Sequence[str]]
) -> list[tuple[str, str, tuple[str, ...]]]:
    """(table, column, its columns) for each column the query reads that none of its tables
    has, as DuckDB matches names (in any case). Only a query over loaded tables alone is read:
    one with a WITH clause, a subquery or a function in FROM, or a table it does not know makes
    columns of its own, so it is left to the run. `tables`: each loaded table's columns, by name.
    """
    tree = _parsed(query)
    by_alias = _scope(tree, tables)
    if tree is None or not by_alias:
        return []
    from sqlglot import exp

    made = {a.alias.casefold() for a in tree.find_all(exp.Alias)}
    in_scope = {c.casefold() for _, columns in by_alias.values() for c in columns}
    found: dict[tuple[str, str], tuple[str, str, tuple[str, ...]]] = {}
    for column in tree.find_all(exp.Column):
        name, qualifier = column.name, column.table.casefold()
        if not name or column.find(exp.Star) is not None:
            continue
        if qualifier:
            if qualifier not in by_alias:
                continue  # a struct's field, or a name this reading does not follow
            table, columns = by_alias[qualifier]
            missing = name.casefold() not in {c.casefold() for c in columns}
        else:
            table, columns = next(iter(by_alias.values()))
            missing = name.casefold() not in in_scope and name.casefold() not in made
        if missing:
            found.setdefault((table, name), (table, name, columns))
    return list(found.values())


def sql_ordered_columns(
    query: str, tables: Mapping[str, Sequence[str]]
) -> list[tuple[str, str, str]]:
    """(table, column, how) for each loaded table's column the query orders as it is stored:
    `MAX(col)`, `MIN(col)`, `arg_max(x, col)`, `ORDER BY col`. A column inside a function
    (`TRY_CAST(col AS INT)`) or a name the query makes (an alias) is not one. Read over loaded
    tables alone, as `sql_unknown_columns` reads."""
    tree = _parsed(query)
    by_alias = _scope(tree, tables)
    if tree is None or not by_alias:
        return []
    from sqlglot import exp

    made = {a.alias.casefold() for a in tree.find_all(exp.Alias)}
    ordered: list[tuple[Any, str]] = []
    for node in tree.find_all(exp.Max, exp.Min, exp.ArgMax, exp.ArgMin, exp.Ordered):
        if isinstance(node, exp.ArgMax | exp.ArgMin):
            key, how = node.expression, f"{node.sql_name().lower()}(…, {{}})"
        else:
            key = node.this
            how = "ORDER BY {}" if isinstance(node, exp.Ordered) else f"{node.sql_name()}({{}})"
        if isinstance(key, exp.Column) and key.name:
            ordered.append((key, how))
    found: dict[tuple[str, str], tuple[str, str, str]] = {}
    for column, how in ordered:
        name, qualifier = column.name, column.table.casefold()
        if qualifier:
            scopes = [by_alias[qualifier]] if qualifier in by_alias else []
        elif name.casefold() in made:
            continue
        else:
            scopes = list(by_alias.values())
        for table, columns in scopes:
            stored = next((c for c in columns if c.casefold() == name.casefold()), None)
            if stored is not None:
                found.setdefault((table, stored), (table, stored, how.format(stored)))
                break
    return list(found.values())


def _scope(
    tree: Any, tables: Mapping[str, Sequence[str]]
) -> dict[str, tuple[str, tuple[str, ...]]]:
    """The query's tables by alias (or name), each as (name, its columns), when it reads loaded
    tables alone; empty when it reads anything else (a WITH clause, a subquery or a function in
    FROM, a table it does not know), whose columns a reading cannot trust."""
    if tree is None:
        return {}
    from sqlglot import exp

    known = {name.casefold(): (name, tuple(columns)) for name, columns in tables.items()}
    read = list(tree.find_all(exp.Table))
    if (
        not read
        or any(t.name.casefold() not in known or t.args.get("db") for t in read)
        or tree.find(exp.CTE, exp.Lateral, exp.Unnest) is not None
        or any(isinstance(s.parent, exp.From | exp.Join) for s in tree.find_all(exp.Subquery))
    ):
        return {}
    return {(t.alias or t.name).casefold(): known[t.name.casefold()] for t in read}


def _parsed(query: str) -> Any:
    """The query's syntax tree; None when it is not one statement sqlglot reads."""
    from sqlglot import exp, parse_one
    from sqlglot.errors import SqlglotError

    try:
        tree = parse_one(query, read=SOURCE_DIALECT)
    except (SqlglotError, ValueError):
        return None
    return tree if isinstance(tree, exp.Query) else None


def _text(node: Any) -> str | None:
    from sqlglot import exp

    if isinstance(node, exp.Literal) and node.is_string and str(node.this).strip():
        return str(node.this)
    return None


def _number(node: Any) -> float | None:
    from sqlglot import exp

    sign = 1.0
    if isinstance(node, exp.Neg):
        sign, node = -1.0, node.this
    if isinstance(node, exp.Literal) and not node.is_string:
        try:
            return sign * float(node.this)
        except ValueError:
            return None
    return None
