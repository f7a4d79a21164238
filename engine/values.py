"""Values at the engine's edges: one cell as JSON, a DuckDB type's family, the time of a turn.

Below every boundary object (engine/types.py), which serialise through `json_scalar`.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Final


def now_iso() -> str:
    """Now as an ISO timestamp (UTC, seconds): when a turn was answered or run."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def pandas_frame(table: Any) -> Any:
    """An Arrow table as generated code gets it: DATE columns as datetime64 and DECIMAL columns
    as float64, as `sql()` returns them. pyarrow's default makes them Python `date` and
    `Decimal` objects, and then `df['Date'].dt.month` fails, `df['Date'] > '1995-07-01'` raises
    TypeError and `df['Date'] == '1995-07-04'` matches nothing (wtq-train nt-11879 ended on the
    `.dt` error), while `df['price'] * 1.1` raises TypeError and `select_dtypes('number')` leaves
    the column out (a Parquet file's or a database's DECIMAL(18,2))."""
    import pyarrow as pa

    for i, field in enumerate(table.schema):
        if pa.types.is_decimal(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.float64()))
    return table.to_pandas(date_as_object=False)


def day_if_midnight(value: Any) -> Any:
    """A datetime with no time of day and no time zone as its date: a DATE column's value that
    pandas holds as a datetime shows as 2024-01-31, not 2024-01-31T00:00:00."""
    if isinstance(value, datetime) and value.tzinfo is None and value.time() == time(0):
        return value.date()
    return value


def json_scalar(value: Any) -> Any:
    """Turn one cell or scalar into something `json.dumps` accepts, losing as little as possible.

    NaN and NaT become None (JSON has no NaN); dates become ISO strings; numpy scalars become
    Python numbers. Anything else unknown becomes its `str()`.
    """
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    item = getattr(value, "item", None)  # numpy and pandas scalars
    if callable(item) and type(value).__module__.split(".")[0] in ("numpy", "pandas"):
        try:
            return json_scalar(item())
        except (TypeError, ValueError):
            pass
    if type(value).__name__ in ("NaTType", "NAType"):
        return None
    isoformat = getattr(value, "isoformat", None)  # pandas Timestamp
    if callable(isoformat):
        return isoformat()
    if isinstance(value, list | tuple):
        return [json_scalar(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_scalar(v) for k, v in value.items()}
    return str(value)


_NESTED: Final = re.compile(r"STRUCT|MAP|LIST|UNION|\[\d*\]")  # INTEGER[] and INTEGER[2]


def is_nested(duckdb_type: str) -> bool:
    """True for lists, fixed-size arrays, structs, maps and unions: no min, max or mean."""
    return _NESTED.search(duckdb_type.upper()) is not None


def type_family(duckdb_type: str) -> str:
    """`number`, `text`, `date`, `bool` or `other` for a DuckDB type name (nested types: other)."""
    t = duckdb_type.upper()
    if is_nested(t):
        return "other"
    if t in ("BOOLEAN", "BOOL"):
        return "bool"
    if any(k in t for k in ("INT", "DOUBLE", "FLOAT", "DECIMAL", "REAL", "NUMERIC")):
        return "number" if "INTERVAL" not in t else "other"
    if "DATE" in t or "TIME" in t:
        return "date"
    if t in ("VARCHAR", "TEXT", "STRING") or t.startswith("ENUM"):
        return "text"
    return "other"
