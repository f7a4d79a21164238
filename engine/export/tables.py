"""Result tables as CSV, Excel and Parquet bytes, written batch by batch from Arrow.

Input is a `pyarrow.Table` or a `TableData`: its full result (`TableData.arrow`, also for a
history turn with its Parquet file), or only the rows it kept when that is gone. Nothing goes
through one big pandas frame, so a large result costs one Arrow batch of Python objects at a
time.
"""

from __future__ import annotations

import io
import json
import math
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Final

from engine.errors import OutputError
from engine.types import TableData
from engine.values import json_scalar

EXCEL_MAX_ROWS: Final = 1_048_575  # 1,048,576 rows per sheet, one of them the header
EXCEL_MAX_COLUMNS: Final = 16_384
EXCEL_SHEET: Final = "result"
BATCH_ROWS: Final = 65_536
# Control characters an .xlsx cannot hold (openpyxl refuses them; Excel calls the file corrupt).
_XLSX_ILLEGAL: Final = re.compile(r"[\000-\010\013\014\016-\037]")


def arrow_from_data(data: Any) -> Any:
    """A `pyarrow.Table` for a pyarrow Table or a `TableData` (its full result when at hand,
    else its kept rows: see `TableData.to_arrow`)."""
    import pyarrow as pa

    if isinstance(data, pa.Table):
        return data
    if isinstance(data, TableData):
        return data.to_arrow()
    raise TypeError(f"Cannot export {type(data).__name__}: pass a pyarrow Table or a TableData.")


def table_csv(data: Any) -> bytes:
    """UTF-8 CSV with a header; missing values (null and NaN) as empty cells."""
    import pyarrow.csv as pacsv

    table = _plain_columns(arrow_from_data(data))
    sink = io.BytesIO()
    with pacsv.CSVWriter(sink, table.schema) as writer:
        for batch in table.to_batches(max_chunksize=BATCH_ROWS):
            writer.write_batch(batch)
    return sink.getvalue()


def table_parquet(data: Any) -> bytes:
    """Parquet with the exact Arrow types (NaN stays NaN, dates stay dates)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = arrow_from_data(data)
    sink = pa.BufferOutputStream()
    with pq.ParquetWriter(sink, table.schema) as writer:
        for batch in table.to_batches(max_chunksize=BATCH_ROWS):
            writer.write_batch(batch)
    return sink.getvalue().to_pybytes()


def table_excel(data: Any) -> bytes:
    """An .xlsx with one sheet named "result", streamed row by row (openpyxl write-only mode).

    Measured here: ~100,000 cells a second, so a 1M x 10 table takes ~100 s; CSV and Parquet
    are the fast formats.
    """
    from openpyxl import Workbook

    table = arrow_from_data(data)
    if table.num_rows > EXCEL_MAX_ROWS:
        raise OutputError(
            f"The table has {table.num_rows:,} rows, more than the {EXCEL_MAX_ROWS:,} an Excel "
            "sheet can hold. Download it as CSV or Parquet instead, or reduce it first."
        )
    if table.num_columns > EXCEL_MAX_COLUMNS:
        raise OutputError(
            f"The table has {table.num_columns:,} columns, more than the {EXCEL_MAX_COLUMNS:,} "
            "an Excel sheet can hold. Download it as CSV or Parquet instead."
        )
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(EXCEL_SHEET)
    sheet.append([_excel_cell(sheet, str(name)) for name in table.column_names])
    converters = [_excel_converter(field.type, sheet) for field in table.schema]
    for batch in table.to_batches(max_chunksize=BATCH_ROWS):
        columns = []
        for column, convert in zip(batch.columns, converters, strict=True):
            values = column.to_pylist()
            columns.append(values if convert is None else [convert(v) for v in values])
        for row in zip(*columns, strict=True):
            sheet.append(row)
    sink = io.BytesIO()
    workbook.save(sink)
    return sink.getvalue()


def _excel_converter(arrow_type: Any, sheet: Any) -> Callable[[Any], Any] | None:
    """How one column's Python values become cell values; None when they go in as they are."""
    import pyarrow.types as t

    if t.is_integer(arrow_type) or t.is_boolean(arrow_type) or t.is_date(arrow_type):
        return None
    if t.is_floating(arrow_type):
        return _excel_number
    if t.is_timestamp(arrow_type) and arrow_type.tz is not None:
        return _excel_wall_time
    if t.is_timestamp(arrow_type) or t.is_time(arrow_type) or t.is_decimal(arrow_type):
        return None
    if t.is_string(arrow_type) or t.is_large_string(arrow_type):
        return lambda v: _excel_cell(sheet, v)
    return lambda v: _excel_cell(sheet, _text(v))


def _excel_number(value: Any) -> Any:
    return None if value is None or math.isnan(value) or math.isinf(value) else value


def _excel_wall_time(value: datetime | None) -> datetime | None:
    """Excel has no time zones: keep the wall-clock time in the column's zone, as the app shows."""
    return None if value is None else value.replace(tzinfo=None)


def _excel_cell(sheet: Any, value: str | None) -> Any:
    """Text stays text: "=cmd|..." from the data must not become a live formula."""
    if value is None:
        return None
    value = _XLSX_ILLEGAL.sub("", value)
    if not value.startswith("="):
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def _text(value: Any) -> str | None:
    """Nested values as JSON, durations and bytes as readable text."""
    if value is None:
        return None
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, list | dict | tuple):
        return json.dumps(json_scalar(value), ensure_ascii=False)
    return str(json_scalar(value))


def _plain_columns(table: Any) -> Any:
    """Columns the CSV writer takes as users expect: NaN as empty, nested as JSON text,
    durations as `H:MM:SS` rather than a count of microseconds."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.types as t

    for index, field in enumerate(table.schema):
        column = table.column(index)
        if t.is_floating(field.type):
            column = pc.if_else(pc.is_nan(column), pa.scalar(None, field.type), column)
        elif t.is_nested(field.type) or t.is_duration(field.type) or t.is_binary(field.type):
            column = pa.chunked_array(
                [
                    pa.array([_text(v) for v in chunk.to_pylist()], pa.string())
                    for chunk in column.chunks
                ],
                pa.string(),
            )
        else:
            continue
        table = table.set_column(index, pa.field(field.name, column.type), column)
    return table
