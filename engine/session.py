"""The facade: one object per user session wiring load -> profile -> plan/generate -> sandbox.

Each method is a few delegating lines (LIDA's `Manager`); the steps live in their own modules.
The CLI and the Streamlit pages both drive the engine through this class.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from engine.catalog import Catalog
from engine.config import Settings, load_settings
from engine.errors import EngineError, UnsupportedError
from engine.types import RunResult, Table, TableProfile, Turn


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Session:
    """Tables, turns and the sandbox of one user session."""

    def __init__(self, settings: Settings | None = None, *, work_dir: Path | None = None) -> None:
        self.settings = settings or load_settings()
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if work_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="decipher-session-")
            work_dir = Path(self._tmp.name)
        self.work_dir = work_dir
        self.catalog = Catalog(self.settings, work_dir)
        self.turns: list[Turn] = []

    # -- load and profile ---------------------------------------------------------------------
    def load(
        self, path: str | Path, *, name: str | None = None, encoding: str | None = None
    ) -> list[Table]:
        """Load a file as a table (raises InputError; earlier tables are kept)."""
        return self.catalog.load(path, name=name, encoding=encoding)

    @property
    def tables(self) -> tuple[Table, ...]:
        return self.catalog.tables

    def profiles(self) -> list[TableProfile]:
        return self.catalog.profiles()

    # -- run and ask ----------------------------------------------------------------------------
    def run(self, code: str, *, question: str | None = None) -> Turn:
        """Run code as the next turn, exactly as if a backend had written it."""
        result = self._unsupported("Running code needs the sandbox (issue #3), not built yet.")
        return self._record(Turn(question=question, code=code, result=result, created_at=now_iso()))

    def ask(
        self,
        question: str,
        *,
        backend: str = "auto",
        on_progress: Callable[[object], None] | None = None,
    ) -> Turn:
        """Answer a question: plan or generate code, run it, repair it if needed."""
        del backend, on_progress
        result = self._unsupported("Answering questions needs the planner and LLM backends.")
        return self._record(Turn(question=question, code=None, result=result, created_at=now_iso()))

    def _record(self, turn: Turn) -> Turn:
        self.turns.append(turn)
        return turn

    @staticmethod
    def _unsupported(message: str) -> RunResult:
        return RunResult(ok=False, error=UnsupportedError(message).to_info())

    def close(self) -> None:
        self.catalog.close()
        if self._tmp is not None:
            self._tmp.cleanup()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["EngineError", "Session"]
