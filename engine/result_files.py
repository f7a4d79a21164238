"""Result tables of stored turns, kept as Parquet files beside the history (issue 12).

A turn's SQLite row holds its JSON with the rows kept for display (`max_display_rows`); the
whole table goes to `<data_dir>/results/<session id>/<turn id>.parquet`, written by pyarrow with
its types. So a restored turn shows, exports and looks up every row, with dates still dates and
integers still integers, instead of 1,000 rows re-typed from JSON text.

Crash safety: the file is written under a temporary name and renamed to its turn's name before
the SQLite row commits, and only a row that names its file is ever read. A crash between rename
and commit leaves a stray file, never a turn without its file; a missing or unreadable file
falls back to the kept rows (the page then says the downloads hold only those).
"""

from __future__ import annotations

import logging
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Final

from engine.types import TableData, Turn

_LOGGER = logging.getLogger(__name__)

RESULTS_DIR: Final = "results"
PART_SUFFIX: Final = ".parquet.part"


class ResultFiles:
    """The Parquet files of one data directory's turns, one folder per session."""

    def __init__(self, data_dir: Path) -> None:
        self.root = Path(data_dir) / RESULTS_DIR

    @contextmanager
    def saving(
        self, session_id: str, table: TableData | None, max_bytes: int | None
    ) -> Iterator[Callable[[int], str | None]]:
        """Write `table`'s full result under a temporary name; inside the turn's transaction,
        `keep(turn_id)` renames it to the turn's file and returns that name (None when nothing
        was written). A file not kept is removed on the way out."""
        staged = self._stage(self.root / session_id, table, max_bytes)

        def keep(turn_id: int) -> str | None:
            if staged is None:
                return None
            name = f"{turn_id}.parquet"
            staged.replace(staged.with_name(name))
            return name

        try:
            yield keep
        finally:
            if staged is not None:
                staged.unlink(missing_ok=True)

    @staticmethod
    def _stage(folder: Path, table: TableData | None, max_bytes: int | None) -> Path | None:
        """The temporary file; None when there is nothing to keep (no Arrow result, larger
        than `max_bytes`, or a type Parquet cannot hold: the turn keeps its rows)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        if table is None or table.arrow is None:
            return None
        if max_bytes is not None and table.arrow.nbytes > max_bytes:
            return None
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f"{uuid.uuid4().hex}{PART_SUFFIX}"
        try:
            pq.write_table(table.arrow, partial)
        except (OSError, pa.ArrowException) as exc:
            _LOGGER.warning("result table not kept as Parquet: %r", exc)
            partial.unlink(missing_ok=True)
            return None
        return partial

    def attach(self, turn: Turn, session_id: str, name: str | None) -> Turn:
        """`turn` with its full result read back from `name`; as stored (its kept rows) when
        the file is gone, unreadable, or not this table."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        answer = turn.result.answer
        if not name or answer is None or answer.table is None:
            return turn
        try:
            arrow = pq.read_table(self.root / session_id / name)
        except (OSError, pa.ArrowException) as exc:
            _LOGGER.warning("turn %s: result file %s unreadable: %r", turn.id, name, exc)
            return turn
        table = answer.table
        if arrow.num_rows != table.row_count or tuple(arrow.column_names) != table.columns:
            _LOGGER.warning("turn %s: result file %s does not match the turn", turn.id, name)
            return turn
        answer = replace(answer, table=replace(table, arrow=arrow))
        return replace(turn, result=replace(turn.result, answer=answer))

    def remove(self, session_id: str, names: list[str]) -> None:
        for name in names:
            (self.root / session_id / name).unlink(missing_ok=True)

    def remove_session(self, session_id: str) -> None:
        shutil.rmtree(self.root / session_id, ignore_errors=True)
