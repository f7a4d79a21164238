"""The session's memory budget (issue 7): refuse a table that would not fit, before it hurts.

DuckDB keeps tables on disk, but code that touches `df` materialises a pandas frame in the
sandbox's worker (about 1 GB for the 10M-row benchmark CSV). The estimate is per column from
DuckDB types, with text widths from a sample, so it costs one small query, not a scan.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Final

import duckdb

from engine.errors import InputError
from engine.identifiers import quote_ident

FIXED_WIDTH: Final = {  # bytes per value once in pandas/Arrow
    "BOOLEAN": 1,
    "TINYINT": 1,
    "UTINYINT": 1,
    "SMALLINT": 2,
    "USMALLINT": 2,
    "INTEGER": 4,
    "UINTEGER": 4,
    "FLOAT": 4,
    "DATE": 8,  # datetime64[ms] in pandas
}
DEFAULT_WIDTH: Final = 8  # BIGINT, DOUBLE, TIMESTAMP, DECIMAL as float, ...
TEXT_OVERHEAD: Final = 8  # Arrow offsets and validity per text value
SAMPLE_ROWS: Final = 20_000


def budget_bytes(session_memory_mb: int) -> int:
    """The budget: the setting, or half of physical memory when it is 0."""
    if session_memory_mb > 0:
        return session_memory_mb << 20
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2


def estimated_bytes(con: duckdb.DuckDBPyConnection, table: str, rows: int) -> int:
    """About how many bytes `table` takes as a pandas frame (text widths from a sample)."""
    columns = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_name = ? ORDER BY ordinal_position",
        [table],
    ).fetchall()
    text = [name for name, kind in columns if kind == "VARCHAR"]
    widths = {name: FIXED_WIDTH.get(kind, DEFAULT_WIDTH) for name, kind in columns}
    if text and rows:
        averages = ", ".join(f"avg(strlen({quote_ident(c)}))" for c in text)
        sample = f"(SELECT * FROM {quote_ident(table)} LIMIT {SAMPLE_ROWS})"
        (found,) = con.execute(f"SELECT {averages} FROM {sample}").fetchall()  # DuckDB 2: a
        # fetchone() leaves the result open and blocks the connection
        for name, average in zip(text, found, strict=True):
            widths[name] = TEXT_OVERHEAD + round(average or 0)
    return rows * sum(widths.values())


def check_fits(new: Mapping[str, int], loaded: Mapping[str, int], budget: int) -> None:
    """Raise InputError naming the sizes and the fix when `new` tables would exceed `budget`."""
    total = sum(new.values()) + sum(loaded.values())
    if total <= budget:
        return
    names = ", ".join(new)
    held = ", ".join(f"{name} {_mb(size)}" for name, size in loaded.items()) or "nothing"
    raise InputError(
        f"{names} would need about {_mb(sum(new.values()))} of memory for analysis, and this "
        f"session's budget is {_mb(budget)} (already used: {held}). Remove a table on the Data "
        "page, load a file with fewer columns or rows, or raise the session memory on the "
        "Settings page (setting session_memory_mb)."
    )


def _mb(size: int) -> str:
    return f"{size / (1 << 20):,.0f} MB"
