"""After a table is in DuckDB: readable unique column names, and text columns that are really dates.

Both run as SQL inside DuckDB (a rename is metadata only; a date conversion is one rewrite of the
table), so no copy of the data passes through Python.
"""

from __future__ import annotations

import re
from typing import Final

import duckdb

from engine.identifiers import clean_column_names, quote_ident

# Formats DuckDB's sniffer leaves as text. Day-first and month-first are both tried; when both parse
# every value the column stays text and a note says it is ambiguous (we never guess).
DATE_FORMATS: Final = (
    "%Y-%m-%d",
    "%d.%m.%Y",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%m/%d/%Y",
    "%d/%m/%Y",
    "%m-%d-%Y",
    "%d-%m-%Y",
    "%d %b %Y",
    "%b %d, %Y",
    "%d %B %Y",
    "%B %d, %Y",
)
TIMESTAMP_FORMATS: Final = tuple(f"{f} %H:%M:%S" for f in DATE_FORMATS[:8]) + tuple(
    f"{f} %H:%M" for f in DATE_FORMATS[:8]
)
_DATE_LIKE = re.compile(
    r"^(\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\d{1,2} \w{3,9} \d{4}|\w{3,9} \d{1,2}, \d{4})"
)


def text_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    rows = con.execute(f"DESCRIBE {quote_ident(table)}").fetchall()
    return [r[0] for r in rows if r[1] == "VARCHAR"]


def rename_columns(con: duckdb.DuckDBPyConnection, table: str) -> tuple[list[str], list[str]]:
    """Give every column a readable, unique, non-empty name. Returns (names, notes)."""
    current = [r[0] for r in con.execute(f"DESCRIBE {quote_ident(table)}").fetchall()]
    cleaned = clean_column_names(current)
    notes: list[str] = []
    renamed = [(old, new) for old, new in zip(current, cleaned, strict=True) if old != new]
    # Two steps through temporary names, so a swap (a -> b, b -> a) cannot collide.
    for i, (old, _) in enumerate(renamed):
        con.execute(
            f"ALTER TABLE {quote_ident(table)} RENAME COLUMN {quote_ident(old)} TO {quote_ident(f'__tmp_{i}')}"
        )
    for i, (_, new) in enumerate(renamed):
        con.execute(
            f"ALTER TABLE {quote_ident(table)} RENAME COLUMN {quote_ident(f'__tmp_{i}')} TO {quote_ident(new)}"
        )
    blank = [new for old, new in renamed if re.fullmatch(r"column\d+", old) or not old.strip()]
    if blank:
        notes.append(f"Blank header(s) named {', '.join(blank)}.")
    others = [f"'{old}' -> '{new}'" for old, new in renamed if new not in blank]
    if others:
        notes.append("Renamed duplicate or untidy header(s): " + ", ".join(others) + ".")
    return cleaned, notes


def convert_date_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """Turn text columns whose every value parses with one known date format into DATE/TIMESTAMP."""
    t = quote_ident(table)
    replacements: list[str] = []
    notes: list[str] = []
    for column in text_columns(con, table):
        col = quote_ident(column)
        sample = [
            r[0]
            for r in con.execute(
                f"SELECT trim({col}) FROM {t} WHERE {col} IS NOT NULL AND trim({col}) <> '' LIMIT 200"
            ).fetchall()
        ]
        if not sample or not all(_DATE_LIKE.match(v) for v in sample):
            continue
        matches = [
            fmt
            for fmt in (*DATE_FORMATS, *TIMESTAMP_FORMATS)
            if con.execute(
                f"SELECT count(*) FROM {t} WHERE {col} IS NOT NULL AND trim({col}) <> '' "
                f"AND try_strptime(trim({col}), $f) IS NULL",
                {"f": fmt},
            ).fetchall()[0][0]
            == 0
        ]
        if len(matches) == 1 or (
            len(matches) > 1 and len({_day_month_order(m) for m in matches}) == 1
        ):
            fmt = matches[0].replace("'", "''")
            target = "TIMESTAMP" if "%H" in fmt else "DATE"
            replacements.append(
                f"CAST(strptime(NULLIF(trim({col}), ''), '{fmt}') AS {target}) AS {col}"
            )
            notes.append(f"Column '{column}' read as {target.lower()}s ({matches[0]}).")
        elif len(matches) > 1:
            notes.append(
                f"Column '{column}' looks like dates but could be day-first or month-first; "
                "kept as text."
            )
    if replacements:
        con.execute(
            f"CREATE OR REPLACE TABLE {t} AS SELECT * REPLACE ({', '.join(replacements)}) FROM {t}"
        )
    return notes


def _day_month_order(fmt: str) -> str:
    return "".join(ch for ch in fmt if ch in "dmY")
