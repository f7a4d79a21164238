"""Exports: result tables (CSV, Excel, Parquet), charts (HTML), whole sessions (notebook, zip),
and the files a turn's code wrote (bytes and a first look).

`TABLE_FORMATS` is the registry the pages build their download buttons from: a new format is
one entry here plus one test row (style.md rule 10).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from engine.export.figures import figure_html
from engine.export.files import FilePreview, file_bytes, file_preview
from engine.export.notebook import session_bundle, session_notebook
from engine.export.tables import (
    EXCEL_MAX_ROWS,
    arrow_from_data,
    table_csv,
    table_excel,
    table_parquet,
)


@dataclass(frozen=True)
class ExportFormat:
    """One download: the label on the button, the file suffix, its MIME type, the writer."""

    label: str
    suffix: str
    mime: str
    write: Callable[..., bytes]


TABLE_FORMATS: Final[dict[str, ExportFormat]] = {
    "csv": ExportFormat("CSV", ".csv", "text/csv", table_csv),
    "xlsx": ExportFormat(
        "Excel",
        ".xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        table_excel,
    ),
    "parquet": ExportFormat("Parquet", ".parquet", "application/vnd.apache.parquet", table_parquet),
}
FIGURE_FORMAT: Final = ExportFormat("HTML", ".html", "text/html", figure_html)
SESSION_FORMAT: Final = ExportFormat("Notebook (zip)", ".zip", "application/zip", session_bundle)

__all__ = [
    "EXCEL_MAX_ROWS",
    "FIGURE_FORMAT",
    "FilePreview",
    "SESSION_FORMAT",
    "TABLE_FORMATS",
    "ExportFormat",
    "arrow_from_data",
    "figure_html",
    "file_bytes",
    "file_preview",
    "session_bundle",
    "session_notebook",
    "table_csv",
    "table_excel",
    "table_parquet",
]
