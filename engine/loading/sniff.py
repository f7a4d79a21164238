"""Look at a file's bytes before reading it: format, text encoding, delimiter.

The extension is a hint; the bytes decide (sqlite-utils `rows_from_file` does the same). Nothing here
writes to the user's file: a non-UTF-8 text file is transcoded into a copy under the work directory.
"""

from __future__ import annotations

import codecs
import re
from collections import Counter
from pathlib import Path
from typing import Final

from engine.errors import InputError

HEAD_BYTES: Final = 256 * 1024
TEXT_EXTENSIONS: Final = frozenset({".csv", ".tsv", ".txt", ".tab", ".dat", ".psv"})
EXCEL_EXTENSIONS: Final = frozenset({".xlsx", ".xlsm"})
PARQUET_EXTENSIONS: Final = frozenset({".parquet", ".pq"})
JSON_EXTENSIONS: Final = frozenset({".json", ".ndjson", ".jsonl"})
SUPPORTED: Final = "CSV, TSV or TXT, Excel (.xlsx), Parquet, or JSON / NDJSON"
DELIMITERS: Final = (",", ";", "\t", "|")

_SIGNATURES: Final[tuple[tuple[bytes, str], ...]] = (
    (b"PAR1", "parquet"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xd0\xcf\x11\xe0", "an old Excel .xls (or other Office 97) file"),
    (b"SQLite format 3", "a SQLite database"),
)


def read_head(path: Path, size: int = HEAD_BYTES) -> bytes:
    with path.open("rb") as f:
        return f.read(size)


def detect_format(path: Path, head: bytes) -> str:
    """`csv`, `excel`, `parquet` or `json`, from the bytes, checked against the extension.

    Raises InputError for empty files, non-table formats and a content/extension mismatch.
    """
    ext = path.suffix.lower()
    name = path.name
    if not head:
        raise InputError(f"'{name}' is empty (0 bytes). Choose a file that contains a table.")
    if head.startswith(b"PK\x03\x04"):
        if ext in EXCEL_EXTENSIONS:
            return "excel"
        if b"xl/" in head or b"[Content_Types].xml" in head:
            raise InputError(
                f"'{name}' is an Excel workbook with a {ext or 'missing'} extension. "
                "Rename it to .xlsx (or export it from Excel as CSV) and load it again."
            )
        raise InputError(
            f"'{name}' is a zip archive, not a table. Unzip it and load the file inside."
        )
    for magic, kind in _SIGNATURES:
        if head.startswith(magic):
            if kind == "parquet":
                return "parquet"
            if ext == ".xls":
                raise InputError(
                    f"'{name}' is an old-style Excel .xls file, which Decipher cannot read. "
                    "Open it in Excel or LibreOffice and save it as .xlsx or CSV."
                )
            raise InputError(f"'{name}' is {kind}, not a table. Supported: {SUPPORTED}.")
    if ext in PARQUET_EXTENSIONS:
        raise InputError(
            f"'{name}' has a Parquet extension but is not a Parquet file (no PAR1 header)."
        )
    if ext in EXCEL_EXTENSIONS:
        raise InputError(f"'{name}' has an Excel extension but is not an .xlsx workbook.")
    if ext == ".xls":
        raise InputError(
            f"'{name}' is an old-style Excel .xls file, which Decipher cannot read. "
            "Save it as .xlsx or CSV and load it again."
        )
    if _looks_binary(head):
        raise InputError(
            f"'{name}' looks like binary data, not text or a known table format. Supported: {SUPPORTED}."
        )
    stripped = _decoded_start(head).lstrip()
    if ext in JSON_EXTENSIONS or (ext not in TEXT_EXTENSIONS and stripped[:1] in ("[", "{")):
        return "json"
    if ext in TEXT_EXTENSIONS or ext == "":
        return "csv"
    raise InputError(f"'{name}': files of type '{ext}' are not supported. Supported: {SUPPORTED}.")


def _looks_binary(head: bytes) -> bool:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    sample = head[:8192]
    if b"\x00" in sample:
        # UTF-16 without a BOM has a NUL in every other byte; anything else with NULs is binary.
        evens, odds = sample[0::2].count(0), sample[1::2].count(0)
        return not (max(evens, odds) > len(sample) / 4 and min(evens, odds) < len(sample) / 50)
    control = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return control > len(sample) / 20


def _decoded_start(head: bytes) -> str:
    return head[:4096].decode(detect_encoding(head[:4096]) or "latin-1", errors="replace")


def detect_encoding(head: bytes) -> str:
    """`utf-8`, `utf-16` or a single-byte fallback (`cp1252`, else `latin-1`) for text bytes."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head[:8192]:
        return "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=False)  # a character cut at the end of `head` is fine
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        head.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def transcode_to_utf8(source: Path, encoding: str, dest: Path, chunk_chars: int = 1 << 20) -> Path:
    """Copy `source` into `dest` as UTF-8, streaming (bounded memory). The source is only read."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        with (
            source.open("r", encoding=encoding, newline="") as src,
            dest.open("w", encoding="utf-8", newline="") as out,
        ):
            while chunk := src.read(chunk_chars):
                out.write(chunk)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"'{source.name}' is not valid {encoding} text ({exc.reason} at byte {exc.start}). "
            "Choose its encoding under Upload options, or save it as UTF-8 and load it again."
        ) from None
    return dest


def detect_delimiter(text: str) -> str:
    """The delimiter that splits the first lines most consistently (quotes respected roughly).

    Used when DuckDB's own sniffer gave up (it reads ragged files as one column).
    """
    lines = [ln for ln in text.splitlines()[:50] if ln.strip()]
    best, best_score = ",", -1.0
    for delim in DELIMITERS:
        counts = [len(_split_outside_quotes(ln, delim)) - 1 for ln in lines]
        counts = [c for c in counts if c > 0]
        if not counts:
            continue
        mode, freq = Counter(counts).most_common(1)[0]
        score = freq / len(lines) + mode / 1000  # consistency first, then more columns
        if score > best_score:
            best, best_score = delim, score
    return best


def _split_outside_quotes(line: str, delim: str) -> list[str]:
    return re.split(rf"{re.escape(delim)}(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)", line)
