"""Result tables of stored turns, kept as Parquet files beside the history (issue 12).

A turn's SQLite row holds its JSON with the rows kept for display (`max_display_rows`); the
whole table goes to `<data_dir>/results/<session id>/<turn id>.parquet`, written by pyarrow with
its types. So a restored turn shows, exports and looks up every row, with dates still dates and
integers still integers, instead of 1,000 rows re-typed from JSON text.

Crash safety: the file is written under a temporary name and renamed to its turn's name before
the SQLite row commits, and only a row that names its file is ever read. A crash between rename
and commit leaves a stray file, never a turn without its file; a missing or unreadable file
falls back to the kept rows (the page then says the downloads hold only those).

The files a turn's code wrote (issue 14) are kept the same way, in a folder beside it,
`<turn id>.files/`: copied under a temporary folder name, renamed inside the transaction, read
back only through the row that names it, and never through a link.
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Final

from engine.outputs import OutputFile, safe_file_name
from engine.types import TableData, Turn

_LOGGER = logging.getLogger(__name__)

RESULTS_DIR: Final = "results"
PART_SUFFIX: Final = ".parquet.part"
FILES_PART_SUFFIX: Final = ".files.part"


class ResultFiles:
    """The Parquet files of one data directory's turns, one folder per session."""

    def __init__(self, data_dir: Path) -> None:
        self.root = Path(data_dir) / RESULTS_DIR

    @contextmanager
    def saving(
        self,
        session_id: str,
        table: TableData | None,
        max_bytes: int | None,
        files: Sequence[OutputFile] = (),
    ) -> Iterator[Callable[[int], tuple[str | None, str | None]]]:
        """Write `table`'s full result and copy `files` under temporary names; inside the
        turn's transaction, `keep(turn_id)` renames them to the turn's and returns the two names
        (None for what was not written). Whatever is not kept is removed on the way out."""
        staged = self._stage(self.root / session_id, table, max_bytes)
        folder = self._stage_files(self.root / session_id, files)

        def keep(turn_id: int) -> tuple[str | None, str | None]:
            name = files_name = None
            if staged is not None:
                name = f"{turn_id}.parquet"
                staged.replace(staged.with_name(name))
            if folder is not None:
                files_name = f"{turn_id}.files"
                folder.replace(folder.with_name(files_name))
            return name, files_name

        try:
            yield keep
        finally:
            if staged is not None:
                staged.unlink(missing_ok=True)
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)

    @staticmethod
    def _stage_files(folder: Path, files: Sequence[OutputFile]) -> Path | None:
        """A temporary folder with a copy of each file that still exists; None for none."""
        present = [f for f in files if f.path and safe_file_name(f.name) == f.name]
        if not present:
            return None
        target = folder / f"{uuid.uuid4().hex}{FILES_PART_SUFFIX}"
        target.mkdir(parents=True, mode=0o700)
        for item in present:
            try:
                _copy_file(Path(str(item.path)), target / item.name)
            except OSError as exc:
                _LOGGER.warning("file %s of a turn not kept: %r", item.name, exc)
        return target

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

    def attach_files(self, turn: Turn, session_id: str, name: str | None) -> Turn:
        """`turn` with the paths of its kept files in the folder `name` (None for a file that is
        gone, or is no longer a plain file there)."""
        if not turn.result.files:
            return turn
        folder = self.root / session_id / name if name else None
        files = tuple(
            replace(f, path=str(folder / f.name) if folder and _is_plain(folder / f.name) else None)
            for f in turn.result.files
        )
        return replace(turn, result=replace(turn.result, files=files))

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
        """Remove these result files and file folders of the session (never through a link)."""
        for name in names:
            path = self.root / session_id / name
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)

    def remove_session(self, session_id: str) -> None:
        shutil.rmtree(self.root / session_id, ignore_errors=True)


def _is_plain(path: Path) -> bool:
    """A regular file, not a link, named safely: what a kept file must be to be offered."""
    return safe_file_name(path.name) == path.name and path.is_file() and not path.is_symlink()


def _copy_file(source: Path, target: Path) -> None:
    """Copy without following a link at either end (the target must not exist yet)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    with (
        os.fdopen(os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC), "rb") as src,
        os.fdopen(os.open(target, flags, 0o600), "wb") as dst,
    ):
        shutil.copyfileobj(src, dst, 1 << 20)
