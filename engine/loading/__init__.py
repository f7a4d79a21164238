"""Files into DuckDB tables: sniff the bytes, pick the loader, tidy names, report what was done.

`tables_from_file` is the one entry point. Loaders form a registry keyed by detected format
(style rule 10): a new format is one entry here plus one test row. The user's file is only read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Final

import duckdb

from engine.errors import InputError
from engine.identifiers import quote_ident, table_name_from_path
from engine.loading.columnar import load_json, load_parquet
from engine.loading.delimited import load_delimited
from engine.loading.excel import load_excel_sheets
from engine.loading.refine import (
    bignum_columns_as_numbers,
    convert_date_columns,
    rename_columns,
)
from engine.loading.sniff import SUPPORTED, detect_format, read_head
from engine.types import Table

__all__ = ["SUPPORTED", "tables_from_file"]


def _single(
    loader: Callable[[duckdb.DuckDBPyConnection, Path, str], None], fmt: str
) -> Callable[..., list[Table]]:
    def load(con, path, name, work_dir, taken, encoding):  # noqa: ARG001 - registry signature
        loader(con, path, name)
        return [_finish(con, Table(name=name, source=str(path), format=fmt, rows=0, columns=()))]

    return load


def _load_csv(con, path, name, work_dir, taken, encoding):  # noqa: ARG001
    source, used_encoding, delimiter, notes = load_delimited(con, path, name, work_dir, encoding)
    table = Table(
        name=name,
        source=str(path),
        format="csv",
        rows=0,
        columns=(),
        encoding=used_encoding,
        delimiter=delimiter,
        notes=tuple(notes),
    )
    return [_finish(con, table)]


def _load_excel(con, path, name, work_dir, taken, encoding):  # noqa: ARG001
    tables = []
    for table_name, sheet, _rows, notes in load_excel_sheets(con, path, name, set(taken)):
        table = Table(
            name=table_name,
            source=str(path),
            format="excel",
            rows=0,
            columns=(),
            sheet=sheet,
            notes=tuple(notes),
        )
        tables.append(_finish(con, table))
    return tables


LOADERS: Final[dict[str, Callable[..., list[Table]]]] = {
    "csv": _load_csv,
    "excel": _load_excel,
    "parquet": _single(load_parquet, "parquet"),
    "json": _single(load_json, "json"),
}


def tables_from_file(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    *,
    work_dir: Path,
    taken: Iterable[str] = (),
    name: str | None = None,
    encoding: str | None = None,
) -> list[Table]:
    """Load one file as one table (an Excel workbook: one per sheet) and describe what was read.

    Raises InputError naming the problem and the fix; on failure no table is left half-made.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"'{path}' does not exist or is not a file. Check the path.")
    taken = list(taken)
    name = name or table_name_from_path(path, taken)
    fmt = detect_format(path, read_head(path))
    try:
        tables = LOADERS[fmt](con, path, name, work_dir, taken, encoding)
    except InputError:
        _drop(con, name)
        raise
    except duckdb.Error as exc:
        _drop(con, name)
        raise InputError(duckdb_error_message(path, exc), detail=str(exc)) from None
    for table in tables:
        if table.rows == 0:
            for t in tables:
                _drop(con, t.name)
            raise InputError(
                f"'{path.name}' has a header but no data rows. Choose a file with at least one row."
            )
    return tables


def _finish(con: duckdb.DuckDBPyConnection, table: Table) -> Table:
    """Tidy names, numbers and dates, then record the final shape."""
    columns, name_notes = rename_columns(con, table.name)
    number_notes = bignum_columns_as_numbers(con, table.name)
    date_notes = convert_date_columns(con, table.name) if table.format in ("csv", "excel") else []
    rows = con.execute(f"SELECT count(*) FROM {quote_ident(table.name)}").fetchall()[0][0]
    return replace(
        table,
        rows=rows,
        columns=tuple(columns),
        notes=(*table.notes, *name_notes, *number_notes, *date_notes),
    )


def _drop(con: duckdb.DuckDBPyConnection, name: str) -> None:
    con.execute(f"DROP TABLE IF EXISTS {quote_ident(name)}")


def duckdb_error_message(path: Path, exc: duckdb.Error) -> str:
    text = str(exc)
    first = text.strip().splitlines()[0][:300] if text.strip() else type(exc).__name__
    if "Invalid unicode" in text:
        return (
            f"'{path.name}' is not UTF-8 text. Choose its encoding under Upload options "
            "(e.g. cp1252 or latin-1), or save it as UTF-8."
        )
    if isinstance(exc, duckdb.OutOfMemoryException) or "Out of Memory" in text:
        return (
            f"'{path.name}' did not fit in the memory DuckDB may use ({first}). "
            "Raise the DuckDB memory limit on the Settings page (0 means 80% of RAM), "
            "or close other sessions and try again."
        )
    if "quote" in text.lower() or "unterminated" in text.lower():
        return (
            f"'{path.name}' has a quoted field that never ends ({first}). "
            "Check the quotes in the file, or export it again."
        )
    return f"'{path.name}' could not be read as a table: {first}. Check that it is a valid {path.suffix or 'text'} file."
