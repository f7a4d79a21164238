"""CSV / TSV / TXT into DuckDB: DuckDB reads the file itself, we handle what its sniffer misses.

Measured DuckDB 2.0 behaviour (../shared/stack-notes.md, issue #2): non-UTF-8 files raise; ragged
rows silently become ONE text column named like `a,b,c`; decimal commas and thousands separators
stay text; odd date formats stay text. Each case is detected here, fixed by a re-read with the
right option, and reported in `Table.notes`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Final

import duckdb

from engine.errors import InputError
from engine.identifiers import quote_ident
from engine.loading.preamble import preamble_lines, preamble_note
from engine.loading.refine import text_columns, text_samples
from engine.loading.sniff import detect_delimiter, detect_encoding, read_head, transcode_to_utf8

# "?" is "not known" in Wikipedia tables (32 of wtq-train's 1,174) and UCI data sets
NULL_STRINGS: Final = (
    "",
    "NA",
    "N/A",
    "n/a",
    "NULL",
    "null",
    "NaN",
    "nan",
    "#N/A",
    "<NA>",
    "None",
    "?",
)
MAX_LINE_BYTES: Final = 1 << 24  # DuckDB's 2 MB default rejects long cells (stack notes)
_DECIMAL_COMMA = re.compile(r"^[-+]?\d{1,3}(\.\d{3})*,\d+$|^[-+]?\d+,\d+$")
_DOT_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(\.\d{3})+$")
MAX_TEXT_FALLBACKS: Final = 20  # columns read as text because no single type fits them
_UNCONVERTIBLE_COLUMN: Final = re.compile(r'Error when converting column "([^"]+)"')
_UNCONVERTIBLE_VALUE: Final = re.compile(r'Could not convert string "([^"]*)"')
_ERROR_LINE: Final = re.compile(r"CSV Error on Line: (\d+)")
_COMMA_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")


def load_delimited(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    name: str,
    work_dir: Path,
    encoding: str | None = None,
) -> tuple[str, str, str | None, list[str]]:
    """Create table `name` from a delimited text file. Returns (source read, encoding, delimiter, notes)."""
    notes: list[str] = []
    head = read_head(path)
    encoding = encoding or detect_encoding(head)
    source = path
    if encoding.replace("_", "-").lower() not in ("utf-8", "utf8", "ascii"):
        source = transcode_to_utf8(path, encoding, work_dir / "transcoded" / f"{name}.csv")
        notes.append(f"Read as {encoding} text (the file is not UTF-8).")

    options: dict[str, Any] = {}
    text = head.decode("utf-8-sig" if encoding == "utf-8" else encoding, errors="replace")
    skip, skipped = preamble_lines(text, detect_delimiter(text))
    if skip:
        options = {"skip": skip, "header": True}
        notes.append(preamble_note(skip, skipped))
    try:
        notes += _create(con, name, source, options)
    except duckdb.Error as exc:
        if "Invalid unicode" in str(exc) and source == path:
            # UTF-8 at the start but not further on: typical of cp1252 exports.
            encoding = "cp1252"
            source = transcode_to_utf8(path, encoding, work_dir / "transcoded" / f"{name}.csv")
            notes.append("Read as cp1252 text (the file is not valid UTF-8 past its first lines).")
            notes += _create(con, name, source, options)
        else:
            raise

    columns = [c for c, _ in _describe(con, name)]
    sniffed = _sniff(con, source, skip)
    delimiter: str | None = sniffed[0] if sniffed else None
    if len(columns) == 1 and any(d in columns[0] for d in (",", ";", "\t", "|")):
        delimiter = detect_delimiter(source.read_bytes()[: 1 << 16].decode("utf-8", "replace"))
        notes.append(_ragged_note(con, source, delimiter))
        options.update(delim=delimiter, header=True, null_padding=True)
        _create(con, name, source, options)

    ambiguous = _ambiguous_date_columns(con, name, sniffed)
    if ambiguous:
        # DuckDB picked day-first or month-first on its own; read them as text and let
        # refine.convert_date_columns decide, which keeps them as text when both orders fit.
        options["types"] = dict.fromkeys(ambiguous, "VARCHAR")
        _create(con, name, source, options)

    clocks = _minutes_or_hours_columns(con, name)
    if clocks:
        options["types"] = {**options.get("types", {}), **dict.fromkeys(clocks, "VARCHAR")}
        _create(con, name, source, options)
        notes += [
            f"Column {c} holds values like 7:24, which may be minutes:seconds or a time of day: "
            "read as text, as written."
            for c in clocks
        ]

    extra = _number_format_options(con, name, delimiter)
    if extra:
        options.update(extra)
        _create(con, name, source, options)
        if "decimal_separator" in extra:
            notes.append("Numbers use a decimal comma (3,50); read them as numbers.")
        if extra.get("thousands") == ",":
            notes.append("Numbers use thousands separators (1,234); read them as numbers.")
    return str(source), encoding, delimiter, notes


def _create(
    con: duckdb.DuckDBPyConnection, name: str, source: Path, options: dict[str, Any]
) -> list[str]:
    """(Re)create the table from the file; a wrong type guess retries with a full-file sniff.

    A column whose values no single type fits (dates written two ways, a number column with a
    word in row 5,000) is then read as text, and kept so in `options` for later re-creations.
    Returns the notes saying which.
    """
    notes: list[str] = []
    for _ in range(MAX_TEXT_FALLBACKS + 1):
        opts = {
            "nullstr": list(NULL_STRINGS),
            "max_line_size": MAX_LINE_BYTES,
            "buffer_size": MAX_LINE_BYTES * 2,
            **options,
        }
        try:
            try:
                _create_with(con, name, source, opts)
            except duckdb.ConversionException:
                _create_with(con, name, source, {**opts, "sample_size": -1})
            except duckdb.InvalidInputException as exc:
                if "Could not convert" in str(exc) or "type" in str(exc).lower():
                    _create_with(con, name, source, {**opts, "sample_size": -1})
                else:
                    raise
            return notes
        except duckdb.ConversionException as exc:
            text = str(exc)
            column = _UNCONVERTIBLE_COLUMN.search(text)
            if column is None or column[1] in options.get("types", {}):
                raise
            options.setdefault("types", {})[column[1]] = "VARCHAR"
            value, line = _UNCONVERTIBLE_VALUE.search(text), _ERROR_LINE.search(text)
            example = f" (e.g. {value[1]!r} on line {line[1] if line else '?'})" if value else ""
            notes.append(
                f"Column {column[1]} has values no single type fits{example}: read as text."
            )
    raise InputError(f"'{source.name}' has too many columns whose values fit no single type.")


def _create_with(
    con: duckdb.DuckDBPyConnection, name: str, source: Path, opts: dict[str, Any]
) -> None:
    args = ", ".join(f"{k} := ${k}" for k in opts)
    con.execute(
        f"CREATE OR REPLACE TABLE {quote_ident(name)} AS SELECT * FROM read_csv($path, {args})",
        {"path": str(source), **opts},
    )


def _describe(con: duckdb.DuckDBPyConnection, name: str) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in con.execute(f"DESCRIBE {quote_ident(name)}").fetchall()]


def _sniff(
    con: duckdb.DuckDBPyConnection, source: Path, skip: int = 0
) -> tuple[str, str, str] | None:
    """DuckDB's sniffer on the file below its first `skip` lines: (delimiter, date format,
    timestamp format), or None.

    Asked once: it reads 20,480 rows, 7 s for a 1,000-column file (issue 14).
    """
    try:
        found = con.execute(
            "SELECT Delimiter, DateFormat, TimestampFormat "
            "FROM sniff_csv($p, sample_size := 20480, skip := $s)",
            {"p": str(source), "s": skip},
        ).fetchall()
    except duckdb.Error:
        return None
    return found[0] if found else None


def _ambiguous_date_columns(
    con: duckdb.DuckDBPyConnection, name: str, sniffed: tuple[str, str, str] | None
) -> list[str]:
    """DATE/TIMESTAMP columns DuckDB read with a day/month format that could be the other way."""
    formats = " ".join(f or "" for f in (sniffed[1:] if sniffed else ()))
    if not re.search(r"%[dm].%[dm].%[Yy]", formats):  # year last: 01/02/2024 fits both
        return []
    return [c for c, t in _describe(con, name) if t in ("DATE", "TIMESTAMP")]


def _minutes_or_hours_columns(con: duckdb.DuckDBPyConnection, name: str) -> list[str]:
    """Columns DuckDB read as TIME from values with one colon: "7:24" became 07:24:00, a time
    of day, where a track length or a lap time means 7 minutes 24 seconds. Values with
    seconds ("2:08:13") are left as times."""
    t = quote_ident(name)
    found = []
    for column, ctype in _describe(con, name):
        if ctype != "TIME":
            continue
        c = quote_ident(column)
        (whole,) = con.execute(f"SELECT bool_and(microsecond({c}) = 0) FROM {t}").fetchone()
        if whole:
            found.append(column)
    return found


def _ragged_note(con: duckdb.DuckDBPyConnection, source: Path, delimiter: str) -> str:
    """Count the rows whose field count differs from the header's, by DuckDB's reject store."""
    try:
        con.execute(
            "SELECT count(*) FROM read_csv($p, delim := $d, header := true, store_rejects := true, "
            "ignore_errors := true, max_line_size := $m, buffer_size := $b)",
            {"p": str(source), "d": delimiter, "m": MAX_LINE_BYTES, "b": MAX_LINE_BYTES * 2},
        ).fetchall()
        counts = dict(
            con.execute(
                "SELECT error_type, count(DISTINCT line) FROM reject_errors GROUP BY ALL"
            ).fetchall()
        )
    except duckdb.Error:
        counts = {}
    short = counts.get("MISSING COLUMNS", 0)
    long = counts.get("TOO MANY COLUMNS", 0)
    shown = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}.get(delimiter, delimiter)
    parts = []
    if short:
        parts.append(f"{short} row(s) had fewer fields than the header (missing values left empty)")
    if long:
        parts.append(
            f"{long} row(s) had more fields than the header (extra values kept in extra columns)"
        )
    detail = "; ".join(parts) or "rows have differing numbers of fields"
    return f"Ragged rows ({shown}-separated): {detail}."


def _number_format_options(
    con: duckdb.DuckDBPyConnection, name: str, delimiter: str | None
) -> dict[str, str]:
    """Options for numbers written 3,50 / 1.234,5 (decimal comma) or 1,234.5 (thousands)."""
    decimal_comma = comma_thousands = False
    for sample in text_samples(con, name, text_columns(con, name), 2000).values():
        if not sample:
            continue
        if delimiter != "," and all(
            _DECIMAL_COMMA.match(v) or _DOT_THOUSANDS.match(v) for v in sample
        ):
            decimal_comma = decimal_comma or any(_DECIMAL_COMMA.match(v) for v in sample)
        elif all(_COMMA_THOUSANDS.match(v) or v.lstrip("-+").isdigit() for v in sample):
            comma_thousands = comma_thousands or any("," in v for v in sample)
    if decimal_comma:
        # Where the decimal mark is a comma, a dot groups thousands (1.234,5): read both that way.
        return {"decimal_separator": ",", "thousands": "."}
    if comma_thousands:
        return {"thousands": ","}
    return {}
