"""Where a `sql()` query of generated code runs (issue 15): in the database, or in the sandbox's
own DuckDB with the database's rows brought in, or in the sandbox alone.

The sandbox's child has no network: it sends every query that names a database table to the
supervisor, which decides here, from sqlglot's parse and never from what the child claims:

- only tables of one database -> **pushdown**: the whole query runs there (guarded, capped);
- database tables with loaded files (or tables of two databases) -> **bring**: each database
  table's first `database_max_rows` rows come back and the query runs in the sandbox's DuckDB
  (the answer says so), after the same read-only check the guard applies;
- no database table after all (a word that only looked like one) -> **local**.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from engine.databases.base import DatabaseTable
from engine.databases.guard import SOURCE_DIALECT, check_read_only
from engine.errors import RuntimeFailure

RouteKind = Literal["local", "database", "bring"]


@dataclass(frozen=True)
class DatabaseRef:
    """A database table under the name the session gives it (`sales`, or `public.sales` when
    a loaded file is called `sales` too), with the connection it belongs to."""

    name: str
    connection: str  # the connection's redacted URL
    table: DatabaseTable
    database: str  # PostgreSQL | Spark

    @property
    def keys(self) -> set[str]:
        """How a query may spell it: the session's name or `schema.table`, any case."""
        return {self.name.lower(), f"{self.table.schema}.{self.table.table}".lower()}


@dataclass(frozen=True)
class Route:
    kind: RouteKind
    tables: tuple[DatabaseRef, ...] = ()  # the database tables the query reads


@dataclass(frozen=True)
class BroughtTable:
    """A database table's first rows, brought into the sandbox to be joined with a file."""

    name: str  # the session's name for it
    schema: str
    table: str
    arrow: Any  # pyarrow.Table
    capped: bool
    database: str

    def note(self) -> str:
        rows = self.arrow.num_rows
        if self.capped:
            return (
                f"joined with the first {rows:,} rows of {self.name} from {self.database} "
                f"(database_max_rows): the table has more, so this answer covers only those "
                f"rows. A query that names only {self.database} tables runs there on every row."
            )
        return f"joined with all {rows:,} rows of {self.name}, brought in from {self.database}."


@dataclass(frozen=True)
class SqlAnswer:
    """The supervisor's answer to one `sql()` query of the child."""

    kind: RouteKind
    result: Any = None  # QueryResult (pushdown)
    brought: tuple[BroughtTable, ...] = ()
    database: str = ""

    @property
    def notes(self) -> list[str]:
        """What the printed output should say about where the rows came from."""
        if self.kind == "bring":
            return [t.note() for t in self.brought]
        if self.result is not None and self.result.capped:
            return [f"{self.database}: {self.result.note}"]
        return []


def route_query(
    query: str, databases: Sequence[DatabaseRef], local_names: Collection[str]
) -> Route:
    """Which of the three ways `query` runs. A query that cannot be parsed, or is not one
    read-only SELECT, gets BlockedError from the guard (it names a database table)."""
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import ParseError, TokenError

    try:
        statements = [s for s in sqlglot.parse(query, read=SOURCE_DIALECT) if s is not None]
    except (ParseError, TokenError, ValueError, RecursionError):
        check_read_only(query)  # raises BlockedError saying why it could not be checked
        raise
    ctes = {str(c.alias_or_name).lower() for s in statements for c in s.find_all(exp.CTE)}
    by_key = {key: ref for ref in databases for key in ref.keys}
    local = {n.lower() for n in local_names}
    found: dict[str, DatabaseRef] = {}
    unknown: list[str] = []
    names_local = False
    for statement in statements:
        for node in statement.find_all(exp.Table):
            if isinstance(node.this, exp.Func) or not node.name:
                continue
            db, name = (node.db or "").lower(), node.name.lower()
            key = f"{db}.{name}" if db else name
            if not db and name in ctes:
                continue
            if key in by_key:
                found[by_key[key].name] = by_key[key]
            elif key in local:
                names_local = True
            else:
                unknown.append(".".join(p for p in (node.db, node.name) if p))
    if not found:
        return Route("local")
    if unknown:
        listed = ", ".join([*local_names, *(r.name for r in databases)][:30])
        raise RuntimeFailure(f"Table {unknown[0]} does not exist. The tables are: {listed}.")
    tables = tuple(found.values())
    one_database = len({ref.connection for ref in tables}) == 1
    return Route("database" if one_database and not names_local else "bring", tables)
