"""The run's output folder and saved tables, inside the confined child (issue 14).

`RunFolder.enter` makes the folder between entering the namespaces and Landlock. With a mount
namespace it is a tmpfs of the run's own, mounted on the zygote's empty `run/` directory, whose
size is the files' total cap and whose inode count is the file cap plus a little: a run that
tries to fill the disk gets ENOSPC from the kernel, and nothing it writes reaches the host's disk
or outlives the run. Without one (a host with no user namespaces) it is a fresh directory on
disk that the zygote removes after the run. `out/` is the code's working directory and
OUTPUT_DIR; `tmp/` is its TMPDIR (openpyxl writes sheets there first) and is never kept.

After the code, `collect` walks `out/` without following links and keeps regular files with one
link, under safe names, within the limits. The child is untrusted once the code has run, so the
app checks everything it sends again (`outcome.kept_files`).
"""

from __future__ import annotations

import ctypes
import os
import stat
import sys
import tempfile
from collections.abc import Iterable
from typing import Any, Final

from engine.identifiers import table_name_problem
from engine.outputs import FileLimits, unique_file_names

_MS_NOSUID: Final = 2
_MS_NODEV: Final = 4
_MS_NOEXEC: Final = 8
SLACK_INODES: Final = 64  # the root, out/, tmp/, folders the code makes, openpyxl's temp files
FIGURE_DPI: Final = 100

_libc = ctypes.CDLL(None, use_errno=True)


class FilesOverLimit(Exception):
    """The run's files break a limit; the message names it and the setting."""


class RunFolder:
    """One run's folder: made by `enter`, read back by `collect`."""

    def __init__(self, root: str, limits: FileLimits) -> None:
        self.root = root  # the zygote's empty mount point
        self.limits = limits
        self.uid, self.gid = os.getuid(), os.getgid()  # before unshare, while they still map
        self.base = self.out = self.tmp = ""
        self.on_disk = False

    def enter(self, mount_namespace: bool) -> str:
        """Make the folder and make `out/` the working directory; returns the folder Landlock
        lets the code write in."""
        if mount_namespace and self._mount_tmpfs():
            self.base = self.root
        else:
            self.base = disk_folder(self.root, os.getpid())
            os.mkdir(self.base, 0o700)
            self.on_disk = True
        self.out, self.tmp = os.path.join(self.base, "out"), os.path.join(self.base, "tmp")
        os.mkdir(self.out, 0o700)
        os.mkdir(self.tmp, 0o700)
        os.chdir(self.out)
        os.environ["TMPDIR"] = self.tmp
        tempfile.tempdir = self.tmp  # the zygote may have cached /tmp
        return self.base

    def _mount_tmpfs(self) -> bool:
        """Map our own ids into the new user namespace (files on a tmpfs it owns need them),
        then mount a tmpfs sized by the limits on `root`."""
        maps = (
            ("/proc/self/setgroups", "deny"),
            ("/proc/self/uid_map", f"{self.uid} {self.uid} 1"),
            ("/proc/self/gid_map", f"{self.gid} {self.gid} 1"),
        )
        try:
            for path, text in maps:
                fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
                try:
                    os.write(fd, text.encode())
                finally:
                    os.close(fd)
        except OSError:
            return False
        options = (
            f"size={max(self.limits.max_total_bytes, 4096)},"
            f"nr_inodes={self.limits.max_files + SLACK_INODES},mode=0700"
        )
        flags = _MS_NOSUID | _MS_NODEV | _MS_NOEXEC
        done = _libc.mount(b"tmpfs", self.root.encode(), b"tmpfs", flags, options.encode())
        return done == 0

    def collect(self, notes: list[str]) -> list[tuple[str, bytes]]:
        """(safe name, bytes) of every file the code left in `out/`; raises FilesOverLimit."""
        found: list[tuple[str, str]] = []  # (path inside out/, absolute path)
        for folder, dirs, files in os.walk(self.out, followlinks=False):
            for name in sorted(files) + [d for d in sorted(dirs) if _is_link(folder, d)]:
                path = os.path.join(folder, name)
                relative = os.path.relpath(path, self.out)
                reason = _not_kept_because(path)
                if reason:
                    notes.append(f"{relative!r} was not kept: it is {reason}.")
                else:
                    found.append((relative, path))
            dirs.sort()
            if len(found) > self.limits.max_files:
                break  # enough to say so; no need to walk 100,000 files
        names = unique_file_names(relative for relative, _ in found)
        sizes = [
            (name, os.lstat(path).st_size) for name, (_, path) in zip(names, found, strict=True)
        ]
        problem = self.limits.problem(sizes)
        if problem:
            raise FilesOverLimit(problem)
        return [
            (name, _read(path, self.limits.max_file_bytes))
            for name, (_, path) in zip(names, found, strict=True)
        ]

    def full_reason(self) -> str | None:
        """Which limit a 'No space left on device' came from (the tmpfs is full)."""
        try:
            fs = os.statvfs(self.base)
        except OSError:
            return None
        if fs.f_files and fs.f_ffree == 0:
            return self.limits.count_message()
        return self.limits.total_message()


