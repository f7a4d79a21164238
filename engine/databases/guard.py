"""The guard in front of a database (issue 15): one read-only SELECT, translated for the target.

`guarded_sql(query, "postgres" | "spark", tables)` parses DuckDB-dialect SQL with sqlglot and
refuses (BlockedError, naming what) anything but exactly one SELECT / WITH ... SELECT (set
operations allowed): DDL, DML, COPY, SET, SELECT ... INTO, FOR UPDATE / SHARE, data-modifying
WITH, parameters; functions outside the allowlist or on the denylist (engine.databases.functions);
table functions that read files or other servers; tables the connection did not list. It then
rewrites what the target lacks (GROUP BY ALL, USING SAMPLE), writes the target dialect with every
identifier quoted and no comments, and parses that text again as the server will, checking it
once more. The server only ever sees sqlglot's own rendering, never the text it was given, so
comment, quoting and escape tricks (`/* */`, `--`, `$$`, `E'\\x'`) do not survive the trip.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Final

from engine.databases.base import DatabaseTable, Dialect
from engine.databases.functions import PLAIN_UNKNOWN_FUNCTIONS, TABLE_FUNCTIONS, denied_function
from engine.errors import BlockedError

SOURCE_DIALECT: Final = "duckdb"
CAP_ALIAS: Final = "decipher_result"
# Node types that never belong in a read-only query (sqlglot 30 names). Missing ones are skipped.
_DENIED_NODE_NAMES: Final = (
    "DML", "DDL", "Command", "Copy", "Set", "SetItem", "Into", "Lock", "Transaction", "Commit",
    "Rollback", "Pragma", "Use", "Describe", "Summarize", "Install", "Attach", "Detach",
    "LoadData", "Cache", "Uncache", "Refresh", "Analyze", "Grant", "Revoke", "Kill", "Export",
    "Drop", "Alter", "TruncateTable", "Comment", "Show", "Declare", "Execute", "Returning",
    "Placeholder", "Parameter", "Hint",
)  # fmt: skip


def guarded_sql(query: str, dialect: Dialect, tables: Sequence[DatabaseTable] | None = None) -> str:
    """The target-dialect text of one checked read-only query, or BlockedError saying why not.

    With `tables`, every table the query reads must be one of them (CTE names aside); each is
    rewritten to its exact, quoted `schema.table`, and identifiers are matched to the columns'
    case (DuckDB ignores case; PostgreSQL does not for quoted names).
    """
    tree = _one_query(query, SOURCE_DIALECT)
    _check(tree, source=True)
    if tables is not None:
        _bind_tables(tree, tables, dialect)
        _match_case(tree, tables)
    from engine.databases.rewrite import rewrite_for, writer_for

    tree = rewrite_for(tree, dialect)
    text = tree.sql(dialect=writer_for(dialect), identify=True, comments=False)
    _check(_one_query(text, dialect), source=False)
    return text


def check_read_only(query: str) -> None:
    """BlockedError unless `query` is one read-only SELECT (no function allowlist: it runs in
    the sandbox's own DuckDB, over rows a database already sent, e.g. a join with a file)."""
    _check(_one_query(query, SOURCE_DIALECT), source=False)


def capped_sql(sql: str, max_rows: int) -> str:
    """`sql` (already guarded) limited to `max_rows` rows; ask for N+1 to learn it was capped.

    A wrapping SELECT is also a second wall: a statement that is not a query cannot stand in a
    subquery, so the server refuses it even if the guard were bypassed.
    """
    return f"SELECT * FROM ({sql}) AS {CAP_ALIAS} LIMIT {int(max_rows)}"


def _sqlglot() -> Any:
    import sqlglot

    logging.getLogger("sqlglot").setLevel(logging.ERROR)  # its warnings would echo the query
    return sqlglot


def _one_query(text: str, read: str) -> Any:
    sqlglot = _sqlglot()
    from sqlglot import exp
    from sqlglot.errors import ParseError, TokenError

    try:
        statements = [s for s in sqlglot.parse(text or "", read=read) if s is not None]
    except (ParseError, TokenError, ValueError, RecursionError) as exc:
        reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise BlockedError(
            f"The query could not be checked, so it was not run: {reason}. "
            "Send one plain SELECT statement.",
            detail=str(exc)[:2000],
        ) from None
    if not statements:
        raise BlockedError("The query is empty: send one SELECT statement.")
    if len(statements) > 1:
        kinds = ", ".join(_what(s) for s in statements[:5])
        raise BlockedError(
            f"The query holds {len(statements)} statements ({kinds}); only one SELECT may run. "
            "Remove the ';' and everything after it."
        )
    tree = statements[0]
    while isinstance(tree, exp.Subquery) and not any(
        v for k, v in tree.args.items() if k != "this"
    ):
        tree = tree.this  # (SELECT ...)
    if not isinstance(tree, exp.Select | exp.SetOperation):
        raise BlockedError(
            f"Only a SELECT (or WITH ... SELECT) can run in the database; this is {_what(tree)}."
        )
    return tree


def _denied_nodes() -> tuple[type, ...]:
    from sqlglot import exp

    return tuple(c for n in _DENIED_NODE_NAMES if isinstance(c := getattr(exp, n, None), type))


def _check(tree: Any, *, source: bool) -> None:
    from sqlglot import exp

    denied = _denied_nodes()
    for node in tree.walk():
        if isinstance(node, denied):
            raise BlockedError(f"{_what(node)} is not allowed: a database query may only read.")
        if isinstance(node, exp.CTE) and not isinstance(node.this, exp.Select | exp.SetOperation):
            raise BlockedError(
                f"WITH {node.alias_or_name} AS ({_what(node.this)}) is not allowed: each WITH part "
                "must be a SELECT."
            )
        if isinstance(node, exp.Query) and not isinstance(
            node, exp.Select | exp.SetOperation | exp.Subquery | exp.Values
        ):
            raise BlockedError(f"{_what(node)} is not allowed: a database query may only read.")
        if isinstance(node, exp.Table) and isinstance(node.this, exp.Func):
            name = _function_name(node.this)
            if name not in TABLE_FUNCTIONS:
                raise BlockedError(
                    f"FROM {name}(...) is not allowed: read the database's tables, not files or "
                    "other servers."
                )
        if isinstance(node, exp.Func):
            _check_function(node, source=source)


def _check_function(node: Any, *, source: bool) -> None:
    from sqlglot import exp

    names = _function_names(node)
    shown = _function_name(node)
    if any(denied_function(n) for n in names):
        raise BlockedError(
            f"Function {shown}() is not allowed in a database query: it can reach files, "
            "programs, other servers, settings or other sessions."
        )
    if source and isinstance(node, exp.Anonymous) and shown not in PLAIN_UNKNOWN_FUNCTIONS:
        raise BlockedError(
            f"Function {shown}() is not one the SQL checker knows, so it cannot be checked or "
            "translated for the database. Use standard SQL functions (sum, avg, count, "
            "date_trunc, lower, coalesce...)."
        )


def _function_name(node: Any) -> str:
    from sqlglot import exp

    if isinstance(node, exp.Anonymous):
        return str(node.name).lower()
    return str(node.sql_name()).lower()


def _function_names(node: Any) -> set[str]:
    from sqlglot import exp

    if isinstance(node, exp.Anonymous):
        return {str(node.name).lower()}
    return {n.lower() for n in node.sql_names()} | {str(node.key).lower()}


def _what(node: Any) -> str:
    """A statement or clause named as a person would: DROP, INSERT, COPY, SELECT ... INTO."""
    from sqlglot import exp

    if isinstance(node, exp.Command):
        return str(node.this).upper()
    if isinstance(node, exp.Into):
        return "SELECT ... INTO"
    if isinstance(node, exp.Lock):
        return "a locking clause (FOR UPDATE / FOR SHARE)"
    if isinstance(node, exp.Placeholder | exp.Parameter):
        return "a query parameter"
    if isinstance(node, exp.Set | exp.SetItem):
        return "SET"
    return str(node.key).upper()


def _bind_tables(tree: Any, tables: Sequence[DatabaseTable], dialect: Dialect) -> None:
    from sqlglot import exp

    ctes = {str(c.alias_or_name).lower() for c in tree.find_all(exp.CTE)}
    known: dict[tuple[str | None, str], DatabaseTable] = {}
    for t in tables:
        known[(t.schema.lower(), t.table.lower())] = t
        if t.schema == t.default_schema:
            known.setdefault((None, t.table.lower()), t)
    for node in list(tree.find_all(exp.Table)):
        if isinstance(node.this, exp.Func) or not node.name:
            continue
        db, catalog, name = node.db or None, node.catalog or None, node.name
        if db is None and catalog is None and name.lower() in ctes:
            continue
        if catalog and not (dialect == "spark" and catalog.lower() == "spark_catalog"):
            raise BlockedError(
                f"Table {node.sql()} names another catalog or database; read this connection's "
                "tables only."
            )
        found = known.get((db.lower() if db else None, name.lower()))
        if found is None:
            listed = ", ".join(t.name for t in tables[:20]) or "none"
            raise BlockedError(
                f"Table {'.'.join(p for p in (db, name) if p)} is not one this connection may "
                f"read (tables: {listed})."
            )
        node.set("this", exp.to_identifier(found.table, quoted=True))
        node.set("db", exp.to_identifier(found.schema, quoted=True))
        node.set("catalog", None)


def _match_case(tree: Any, tables: Sequence[DatabaseTable]) -> None:
    """Spell each identifier like the column or alias it means, when that is unambiguous."""
    from sqlglot import exp

    spellings: dict[str, set[str]] = {}
    for t in tables:
        for name in (*t.column_names, t.table, t.schema):
            spellings.setdefault(name.lower(), set()).add(name)
    for node in tree.find_all(exp.Alias, exp.TableAlias, exp.CTE):
        alias = node.args.get("alias") if not isinstance(node, exp.TableAlias) else node
        ident = alias.this if isinstance(alias, exp.TableAlias) else alias
        if isinstance(ident, exp.Identifier):
            spellings.setdefault(ident.name.lower(), set()).add(ident.name)
    canonical = {low: next(iter(s)) for low, s in spellings.items() if len(s) == 1}
    for ident in tree.find_all(exp.Identifier):
        spelled = canonical.get(ident.name.lower())
        if spelled is not None and spelled != ident.name:
            ident.set("this", spelled)
