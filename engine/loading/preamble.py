"""Lines above the header: a title ("JAMES LOGAN"), a source note or blank lines.

Spreadsheet exports often put a report title in the first cell and the real header below it.
Read as is, the title becomes the header: every column is named `column_<n>` and numbers become
text, because the real header sits among the data (DuckDB's sniffer then reads no header at all).
A row is taken as preamble only when it has at most one filled cell and the first row with two
or more filled cells reads like a header: only text, no numbers, about as wide as the rows below
it, and naming at least one column whose values below are all numbers (so a one-cell header over
rows of text is left alone: there the two cannot be told apart). Otherwise nothing is skipped.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from typing import Final

MAX_PREAMBLE: Final = 10  # a report title block is a few lines; more is data, not a preamble
ROWS_COMPARED: Final = 20  # data rows the header's width is compared with
_NUMBER: Final = re.compile(r"^[-+]?[\d.,]*\d[\d.,]*%?$")


def preamble_length(rows: Sequence[Sequence[object]]) -> int:
    """How many leading rows are a title block above the header (0 when there is none)."""
    head = next((i for i, row in enumerate(rows[: MAX_PREAMBLE + 1]) if _filled(row) >= 2), None)
    if not head:
        return 0
    header = [str(v).strip() for v in rows[head] if not _blank(v)]
    if any(_NUMBER.match(cell) for cell in header):
        return 0
    body = rows[head + 1 : head + 1 + ROWS_COMPARED]
    if not body:
        return 0
    widest = max(_filled(row) for row in body)
    numeric = any(not _blank(name) and _numbers_below(body, i) for i, name in enumerate(rows[head]))
    return head if numeric and len(header) * 2 >= widest else 0


def preamble_lines(text: str, delimiter: str) -> tuple[int, list[str]]:
    """Lines to skip at the start of delimited `text`, and the non-blank text they held.

    Counted in lines, not rows, as DuckDB's `skip` counts them (a quoted title may span lines).
    """
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows: list[list[str]] = []
    ends: list[int] = []
    try:
        for row in reader:
            rows.append(row)
            ends.append(reader.line_num)
            if len(rows) > MAX_PREAMBLE + ROWS_COMPARED:
                break
    except csv.Error:
        return 0, []
    n = preamble_length(rows)
    if not n:
        return 0, []
    return ends[n - 1], preamble_text(rows[:n])


def preamble_text(rows: Sequence[Sequence[object]]) -> list[str]:
    """The non-blank cells of skipped rows, for the note."""
    return [str(v).strip() for row in rows for v in row if not _blank(v)]


def preamble_note(skipped: int, texts: Sequence[str], unit: str = "line") -> str:
    """The load note saying what was skipped, so nothing disappears without a word."""
    shown = "; ".join(repr(t[:80]) for t in texts) or "blank"
    plural = unit if skipped == 1 else f"{unit}s"
    return f"Skipped {skipped} {plural} above the header ({shown}): a title, not data."


def _blank(value: object) -> bool:
    return value is None or str(value).strip() == ""


def _numbers_below(body: Sequence[Sequence[object]], i: int) -> bool:
    values = [str(row[i]).strip() for row in body if i < len(row) and not _blank(row[i])]
    return bool(values) and all(_NUMBER.match(v) for v in values)


def _filled(row: Sequence[object]) -> int:
    return sum(1 for v in row if not _blank(v))
