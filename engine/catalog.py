"""The session's DuckDB database: the tables loaded so far, their profiles, and their hand-over files.

One connection per session, guarded by a lock (Streamlit runs each rerun in a thread). The
tables live in a compressed in-memory database whose buffer manager spills to the session's work
directory past DuckDB's memory limit; a failed load leaves the tables already there untouched.
Measured on the 10M-row, 847 MB CSV (issue #7): a file-backed database took 5.1 s to load (peak
0.6 GB), the compressed in-memory one 2.6-2.9 s (peak 1.1 GB), pandas.read_csv peaks at 2.4 GB.
Nothing needs the file: a restored session reloads its stored uploads.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Final

import duckdb

from engine.budget import budget_bytes, check_fits, estimated_bytes
from engine.config import Settings
from engine.errors import InputError
from engine.identifiers import quote_ident, table_name_problem
from engine.loading import duckdb_error_message, tables_from_file
from engine.outputs import SAVED_FORMAT
from engine.profile import profile_table
from engine.summary_rows import summary_rows
from engine.types import Table, TableProfile
from engine.value_index import ValueIndex, value_index

if TYPE_CHECKING:
    import pyarrow as pa

ARROW_BATCH_ROWS: Final = 1 << 17


def connect(
    path: Path | None = None, *, memory_mb: int = 0, spill_dir: Path | None = None
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection set up for offline, scripted use.

    No extension auto-install (each touch of an uninstalled one stalls ~2 s on the network),
    no progress bar (it would break `--json` stdout). With `spill_dir` and no `path`, tables go
    to a compressed in-memory database that spills to `spill_dir` (never to `./.tmp`).
    """
    config: dict[str, str | bool] = {
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
    }
    if memory_mb:
        config["memory_limit"] = f"{memory_mb}MiB"
    if spill_dir is not None:
        config["temp_directory"] = str(spill_dir)
    con = duckdb.connect(str(path) if path else ":memory:", config=config)
    con.execute("SET enable_progress_bar = false")
    if path is None and spill_dir is not None:
        con.execute("ATTACH ':memory:' AS session_tables (COMPRESS)")
        con.execute("USE session_tables")
    return con


