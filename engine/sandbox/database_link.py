"""Database tables in the sandbox (issue 15): the child has no network, so its `sql()` asks the
supervisor, over pipes relayed by the zygote, whenever a query names a database table.

    child --{"sql": ...}--> zygote --{"event": "database"}--> supervisor (guard, connector)
    child <--answer + Arrow-- zygote <--{"op": "database"} + Arrow-- supervisor

The child sends only the query text; the supervisor decides where it runs
(engine/databases/routing.py) and answers with one of: `database` (the result of the query run
in the database, as Arrow), `bring` (each database table's first rows, as Arrow, which the child
registers in its own DuckDB before running the query there), `local` (no database table after
all), or `error` (BlockedError and friends, raised in the code as `DatabaseQueryError` with the
kind). Arrow travels as IPC streams, never pickle, and only from the supervisor to the child.
A database table's name as a Python variable is a `DatabaseTableStub` whose every use says to
query it with `sql()`.
"""

from __future__ import annotations

import concurrent.futures
import os
import re
import select
import time
from collections.abc import Callable, Sequence
from typing import Any, Final

from engine.code_names import FIRST_TABLE, RESERVED, SQL
from engine.sandbox import protocol

MAX_QUERY_BYTES: Final = 1 << 20  # a request is one SQL string
MAX_QUERIES_PER_RUN: Final = 50  # each may take database_timeout_s, which extends the run's time
HEARTBEAT_S: Final = 0.5  # as the supervisor's: how often a waiting caller hears the time
_QUERIES: Final = concurrent.futures.ThreadPoolExecutor(2, thread_name_prefix="database-query")


class DatabaseQueryError(Exception):
    """A database query that failed or was refused; `kind` is the contract's error kind."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class DatabaseTableStub:
    """What a database table's name is in the code: not a DataFrame. Every use raises."""

    __slots__ = ("_message",)

    def __init__(self, name: str, database: str, variable: str) -> None:
        example = name if "." not in name else ".".join(f'"{p}"' for p in name.split("."))
        object.__setattr__(
            self,
            "_message",
            f"`{variable}` is the table {name} in {database}, not a DataFrame: the table stays "
            f"in the database. Query it with sql(), e.g. sql('SELECT count(*) AS n FROM "
            f"{example}'); the query runs there and only its result comes back.",
        )

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(object.__getattribute__(self, "_message"))

    def __getattr__(self, name: str) -> Any:
        self._refuse()

    def __repr__(self) -> str:
        return object.__getattribute__(self, "_message")

    __getitem__ = __setitem__ = __len__ = __iter__ = __contains__ = __call__ = _refuse
    __setattr__ = __add__ = __eq__ = __lt__ = __gt__ = __bool__ = _refuse
    __array__ = __dataframe__ = _refuse
    __hash__ = None  # type: ignore[assignment]