def disk_folder(root: str, pid: int) -> str:
    """Where a run without a mount namespace writes (the zygote removes it afterwards)."""
    return os.path.join(root, f"run-{pid}")


def _is_link(folder: str, name: str) -> bool:
    return os.path.islink(os.path.join(folder, name))


def _not_kept_because(path: str) -> str | None:
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        return "a symbolic link"
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file (a FIFO, socket or device)"
    if info.st_nlink != 1:
        return "a hard link to another file"
    return None


def _read(path: str, limit: int) -> bytes:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as f:
        return f.read(limit + 1)


def save_figures(namespace: dict[str, Any], folder: RunFolder) -> list[str]:
    """Save every matplotlib figure left open, or left in `result` / `fig`, as
    `figure_<n>.png` in the folder; a figure in `result` / `fig` is taken out of it.
    Nothing happens unless the code used matplotlib."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    figures: list[Any] = []
    for key in ("result", "fig"):
        figure = _matplotlib_figure(namespace.get(key))
        if figure is not None:
            figures.append(figure)
            namespace[key] = None
    if pyplot is not None:
        figures += [pyplot.figure(number) for number in pyplot.get_fignums()]
    names: list[str] = []
    seen: set[int] = set()
    n = 1
    for figure in figures:
        if id(figure) in seen:
            continue
        seen.add(id(figure))
        while os.path.lexists(os.path.join(folder.out, f"figure_{n}.png")):
            n += 1
        names.append(f"figure_{n}.png")
        figure.savefig(os.path.join(folder.out, names[-1]), format="png", dpi=FIGURE_DPI)
    return names


def _matplotlib_figure(value: Any) -> Any:
    """The Figure of a matplotlib Figure or Axes (what `df.plot()` returns); else None."""
    if not type(value).__module__.startswith("matplotlib"):
        return None
    if hasattr(value, "savefig"):
        return value
    figure = getattr(value, "figure", None)
    return figure if hasattr(figure, "savefig") else None


class TableSaver:
    """`save_table(name, frame, replace=False)` in the namespace: keeps `frame` as a new session
    table, as Arrow (never pickle). The app makes it after the run, once its checks pass."""

    def __init__(self, taken: Iterable[str]) -> None:
        self.taken = list(taken)
        self.saved: dict[str, tuple[str, bool, bytes]] = {}  # lower-cased name -> ...

    def __call__(self, name: str, frame: Any, replace: bool = False) -> None:
        """Save `frame` (a DataFrame or Series) as the session table `name`: later questions
        and sql() can use it. `replace=True` replaces a table of that name."""
        from engine.results import Shape, arrow_bytes, arrow_from_frame, frame_from_value, shape_of

        taken = self.taken + [n for n, _, _ in self.saved.values()]
        problem = table_name_problem(name, taken, replace=replace is True)
        if problem:
            raise ValueError(problem)
        shape = shape_of(frame)
        if shape not in (Shape.DATAFRAME, Shape.SERIES):
            raise TypeError(
                f"save_table() takes a pandas DataFrame or Series, not {type(frame).__name__}."
            )
        table = arrow_from_frame(frame_from_value(frame, shape))
        self.saved[name.lower()] = (name, replace is True, arrow_bytes(table))
