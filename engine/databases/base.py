"""What every database connector offers, and the objects it returns (issue 15).

A connector (`PostgresConnector`, `SparkConnector`) lists the tables it may read, profiles one in
place with aggregate SQL, and answers one guarded read-only query with a small Arrow table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal, Protocol

if TYPE_CHECKING:
    from engine.databases.urls import DatabaseURL
    from engine.types import TableProfile

Dialect = Literal["postgres", "spark"]
DEFAULT_TIMEOUT_S: Final = 30.0  # a statement running longer is cancelled on the server
DEFAULT_MAX_ROWS: Final = 100_000  # more rows than this: the first ones come back, marked capped


@dataclass(frozen=True)
class DatabaseColumn:
    """A column as the catalog describes it: DuckDB type name and the database's own."""

    name: str
    type: str  # DuckDB type name (engine.databases.typenames)
    native_type: str  # e.g. `double precision`, `decimal(10,2)`


@dataclass(frozen=True)
class DatabaseTable:
    """A table (or view) the connection may read.

    `name` is how SQL names it: the bare table in the default schema (`public` for PostgreSQL,
    `default` for Spark), `schema.table` elsewhere. `rows_estimate` comes from the catalog
    (PostgreSQL `reltuples`) and may be None; the profile has the real count.
    """

    schema: str
    table: str
    columns: tuple[DatabaseColumn, ...]
    source: str  # "<scheme>://host/db.table": never a credential
    default_schema: str
    rows_estimate: int | None = None
    kind: str = "table"  # table | view | materialized view | foreign table | partitioned table

    @property
    def name(self) -> str:
        return self.table if self.schema == self.default_schema else f"{self.schema}.{self.table}"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


@dataclass(frozen=True)
class QueryResult:
    """One query's answer. `capped` means the database had more rows than `max_rows`."""

    table: Any  # pyarrow.Table
    capped: bool
    max_rows: int
    sql: str  # the statement that ran on the server (target dialect, guarded)
    elapsed_ms: float

    @property
    def rows(self) -> int:
        return int(self.table.num_rows)

    @property
    def note(self) -> str:
        """What a person should know about the size, or '' when the result is whole."""
        if not self.capped:
            return ""
        return (
            f"showing the first {self.max_rows:,} rows: the query returns more. Aggregate in SQL "
            "(GROUP BY, LIMIT) to bring back less."
        )


class Connector(Protocol):
    """A read-only connection to one database. Thread-safe; close() ends the connection."""

    url: DatabaseURL
    dialect: Dialect

    def tables(self) -> list[DatabaseTable]:
        """The tables this login may SELECT from, with columns (cached; `refresh()` re-reads)."""
        ...

    def refresh(self) -> list[DatabaseTable]: ...

    def table(self, name: str) -> DatabaseTable:
        """One table by its `name` (case-insensitive); InputError naming the tables if unknown."""
        ...

    def profile(self, name: str) -> TableProfile:
        """Profile a table in place with aggregate SQL; sampled above a size (notes say so)."""
        ...

    def query(
        self, sql: str, *, max_rows: int | None = None, timeout_s: float | None = None
    ) -> QueryResult:
        """Guard DuckDB-dialect `sql` (one read-only SELECT over listed tables), translate it,
        run it with a timeout and a row cap, and return Arrow. BlockedError if refused."""
        ...

    def close(self) -> None: ...


def find_table(tables: Sequence[DatabaseTable], name: str, where: str) -> DatabaseTable:
    """The table called `name` (as `DatabaseTable.name`, or schema.table), case-insensitively."""
    from engine.errors import InputError

    wanted = name.strip().lower()
    for t in tables:
        if wanted in (t.name.lower(), f"{t.schema}.{t.table}".lower()):
            return t
    names = ", ".join(t.name for t in tables[:20]) or "none"
    raise InputError(f"{where} has no table '{name}' that this login can read (tables: {names}).")