class Catalog:
    """The loaded tables of one session, in load order (the first one is `df`)."""

    def __init__(self, settings: Settings, work_dir: Path) -> None:
        self.settings = settings
        self.work_dir = work_dir
        work_dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._con = connect(memory_mb=settings.duckdb_memory_mb, spill_dir=work_dir / "spill")
        self._tables: dict[str, Table] = {}
        self._profiles: dict[str, TableProfile] = {}
        self._values: dict[str, ValueIndex | None] = {}
        self._arrow: dict[str, Path] = {}
        self._sizes: dict[str, int] = {}  # estimated bytes as pandas frames (engine/budget.py)

    @property
    def tables(self) -> tuple[Table, ...]:
        return tuple(self._tables.values())

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._tables)

    def table(self, name: str) -> Table:
        try:
            return self._tables[name]
        except KeyError:
            known = ", ".join(self._tables) or "none loaded yet"
            raise InputError(f"There is no table named {name!r} (tables: {known}).") from None

    def load(
        self, path: str | Path, *, name: str | None = None, encoding: str | None = None
    ) -> list[Table]:
        """Load a file (one table; a workbook, one per sheet). Earlier tables stay as they were."""
        with self._lock:
            taken = [*self._tables, *self._existing_tables()]
            tables = tables_from_file(
                self._con, path, work_dir=self.work_dir, taken=taken, name=name, encoding=encoding
            )
            try:
                sizes = {t.name: estimated_bytes(self._con, t.name, t.rows) for t in tables}
                check_fits(sizes, self._sizes, budget_bytes(self.settings.session_memory_mb))
            except (InputError, duckdb.Error) as exc:
                for table in tables:  # refused whole: the session stays as it was
                    self._con.execute(f"DROP TABLE IF EXISTS {quote_ident(table.name)}")
                if isinstance(exc, duckdb.Error):
                    message = duckdb_error_message(Path(path), exc)
                    raise InputError(message, detail=str(exc)) from None
                raise
            for table in tables:
                self._tables[table.name] = table
            self._sizes.update(sizes)
            return tables

    def add_table(
        self, name: str, arrow: pa.Table, *, replace: bool = False, source: str = ""
    ) -> Table:
        """A table made from a result (`save_table`, "Save as table", issue 14): its Arrow
        rows as they are (no loader renames a column or re-reads a date), under a checked name.

        Refused with an InputError for a bad or taken name (unless `replace`), or a table over
        the session's memory budget; a replaced table is swapped only once the new one is made.
        """
        with self._lock:
            taken = [*self._tables, *self._existing_tables()]
            problem = table_name_problem(name, taken, replace=replace)
            if problem:
                raise InputError(problem)
            # DuckDB names ignore case: replacing `Sales` with `sales` replaces `Sales`
            name = next((n for n in self._tables if n.lower() == name.lower()), name)
            staging = f"__saved_{uuid.uuid4().hex}"
            self._con.register(f"{staging}_view", arrow)
            try:
                self._con.execute(
                    f"CREATE TABLE {quote_ident(staging)} AS SELECT * FROM {quote_ident(staging + '_view')}"
                )
            finally:
                self._con.unregister(f"{staging}_view")
            try:
                size = {name: estimated_bytes(self._con, staging, arrow.num_rows)}
                loaded = {n: b for n, b in self._sizes.items() if n != name}
                check_fits(size, loaded, budget_bytes(self.settings.session_memory_mb))
            except InputError:
                self._con.execute(f"DROP TABLE {quote_ident(staging)}")
                raise
            self._con.execute(f"DROP TABLE IF EXISTS {quote_ident(name)}")
            self._con.execute(f"ALTER TABLE {quote_ident(staging)} RENAME TO {quote_ident(name)}")
            self._forget(name)
            table = Table(
                name=name,
                source=source,
                format=SAVED_FORMAT,
                rows=arrow.num_rows,
                columns=tuple(arrow.column_names),
                notes=(f"Saved from an answer as `{name}`.",),
            )
            self._tables[name] = table
            self._sizes.update(size)
            return table

    def update_settings(self, settings: Settings) -> None:
        """Apply changed settings to the open database (its memory limit)."""
        with self._lock:
            if settings.duckdb_memory_mb != self.settings.duckdb_memory_mb:
                limit = f"{settings.duckdb_memory_mb}MiB" if settings.duckdb_memory_mb else "80%"
                self._con.execute(f"SET memory_limit = '{limit}'")
            self.settings = settings

    def move_first(self, names: Sequence[str]) -> None:
        """Put these tables first, in this order (the first one becomes `df`); the others keep
        their order after them."""
        with self._lock:
            first = {n: self.table(n) for n in names}
            self._tables = first | {n: t for n, t in self._tables.items() if n not in first}

    def drop(self, name: str) -> None:
        with self._lock:
            self.table(name)
            self._con.execute(f"DROP TABLE IF EXISTS {quote_ident(name)}")
            del self._tables[name]
            self._forget(name)

    def _forget(self, name: str) -> None:
        """Drop what was derived from table `name`: its size, profile, values and hand-over file."""
        self._sizes.pop(name, None)
        self._profiles.pop(name, None)
        self._values.pop(name, None)
        arrow = self._arrow.pop(name, None)
        if arrow is not None:
            arrow.unlink(missing_ok=True)

    def profile(self, name: str) -> TableProfile:
        """The table's profile (computed once, then cached)."""
        with self._lock:
            if name not in self._profiles:
                table = self.table(name)
                profile = profile_table(self._con, name, source=table.source, notes=table.notes)
                found = summary_rows(self._con, name)
                notes = tuple(f"Summary row (answers leave it out): {r.describe()}." for r in found)
                self._profiles[name] = replace(
                    profile, summary_rows=found, notes=profile.notes + notes
                )
            return self._profiles[name]

    def profiles(self) -> list[TableProfile]:
        return [self.profile(n) for n in self._tables]

    def value_index(self, name: str) -> ValueIndex | None:
        """Every text value of the table, normalised, for the planner (computed once, then
        cached; None for a table too big to index)."""
        with self._lock:
            if name not in self._values:
                self.table(name)
                self._values[name] = value_index(self._con, name)
            return self._values[name]

    def value_indexes(self) -> dict[str, ValueIndex]:
        """The value index of every table that has one, by table name."""
        found = {n: self.value_index(n) for n in self._tables}
        return {n: index for n, index in found.items() if index is not None}

    def arrow_file(self, name: str) -> Path:
        """The table as an Arrow IPC file, written once by streaming batches (bounded memory).

        This is how tables reach the sandbox's worker and the notebook export: a file that can be
        memory-mapped, never a pickle.
        """
        import pyarrow as pa

        with self._lock:
            self.table(name)
            if name not in self._arrow:
                path = self.work_dir / "arrow" / f"{name}.arrow"
                path.parent.mkdir(parents=True, exist_ok=True)
                reader = self._con.sql(f"SELECT * FROM {quote_ident(name)}").to_arrow_reader(
                    ARROW_BATCH_ROWS
                )
                tmp = path.with_suffix(".arrow.tmp")
                with pa.OSFile(str(tmp), "wb") as sink, pa.ipc.new_file(sink, reader.schema) as w:
                    for batch in reader:
                        w.write_batch(batch)
                tmp.replace(path)
                self._arrow[name] = path
            return self._arrow[name]

    def preview(self, name: str, limit: int = 100):  # -> pandas.DataFrame
        """The first `limit` rows as a DataFrame, for display."""
        with self._lock:
            self.table(name)
            return self._con.sql(f"SELECT * FROM {quote_ident(name)} LIMIT {int(limit)}").df()

    def fetch(self, sql: str, params: Sequence[object] | None = None) -> list[tuple]:
        with self._lock:
            return self._con.execute(sql, params or []).fetchall()

    def close(self) -> None:
        with self._lock:
            self._con.close()

    def _existing_tables(self) -> list[str]:
        return [r[0] for r in self._con.execute("SHOW TABLES").fetchall()]
