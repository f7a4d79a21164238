"""The facade: one object per user session wiring load -> profile -> plan/generate -> sandbox.

Each method is a few delegating lines (LIDA's `Manager`); the steps live in their own modules.
The CLI and the Streamlit pages both drive the engine through this class.
"""

from __future__ import annotations

import functools
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.answer import Context, Notify, Progress, answer_question, drafters_for, silent
from engine.catalog import Catalog
from engine.config import Settings, load_settings
from engine.databases.connections import SessionDatabases
from engine.errors import EngineError, InputError, UnsupportedError
from engine.outputs import SAVED_FORMAT, SavedTable
from engine.session_databases import DatabaseMethods
from engine.session_outputs import (
    FILES_DIR,
    parquet_copy,
    parquet_rows,
    saved_table_sources,
    saved_with_the_button,
    sweep_run_folders,
    without_outputs,
)
from engine.types import ErrorInfo, RunResult, Table, TableProfile, Turn

if TYPE_CHECKING:
    from typing import BinaryIO

    import pandas as pd

    from engine.history import HistoryStore, SessionInfo
    from engine.sandbox import Sandbox, SandboxLayers


SANDBOX_SETTINGS = (  # read once, when the sandbox's worker starts
    "sandbox_timeout_s",
    "sandbox_memory_mb",
    "sandbox_isolation",
    "max_output_bytes",
    "max_result_mb",
    "max_display_rows",
    "max_file_mb",
    "max_files_mb",
    "max_files",
)


