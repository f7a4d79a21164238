"""Spark through the Spark Connect client of pyspark (`sc://host:port`): read-only by the guard,
timed, capped, Arrow out (issue 15).

Spark has no read-only role or transaction, so the walls are: the guard (one SELECT, no
reflect/java_method/file functions, only the tables the catalog lists), a wrapping
`SELECT * FROM (...) LIMIT n+1` (a command cannot stand in a subquery: Spark's parser refuses
it), and `spark.sql.runSQLOnFiles=false` on the session (no csv.`/path` tables). A query past
the timeout is interrupted on the server through its operation tag.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
import warnings
from typing import Any, Final

from engine.databases.base import (
    DEFAULT_MAX_ROWS,
    DEFAULT_TIMEOUT_S,
    DatabaseColumn,
    DatabaseTable,
    QueryResult,
    find_table,
)
from engine.databases.guard import capped_sql, guarded_sql
from engine.databases.profiling import ProfileSQL, RowCount, profile_database_table
from engine.databases.typenames import duckdb_type_from_spark, plain_arrow
from engine.databases.urls import DatabaseURL, redact
from engine.errors import InputError, RuntimeFailure, RunTimeoutError
from engine.types import TableProfile
from engine.values import type_family

SAMPLE_ABOVE_ROWS: Final = 1_000_000
DEFAULT_SCHEMA: Final = "default"
CATALOG: Final = "spark_catalog"
# Session settings. No SQL over file paths (csv.`/etc/passwd`): the session's catalog only.
# No whole-stage code generation: its generated loops check for cancellation only between
# input batches, so an interrupted 5000^3-row cross join kept both cores busy for minutes (every
# later query timed out); without it the same query stops within ~3 s of the interrupt.
SESSION_CONF: Final = {"spark.sql.runSQLOnFiles": "false", "spark.sql.codegen.wholeStage": "false"}
# 4 retries, 50 ms growing 4x: a closed port fails in ~4 s instead of ~10 minutes.
RETRIES: Final = {"max_retries": 4, "initial_backoff": 50, "max_backoff": 5000}


class SparkConnector:
    """A Spark Connect session on one server (opened lazily, kept, serialised by a lock)."""

    dialect: Final = "spark"

    def __init__(
        self,
        url: DatabaseURL,
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        max_rows: int = DEFAULT_MAX_ROWS,
        sample_above_rows: int = SAMPLE_ABOVE_ROWS,
    ) -> None:
        if url.scheme != "sc":
            raise InputError(f"{url.display} is not a Spark Connect URL (sc://host:port).")
        self.url = url
        self.timeout_s = timeout_s
        self.max_rows = max_rows
        self.sample_above_rows = sample_above_rows
        self._lock = threading.RLock()
        self._spark: Any = None
        self._tables: list[DatabaseTable] | None = None

    def __repr__(self) -> str:
        return f"SparkConnector({self.url.display!r})"

    # -- session ----------------------------------------------------------------------------
    def _session(self) -> Any:
        if self._spark is not None:
            return self._spark
        with warnings.catch_warnings():
            # "pandas >= 3.0.0 not fully supported" (we use Arrow), "retries exceeded" (raised)
            warnings.simplefilter("ignore", FutureWarning)
            warnings.simplefilter("ignore", UserWarning)
            self._spark = self._new_session()
        return self._spark

    def _new_session(self) -> Any:
        from pyspark.logger import PySparkLogger
        from pyspark.sql import SparkSession
        from pyspark.sql.connect.client.retries import DefaultPolicy

        for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
            # pyspark logs every failed query (text included) at ERROR; we raise it instead
            PySparkLogger.getLogger(name).setLevel(logging.CRITICAL)
        try:
            spark = SparkSession.builder.remote(self.url.spark_remote()).create()
            # the client's default retries wait up to 10 minutes for a server that is not there
            spark.client.set_retry_policies([DefaultPolicy(**RETRIES)])
            for key, value in SESSION_CONF.items():
                spark.conf.set(key, value)
        except Exception as exc:  # the client's errors: any of them means "could not connect"
            raise InputError(
                f"Could not connect to {self.url.display}: {self._reason(exc)}. Check that the "
                "Spark Connect server runs there (start-connect-server.sh) and the port.",
            ) from None
        return spark

    def close(self) -> None:
        with self._lock:
            if self._spark is not None:
                try:
                    self._spark.stop()
                except Exception:  # stopping a broken session: nothing left to do
                    pass
                self._spark = None

    def __enter__(self) -> SparkConnector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _reason(self, exc: BaseException) -> str:
        text = str(exc)
        details = re.search(r'details = "([^"]*)"', text)  # a gRPC error: its reason only
        if details:
            text = details.group(1)
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        useful = [ln for ln in lines if not ln.startswith(("JVM stacktrace", "at ", "=="))]
        return redact(" ".join(useful[:2]) or type(exc).__name__, self.url.secret)[:500]

    # -- running SQL ------------------------------------------------------------------------
    def _fetch_raw(self, sql: str, timeout_s: float | None = None) -> Any:
        """Run SQL we wrote (catalog, profile) or guarded SQL; interrupt it past the timeout."""
        limit = timeout_s or self.timeout_s
        with self._lock:
            spark = self._session()
            tag = f"decipher-{uuid.uuid4().hex}"
            fired = threading.Event()

            def interrupt() -> None:
                fired.set()
                spark.interruptTag(tag)

            timer = threading.Timer(limit, interrupt)
            spark.addTag(tag)
            timer.start()
            try:
                # wrapped, so that only a query can run: Spark parses a command in a subquery
                # as a syntax error (the wall that holds even if the guard were bypassed)
                wrapped = f"SELECT * FROM ({sql}) AS decipher_query"
                return plain_arrow(spark.sql(wrapped).toArrow())
            except Exception as exc:  # translated below: timeout, or the query's own error
                raise self._error(exc, limit, fired.is_set()) from None
            finally:
                timer.cancel()
                spark.removeTag(tag)

    def _error(self, exc: BaseException, timeout_s: float, timed_out: bool) -> Exception:
        reason = self._reason(exc)
        if timed_out or "OPERATION_CANCELED" in reason:
            return RunTimeoutError(
                f"The database query ran past {timeout_s:g} s and Spark interrupted it. "
                "Aggregate more in SQL, filter first, or raise the timeout.",
                detail=reason,
            )
        if "UNAVAILABLE" in reason or "Connection refused" in reason:
            self._spark = None
            return InputError(f"Lost the connection to {self.url.display}: {reason}")
        return RuntimeFailure(f"Spark could not run the query: {reason}", detail=reason)

    def query(
        self, sql: str, *, max_rows: int | None = None, timeout_s: float | None = None
    ) -> QueryResult:
        """Guard DuckDB-dialect `sql`, run it as Spark SQL, return at most max_rows rows."""
        cap = self.max_rows if max_rows is None else max_rows
        target = guarded_sql(sql, "spark", self.tables())
        started = time.perf_counter()
        table = self._fetch_raw(capped_sql(target, cap + 1), timeout_s)
        capped = table.num_rows > cap
        return QueryResult(
            table=table.slice(0, cap) if capped else table,
            capped=capped,
            max_rows=cap,
            sql=target,
            elapsed_ms=(time.perf_counter() - started) * 1000,
        )

    # -- catalog ----------------------------------------------------------------------------
    def tables(self) -> list[DatabaseTable]:
        with self._lock:
            if self._tables is None:
                self._tables = self._list_tables()
            return self._tables

    def refresh(self) -> list[DatabaseTable]:
        with self._lock:
            self._tables = None
            return self.tables()

    def table(self, name: str) -> DatabaseTable:
        return find_table(self.tables(), name, self.url.display)

    def _list_tables(self) -> list[DatabaseTable]:
        """The session catalog's tables and views (temporary views excluded)."""
        with self._lock:
            spark = self._session()
            try:
                found = []
                for db in spark.catalog.listDatabases():
                    for t in spark.catalog.listTables(dbName=db.name):
                        if t.isTemporary or (t.catalog or CATALOG) != CATALOG:
                            continue
                        qualified = f"{db.name}.{t.name}"
                        cols = spark.catalog.listColumns(f"{_quoted(db.name)}.{_quoted(t.name)}")
                        found.append(self._table(db.name, t.name, t.tableType, cols, qualified))
                return found
            except Exception as exc:  # the client's errors: reported with their reason
                raise self._error(exc, self.timeout_s, False) from None

    def _table(
        self, schema: str, name: str, kind: str, cols: list, qualified: str
    ) -> DatabaseTable:
        return DatabaseTable(
            schema=schema,
            table=name,
            columns=tuple(
                DatabaseColumn(c.name, duckdb_type_from_spark(c.dataType), c.dataType) for c in cols
            ),
            source=self.url.source_for(name if schema == DEFAULT_SCHEMA else qualified),
            default_schema=DEFAULT_SCHEMA,
            kind="view" if str(kind).upper() == "VIEW" else "table",
        )

    def profile(self, name: str) -> TableProfile:
        """Profile in place: an exact count, then one aggregate pass (approx_count_distinct
        from 1M rows; a TABLESAMPLE from `sample_above_rows`)."""
        table = self.table(name)
        rows = self._fetch_raw(f"SELECT count(*) AS n FROM {_SPARK.table(table)}")
        count = RowCount(int(rows.column(0)[0].as_py()), False)
        return profile_database_table(
            self._fetch_raw, table, _SPARK, count, sample_above_rows=self.sample_above_rows
        )


def _quoted(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _spark_orderable(duckdb_type: str) -> bool:
    return type_family(duckdb_type) in ("number", "text", "date", "bool")


_SPARK: Final = ProfileSQL(
    quote="`",
    approx_distinct="approx_count_distinct",
    sample=lambda percent: f"TABLESAMPLE ({percent:.6g} PERCENT) REPEATABLE (42)",
    orderable=_spark_orderable,
)
