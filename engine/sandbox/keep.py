"""What the app keeps of a run's files and saved tables (issue 14): checked again, because the
child that sent them is untrusted once the code has run.

Files are written by the app itself into a new folder of its own, under names it made safe,
each opened with O_CREAT | O_EXCL | O_NOFOLLOW: nothing the child did (a link, a name with
`..` or a separator, a FIFO) can make the app write anywhere else or follow anything. Saved
tables are Arrow IPC bytes, read and fully validated like a result table, under names checked
against the session's tables.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from engine.errors import OutputError, RuntimeFailure
from engine.identifiers import table_name_problem
from engine.outputs import FileLimits, OutputFile, SavedTable, media_type_of, unique_file_names
from engine.results import table_from_arrow_bytes


def kept_files(
    files: Sequence[tuple[str, bytes]], folder: Path, limits: FileLimits
) -> tuple[OutputFile, ...]:
    """Write the run's files into `folder` (new; made here) and describe them; raises
    OutputError naming the limit they break, or saying the disk is full."""
    if not files:
        return ()
    names = unique_file_names(name for name, _ in files)
    problem = limits.problem(
        [(name, len(data)) for name, (_, data) in zip(names, files, strict=True)]
    )
    if problem:
        raise OutputError(problem)
    kept: list[OutputFile] = []
    try:
        folder.mkdir(mode=0o700, parents=True)
        for name, (_, data) in zip(names, files, strict=True):
            path = folder / name
            fd = os.open(
                path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600
            )
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            kept.append(OutputFile(name, len(data), media_type_of(name), str(path.absolute())))
    except OSError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise OutputError(
            f"The files the code wrote could not be kept in {folder.parent} "
            f"({exc.strerror or exc}). Free some disk space and run it again."
        ) from None
    return tuple(kept)


def checked_tables(
    tables: Sequence[tuple[str, bool, bytes]], taken: Sequence[str]
) -> tuple[SavedTable, ...]:
    """The tables `save_table` made, each name checked against the session's tables and the
    names code has, each Arrow stream read and validated; raises an EngineError."""
    saved: list[SavedTable] = []
    for name, replace, data in tables:
        problem = table_name_problem(name, [*taken, *(t.name for t in saved)], replace=replace)
        if problem:
            raise RuntimeFailure(f"save_table() was refused: {problem}")
        try:
            arrow = table_from_arrow_bytes(data)
        except Exception as exc:  # untrusted bytes: pyarrow raises anything
            raise RuntimeFailure(
                f"The sandbox sent back an unreadable saved table ({exc})."
            ) from None
        saved.append(SavedTable(name, replace, arrow))
    return tuple(saved)
