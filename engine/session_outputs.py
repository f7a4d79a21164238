"""What `Session` does with a turn's files and saved tables (issue 14), kept out of the facade.

A run's files land in `<work dir>/files/run-<n>-<id>/` (the sandbox writes them there); once a
turn is recorded, folders no turn points at any more (failed attempts, copies the history took)
are swept. A saved table is written once as Parquet, which the history keeps and a restart
reads back. The exported notebook re-makes a saved table rather than shipping it: by the turn
whose code called save_table, or by a cell after the turn it was saved from with "Save as table".
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Final

from engine.errors import InputError
from engine.outputs import SAVED_FORMAT, SavedTable
from engine.types import ErrorInfo, Table, Turn

FILES_DIR: Final = "files"
SAVED_DIR: Final = "saved"


def sweep_run_folders(root: Path, turns: Iterable[Turn]) -> None:
    """Remove the run folders under `root` that no turn's files are in."""
    if not root.is_dir():
        return
    used = {Path(f.path).parent for t in turns for f in t.result.files if f.path}
    for folder in root.iterdir():
        if folder not in used and folder.is_dir() and not folder.is_symlink():
            shutil.rmtree(folder, ignore_errors=True)


def parquet_copy(work_dir: Path, saved: SavedTable) -> Path:
    """The saved table's rows as a Parquet file under `work_dir`, for the history to keep."""
    import pyarrow.parquet as pq

    folder = work_dir / SAVED_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{saved.name}-{uuid.uuid4().hex[:8]}.parquet"
    try:
        pq.write_table(saved.arrow, path)
    except Exception as exc:  # pyarrow raises many kinds for a type Parquet cannot hold
        path.unlink(missing_ok=True)
        raise InputError(f"The table {saved.name!r} could not be saved ({exc}).") from None
    return path


def parquet_rows(name: str, path: Path) -> Any:  # -> pyarrow.Table
    """A saved table's rows from its kept Parquet file (a restart); InputError if unreadable."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        raise InputError(f"The saved table {name!r} could not be read ({exc}).") from None


def without_outputs(turn: Turn, error: ErrorInfo | None = None) -> Turn:
    """The turn with no files and no saved tables (a failed turn keeps neither), failed with
    `error` when one is given."""
    result = replace(turn.result, files=(), saved_tables=())
    if error is not None:
        result = replace(result, ok=False, error=error)
    return replace(turn, result=result)


def saved_with_the_button(name: str, from_turn: int | None, turns: Sequence[Turn]) -> bool:
    """Whether the table `name`, kept with `from_turn`, was saved with "Save as table" (its
    turn's code did not save it)."""
    origin = next((t for t in turns if t.id is not None and t.id == from_turn), None)
    return from_turn is not None and not (origin is not None and saved_by_code(name, origin))


def saved_by_code(name: str, turn: Turn) -> bool:
    """Whether `turn`'s own code made the table `name` (with save_table)."""
    return turn.ok and name.lower() in {t.name.lower() for t in turn.result.saved_tables}


def saved_table_sources(
    turns: Sequence[Turn], tables: Sequence[Table], by_button: Mapping[str, int]
) -> tuple[list[tuple[str, Turn]], list[Table]]:
    """(the "Save as table" cells the notebook needs, as (name, the turn saved from), the
    tables the bundle ships as data): a saved table that neither a turn's code nor such a cell
    re-makes (its turn deleted, say) is shipped like a loaded one."""
    saves: list[tuple[str, Turn]] = []
    shipped: list[Table] = []
    for table in tables:
        if table.format != SAVED_FORMAT:
            shipped.append(table)
            continue
        origin = next(
            (t for t in turns if t.id is not None and t.id == by_button.get(table.name)), None
        )
        if origin is not None and origin.ok and origin.result.answer and origin.result.answer.table:
            saves.append((table.name, origin))
        elif not any(saved_by_code(table.name, t) and t.code for t in turns):
            shipped.append(table)
    return saves, shipped
