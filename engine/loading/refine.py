"""After a table is in DuckDB: readable unique column names, text columns that are really dates,
and integers of a type only DuckDB has as plain numbers.

All run as SQL inside DuckDB (a rename is metadata only; a conversion is one rewrite of the
table), so no copy of the data passes through Python.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
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
    "%b %d %Y",
)
# Times of day after a date: 24-hour, and 12-hour with AM/PM ("Apr 13  2017 12:15:00 AM",
# SQL Server's text for a datetime; "13/04/2017 1:05 PM").
CLOCKS: Final = ("%H:%M:%S", "%H:%M", "%I:%M:%S %p", "%I:%M %p")
TIMESTAMP_FORMATS: Final = tuple(
    f"{date} {clock}" for clock in CLOCKS for date in (*DATE_FORMATS[:8], "%b %d %Y")
)
SAMPLE_CHUNK: Final = 50  # columns per sampling query
_DATE_LIKE = re.compile(
    r"^(\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\d{1,2} \w{3,9} \d{4}|\w{3,9} +\d{1,2},? +\d{4})"
)


def text_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    rows = con.execute(f"DESCRIBE {quote_ident(table)}").fetchall()
    return [r[0] for r in rows if r[1] == "VARCHAR"]


def text_samples(
    con: duckdb.DuckDBPyConnection, table: str, columns: Sequence[str], n: int
) -> dict[str, list[str]]:
    """The first `n` trimmed, non-blank values of each text column (in no particular order).

    One query reads them from the first `n` rows; only a column with blanks there, in a longer
    table, gets its own query, joined with UNION ALL (`SAMPLE_CHUNK` per query). A query per
    column took 1.6 s (20 rows) to 2.2 s (100k rows) for the 400 text columns of a
    1,000-column table (issue 14).
    """
    t = quote_ident(table)
    found: dict[str, list[str]] = {column: [] for column in columns}
    if not columns:
        return found
    trimmed = ", ".join(f"trim({quote_ident(column)})" for column in columns)
    head = con.execute(f"SELECT {trimmed} FROM {t} LIMIT {int(n)}").fetchall()
    for row in head:
        for column, value in zip(columns, row, strict=True):
            if value is not None and value != "":  # as WHERE c IS NOT NULL AND trim(c) <> ''
                found[column].append(value)
    sparse = [c for c in columns if len(found[c]) < n] if len(head) == n else []
    for k in range(0, len(sparse), SAMPLE_CHUNK):
        chunk = sparse[k : k + SAMPLE_CHUNK]
        sql = " UNION ALL ".join(
            f"(SELECT {i} AS i, trim({c}) AS v FROM {t} WHERE {c} IS NOT NULL AND trim({c}) <> '' "
            f"LIMIT {int(n)})"
            for i, c in enumerate(quote_ident(column) for column in chunk)
        )
        for column in chunk:
            found[column] = []
        for i, value in con.execute(sql).fetchall():
            found[chunk[i]].append(value)
    return found


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
    formats = (*DATE_FORMATS, *TIMESTAMP_FORMATS)
    samples = text_samples(con, table, text_columns(con, table), 200)
    dated = {
        c: sample for c, sample in samples.items() if sample and all(map(_DATE_LIKE.match, sample))
    }
    replacements: list[str] = []
    notes: list[str] = []
    for column, matches in _matching_formats(con, t, dated, formats).items():
        col = quote_ident(column)
        if len(matches) == 1 or (
            len(matches) > 1 and len({_day_month_order(m) for m in matches}) == 1
        ):
            fmt = matches[0].replace("'", "''")
            target = "TIMESTAMP" if "%H" in fmt or "%I" in fmt else "DATE"
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


def _matching_formats(
    con: duckdb.DuckDBPyConnection,
    t: str,
    samples: dict[str, list[str]],
    formats: Sequence[str],
) -> dict[str, list[str]]:
    """Per column, the formats (in `formats` order) that parse every non-blank value.

    A format is tried on the whole column only if it parses the column's sample, checked for
    all columns in one query: trying all 28 formats (49 since 12-hour times) on every value took 7 s for 150 date-like
    columns x 3,000 rows (issue 14). A format that fails on the sample fails on the column.
    """
    columns = list(samples)
    if not columns:
        return {}
    fails = ", ".join(f"count_if(try_strptime(v, {_literal(f)}) IS NULL)" for f in formats)
    on_samples = con.execute(
        f"SELECT i, {fails} FROM (SELECT unnest($i) AS i, unnest($v) AS v) GROUP BY i ORDER BY i",
        {
            "i": [i for i, c in enumerate(columns) for _ in samples[c]],
            "v": [v for c in columns for v in samples[c]],
        },
    ).fetchall()
    candidates = [
        (columns[i], f)
        for i, *failed in on_samples
        for f, n in zip(formats, failed, strict=True)
        if n == 0
    ]
    matches: dict[str, list[str]] = {c: [] for c in columns}
    per_query = SAMPLE_CHUNK * 4
    for k in range(0, len(candidates), per_query):
        chunk = candidates[k : k + per_query]
        counts = ", ".join(
            f"count_if({c} IS NOT NULL AND trim({c}) <> '' AND "
            f"try_strptime(trim({c}), {_literal(f)}) IS NULL)"
            for c, f in ((quote_ident(column), f) for column, f in chunk)
        )
        found = con.execute(f"SELECT {counts} FROM {t}").fetchall()[0]
        for (column, f), failed in zip(chunk, found, strict=True):
            if failed == 0:
                matches[column].append(f)
    return matches


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _day_month_order(fmt: str) -> str:
    return "".join(ch for ch in fmt if ch in "dmY")


def bignum_columns_as_numbers(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """BIGNUM columns (DuckDB's integers of any size) as BIGINT, or as DOUBLE when a value does
    not fit in 64 bits, which the note says. Arrow, numpy and pandas have no such type: the
    column reached generated code as raw bytes (b'\\x80\\x00\\x02\\x92"' for "37,410") and the
    profile as a type of no kind. DuckDB 2.0's CSV sniffer picked it for a column of numbers
    with thousands separators (DABench-dev's election2016.csv, 3,141 rows; q142 failed on it)."""
    t = quote_ident(table)
    described = con.execute(f"DESCRIBE {t}").fetchall()
    big = [r[0] for r in described if str(r[1]).upper() in ("BIGNUM", "VARINT")]
    replacements: list[str] = []
    notes: list[str] = []
    for column in big:
        col = quote_ident(column)
        query = f"SELECT count({col}) = count(TRY_CAST({col} AS BIGINT)) FROM {t}"
        fits = con.execute(query).fetchall()[0][0]
        replacements.append(f"CAST({col} AS {'BIGINT' if fits else 'DOUBLE'}) AS {col}")
        if not fits:
            notes.append(
                f"Column '{column}' holds whole numbers too large for 64 bits: read as "
                "approximate numbers (15-16 significant digits)."
            )
    if replacements:
        con.execute(
            f"CREATE OR REPLACE TABLE {t} AS SELECT * REPLACE ({', '.join(replacements)}) FROM {t}"
        )
    return notes
