"""Databases as table sources (issue 15): ask PostgreSQL or Spark, bring back only the answer.

Phase 1 API:

- **URLs** (`engine.databases.urls`): `parse_database_url(text) -> DatabaseURL` for
  `postgresql://user:pass@host:5432/db` (also `postgres://`) and `sc://host:15002[/;token=..]`.
  `DatabaseURL.display` is the redacted form to show anywhere; `.source_for(table)` gives the
  contract's `Table.source` (`postgresql://host/db.table`). The password or token sits in a
  `Secret` (repr `***`, unpicklable); only a connector reads it. `redact(text, secret)` scrubs
  driver messages. Malformed URLs raise InputError naming the expected form.
- **Guard** (`engine.databases.guard`): `guarded_sql(duckdb_sql, "postgres" | "spark", tables)`
  returns the translated text of exactly one read-only SELECT over `tables`, or raises
  BlockedError naming what it refused; `capped_sql(sql, n)` wraps it in a LIMIT.
- **Connectors** (`connect_database(url, timeout_s=, max_rows=)` -> `Connector`, see
  `engine.databases.base`): `tables()` lists the readable tables (`DatabaseTable`: schema,
  table, `name` as SQL names it, columns with DuckDB type names, `source`, `rows_estimate`);
  `profile(name)` -> `engine.types.TableProfile`, computed in place by aggregate SQL (sampled
  above `sample_above_rows`, notes say so); `query(duckdb_sql, max_rows=, timeout_s=)` ->
  `QueryResult` (`table`: pyarrow.Table, `capped`, `sql` as run, `elapsed_ms`, `note`); `close()`.
  Errors are EngineErrors: BlockedError (guard, read-only refusals), RunTimeoutError
  (statement timeout), InputError (cannot connect, unknown table), RuntimeFailure (the query's
  own error: a missing column, a type mismatch).

PostgreSQL uses ADBC (`engine.databases.postgres`: why, with numbers), Spark the Spark Connect
client of pyspark (`engine.databases.spark`).

Phase 2 (the product): `engine.databases.connections` (a session's databases: table names,
cached profiles, previews, the answer to the sandbox's `sql()`), `engine.databases.routing`
(a query runs in the database, brings capped rows in for a join with files, or stays local) and
`engine.databases.replay` (what an exported notebook runs again); `engine/session_databases.py`,
`engine/sandbox/database_link.py` and `engine/history_databases.py` wire them in. Heavy imports (sqlglot, pyarrow, adbc, pyspark)
happen inside the functions that need them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.databases.urls import DatabaseURL, Secret, parse_database_url, redact

if TYPE_CHECKING:
    from engine.databases.base import Connector

__all__ = ["DatabaseURL", "Secret", "connect_database", "parse_database_url", "redact"]


def connect_database(url: str | DatabaseURL, **options: float | int) -> Connector:
    """A connector for `url` (PostgreSQL or Spark Connect). Nothing is opened until first use.

    `options`: timeout_s, max_rows, sample_above_rows (see the connectors).
    """
    parsed = url if isinstance(url, DatabaseURL) else parse_database_url(url)
    if parsed.kind == "postgresql":
        from engine.databases.postgres import PostgresConnector

        return PostgresConnector(parsed, **options)  # type: ignore[arg-type]
    from engine.databases.spark import SparkConnector

    return SparkConnector(parsed, **options)  # type: ignore[arg-type]
