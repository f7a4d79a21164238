"""Years written in a table's column names ('gdpPercap_1952' … 'gdpPercap_2007'), for the
column check to say so when the code looks for a 'year' column.

Tables from statistics offices and Gapminder hold one row per country and one column per year.
A model that expects one row per country and year filters on `df['year'] == 1992`; the check
answered "column 'year' does not exist" with the list of columns, and the repair wrote the same
filter again (DABench-dev q252 and q254 failed that way on every run: 42 times in the records).
Saying where the years are, and how to read one, is what the repair was missing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

_YEAR: Final = re.compile(r"(?<!\d)(1[6-9]\d\d|20\d\d)(?!\d)")
_TIME_WORDS: Final = frozenset({"year", "years", "yr", "date", "period", "time"})
MIN_YEARS: Final = 3  # fewer year-named columns may be two dates of one row, not a series


def years_in_names(missing: str, columns: Sequence[str]) -> str:
    """A sentence saying the years are in the column names when `missing` is a year-like word
    and at least `MIN_YEARS` columns are named with a distinct year; '' otherwise."""
    if missing.strip().lower() not in _TIME_WORDS:
        return ""
    named = [(c, m.group(1)) for c in columns if (m := _YEAR.search(c))]
    if len({year for _, year in named}) < MIN_YEARS:
        return ""
    (first, year), (last, _) = named[0], named[-1]
    others = [c for c in columns if not _YEAR.search(c)]
    rows = f", and each row holds all the years of one {others[0]!r}" if others else ""
    return (
        f"The years are in the column names: {first!r} … {last!r}, one column per year{rows}. "
        f"Read the year asked from its own column (df[{first!r}] for {year}), with no filter "
        f"on a {missing!r} column."
    )
