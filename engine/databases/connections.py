"""The databases one session is connected to (issue 15): their tables under session names,
profiles computed in place once, previews, and the answers to the sandbox's `sql()` queries.

A database table is named as its database names it (`sales`; `schema.table` outside the default
schema). When that name is taken by a loaded file, by an earlier database's table or by a name
the code already has (`df`, `result`...), it is qualified (`public.sales`); a table whose
qualified name is taken too is left out, with a note. Names follow the loaded files, so they are
worked out whenever they are asked for.

Where URLs come from: `--db` (CLI), the Settings page, `DECIPHER_DATABASES` in the environment
or in `.streamlit/secrets.toml` (one URL per line, or a TOML list). The session remembers each
connection by its redacted URL only; a restored session takes the secret from those sources.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Final

from engine.code_names import RESERVED
from engine.config import Settings
from engine.databases import connect_database
from engine.databases.routing import BroughtTable, DatabaseRef, SqlAnswer, route_query
from engine.databases.urls import DATABASE_LABELS, DatabaseURL, parse_database_url
from engine.errors import EngineError, InputError
from engine.identifiers import quote_ident
from engine.types import ColumnProfile, Table, TableProfile

if TYPE_CHECKING:
    import pandas as pd

    from engine.databases.base import Connector

# The note of a database table described by its catalog only (not profiled yet).
NOT_PROFILED: Final = "Not profiled yet: only its columns and types are known here."
CONFIG_KEY: Final = "DECIPHER_DATABASES"  # environment variable and secrets.toml key
ENTERED_KEY: Final = "decipher_databases_entered"  # URLs typed on the Settings page (its secrets)


def configured_urls(
    secrets: Mapping[str, Any] | None, env: Mapping[str, str] | None = None
) -> list[str]:
    """Database URLs (secrets included) from the environment, secrets.toml and the Settings
    page, in that order, without repeats. Never shown: parse them and show `.display`."""
    env = os.environ if env is None else env
    found: list[str] = []
    for value in (
        env.get(CONFIG_KEY),
        *((secrets or {}).get(k) for k in (CONFIG_KEY, ENTERED_KEY)),
    ):
        items = value if isinstance(value, list | tuple) else str(value or "").splitlines()
        for item in items:
            text = str(item).strip()
            if text and not text.startswith("#") and text not in found:
                found.append(text)
    return found


def sql_name(name: str) -> str:
    """A session's table name as SQL writes it: `sales` -> "sales", `public.sales` ->
    "public"."sales" (a file table's name never holds a dot)."""
    return ".".join(quote_ident(part) for part in name.split("."))


@dataclass(frozen=True)
class DatabaseStatus:
    """One database of the session as the Settings page lists it."""

    url: str  # redacted
    database: str  # PostgreSQL | Spark
    tables: int
    problem: str = ""  # why it is not connected (a restored session without its password)


class SessionDatabases:
    """Connectors by redacted URL, in the order they were connected; thread-safe."""

    def __init__(self, settings: Settings, local_names: Callable[[], Collection[str]]) -> None:
        self._settings = settings
        self._local_names = local_names
        self._connectors: dict[str, Connector] = {}
        self._problems: dict[str, str] = {}
        self._profiles: dict[tuple[str, str, str], TableProfile] = {}
        self._lock = threading.RLock()

    def __bool__(self) -> bool:
        return bool(self._connectors)

    # -- connections ------------------------------------------------------------------------
    def connect(self, url: str | DatabaseURL) -> DatabaseURL:
        """Connect and list the tables (InputError when it cannot: the message names the URL
        without its secret). The same URL again replaces the connection (a new password)."""
        parsed = url if isinstance(url, DatabaseURL) else parse_database_url(url)
        s = self._settings
        connector = connect_database(
            parsed, timeout_s=s.database_timeout_s, max_rows=s.database_max_rows
        )
        try:
            connector.tables()
        except EngineError:
            connector.close()
            raise
        with self._lock:
            old = self._connectors.pop(parsed.display, None)
            if old is not None:
                old.close()
            self._connectors[parsed.display] = connector
            self._problems.pop(parsed.display, None)
            self._profiles = {k: v for k, v in self._profiles.items() if k[0] != parsed.display}
        return parsed

    def reconnect(self, displays: Collection[str], secrets: Mapping[str, Any] | None) -> None:
        """Connect again to databases known by their redacted URLs (a restored session): the
        secret comes from the configured URLs; without one, the URL alone is tried, and what
        still fails is kept as a problem naming what to do."""
        candidates: dict[str, DatabaseURL] = {}
        for text in configured_urls(secrets):
            try:
                parsed = parse_database_url(text)
            except InputError:
                continue
            candidates.setdefault(parsed.display, parsed)
        for display in displays:
            if display in self._connectors:
                continue
            try:
                self.connect(candidates.get(display) or parse_database_url(display))
            except EngineError as exc:
                secret = "password" if display.startswith("postgresql") else "token"
                self._problems[display] = (
                    f"{display} needs its {secret}: enter the URL with it on the Settings page "
                    f"(or in {CONFIG_KEY}). {exc.message}"
                )

    def disconnect(self, display: str) -> None:
        with self._lock:
            connector = self._connectors.pop(display, None)
            self._problems.pop(display, None)
            if connector is not None:
                connector.close()

    def connector(self, url: str) -> Connector:
        """The connector of the database with this redacted URL."""
        return self._connectors[url]

    def secret_used(self, url: str) -> bool:
        """Whether that connection was made with a password or token (the notebook asks)."""
        return bool(self._connectors[url].url.secret)

    def local_names(self) -> list[str]:
        """The loaded files' table names, which database tables are named around."""
        return list(self._local_names())

    @property
    def urls(self) -> tuple[str, ...]:
        """The connected databases' redacted URLs, in connection order."""
        return tuple(self._connectors)

    def statuses(self) -> list[DatabaseStatus]:
        refs = self.refs()
        out = [
            DatabaseStatus(url, _label(url), sum(r.connection == url for r in refs))
            for url in self._connectors
        ]
        out += [DatabaseStatus(url, _label(url), 0, p) for url, p in self._problems.items()]
        return out

    def update_settings(self, settings: Settings) -> None:
        self._settings = settings
        for connector in self._connectors.values():
            connector.timeout_s = settings.database_timeout_s  # type: ignore[attr-defined]
            connector.max_rows = settings.database_max_rows  # type: ignore[attr-defined]

    def close(self) -> None:
        with self._lock:
            for connector in self._connectors.values():
                connector.close()
            self._connectors.clear()

    # -- tables -----------------------------------------------------------------------------
    def refs(self) -> list[DatabaseRef]:
        """Every readable table of every connection under its session name."""
        taken = {n.lower() for n in self._local_names()} | {n.lower() for n in RESERVED}
        refs = []
        with self._lock:
            for url, connector in self._connectors.items():
                label = _label(url)
                for table in connector.tables():
                    name = table.name
                    if name.lower() in taken:
                        name = f"{table.schema}.{table.table}"
                    if name.lower() in taken:
                        continue  # two databases with the same schema.table: the first wins
                    taken.add(name.lower())
                    refs.append(DatabaseRef(name, url, table, label))
        return refs

    def tables(self, url: str | None = None) -> tuple[Table, ...]:
        """The tables of every connection, or of the one with this redacted URL."""
        return tuple(self._table(r) for r in self.refs() if url in (None, r.connection))

    def has(self, name: str) -> bool:
        return any(ref.name == name for ref in self.refs())

    def table(self, name: str) -> Table:
        return self._table(self._ref(name))

    def profile(self, name: str) -> TableProfile:
        """Profiled in place by aggregate SQL the first time, then from the cache."""
        ref = self._ref(name)
        key = (ref.connection, ref.table.schema, ref.table.table)
        if key not in self._profiles:
            connector = self._connectors[ref.connection]
            self._profiles[key] = connector.profile(f"{ref.table.schema}.{ref.table.table}")
        return replace(self._profiles[key], name=ref.name)

    def profiles(self, question: str | None = None) -> list[TableProfile]:
        """Every table's profile; with a `question`, only the tables it may be about (by their
        names or their columns' words, and those profiled before) are profiled now, the others
        described by the catalog alone (a database may hold hundreds of tables; profiling one
        in Spark took 17 s at 10M rows). No table named at all: every table is profiled."""
        refs = self.refs()
        if question is None:
            return [self.profile(ref.name) for ref in refs]
        wanted = {ref.name for ref in refs if _mentions(question, ref) or self._cached(ref)}
        if not wanted:
            return [self.profile(ref.name) for ref in refs]
        return [self.profile(r.name) if r.name in wanted else _catalog_profile(r) for r in refs]

    def preview(self, name: str, rows: int = 100) -> pd.DataFrame:
        """The first `rows` rows, by a capped SELECT run in the database."""
        ref = self._ref(name)
        query = f"SELECT * FROM {quote_ident(ref.table.schema)}.{quote_ident(ref.table.table)}"
        result = self._connectors[ref.connection].query(query, max_rows=rows)
        return result.table.to_pandas()

    def sandbox_specs(self) -> list[dict[str, str]]:
        """What the sandbox's child knows of each database table: its name, where it lives."""
        return [
            {"name": r.name, "database": r.database, "source": r.table.source} for r in self.refs()
        ]

    # -- the sandbox's sql() ----------------------------------------------------------------
    def answer(self, query: str) -> SqlAnswer:
        """Run a `sql()` query of generated code that names a database table: in the database
        (one database, no files), or bring the tables' first rows for the sandbox to join.
        Raises BlockedError, RunTimeoutError, RuntimeFailure, InputError (see the connectors)."""
        route = route_query(query, self.refs(), self._local_names())
        if route.kind == "local":
            return SqlAnswer("local")
        s = self._settings
        if route.kind == "database":
            ref = route.tables[0]
            result = self._connectors[ref.connection].query(
                query, max_rows=s.database_max_rows, timeout_s=s.database_timeout_s
            )
            return SqlAnswer("database", result=result, database=ref.database)
        from engine.databases.guard import check_read_only

        check_read_only(query)  # it runs in the sandbox's DuckDB, but a write is still refused
        brought = []
        for ref in route.tables:
            table = f"{quote_ident(ref.table.schema)}.{quote_ident(ref.table.table)}"
            result = self._connectors[ref.connection].query(
                f"SELECT * FROM {table}",
                max_rows=s.database_max_rows,
                timeout_s=s.database_timeout_s,
            )
            brought.append(
                BroughtTable(
                    ref.name,
                    ref.table.schema,
                    ref.table.table,
                    result.table,
                    result.capped,
                    ref.database,
                )
            )
        return SqlAnswer("bring", brought=tuple(brought))

    # -- helpers ----------------------------------------------------------------------------
    def _ref(self, name: str) -> DatabaseRef:
        for ref in self.refs():
            if ref.name == name:
                return ref
        known = ", ".join(r.name for r in self.refs()) or "none"
        raise InputError(f"There is no database table named {name!r} (tables: {known}).")

    def _cached(self, ref: DatabaseRef) -> TableProfile | None:
        return self._profiles.get((ref.connection, ref.table.schema, ref.table.table))

    def _table(self, ref: DatabaseRef) -> Table:
        cached = self._cached(ref)
        rows = cached.rows if cached else (ref.table.rows_estimate or 0)
        return Table(
            name=ref.name,
            source=ref.table.source,
            format=ref.database,
            rows=rows,
            columns=ref.table.column_names,
            notes=(
                f"Lives in {ref.database} ({ref.connection}): questions about it run as SQL "
                "there, and only their results come back.",
            ),
        )


def _words(text: str) -> set[str]:
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text).lower()
    return {
        w[:-1] if len(w) > 3 and w.endswith("s") else w for w in re.findall(r"[a-z0-9]+", spaced)
    }


def _mentions(question: str, ref: DatabaseRef) -> bool:
    """Whether the question names the table, or a column's name or a long word of one."""
    asked = _words(question)
    text = " ".join(re.findall(r"[a-z0-9]+", question.lower()))
    if _words(ref.table.table) <= asked:
        return True
    for name in ref.table.column_names:
        if " ".join(re.findall(r"[a-z0-9]+", name.lower())) in text:
            return True
        if any(len(w) >= 4 and w in asked for w in _words(name)):
            return True
    return False


def _catalog_profile(ref: DatabaseRef) -> TableProfile:
    """A table the question is not about, as the catalog describes it: columns and types."""
    columns = tuple(
        ColumnProfile(name=c.name, type=c.type, null_count=0, distinct_count=0)
        for c in ref.table.columns
    )
    rows = ref.table.rows_estimate or 0
    return TableProfile(ref.name, ref.table.source, rows, columns, notes=(NOT_PROFILED,))


def _label(display: str) -> str:
    return DATABASE_LABELS.get(display.split("://", 1)[0], "database")
