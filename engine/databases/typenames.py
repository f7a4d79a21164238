"""Database types -> DuckDB type names, and Arrow results made plain (issue 15).

The rest of the engine (profile, prompt, planner) reads DuckDB type names (`BIGINT`, `DOUBLE`,
`VARCHAR`, `DATE`...), so a database column is described the same way as an uploaded one.
"""

from __future__ import annotations

import re
from typing import Any, Final

_PG_SCALARS: Final = {
    "smallint": "SMALLINT",
    "integer": "INTEGER",
    "bigint": "BIGINT",
    "real": "FLOAT",
    "double precision": "DOUBLE",
    "money": "DECIMAL(19,2)",
    "text": "VARCHAR",
    "name": "VARCHAR",
    "citext": "VARCHAR",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp without time zone": "TIMESTAMP",
    "timestamp with time zone": "TIMESTAMP WITH TIME ZONE",
    "time without time zone": "TIME",
    "time with time zone": "TIME WITH TIME ZONE",
    "interval": "INTERVAL",
    "bytea": "BLOB",
    "uuid": "UUID",
    "json": "JSON",
    "jsonb": "JSON",
}
_SPARK_SCALARS: Final = {
    "tinyint": "TINYINT",
    "byte": "TINYINT",
    "smallint": "SMALLINT",
    "short": "SMALLINT",
    "int": "INTEGER",
    "integer": "INTEGER",
    "bigint": "BIGINT",
    "long": "BIGINT",
    "float": "FLOAT",
    "real": "FLOAT",
    "double": "DOUBLE",
    "string": "VARCHAR",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP WITH TIME ZONE",  # Spark's TIMESTAMP is an instant (local time zone)
    "timestamp_ltz": "TIMESTAMP WITH TIME ZONE",
    "timestamp_ntz": "TIMESTAMP",
    "binary": "BLOB",
    "void": "VARCHAR",
    "variant": "JSON",
}
_DECIMAL = re.compile(r"^(?:numeric|decimal)\s*\((\d+)\s*,\s*(\d+)\)$")
_SIZED_TEXT = re.compile(r"^(?:character varying|varchar|character|char|bpchar)(\s*\(\d+\))?$")


def duckdb_type_from_postgres(pg_type: str) -> str:
    """`format_type()` text -> DuckDB type name: `numeric(10,2)` -> DECIMAL(10,2), `int4[]` -> INTEGER[]."""
    t = pg_type.strip().lower()
    if t.endswith("[]"):
        return duckdb_type_from_postgres(t[:-2]) + "[]"
    if t in _PG_SCALARS:
        return _PG_SCALARS[t]
    if _SIZED_TEXT.match(t):
        return "VARCHAR"
    found = _DECIMAL.match(t)
    if found:
        return _decimal(int(found.group(1)), int(found.group(2)))
    if t in ("numeric", "decimal") or t.startswith("numeric("):
        return "DOUBLE"  # unconstrained numeric: arrives as float, like DuckDB's avg()
    if t.startswith(("timestamp", "time")):
        return "TIMESTAMP WITH TIME ZONE" if "with time zone" in t else "TIMESTAMP"
    return "VARCHAR"  # enums, domains, inet, geometry...: shown as their text


def duckdb_type_from_spark(spark_type: str) -> str:
    """A Spark SQL type string -> DuckDB type name: `decimal(10,2)`, `array<int>` -> INTEGER[]."""
    t = spark_type.strip().lower()
    if t in _SPARK_SCALARS:
        return _SPARK_SCALARS[t]
    if t.startswith(("varchar", "char")):
        return "VARCHAR"
    found = _DECIMAL.match(t)
    if found:
        return _decimal(int(found.group(1)), int(found.group(2)))
    if t.startswith("array<") and t.endswith(">"):
        return duckdb_type_from_spark(t[6:-1]) + "[]"
    if t.startswith("map<"):
        return "MAP(VARCHAR, VARCHAR)"
    if t.startswith("struct<"):
        return "STRUCT"
    if t.startswith("interval"):
        return "INTERVAL"
    return "VARCHAR"


def _decimal(precision: int, scale: int) -> str:
    return f"DECIMAL({precision},{scale})" if precision <= 38 else "DOUBLE"


def plain_arrow(table: Any) -> Any:
    """A result table with driver specifics removed: PostgreSQL numerics (text in an extension
    type) become decimal128 or float64, JSON and UUID become strings, field metadata goes.
    """
    import pyarrow as pa

    fields, columns = [], []
    for field, column in zip(table.schema, table.columns, strict=True):
        new_type = _plain_type(field)
        if new_type is not None:
            column = _convert(column, new_type)
        fields.append(pa.field(field.name, column.type, nullable=field.nullable))
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=pa.schema(fields))


def _plain_type(field: Any) -> Any:
    import pyarrow as pa

    t = field.type
    if not isinstance(t, pa.BaseExtensionType):
        return None
    meta = field.metadata or {}
    pg_type = meta.get(b"POSTGRESQL:type", b"").decode()
    if pg_type == "numeric":
        typmod = int(meta.get(b"POSTGRESQL:typmod", b"-1") or -1)
        if typmod >= 4:
            precision, scale = ((typmod - 4) >> 16) & 0xFFFF, (typmod - 4) & 0xFFFF
            if 0 < precision <= 38:
                return pa.decimal128(precision, scale)
        return pa.float64()
    return pa.string()


def _convert(column: Any, new_type: Any) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc

    storage = pa.chunked_array(
        [chunk.storage for chunk in column.chunks], type=column.type.storage_type
    )
    if pa.types.is_fixed_size_binary(storage.type) and storage.type.byte_width == 16:
        import uuid  # arrow.uuid: 16 bytes -> the usual 8-4-4-4-12 text

        values = [None if b is None else str(uuid.UUID(bytes=b)) for b in storage.to_pylist()]
        return pa.chunked_array([pa.array(values, pa.string())])
    if pa.types.is_string(new_type):
        return storage if pa.types.is_string(storage.type) else pc.cast(storage, pa.string())
    if pa.types.is_floating(new_type):
        # an unconstrained numeric: whole numbers (sum of a bigint column) stay exact as int64;
        # others become float64 (PostgreSQL spells NaN, Infinity, -Infinity as float does)
        if pc.all(pc.match_substring_regex(storage, r"^-?\d{1,18}$")).as_py() is not False:
            return pc.cast(storage, pa.int64())
        return pc.cast(storage, pa.float64())
    return pc.cast(storage, new_type)
