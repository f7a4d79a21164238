"""The databases of each stored session (issue 15), by redacted URL only: a restored session
reconnects to them with the secret found in the environment, secrets.toml or the Settings page,
and none is ever written here.

A mixin of `HistoryStore` (engine/history.py), which owns the SQLite connection and its lock.
"""

from __future__ import annotations

import sqlite3
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from engine.databases.urls import parse_database_url
from engine.errors import InputError
from engine.values import now_iso


class DatabaseLinkStore:
    """`add_database`, `databases`, `remove_database` of a session."""

    if TYPE_CHECKING:  # provided by HistoryStore

        def _write(self) -> AbstractContextManager[sqlite3.Connection]: ...
        def _read(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple]: ...
        def _ensure_session(self, con: sqlite3.Connection, session_id: str) -> None: ...

    def add_database(self, session_id: str, url: str) -> None:
        """Remember that the session is connected to `url`, stored as its redacted form
        (a URL with a password or token is redacted first, never kept)."""
        try:
            display = parse_database_url(url).display
        except InputError:
            return  # not a database URL: nothing to reconnect to
        with self._write() as con:
            self._ensure_session(con, session_id)
            con.execute(
                "INSERT OR IGNORE INTO databases (session_id, url, added_at) VALUES (?, ?, ?)",
                (session_id, display, now_iso()),
            )

    def databases(self, session_id: str) -> list[str]:
        """The session's databases' redacted URLs, in the order they were connected."""
        rows = self._read(
            "SELECT url FROM databases WHERE session_id = ? ORDER BY id", (session_id,)
        )
        return [r[0] for r in rows]

    def remove_database(self, session_id: str, url: str) -> None:
        with self._write() as con:
            con.execute("DELETE FROM databases WHERE session_id = ? AND url = ?", (session_id, url))