class DatabaseLink:
    """One run's two pipes: requests from the child, answers to it (made before the fork)."""

    def __init__(self) -> None:
        self.ask_r, self.ask_w = os.pipe()
        self.answer_r, self.answer_w = os.pipe()
        self._open = {self.ask_r, self.ask_w, self.answer_r, self.answer_w}

    def _close(self, *fds: int) -> None:
        """Close each once (a number closed twice could by then be another file's)."""
        for fd in fds:
            if fd in self._open:
                self._open.discard(fd)
                os.close(fd)

    def child_side(self) -> None:
        self._close(self.ask_r, self.answer_w)

    def parent_side(self) -> None:
        self._close(self.ask_w, self.answer_r)

    def close_parent(self) -> None:
        self._close(self.ask_r, self.answer_w)

    # -- the child --------------------------------------------------------------------------
    def ask(self, query: str) -> tuple[dict[str, Any], list[bytes]]:
        protocol.write_frame(self.ask_w, {"sql": query})
        return protocol.read_frame(self.answer_r)

    # -- the zygote -------------------------------------------------------------------------
    def relay_until_reply(
        self, read_fd: int, max_bytes: int, ctrl_in: int, ctrl_out: int
    ) -> tuple[bytes, bool]:
        """`protocol.read_all(read_fd, max_bytes)`, passing the child's requests to the
        supervisor and its answers back meanwhile. A malformed request ends the answers (the
        child's next read sees EOF); a dead child ends both pipes."""
        chunks: list[bytes] = []
        total, serving = 0, True
        while True:
            watched = [read_fd, self.ask_r] if serving else [read_fd]
            ready = select.select(watched, [], [])[0]
            if serving and self.ask_r in ready:
                serving = self._relay_one(ctrl_in, ctrl_out)
                continue
            chunk = os.read(read_fd, 1 << 20)
            if not chunk:
                return b"".join(chunks), False
            total += len(chunk)
            if total > max_bytes:
                return b"", True
            chunks.append(chunk)

    def _relay_one(self, ctrl_in: int, ctrl_out: int) -> bool:
        try:
            header, _ = protocol.read_frame(self.ask_r, max_bytes=MAX_QUERY_BYTES)
            query = header.get("sql")
            if not isinstance(query, str):
                raise protocol.ProtocolError("a request without SQL")
        except protocol.ProtocolError:
            self._close(self.answer_w)
            return False
        protocol.write_frame(ctrl_out, {"event": "database", "sql": query})
        answer, blobs = protocol.read_frame(ctrl_in)
        try:
            protocol.write_frame(self.answer_w, answer, blobs)
        except OSError:  # the child is gone (killed by the timeout or Stop)
            return False
        return True


# -- the child's namespace ---------------------------------------------------------------------
def add_database_names(
    ns: dict[str, Any], specs: Sequence[dict[str, str]], link: DatabaseLink, notes: list[str]
) -> None:
    """Database tables in a run's namespace: `sql()` reaches them, their names are stubs
    (and `df` is one when no file is loaded)."""
    if not specs:
        return
    for spec in specs:
        name = spec["name"]
        if name.isidentifier() and name not in RESERVED and name not in ns:
            ns[name] = DatabaseTableStub(name, spec["database"], name)
    if FIRST_TABLE not in ns:
        first = specs[0]
        ns[FIRST_TABLE] = DatabaseTableStub(first["name"], first["database"], FIRST_TABLE)
    ns[SQL] = database_sql(ns[SQL], specs, link, notes)


def database_sql(
    local_sql: Callable[[str], Any],
    specs: Sequence[dict[str, str]],
    link: DatabaseLink,
    notes: list[str],
) -> Callable[[str], Any]:
    """`sql(query)`: queries that name a database table go to the supervisor; others stay in
    the child's DuckDB as before."""
    words = {spec["name"].rsplit(".", 1)[-1].lower() for spec in specs}
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in sorted(words)) + r")\b", re.I)
    asked = [0]

    def sql(query: str) -> Any:
        """Run DuckDB SQL over the loaded tables, and database tables in their database;
        returns a pandas DataFrame."""
        if not isinstance(query, str) or not pattern.search(query):
            return local_sql(query)
        asked[0] += 1
        if asked[0] > MAX_QUERIES_PER_RUN:
            raise DatabaseQueryError(
                "runtime",
                f"More than {MAX_QUERIES_PER_RUN} database queries in one run: combine them "
                "into fewer queries (GROUP BY, JOIN, UNION ALL).",
            )
        try:
            header, blobs = link.ask(query)
        except (OSError, protocol.ProtocolError) as exc:
            raise DatabaseQueryError(
                "runtime", f"The database query could not be sent ({exc}). Run it again."
            ) from None
        kind = header.get("kind")
        if kind == "error":
            error = header.get("error") or {}
            raise DatabaseQueryError(
                str(error.get("kind", "runtime")), str(error.get("message", ""))
            )
        notes.extend(str(n) for n in header.get("notes", []))
        connection = local_sql.connection()  # type: ignore[attr-defined]
        if kind == "database":
            return connection.from_arrow(_arrow(blobs[0])).df()  # DuckDB's dtypes, as locally
        if kind == "bring":
            for i, (table, blob) in enumerate(zip(header["tables"], blobs, strict=True)):
                _register(connection, i, table, _arrow(blob))
        return local_sql(query)

    return sql


