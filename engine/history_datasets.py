"""The datasets half of the history store: each session's tables and the stored copies of the
files they came from, so a restart loads them again (issue 6); a table made from a result
(issue 14) is stored as the Parquet file the app wrote, with the turn it came from.

A mixin of `HistoryStore` (engine/history.py), which owns the SQLite connection and its lock.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import threading
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from engine.identifiers import unique_name
from engine.types import Table


def now_stamp() -> str:
    """Microseconds, so sessions used within one second still sort newest first."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class DatasetRecord:
    """A table of a session and the stored copy of the file it was loaded from (for a table
    made from a result, a Parquet file the app wrote)."""

    session_id: str
    table_name: str
    stored_path: Path
    original_name: str
    added_at: str
    sheet: str | None = None
    format: str = ""
    sha256: str = ""
    size_bytes: int = 0
    from_turn: int | None = None  # a table made from a result: the turn it came from (issue 14)
    stand_in: bool = False  # the sample a new session starts with (issue 16)


class DatasetStore:
    """Datasets of sessions: `add_dataset`, `datasets`, `remove_dataset`, `move_datasets_first`."""

    datasets_dir: Path
    _lock: threading.RLock
    _hashes: dict[tuple[str, int, int], str]

    if TYPE_CHECKING:  # provided by HistoryStore

        def _write(self) -> AbstractContextManager[sqlite3.Connection]: ...
        def _read(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple]: ...
        def _ensure_session(self, con: sqlite3.Connection, session_id: str) -> None: ...
        def _session_dir(self, session_id: str) -> Path: ...

    # -- datasets -------------------------------------------------------------------------------
    def add_dataset(
        self,
        session_id: str,
        table: Table,
        path: Path,
        original_name: str | None = None,
        *,
        from_turn: int | None = None,
        stand_in: bool = False,
    ) -> DatasetRecord:
        """Record `table` and keep a copy of its file, so it loads again after a restart.

        The file is copied once per session: loading it twice, or reading several sheets of one
        workbook, points every table at the same stored copy. A table of that name is replaced,
        and its file removed once no other table uses it. `stand_in` marks the sample a new
        session starts with, which the user's first own table replaces (issue 16).
        """
        path = Path(path)
        digest = self._sha256(path)
        size = path.stat().st_size
        name = Path(original_name or path.name).name or path.name
        folder = self._session_dir(session_id)
        folder.mkdir(parents=True, exist_ok=True)
        with self._lock:  # the copy runs outside the SQLite transaction: other writers go on
            row = self._read(
                "SELECT stored_name FROM datasets WHERE session_id = ? AND sha256 = ? LIMIT 1",
                (session_id, digest),
            )
            if row and (folder / row[0][0]).is_file():
                stored_name = row[0][0]
            else:
                stored_name = self._copy_in(path, folder, name)
            record = self._record_dataset(
                session_id, table, stored_name, name, digest, size, stand_in
            )
            return self._with_origin(record, from_turn)

    def _record_dataset(
        self,
        session_id: str,
        table: Table,
        stored_name: str,
        name: str,
        digest: str,
        size: int,
        stand_in: bool,
    ) -> DatasetRecord:
        with self._write() as con:
            self._ensure_session(con, session_id)
            before = con.execute(
                "SELECT stored_name FROM datasets WHERE session_id = ? AND table_name = ?",
                (session_id, table.name),
            ).fetchone()
            now = now_stamp()
            con.execute(
                """
                INSERT INTO datasets (session_id, table_name, stored_name, original_name, sheet,
                                      format, sha256, size_bytes, added_at, stand_in)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (session_id, table_name) DO UPDATE SET
                    stored_name = excluded.stored_name, original_name = excluded.original_name,
                    sheet = excluded.sheet, format = excluded.format, sha256 = excluded.sha256,
                    size_bytes = excluded.size_bytes, added_at = excluded.added_at,
                    from_turn = NULL, stand_in = excluded.stand_in
                """,
                (
                    session_id,
                    table.name,
                    stored_name,
                    name,
                    table.sheet,
                    table.format,
                    digest,
                    size,
                    now,
                    int(stand_in),
                ),
            )
            con.execute("UPDATE sessions SET updated_at = ? WHERE id = ?", (now, session_id))
            unused = (
                before is not None
                and before[0] != stored_name
                and not self._uses(con, session_id, before[0])
            )
        if unused:
            (self._session_dir(session_id) / before[0]).unlink(missing_ok=True)
        return DatasetRecord(
            session_id=session_id,
            table_name=table.name,
            stored_path=self._session_dir(session_id) / stored_name,
            original_name=name,
            added_at=now,
            sheet=table.sheet,
            format=table.format,
            sha256=digest,
            size_bytes=size,
            stand_in=stand_in,
        )

    def _with_origin(self, record: DatasetRecord, from_turn: int | None) -> DatasetRecord:
        if from_turn is None:
            return record
        with self._write() as con:
            con.execute(
                "UPDATE datasets SET from_turn = ? WHERE session_id = ? AND table_name = ?",
                (from_turn, record.session_id, record.table_name),
            )
        return replace(record, from_turn=from_turn)

    @staticmethod
    def _uses(con: sqlite3.Connection, session_id: str, stored_name: str) -> bool:
        return (
            con.execute(
                "SELECT 1 FROM datasets WHERE session_id = ? AND stored_name = ?",
                (session_id, stored_name),
            ).fetchone()
            is not None
        )

    def datasets(self, session_id: str) -> list[DatasetRecord]:
        """The session's tables in load order, each with its stored file."""
        folder = self.datasets_dir / session_id
        rows = self._read(
            """
            SELECT table_name, stored_name, original_name, added_at, sheet, format, sha256,
                   size_bytes, from_turn, stand_in
            FROM datasets WHERE session_id = ? ORDER BY id
            """,
            (session_id,),
        )
        return [
            DatasetRecord(session_id, t, folder / s, o, a, sh, f, h, n, turn, bool(stand_in))
            for t, s, o, a, sh, f, h, n, turn, stand_in in rows
        ]

    def move_datasets_first(self, session_id: str, table_names: Sequence[str]) -> None:
        """Put these tables first in the session's load order (the first one is `df` after a
        restart too): the order is the row id, so every other table of the session moves past
        the largest id, keeping its place among them."""
        marks = ", ".join("?" * len(table_names))
        with self._write() as con:
            con.execute(
                f"""
                UPDATE datasets SET id = id + (SELECT max(id) FROM datasets)
                WHERE session_id = ? AND table_name NOT IN ({marks})
                """,
                (session_id, *table_names),
            )

    def remove_dataset(self, session_id: str, table_name: str) -> None:
        """Forget a table; its stored file goes too once no other table of the session uses it."""
        with self._write() as con:
            row = con.execute(
                "SELECT stored_name FROM datasets WHERE session_id = ? AND table_name = ?",
                (session_id, table_name),
            ).fetchone()
            if row is None:
                return
            con.execute(
                "DELETE FROM datasets WHERE session_id = ? AND table_name = ?",
                (session_id, table_name),
            )
            still_used = self._uses(con, session_id, row[0])
        if not still_used:
            (self._session_dir(session_id) / row[0]).unlink(missing_ok=True)

    def _sha256(self, path: Path) -> str:
        """The file's SHA-256, remembered by (path, size, mtime): a workbook's sheets hash once."""
        stat = path.stat()
        key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
        if key not in self._hashes:
            digest = hashlib.sha256()
            with path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
            self._hashes[key] = digest.hexdigest()
        return self._hashes[key]

    @staticmethod
    def _copy_in(path: Path, folder: Path, name: str) -> str:
        """Copy to `folder/name` (or `stem-2.ext` if taken by other content), atomically: a
        crash mid-copy leaves a `.part` file, never a truncated dataset."""
        stem, suffix = Path(name).stem, Path(name).suffix
        taken = set(os.listdir(folder))
        target = folder / unique_name(
            name, taken, ignore_case=False, numbered=lambda n: f"{stem}-{n}{suffix}"
        )
        partial = target.with_name(target.name + ".part")
        shutil.copyfile(path, partial)
        partial.replace(target)
        return target.name