class Session(DatabaseMethods):
    """Tables, turns and the sandbox of one user session.

    With a `HistoryStore`, every turn and every loaded file is saved under `session_id`, and
    `Session.restore` rebuilds the session after a reload or a restart.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        work_dir: Path | None = None,
        history: HistoryStore | None = None,
        session_id: str | None = None,
        secrets: Mapping[str, Any] | None = None,
        files_dir: Path | None = None,
    ) -> None:
        self.settings = settings or load_settings()
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if work_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="decipher-session-")
            work_dir = Path(self._tmp.name)
        self.work_dir = work_dir
        # where runs keep the files their code wrote (the history copies them for good)
        self.files_dir = files_dir or work_dir / FILES_DIR
        self.catalog = Catalog(self.settings, work_dir)
        self.history = history
        self.session_id = session_id or (history.new_session() if history else None)
        self.secrets = secrets  # .streamlit/secrets.toml contents or the Settings page's key
        self.turns: list[Turn] = []
        self._sandbox: Sandbox | None = None
        # tables saved with "Save as table": name -> the turn whose result they are (issue 14)
        self._saved_by_button: dict[str, int] = {}
        # the sample a new session starts with, until the user's first own table arrives (issue 16)
        self._stand_ins: set[str] = set()
        # databases (issue 15): their tables are named around the loaded files'
        self._databases = SessionDatabases(self.settings, lambda: self.catalog.names)

    @classmethod
    def restore(
        cls,
        settings: Settings,
        history: HistoryStore,
        session_id: str,
        *,
        work_dir: Path | None = None,
        secrets: Mapping[str, Any] | None = None,
    ) -> Session:
        """The session `session_id` as it was: its stored files reloaded, its turns back."""
        session = cls(
            settings, work_dir=work_dir, history=history, session_id=session_id, secrets=secrets
        )
        session.turns = history.turns(session_id)
        for record in history.datasets(session_id):
            try:
                if record.format == SAVED_FORMAT:
                    session._restore_saved(record.table_name, record.stored_path, record.from_turn)
                else:
                    session.catalog.load(record.stored_path, name=record.table_name)
                    if record.stand_in:
                        session._stand_ins.add(record.table_name)
            except EngineError:
                continue  # a stored file that no longer loads is skipped; the others come back
        session._databases.reconnect(history.databases(session_id), secrets)
        return session

    def update_settings(self, settings: Settings, secrets: Mapping[str, Any] | None = None) -> None:
        """Use `settings` from the next question on, without reloading any table.

        The sandbox reads its limits when its worker starts, so a change to one of them stops
        the worker; the next run starts a fresh one (about 2.5 s) with the new limits.
        """
        old, self.settings = self.settings, settings
        if secrets is not None:
            self.secrets = secrets
        self.catalog.update_settings(settings)
        self._databases.update_settings(settings)
        if self._sandbox is not None and any(
            getattr(old, name) != getattr(settings, name) for name in SANDBOX_SETTINGS
        ):
            self._sandbox.close()
            self._sandbox = None

    def warm_up(self) -> None:
        """Start the sandbox's worker now (pandas, plotly and scipy imports take ~2.5 s), so
        the first question does not wait for it."""
        _ = self.sandbox

    # -- what the pages read and hand over ------------------------------------------------------
    # The pages go through these and never reach the catalog, the history store or the work
    # directory themselves (issue 12).
    def load_upload(self, fileobj: BinaryIO, name: str, *, size: int | None = None) -> list[Table]:
        """Load an uploaded stream as `load` does (history copy included), named after `name`.

        Each upload gets a folder of its own under the work directory, so two files both called
        `data.csv` never overwrite each other, and the file keeps its name for the table and the
        messages. The copy goes in 1 MB chunks (memory stays flat for an 847 MB CSV); `size`,
        when known, is checked against the free disk space before anything is written.
        """
        import shutil
        from pathlib import PurePosixPath

        file_name = PurePosixPath(name.replace("\\", "/")).name  # a browser may send a path
        if file_name in ("", ".", ".."):
            file_name = "upload"
        uploads = self.work_dir / "uploads"
        uploads.mkdir(parents=True, exist_ok=True)
        free = shutil.disk_usage(uploads).free
        if size is not None and size > free:
            raise InputError(
                f"{file_name} is {size / 1e6:,.0f} MB, but only {free / 1e6:,.0f} MB are free "
                f"in {uploads}. Free some disk space and upload it again."
            )
        folder = Path(tempfile.mkdtemp(prefix="upload-", dir=uploads))
        target = folder / file_name
        try:
            with target.open("wb") as out:
                shutil.copyfileobj(fileobj, out, 1 << 20)
        except OSError as exc:  # e.g. the disk filled up during the copy
            shutil.rmtree(folder, ignore_errors=True)
            raise InputError(
                f"{file_name} could not be saved in {uploads} ({exc.strerror or exc}). Free "
                "some disk space and upload it again.",
                detail=repr(exc),
            ) from None
        try:
            return self.load(target, original_name=file_name)
        except EngineError:
            shutil.rmtree(folder, ignore_errors=True)  # no table points at it
            raise

    def table(self, name: str) -> Table:
        """The loaded table `name`: how its file was read (raises InputError naming the tables)."""
        if name in self.catalog.names or not self._databases:
            return self.catalog.table(name)
        return self._databases.table(name)

    def profile(self, name: str) -> TableProfile:
        """The profile of table `name`, computed once per session (a database's, in place)."""
        if name in self.catalog.names or not self._databases:
            return self.catalog.profile(name)
        return self._databases.profile(name)

    def preview(self, name: str, rows: int = 100) -> pd.DataFrame:
        """The first `rows` rows of table `name`, for display (a database's: a capped SELECT)."""
        if name in self.catalog.names or not self._databases:
            return self.catalog.preview(name, rows)
        return self._databases.preview(name, rows)

    def stored_sessions(self) -> list[SessionInfo]:
        """Every session in this session's history store, most recently used first (none
        without a store)."""
        return self.history.sessions() if self.history is not None else []

    def search_history(self, text: str, *, every_session: bool = False) -> list[tuple[str, Turn]]:
        """(session id, turn) for stored turns whose question, code or answer contains `text`,
        newest first: this session's, or with `every_session` every stored session's."""
        if self.history is None or (self.session_id is None and not every_session):
            return []
        return self.history.search(text, session_id=None if every_session else self.session_id)

    @staticmethod
    def is_stored(history: HistoryStore, session_id: str) -> bool:
        """Whether `history` holds the session `session_id` (a URL's `?s=` may be stale)."""
        return any(info.id == session_id for info in history.sessions())

    # -- load and profile ---------------------------------------------------------------------
    def load(
        self,
        path: str | Path,
        *,
        name: str | None = None,
        encoding: str | None = None,
        original_name: str | None = None,
        stand_in: bool = False,
    ) -> list[Table]:
        """Load a file as a table (raises InputError; earlier tables are kept).

        With a history store the file is copied into the data directory first, so the table
        comes back after a restart. A `stand_in` is the sample a new session starts with: the
        first table the user brings takes its place (`_take_the_lead`).
        """
        tables = self.catalog.load(path, name=name, encoding=encoding)
        if self.history is not None and self.session_id is not None:
            for table in tables:
                self.history.add_dataset(
                    self.session_id,
                    table,
                    Path(path),
                    original_name=original_name,
                    stand_in=stand_in,
                )
        if stand_in:
            self._stand_ins.update(t.name for t in tables)
        else:
            self._take_the_lead(tables)
        if self._sandbox is not None:
            self._sandbox.set_tables(self._sandbox_tables())
        return tables

    def _take_the_lead(self, tables: list[Table]) -> None:
        """The user's first own table becomes the main one (issue 16): first in the order, so
        `df` in code, the starter questions and the Data page are about it, and the session is
        named after it. The starting sample leaves if no turn has run yet (nothing used it);
        otherwise it stays, by its name, so the turns that used it can still re-run. Later
        tables join after the first own one."""
        names = [t.name for t in tables]
        before = [t for t in self.catalog.tables if t.name not in names]
        if not tables or any(
            t.name not in self._stand_ins and t.format != SAVED_FORMAT for t in before
        ):
            return  # the user already brought a table: it stays the main one
        if not self.turns:  # nothing used the starting sample: it leaves
            for table in before:
                if table.name in self._stand_ins:
                    self.drop_table(table.name)
        if len(self.catalog.tables) > len(tables):
            self.catalog.move_first(names)
            if self.history is not None and self.session_id is not None:
                self.history.move_datasets_first(self.session_id, names)
        if self.history is not None and self.session_id is not None:
            self.history.name_after_table(self.session_id, names[0])

    def drop_table(self, name: str) -> None:
        """Remove a table from the session, its stored copy included (other tables are kept)."""
        self.catalog.drop(name)
        self._stand_ins.discard(name)
        if self.history is not None and self.session_id is not None:
            self.history.remove_dataset(self.session_id, name)
        if self._sandbox is not None:
            self._sandbox.set_tables(self._sandbox_tables())

    @property
    def tables(self) -> tuple[Table, ...]:
        """The loaded files' tables, then the connected databases' (issue 15)."""
        return self.catalog.tables + (self._databases.tables() if self._databases else ())

    def save_table(self, name: str, turn: Turn, *, replace: bool = False) -> Table:
        """Keep `turn`'s result table (every row) as a new session table `name` ("Save as
        table"): later questions, sql() and the exported notebook know it. Raises InputError
        for a turn without a table, or a name that is taken (unless `replace`) or not valid."""
        answer = turn.result.answer
        if not turn.ok or answer is None or answer.table is None:
            raise InputError("Only a result table can be saved as a table; this answer has none.")
        table = self._add_saved(SavedTable(name, replace, answer.table.to_arrow()), turn.id)
        if turn.id is not None:
            self._saved_by_button[table.name] = turn.id
        self._tables_changed()
        return table

    def profiles(self) -> list[TableProfile]:
        return self.catalog.profiles() + (self._databases.profiles() if self._databases else [])

    def starter_questions(self, n: int = 5) -> list[str]:
        """Questions the planner answers confidently on the first table, for a newcomer to click."""
        from engine.planner import starter_questions

        tables = self.tables  # the first one's profile only (a database's is made in place)
        return starter_questions(self.profile(tables[0].name), n) if tables else []

    # -- run and ask ----------------------------------------------------------------------------
    def run(
        self,
        code: str,
        *,
        question: str | None = None,
        on_wait: Callable[[float], None] | None = None,
    ) -> Turn:
        """Run code as the next turn, exactly as if a backend had written it (`on_wait` as in
        `run_code`)."""
        result = self.run_code(code, on_wait=on_wait)
        return self._record(Turn(question=question, code=code, result=result))

    def ask(
        self,
        question: str,
        *,
        backend: str | None = None,
        on_progress: Notify | None = None,
    ) -> Turn:
        """Answer a question: plan or generate code, run it, repair it if needed. Never raises
        for handled errors: they come back in `Turn.result.error`."""
        started = time.perf_counter()
        question = question.strip()
        try:
            if not question:
                raise InputError("The question is empty. Type a question about your table.")
            if not self.tables:
                raise InputError("No table is loaded yet. Upload a file or pick a sample first.")
            context = Context(
                self.catalog.profiles() + self._databases.profiles(question),
                self.turns,
                self.settings,
                on_progress or silent,
                values=self.catalog.value_indexes(),
            )
            turn = answer_question(
                question,
                drafters_for(backend or self.settings.backend, self.settings, self.secrets),
                functools.partial(self.run_code, on_wait=_heartbeat(on_progress)),
                context,
            )
        except EngineError as exc:
            result = RunResult(ok=False, error=exc.to_info(), elapsed_ms=_ms(started))
            turn = Turn(question=question, code=None, result=result)
        return self._record(turn)

    def run_code(self, code: str, *, on_wait: Callable[[float], None] | None = None) -> RunResult:
        """One run in this session's sandbox (the `run` callable handed to the backends).
        `on_wait` hears the seconds so far while the code runs; what it raises stops the run."""
        if not self.tables:
            error = InputError("No table is loaded yet. Upload a file or pick a sample first.")
            return RunResult(ok=False, error=error.to_info())
        try:
            return self._sandbox_for_run().run(code, on_wait=on_wait)
        except EngineError as exc:  # e.g. the sandbox refuses to start on this host
            return RunResult(ok=False, error=exc.to_info())

    @property
    def sandbox(self) -> Sandbox:
        if self._sandbox is None:
            from engine.sandbox import Sandbox

            self._sandbox = Sandbox(self._sandbox_tables(), self.settings, files_dir=self.files_dir)
        return self._sandbox

    def sandbox_layers(self) -> SandboxLayers:
        from engine.sandbox import probe_layers

        return self._sandbox.layers if self._sandbox is not None else probe_layers()

    def _sandbox_tables(self) -> list:
        from engine.sandbox import SandboxTable

        return [
            SandboxTable(
                name=t.name,
                arrow_path=self.catalog.arrow_file(t.name),
                source_name=Path(t.source).name,
            )
            for t in self.catalog.tables
        ]

    # -- history and export -------------------------------------------------------------------
    def delete_turn(self, turn: Turn) -> None:
        self.turns = [t for t in self.turns if t is not turn and (t.id is None or t.id != turn.id)]
        if self.history is not None and turn.id is not None:
            self.history.delete_turn(turn.id)

    def clear_turns(self) -> None:
        self.turns = []
        if self.history is not None and self.session_id is not None:
            self.history.clear(self.session_id)

    def export_bundle(self) -> bytes:
        """The whole session as a zip: a notebook that re-runs every turn, the tables as
        Parquet, and the files the turns wrote. A saved table is re-made by the notebook (the
        turn's save_table, or a cell after the turn it was saved from), else shipped as data."""
        from engine.export import session_bundle

        saves, tables = saved_table_sources(self.turns, self.catalog.tables, self._saved_by_button)
        files = [(t.name, self.catalog.arrow_file(t.name)) for t in tables]
        return session_bundle(self.turns, files, self._replay(), saves=saves)

    def _record(self, turn: Turn) -> Turn:
        """Keep a finished turn: its saved tables made, its files kept (in the history too)."""
        turn, made = self._settle(turn)
        if self.history is not None and self.session_id is not None:
            turn = self.history.add_turn(
                self.session_id, turn, max_result_mb=self.settings.max_result_mb
            )
            for table in made:
                source, name = Path(table.source), f"{table.name}.parquet"
                self.history.add_dataset(self.session_id, table, source, name, from_turn=turn.id)
        for table in made:
            self._saved_by_button.pop(table.name, None)
        self.turns.append(turn)
        sweep_run_folders(self.files_dir, self.turns)
        if made:
            self._tables_changed()
        return turn

    def _settle(self, turn: Turn) -> tuple[Turn, list[Table]]:
        """A failed turn keeps no file and saves no table; an answered one makes its tables
        (a refused one fails the turn, saying why)."""
        made: list[Table] = []
        try:
            for saved in turn.result.saved_tables if turn.ok else ():
                made.append(self._add_saved(saved, None, record=False))
        except EngineError as exc:
            return without_outputs(turn, exc.to_info()), made
        return (turn if turn.ok else without_outputs(turn)), made

    def _add_saved(self, saved: SavedTable, from_turn: int | None, *, record: bool = True) -> Table:
        """Make a saved table in the catalog, with a Parquet copy for the history to keep."""
        path = parquet_copy(self.work_dir, saved)
        table = self.catalog.add_table(
            saved.name, saved.arrow, replace=saved.replace, source=str(path)
        )
        if record and self.history is not None and self.session_id is not None:
            self.history.add_dataset(
                self.session_id, table, path, f"{table.name}.parquet", from_turn=from_turn
            )
        return table

    def _restore_saved(self, name: str, path: Path, from_turn: int | None) -> None:
        self.catalog.add_table(name, parquet_rows(name, path), replace=True, source=str(path))
        if saved_with_the_button(name, from_turn, self.turns):
            self._saved_by_button[name] = from_turn

    def _tables_changed(self) -> None:
        if self._sandbox is not None:
            self._sandbox.set_tables(self._sandbox_tables())

    def close(self) -> None:
        if self._sandbox is not None:
            self._sandbox.close()
            self._sandbox = None
        self._databases.close()
        self.catalog.close()
        if self._tmp is not None:
            self._tmp.cleanup()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _heartbeat(on_progress: Notify | None) -> Callable[[float], None] | None:
    """A sandbox `on_wait` that reports a still-running run as Progress('wait', '3 s')."""
    if on_progress is None:
        return None
    return lambda seconds: on_progress(Progress("wait", f"{seconds:.0f} s"))


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


__all__ = ["ErrorInfo", "Session", "UnsupportedError"]
