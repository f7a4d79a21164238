"""Persistent history: sessions, their turns and their uploaded files, kept across restarts.

One SQLite file, `<data_dir>/history.sqlite`, in WAL mode with `synchronous=FULL`: every write
is one transaction, so a process killed mid-write loses at most that write and never an earlier
one (issue 6, tested by SIGKILL-ing a writer). Turns are stored as the JSON of `Turn.to_json()`,
never pickled, so a new version can read them (style.md rule 12). Uploaded files are copied to
`<data_dir>/datasets/<session_id>/`, once per session even when loaded twice or read as several
sheets; result tables are kept whole as Parquet under `<data_dir>/results/` (`result_files`).
"""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

from engine.errors import InputError
from engine.history_databases import DatabaseLinkStore
from engine.history_datasets import DatasetStore, now_stamp
from engine.history_schema import MIGRATIONS, SCHEMA_VERSION
from engine.outputs import OutputFile
from engine.result_files import ResultFiles
from engine.types import ErrorInfo, RunResult, Turn
from engine.values import json_scalar

_LOGGER = logging.getLogger(__name__)

DB_NAME: Final = "history.sqlite"
TITLE_CHARS: Final = 60
BUSY_TIMEOUT_MS: Final = 10_000  # another process (CLI, a second app) may hold the write lock


@dataclass(frozen=True)
class SessionInfo:
    """One stored session, as the History page lists it."""

    id: str
    title: str
    created_at: str
    updated_at: str
    turn_count: int
    tables: tuple[str, ...]


def _casefold(text: str | None) -> str:
    return text.casefold() if text else ""


