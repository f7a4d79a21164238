"""Excel (.xlsx) into DuckDB, one table per sheet, through openpyxl.

DuckDB's excel extension cannot be installed offline (issue #2), so openpyxl reads the workbook in
read-only mode; each sheet is handed to DuckDB as an Arrow table built column by column (no pandas).
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import duckdb

from engine.errors import InputError
from engine.identifiers import clean_column_names, identifier_from_text, quote_ident, unique_name
from engine.loading.preamble import preamble_length, preamble_note, preamble_text


def load_excel_sheets(
    con: duckdb.DuckDBPyConnection, path: Path, base_name: str, taken: set[str]
) -> list[tuple[str, str, int, list[str]]]:
    """Create one table per non-empty sheet. Returns (table name, sheet, rows, notes) per table."""
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InputError(
            f"'{path.name}' could not be opened as an Excel workbook ({exc}). "
            "Open it in Excel or LibreOffice, save it as .xlsx or CSV, and load it again."
        ) from None
    loaded: list[tuple[str, str, int, list[str]]] = []
    skipped: list[str] = []
    try:
        sheets = workbook.worksheets
        for sheet in sheets:
            rows = [r for r in sheet.iter_rows(values_only=True) if any(v is not None for v in r)]
            skip = preamble_length(rows)
            title = preamble_text(rows[:skip])
            rows = rows[skip:]
            if len(rows) < 2:
                skipped.append(sheet.title)
                continue
            name = (
                base_name
                if len(sheets) == 1
                else f"{base_name}_{identifier_from_text(sheet.title, fallback='sheet')}"
            )
            name = unique_name(name, taken)
            taken.add(name)
            width = max(len(r) for r in rows)
            header = [str(v) if v is not None else None for v in rows[0]] + [None] * (
                width - len(rows[0])
            )
            columns = clean_column_names(header)
            body = [tuple(r) + (None,) * (width - len(r)) for r in rows[1:]]
            _create_from_columns(con, name, columns, body)
            notes = [f"Sheet '{sheet.title}'."]
            if skip:
                notes.append(preamble_note(skip, title, unit="row"))
            if skipped:
                notes.append(f"Skipped empty sheet(s): {', '.join(skipped)}.")
            loaded.append((name, sheet.title, len(body), notes))
    finally:
        workbook.close()
    if not loaded:
        raise InputError(
            f"'{path.name}' has no sheet with a header row and at least one data row. "
            "Check that the data starts in the first rows of a sheet."
        )
    return loaded


def _create_from_columns(
    con: duckdb.DuckDBPyConnection, name: str, columns: list[str], body: list[tuple[Any, ...]]
) -> None:
    import pyarrow as pa

    arrays = []
    for i in range(len(columns)):
        values = [_cell(row[i]) for row in body]
        try:
            arrays.append(pa.array(values))
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            # Mixed types in one column (numbers and text): keep it as text, losing nothing.
            arrays.append(pa.array([None if v is None else str(v) for v in values], pa.string()))
    arrow_table = pa.Table.from_arrays(arrays, names=columns)
    view = f"__excel_{name}"
    con.register(view, arrow_table)
    try:
        con.execute(
            f"CREATE OR REPLACE TABLE {quote_ident(name)} AS SELECT * FROM {quote_ident(view)}"
        )
    finally:
        con.unregister(view)


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        stripped = value.strip()
        return stripped if stripped else None
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return value
