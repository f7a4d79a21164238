"""Durations written as clock times (issue 13): race and track times such as "3:36", "1:49.52"
or "2:13:00", kept as text by the loader. The planner compares and ranks them in seconds
("finished in less than 1:55", "under 4 minutes", "who had the best time"); the code converts
every filled cell or declines. A time of day ("7:00 PM") is no duration.

"m:ss" and "h:mm:ss" are told apart by the number of colons, as race tables write them.
"""

from __future__ import annotations

import re
from typing import Final

from engine.code_names import DECLINE
from engine.types import ColumnProfile

CLOCK: Final = r"(?:(\d+):)?(\d+):(\d{2}(?:\.\d+)?)"  # [h:]m:ss[.ff]
# a record mark after a time ("1:20:34 PB", "1:45.3 Q", "2:01*"), never AM or PM
MARK: Final = r"(?:\s+(?![AaPp]\.?[Mm]\b)[A-Za-z]{1,3}|\s*[*\u2020\u2021#]+)?"
CLOCK_CELL: Final = re.compile(rf"^\s*{CLOCK}{MARK}\s*$")
CLOCK_SHARE: Final = 0.8
NO_TIME: Final = ("", "-", "–", "—", "?", "n/a", "dnf", "dns", "dq", "dsq")
# units a duration is said in, in seconds ("under 4 minutes")
SECONDS_IN: Final = {"s": 1, "min": 60, "h": 3600}


def seconds_of(text: str) -> float | None:
    """ "1:55" -> 115.0, "2:13:00" -> 7980.0, "1:49.52" -> 109.52; None when not a clock."""
    m = CLOCK_CELL.match(text)
    if m is None:
        return None
    hours, minutes, seconds = m.groups()
    return int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)


def clockish(column: ColumnProfile) -> bool:
    """A column whose profiled values are mostly durations written as text ("3:36")."""
    seen = [v for v in column.texts if v.strip().lower() not in NO_TIME]
    clocks = [v for v in seen if CLOCK_CELL.match(v)]
    return bool(seen) and len(clocks) >= CLOCK_SHARE * len(seen)


def clock_lines(frame: str, column: str, py) -> list[str]:
    """pandas lines that turn `frame[column]` into seconds, or decline (`py` writes literals):
    every filled cell must be a duration; "DNF" or a dash is no value."""
    cell = f"{frame}[{py(column)}]"
    return [
        f"times = {cell}.astype('string').str.strip()",
        f"times = times.mask(times.str.lower().isin({py(list(NO_TIME))}))  # no time",
        f'clock = times.str.extract(r"^{CLOCK}{MARK}$").astype(float)  # a mark (PB) dropped',
        "if clock[2][times.notna()].isna().any():",
        f"    {DECLINE}({py(f'some {column} values are not durations like 1:23.45')})",
        f"{cell} = clock[0].fillna(0) * 3600 + clock[1] * 60 + clock[2]  # seconds",
    ]
