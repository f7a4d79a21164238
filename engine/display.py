"""How a table is shown on a page (issue 16): a date as `2024-06-17`, not `2024-06-17 00:00:00`.

DuckDB's `.df()` (a preview, the sandbox's `sql()`) turns a DATE column into pandas datetimes,
which a page then shows with a midnight time. Shown tables are Arrow: a column of datetimes that
are all at midnight (no time zone) is shown as dates; one with any time of day keeps its times.
What is stored and downloaded is left as the code made it.
"""

from __future__ import annotations

from typing import Any


def dates_as_dates(table: Any) -> Any:  # pyarrow.Table | pandas.DataFrame -> pyarrow.Table
    """`table` as Arrow, its midnight-only timestamp columns as dates (a frame Arrow cannot
    type is returned as it is)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not isinstance(table, pa.Table):
        try:
            table = pa.Table.from_pandas(table, preserve_index=False)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            return table
    for i, field in enumerate(table.schema):
        if pa.types.is_timestamp(field.type) and field.type.tz is None:
            column = table.column(i)
            if _midnight_only(column):
                table = table.set_column(i, field.name, pc.cast(column, pa.date32()))
    return table


def _midnight_only(column: Any) -> bool:
    import pyarrow.compute as pc

    present = column.drop_null()
    if len(present) == 0:
        return False
    return bool(pc.all(pc.equal(pc.floor_temporal(present, unit="day"), present)).as_py())
