"""The database half of `Session` (issue 15): connect, list, disconnect, and hand the sandbox
the database tables `sql()` may name with the function that answers their queries.

A mixin, so `session.py` stays the short facade: `Session` owns `_databases` (a
`SessionDatabases`), the sandbox, the history store and the secrets. The history keeps each
connection by its redacted URL only; `Session.restore` reconnects with the secret found in the
environment, `.streamlit/secrets.toml` or the Settings page (`reconnect`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from engine.databases.connections import DatabaseStatus, SessionDatabases, configured_urls
from engine.errors import EngineError
from engine.types import Table, Turn

if TYPE_CHECKING:
    from engine.config import Settings
    from engine.databases.replay import Replay
    from engine.history import HistoryStore
    from engine.sandbox import Sandbox


class DatabaseMethods:
    """`Session`'s database methods; the pages and the CLI call these."""

    _databases: SessionDatabases
    _sandbox: Sandbox | None
    history: HistoryStore | None
    session_id: str | None
    secrets: Mapping[str, Any] | None

    turns: list[Turn]
    settings: Settings

    if TYPE_CHECKING:

        @property
        def sandbox(self) -> Sandbox: ...

    def connect_database(self, url: str) -> list[Table]:
        """Connect `url` (postgresql://... or sc://host:port) and list its readable tables.

        Raises InputError when it cannot connect; the message shows the URL without its secret.
        The history remembers the connection by its redacted URL only.
        """
        parsed = self._databases.connect(url)
        if self.history is not None and self.session_id is not None:
            self.history.add_database(self.session_id, parsed.display)
        return list(self._databases.tables(parsed.display))

    def connect_configured_databases(self) -> list[str]:
        """Connect the databases of `DECIPHER_DATABASES` (environment, secrets.toml) and the
        Settings page; returns what failed, in plain words (the others stay connected)."""
        errors = []
        for url in configured_urls(self.secrets):
            try:
                self.connect_database(url)
            except EngineError as exc:
                errors.append(exc.message)
        return errors

    def disconnect_database(self, url: str) -> None:
        """Forget the database with this redacted URL (its tables leave the session)."""
        self._databases.disconnect(url)
        if self.history is not None and self.session_id is not None:
            self.history.remove_database(self.session_id, url)

    def database_statuses(self) -> list[DatabaseStatus]:
        """Connected databases with their table counts, then those a restore could not reach
        (each with what to do: usually, enter the password)."""
        return self._databases.statuses()

    def _replay(self) -> Replay | None:
        """For the exported notebook: the databases and the SQL each turn ran there."""
        if not self._databases:
            return None
        from engine.databases.replay import replay_for

        codes = [t.code for t in self.turns if t.ok and t.code]
        return replay_for(self._databases, codes, self.settings.database_max_rows)

    def _sandbox_for_run(self) -> Sandbox:
        """The sandbox, told of the database tables as they are named now (loading a file
        may rename one) before a run."""
        sandbox = self.sandbox
        specs = self._databases.sandbox_specs() if self._databases else []
        sandbox.set_databases(specs, self._databases.answer if specs else None)
        return sandbox