def _arrow(blob: bytes) -> Any:
    import pyarrow as pa

    return pa.ipc.open_stream(blob).read_all()


def _register(connection: Any, i: int, table: dict[str, str], arrow: Any) -> None:
    """A database table's rows under the names a query may use: the session's and
    `schema.table` (a view in a schema of that name)."""
    hidden = f"__decipher_database_{i}"
    connection.register(hidden, arrow)
    names = {table["name"], f"{table['schema']}.{table['table']}"}
    for name in names:
        if "." in name:
            schema, _, bare = name.partition(".")
            connection.execute(f"CREATE SCHEMA IF NOT EXISTS {_quote(schema)}")
            target = f"{_quote(schema)}.{_quote(bare)}"
        else:
            target = _quote(name)
        connection.execute(f"CREATE OR REPLACE VIEW {target} AS SELECT * FROM {_quote(hidden)}")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# -- the supervisor ----------------------------------------------------------------------------
def encode_answer(answer: Any) -> tuple[dict[str, Any], list[bytes]]:
    """A `SqlAnswer` (engine/databases/routing.py) as a frame for the child."""
    if answer.kind == "local":
        return {"kind": "local"}, []
    if answer.kind == "database":
        return {"kind": "database", "notes": answer.notes}, [_ipc(answer.result.table)]
    tables = [
        {"name": t.name, "schema": t.schema, "table": t.table, "rows": t.arrow.num_rows}
        for t in answer.brought
    ]
    blobs = [_ipc(t.arrow) for t in answer.brought]
    return {"kind": "bring", "tables": tables, "notes": answer.notes}, blobs


def encode_error(kind: str, message: str) -> tuple[dict[str, Any], list[bytes]]:
    return {"kind": "error", "error": {"kind": kind, "message": message}}, []


def _ipc(table: Any) -> bytes:
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def serve_query(
    answer: Callable[[str], Any] | None,
    request: dict[str, Any],
    count: int,
    on_wait: Callable[[float], None] | None,
) -> tuple[dict[str, Any], list[bytes], BaseException | None]:
    """The supervisor's answer to the child's `count`-th database query of a run: (frame
    header, blobs, what `on_wait` raised or None). The query runs on a thread, so `on_wait`
    still hears the seconds pass (and Streamlit's Stop still lands) while the database works."""
    from engine.errors import EngineError

    query = request.get("sql")
    if answer is None or not isinstance(query, str):
        return (*encode_error("runtime", "No database is connected to this session."), None)
    if count > MAX_QUERIES_PER_RUN:
        message = (
            f"More than {MAX_QUERIES_PER_RUN} database queries in one run: combine them into "
            "fewer queries (GROUP BY, JOIN, UNION ALL)."
        )
        return (*encode_error("runtime", message), None)
    future = _QUERIES.submit(answer, query)
    begun = time.monotonic()
    while True:
        try:
            return (*encode_answer(future.result(timeout=HEARTBEAT_S)), None)
        except concurrent.futures.TimeoutError:
            try:
                if on_wait is not None:
                    on_wait(time.monotonic() - begun)
            except BaseException as exc:  # Stop: the caller kills the run and re-raises it
                return (*encode_error("runtime", "The run was stopped."), exc)
        except EngineError as exc:
            return (*encode_error(exc.kind, exc.message), None)
        except Exception as exc:  # a bug of ours: reported in the run, never a crash of the app
            text = f"The database query failed ({type(exc).__name__}: {str(exc)[:300]})."
            return (*encode_error("runtime", text), None)
