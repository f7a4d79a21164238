"""What a run leaves besides its answer (issue 14): files it wrote, tables it saved, and the rules
both sides of the sandbox apply to them.

The confined child and the app each check files against the same `FileLimits` and make names
safe with the same `safe_file_name`: the child to say early and clearly what went wrong, the app
because the child is untrusted and its word is only a claim.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, Final

from engine.identifiers import unique_name

MAX_NAME_CHARS: Final = 120
# Path separators, control characters (a newline or an escape code in a name is a trap for a
# terminal or a log) and what Windows cannot hold, where the file will likely be opened.
_UNSAFE: Final = re.compile(r'[\x00-\x1f\x7f-\x9f/\\:*?"<>|]')
MEDIA_TYPES: Final[dict[str, str]] = {
    ".csv": "text/csv",
    ".tsv": "text/tab-separated-values",
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".log": "text/plain",
    ".json": "application/json",
    ".ndjson": "application/x-ndjson",
    ".xml": "application/xml",
    ".html": "text/html",
    ".htm": "text/html",
    ".parquet": "application/vnd.apache.parquet",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xls": "application/vnd.ms-excel",
    ".zip": "application/zip",
    ".gz": "application/gzip",
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
}
OCTET_STREAM: Final = "application/octet-stream"
SAVED_FORMAT: Final = "saved"  # Table.format of a table made from a result (save_table)


@dataclass(frozen=True)
class FileLimits:
    """How much one run may write: bytes per file, bytes in all, and how many files."""

    max_file_bytes: int
    max_total_bytes: int
    max_files: int

    @classmethod
    def from_settings(cls, settings: Any) -> FileLimits:  # engine.config.Settings
        mb = 1024 * 1024
        return cls(settings.max_file_mb * mb, settings.max_files_mb * mb, settings.max_files)

    def to_json(self) -> dict[str, int]:
        return {
            "max_file_bytes": self.max_file_bytes,
            "max_total_bytes": self.max_total_bytes,
            "max_files": self.max_files,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FileLimits:
        return cls(
            int(data["max_file_bytes"]), int(data["max_total_bytes"]), int(data["max_files"])
        )

    def problem(self, sizes: Sequence[tuple[str, int]]) -> str | None:
        """The limit `(name, size)` files break, in words that name the setting; None if none."""
        if len(sizes) > self.max_files:
            return self.count_message(len(sizes))
        for name, size in sizes:
            if size > self.max_file_bytes:
                return self.file_message(name, size)
        total = sum(size for _, size in sizes)
        return self.total_message(total) if total > self.max_total_bytes else None

    def count_message(self, count: int | None = None) -> str:
        wrote = f"{count:,} files" if count is not None else "more files"
        return (
            f"The code wrote {wrote}, more than the {self.max_files:,} a run may keep (setting "
            "max_files). Write fewer files: one workbook with a sheet each, or one zip."
        )

    def file_message(self, name: str = "", size: int | None = None) -> str:
        what = (
            f"The file {name} is {_mb(size)}"
            if size is not None
            else f"A file ({name or 'one'}) grew"
        )
        return (
            f"{what}, more than the {_mb(self.max_file_bytes)} one file may have (setting "
            "max_file_mb). Write fewer rows or columns, or compress it (Parquet, zip)."
        )

    def total_message(self, total: int | None = None) -> str:
        what = f"come to {_mb(total)}" if total is not None else "grew"
        return (
            f"The files {what}, more than the {_mb(self.max_total_bytes)} a run may keep "
            "(setting max_files_mb). Write less, or compress it."
        )


@dataclass(frozen=True)
class OutputFile:
    """A file a run wrote, as kept: its safe name, size, media type and where the copy is."""

    name: str
    bytes: int
    media_type: str
    path: str | None = None  # absolute path of the kept copy; None once it is gone

    def to_json(self) -> dict[str, Any]:
        """The contract's shape (`../shared/engine-cli.md`, Extensions)."""
        return {
            "name": self.name,
            "bytes": self.bytes,
            "media_type": self.media_type,
            "path": self.path,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OutputFile:
        return cls(
            name=str(data["name"]),
            bytes=int(data["bytes"]),
            media_type=str(data.get("media_type") or media_type_of(str(data["name"]))),
            path=data.get("path"),
        )

    @property
    def is_image(self) -> bool:
        """A raster image a page may show (SVG is not: it can carry scripts)."""
        return self.media_type in ("image/png", "image/jpeg", "image/gif", "image/webp")


@dataclass(frozen=True)
class SavedTable:
    """A table `save_table` made: its name, whether it may replace one, and right after the run
    its rows as a `pyarrow.Table` (never serialised: history keeps the session table)."""

    name: str
    replace: bool = False
    arrow: Any = field(default=None, compare=False, repr=False)


def safe_file_name(path: str) -> str:
    """A plain file name for a path inside the output folder: `reports/east.csv` becomes
    `reports_east.csv`; control characters and separators become `_`; no leading dot (never
    `..`); at most MAX_NAME_CHARS characters, keeping the extension."""
    text = unicodedata.normalize("NFC", str(path).encode("utf-8", "replace").decode("utf-8"))
    parts = [p for p in PurePosixPath(text.replace("\\", "/")).parts if p not in ("/", ".", "..")]
    name = _UNSAFE.sub("_", "_".join(parts)).strip().lstrip(".").strip()
    if len(name) > MAX_NAME_CHARS:
        suffix = PurePosixPath(name).suffix
        suffix = suffix if len(suffix) <= 16 else ""
        name = name[: MAX_NAME_CHARS - len(suffix)].rstrip() + suffix
    return name or "file"


def unique_file_names(paths: Iterable[str]) -> list[str]:
    """`safe_file_name` of each path, made unique (`a.csv`, `a-2.csv`), in order."""
    taken: set[str] = set()
    names = []
    for path in paths:
        name = safe_file_name(path)
        stem, suffix = PurePosixPath(name).stem, PurePosixPath(name).suffix
        name = unique_name(name, taken, numbered=lambda n, s=stem, x=suffix: f"{s}-{n}{x}")
        taken.add(name.lower())
        names.append(name)
    return names


def media_type_of(name: str) -> str:
    """The media type for a file name, from a fixed table (never the host's mime.types)."""
    return MEDIA_TYPES.get(PurePosixPath(name).suffix.lower(), OCTET_STREAM)


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f} MB" if size >= 1024 * 1024 else f"{size:,} bytes"