class HistoryStore(DatasetStore, DatabaseLinkStore):
    """Sessions, turns and datasets under one data directory; safe to share between threads."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir).expanduser()
        self.datasets_dir = self.data_dir / "datasets"
        self.datasets_dir.mkdir(parents=True, exist_ok=True)
        self.path = self.data_dir / DB_NAME
        self.results = ResultFiles(self.data_dir)
        self._lock = threading.RLock()
        self._hashes: dict[tuple[str, int, int], str] = {}  # (path, size, mtime_ns) -> sha256
        try:
            self._con = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=10
            )
            self._con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self._con.execute("PRAGMA journal_mode = WAL")
            self._con.execute("PRAGMA synchronous = FULL")
            self._con.execute("PRAGMA foreign_keys = ON")
            self._con.create_function("casefold", 1, _casefold, deterministic=True)
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise InputError(
                f"The history database {self.path} cannot be opened ({exc}). Move the file away "
                "to start a fresh history, or set data_dir to another folder.",
                detail=repr(exc),
            ) from None

    # -- plumbing -------------------------------------------------------------------------------
    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: all of it lands, or none of it (BEGIN IMMEDIATE takes the
        write lock up front, so two processes never deadlock upgrading a read lock)."""
        with self._lock:
            self._con.execute("BEGIN IMMEDIATE")
            done = False
            try:
                yield self._con
                done = True
            finally:  # roll back on any exception (KeyboardInterrupt too); it propagates as is
                self._con.execute("COMMIT" if done else "ROLLBACK")

    def _read(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple]:
        with self._lock:
            return self._con.execute(sql, params).fetchall()

    def _migrate(self) -> None:
        with self._write() as con:
            version = con.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise InputError(
                    f"The history database {self.path} was written by a newer Decipher (schema "
                    f"{version}, this one knows {SCHEMA_VERSION}). Upgrade Decipher, or set "
                    "data_dir to another folder."
                )
            for number in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[number].split(";"):
                    if statement.strip():
                        con.execute(statement)
            if version != SCHEMA_VERSION:
                con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        with self._lock:
            self._con.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- sessions -------------------------------------------------------------------------------
    def new_session(self, title: str = "") -> str:
        session_id = uuid.uuid4().hex
        now = now_stamp()
        with self._write() as con:
            con.execute(
                "INSERT INTO sessions (id, title, created_at, updated_at) VALUES (?, ?, ?, ?)",
                (session_id, title.strip(), now, now),
            )
        return session_id

    def sessions(self) -> list[SessionInfo]:
        """Every session, the most recently used first."""
        rows = self._read(
            """
            SELECT s.id, s.title, s.created_at, s.updated_at,
                   (SELECT count(*) FROM turns t WHERE t.session_id = s.id),
                   (SELECT group_concat(table_name, char(31)) FROM
                       (SELECT table_name FROM datasets d WHERE d.session_id = s.id ORDER BY d.id))
            FROM sessions s ORDER BY s.updated_at DESC, s.rowid DESC
            """
        )
        return [
            SessionInfo(
                sid, title, created, updated, count, tuple(names.split("\x1f")) if names else ()
            )
            for sid, title, created, updated, count, names in rows
        ]

    def rename_session(self, session_id: str, title: str) -> None:
        with self._write() as con:
            self._ensure_session(con, session_id)
            con.execute(  # not a use: renaming keeps the session's place in the list
                "UPDATE sessions SET title = ? WHERE id = ?", (title.strip(), session_id)
            )

    def name_after_table(self, session_id: str, table_name: str) -> None:
        """Title the session after its main table (issue 16), unless it has a title of its own:
        only an empty one, or the one its first question gave it, is replaced."""
        with self._write() as con:
            self._ensure_session(con, session_id)
            (title,) = con.execute(
                "SELECT title FROM sessions WHERE id = ?", (session_id,)
            ).fetchone()
            first = con.execute(
                "SELECT question FROM turns WHERE session_id = ? AND trim(coalesce(question, ''))"
                " != '' ORDER BY id LIMIT 1",
                (session_id,),
            ).fetchone()
            if title == "" or (first is not None and title == _title_from_question(first[0])):
                con.execute("UPDATE sessions SET title = ? WHERE id = ?", (table_name, session_id))

    def delete_session(self, session_id: str) -> None:
        """The session, its turns and its copied files (the database first: a crash between the
        two leaves stray files, never a session pointing at missing ones)."""
        with self._write() as con:
            con.execute("DELETE FROM turns WHERE session_id = ?", (session_id,))
            con.execute("DELETE FROM datasets WHERE session_id = ?", (session_id,))
            con.execute("DELETE FROM databases WHERE session_id = ?", (session_id,))
            con.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
        shutil.rmtree(self._session_dir(session_id), ignore_errors=True)
        self.results.remove_session(session_id)

    def _ensure_session(self, con: sqlite3.Connection, session_id: str) -> None:
        now = now_stamp()
        con.execute(
            "INSERT OR IGNORE INTO sessions (id, title, created_at, updated_at) VALUES (?, '', ?, ?)",
            (session_id, now, now),
        )

    def _session_dir(self, session_id: str) -> Path:
        if not session_id or not session_id.isalnum():  # it becomes a folder name
            raise InputError(f"{session_id!r} is not a session id; use one from new_session().")
        return self.datasets_dir / session_id

    # -- turns ----------------------------------------------------------------------------------
    def add_turn(self, session_id: str, turn: Turn, *, max_result_mb: int | None = None) -> Turn:
        """Store a turn; returns it with `.id` set. Its whole result table (up to
        `max_result_mb`) goes to a Parquet file named before the row commits. An untitled
        session takes its first question as title."""
        created = turn.created_at or now_stamp()
        turn = replace(turn, created_at=created, id=None)
        files = turn.result.files
        stored = replace(turn, result=replace(turn.result, files=_without_paths(files)))
        data = json.dumps(stored.to_json(), ensure_ascii=False, default=_json_default)
        table = turn.result.answer.table if turn.result.answer is not None else None
        cap = None if max_result_mb is None else max_result_mb * 1024 * 1024
        self._session_dir(session_id)  # checked: it names the folder of its result files
        saving = self.results.saving(session_id, table, cap, files)
        with saving as keep, self._write() as con:
            self._ensure_session(con, session_id)
            cursor = con.execute(
                """
                INSERT INTO turns (session_id, created_at, question, code, answer_text, backend,
                                   ok, data)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
                (
                    session_id,
                    created,
                    turn.question,
                    turn.code,
                    _answer_text(turn),
                    turn.backend,
                    int(turn.ok),
                    data,
                ),
            )
            name, files_dir = keep(cursor.lastrowid)
            if name or files_dir:
                con.execute(
                    "UPDATE turns SET result_file = ?, files_dir = ? WHERE id = ?",
                    (name, files_dir, cursor.lastrowid),
                )
            con.execute(
                "UPDATE sessions SET updated_at = ? WHERE id = ?", (now_stamp(), session_id)
            )
            if turn.question and turn.question.strip():
                con.execute(
                    "UPDATE sessions SET title = ? WHERE id = ? AND title = ''",
                    (_title_from_question(turn.question), session_id),
                )
        turn = self.results.attach_files(stored, session_id, files_dir)
        return replace(turn, id=cursor.lastrowid)

    def turns(self, session_id: str) -> list[Turn]:
        """The session's turns, oldest first, with their whole result tables."""
        rows = self._read(
            "SELECT session_id, id, data, result_file, files_dir FROM turns WHERE session_id = ? "
            "ORDER BY id",
            (session_id,),
        )
        return [self._turn_from_row(*row) for row in rows]

    def search(self, text: str, session_id: str | None = None) -> list[tuple[str, Turn]]:
        """(session id, turn) for turns whose question, code or answer contains `text`, in any
        case (Unicode-aware, unlike SQLite's ASCII-only LIKE); newest first."""
        needle = text.casefold().strip()
        if not needle:
            return []
        sql = """
            SELECT session_id, id, data, result_file, files_dir FROM turns
            WHERE (instr(casefold(question), ?) > 0 OR instr(casefold(code), ?) > 0
                   OR instr(casefold(answer_text), ?) > 0)
        """
        params: tuple[object, ...] = (needle, needle, needle)
        if session_id is not None:
            sql += " AND session_id = ?"
            params += (session_id,)
        rows = self._read(sql + " ORDER BY id DESC", params)
        return [(row[0], self._turn_from_row(*row)) for row in rows]

    def _turn_from_row(
        self, session_id: str, turn_id: int, data: str, name: str | None, files: str | None
    ) -> Turn:
        turn = self.results.attach(_turn_from_json(turn_id, data), session_id, name)
        return self.results.attach_files(turn, session_id, files)

    def delete_turn(self, turn_id: int) -> None:
        """The turn, then its result file (a crash between the two leaves a stray file)."""
        with self._write() as con:
            row = con.execute(
                "SELECT session_id, result_file, files_dir FROM turns WHERE id = ?", (turn_id,)
            ).fetchone()
            con.execute("DELETE FROM turns WHERE id = ?", (turn_id,))
        if row is not None:
            self.results.remove(row[0], [name for name in row[1:] if name])

    def clear(self, session_id: str) -> None:
        """Delete every turn of the session and their result files (its tables stay)."""
        with self._write() as con:
            rows = con.execute(
                "SELECT result_file, files_dir FROM turns WHERE session_id = ?", (session_id,)
            ).fetchall()
            con.execute("DELETE FROM turns WHERE session_id = ?", (session_id,))
        self.results.remove(session_id, [name for row in rows for name in row if name])


def _without_paths(files: tuple[OutputFile, ...]) -> tuple[OutputFile, ...]:
    """Files as their turn's JSON keeps them: the paths come from the row's folder on reading."""
    return tuple(replace(f, path=None) for f in files)


def _json_default(value: object) -> object:
    """Arrays and scalars a hand-made figure dict may hold (plotly's own JSON has none)."""
    tolist = getattr(value, "tolist", None)
    return tolist() if callable(tolist) else json_scalar(value)


def _answer_text(turn: Turn) -> str:
    """What search looks at besides question and code: the answer summary or the error."""
    parts = [turn.explanation]
    if turn.result.answer is not None:
        parts.append(turn.result.answer.text)
    if turn.result.error is not None:
        parts.append(turn.result.error.message)
    return "\n".join(p for p in parts if p)


def _title_from_question(question: str) -> str:
    line = " ".join(question.split())
    return line if len(line) <= TITLE_CHARS else line[: TITLE_CHARS - 1].rstrip() + "…"


def _turn_from_json(turn_id: int, data: str) -> Turn:
    """A stored turn; one this version cannot read comes back as a failed turn saying so,
    rather than vanishing from the history."""
    try:
        return Turn.from_json(json.loads(data), id=turn_id)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        _LOGGER.warning("history turn %s is unreadable: %r", turn_id, exc)
        error = ErrorInfo(
            kind="input",
            message="This turn was saved in a form this version of Decipher cannot read. "
            "Delete it, or open the history with the version that wrote it.",
            detail=repr(exc),
        )
        return Turn(question=None, code=None, result=RunResult(ok=False, error=error), id=turn_id)
