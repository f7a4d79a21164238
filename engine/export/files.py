"""The files a turn's code wrote, for download and a first look (issue 14).

The bytes were written by untrusted code, so nothing here runs or renders them: a preview is
the first rows of a CSV, Parquet or Excel file (with its sheet names), the first lines of a
text file, or an image for the page to show as a picture (raster only: an SVG can carry
scripts). Files are opened without following links, and previews read a bounded amount.
"""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass, field
from typing import Any, Final

from engine.errors import InputError
from engine.outputs import OutputFile

PREVIEW_ROWS: Final = 5
PREVIEW_LINES: Final = 20
PREVIEW_TEXT_BYTES: Final = 64 * 1024
PREVIEW_MAX_BYTES: Final = 50 * 1024 * 1024  # larger tables are downloaded, not opened here
MAX_EXPANDED_BYTES: Final = 200 * 1024 * 1024  # what a preview may decompress
MAX_IMAGE_PIXELS: Final = 40_000_000
_TEXT_TYPES: Final = ("application/json", "application/x-ndjson", "application/xml")


@dataclass(frozen=True)
class FilePreview:
    """A first look at a file: a few rows (`table`, a pandas frame), a few lines, or an image."""

    kind: str  # "table" | "text" | "image"
    table: Any = field(default=None, repr=False)
    sheets: tuple[str, ...] = ()  # an Excel workbook's sheet names; the rows are the first one's
    text: str = ""
    note: str = ""  # e.g. "first 10 rows of sheet East"


def file_bytes(item: OutputFile) -> bytes:
    """The kept file's bytes; InputError when it is gone (or is no longer a plain file)."""
    if not item.path:
        raise InputError(f"{item.name} is no longer kept. Run the code again to write it.")
    try:
        fd = os.open(item.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        with os.fdopen(fd, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise InputError(
            f"{item.name} could not be read ({exc.strerror or exc}). Run the code again to write it."
        ) from None


def file_preview(item: OutputFile, rows: int = PREVIEW_ROWS) -> FilePreview | None:
    """What can be shown of the file without downloading it; None when nothing makes sense
    (an archive, a PDF, HTML) or it cannot be read."""
    if item.bytes > PREVIEW_MAX_BYTES or not item.path:
        return None
    if item.is_image:
        return FilePreview("image") if image_fits(item) else None
    kind = item.media_type
    try:
        if kind in ("text/csv", "text/tab-separated-values"):
            return _delimited(item, rows, "\t" if kind.endswith("values") else ",")
        if kind == "application/vnd.apache.parquet":
            return _parquet(item, rows)
        if kind.endswith("spreadsheetml.sheet"):
            return _workbook(item, rows)
        if (kind.startswith("text/") and kind != "text/html") or kind in _TEXT_TYPES:
            return _text(item)
    except Exception:  # untrusted bytes: each reader raises its own kinds; no preview then
        return None
    return None


def image_fits(item: OutputFile) -> bool:
    """A picture small enough to decode for the page (its header says so): a 30,000 x 30,000
    PNG of a few kilobytes would take gigabytes once drawn."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(file_bytes(item))) as image:
            width, height = image.size
    except Exception:  # not an image PIL can read: nothing to show
        return False
    return width * height <= MAX_IMAGE_PIXELS


def _delimited(item: OutputFile, rows: int, sep: str) -> FilePreview:
    import pandas as pd

    frame = pd.read_csv(io.BytesIO(file_bytes(item)), sep=sep, nrows=rows, dtype=str)
    return FilePreview("table", table=frame, note=f"first {len(frame)} rows")


def _parquet(item: OutputFile, rows: int) -> FilePreview:
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(io.BytesIO(file_bytes(item)))
    meta = parquet.metadata
    if meta.num_row_groups and meta.row_group(0).total_byte_size > MAX_EXPANDED_BYTES:
        raise ValueError("the first row group is too large to open for a preview")
    batch = next(parquet.iter_batches(batch_size=rows), None)
    frame = (
        batch.to_pandas() if batch is not None else parquet.schema_arrow.empty_table().to_pandas()
    )
    total = parquet.metadata.num_rows
    return FilePreview("table", table=frame, note=f"first {len(frame)} of {total:,} rows")


def _workbook(item: OutputFile, rows: int) -> FilePreview:
    import pandas as pd
    from openpyxl import load_workbook

    data = file_bytes(item)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:  # a workbook is a zip: no zip bomb
        if sum(entry.file_size for entry in archive.infolist()) > MAX_EXPANDED_BYTES:
            raise ValueError("the workbook expands too far to open for a preview")
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheets = tuple(book.sheetnames)
        values = []
        for row in book[sheets[0]].iter_rows(max_row=rows + 1, values_only=True):
            values.append(["" if v is None else str(v) for v in row])
    finally:
        book.close()
    header, body = (values[0], values[1:]) if values else ([], [])
    width = max((len(r) for r in values), default=0)
    columns = [h or f"column {i + 1}" for i, h in enumerate(header + [""] * (width - len(header)))]
    frame = pd.DataFrame([r + [""] * (width - len(r)) for r in body], columns=columns)
    return FilePreview(
        "table", table=frame, sheets=sheets, note=f"first {len(frame)} rows of sheet {sheets[0]}"
    )


def _text(item: OutputFile) -> FilePreview:
    fd = os.open(str(item.path), os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as handle:
        head = handle.read(PREVIEW_TEXT_BYTES)
    lines = head.decode("utf-8", "replace").splitlines()[:PREVIEW_LINES]
    return FilePreview("text", text="\n".join(lines), note=f"first {len(lines)} lines")
