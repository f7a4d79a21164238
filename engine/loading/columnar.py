"""Parquet and JSON / NDJSON into DuckDB: DuckDB's own readers, straight into a table."""

from __future__ import annotations

from pathlib import Path

import duckdb

from engine.errors import InputError
from engine.identifiers import quote_ident


def load_parquet(con: duckdb.DuckDBPyConnection, path: Path, name: str) -> None:
    try:
        con.execute(
            f"CREATE OR REPLACE TABLE {quote_ident(name)} AS SELECT * FROM read_parquet($p)",
            {"p": str(path)},
        )
    except duckdb.Error as exc:
        raise InputError(
            f"'{path.name}' could not be read as Parquet ({_first_line(exc)}). "
            "The file may be truncated or corrupt: export it again."
        ) from None


def load_json(con: duckdb.DuckDBPyConnection, path: Path, name: str) -> None:
    """A JSON array of objects, one object, or newline-delimited JSON (auto-detected)."""
    try:
        con.execute(
            f"CREATE OR REPLACE TABLE {quote_ident(name)} AS SELECT * FROM read_json($p, "
            "format := 'auto', maximum_object_size := 268435456)",
            {"p": str(path)},
        )
    except duckdb.Error as exc:
        raise InputError(
            f"'{path.name}' is not valid JSON or NDJSON ({_first_line(exc)}). "
            "Decipher reads an array of objects, or one object per line; check the file, "
            "or load it as CSV if it is a text table."
        ) from None


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__
