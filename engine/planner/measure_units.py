"""Units of measure said after a number (issue 13): "under 50 square km", "at least $40,000",
"taller than 500 ft". The unit names the column compared when a column's name ("Area (km²)",
"Money ($)") or its cells ("3,465 ft") carry that unit and no other column does; and a column
that carries another unit ("Elevation (m)" for "3200 feet") is not compared with the number,
since its values are in different units.

Units are told from the column's own name and cells, never guessed: a column with no unit
written anywhere is neither chosen nor ruled out by one.
"""

from __future__ import annotations

import re
from typing import Final

from engine.planner.durations import SECONDS_IN, clockish
from engine.planner.matching import ColumnMention, Token
from engine.types import ColumnProfile, TableProfile

# The question's words for a unit (lower case, as tokenized) -> the unit
SAID: Final[dict[tuple[str, ...], str]] = {}
for _unit, _phrases in {
    "km2": (
        "square km",
        "square kilometers",
        "square kilometres",
        "square kilometer",
        "square kilometre",
        "sq km",
        "km2",
        "km squared",
        "kilometers squared",
        "kilometres squared",
    ),
    "mi2": ("square miles", "square mile", "sq mi", "mi2", "miles squared"),
    "km/h": ("km h", "kmh", "kph", "kilometers per hour", "kilometres per hour"),
    "mph": ("mph", "miles per hour"),
    "km": ("km", "kilometers", "kilometres", "kilometer", "kilometre"),
    "mi": ("miles", "mile", "mi"),
    "m": ("m", "meters", "metres", "meter", "metre"),
    "ft": ("ft", "feet", "foot"),
    "kg": ("kg", "kilograms", "kilogram", "kilos"),
    "usd": ("dollars", "usd"),
    "h": ("hours", "hour", "hrs"),
    "min": ("minutes", "minute", "mins", "min"),
    "s": ("seconds", "second", "secs", "sec"),
    "acre": ("acres", "acre"),
    "ha": ("hectares", "hectare", "ha"),
}.items():
    for _phrase in _phrases:
        SAID[tuple(_phrase.split())] = _unit
LONGEST: Final = max(len(p) for p in SAID)
DIMENSIONS: Final = tuple(
    tuple(p.split())
    for p in (
        "in size",
        "in area",
        "in length",
        "in height",
        "in depth",
        "in width",
        "tall",
        "high",
        "long",
        "wide",
        "deep",
    )
)

# How a unit is written in a column's name or after the number in its cells (lower case, "²"
# as "2"); checked in this order, and a text matches the first unit whose pattern finds it.
WRITTEN: Final[tuple[tuple[str, re.Pattern[str]], ...]] = tuple(
    (unit, re.compile(pattern))
    for unit, pattern in (
        ("km2", r"\bkm ?2\b|\bsq\.? ?km\b|\bsquare (km|kilomet)"),
        ("mi2", r"\bmi ?2\b|\bsq\.? ?mi\b|\bsquare mi"),
        ("km/h", r"\bkm ?/ ?h\b|\bkmh\b|\bkph\b"),
        ("mph", r"\bmph\b"),
        ("km", r"\bkm\b|\bkilomet"),
        ("mi", r"\bmi\b|\bmiles?\b"),
        ("m", r"\bm\b|\bmet(er|re)s?\b"),
        ("ft", r"\bft\b|\bfeet\b"),
        ("kg", r"\bkg\b|\bkilogram"),
        ("usd", r"\$|\busd\b|\bdollars?\b"),
        ("acre", r"\bacres?\b"),
        ("ha", r"\bha\b|\bhectares?\b"),
    )
)
DOLLARS: Final = re.compile(
    r"\$\s?(\d[\d,]*(?:\.\d+)?)(?!\d|[.,]\d|\s*(?:million|billion|thousand|mn?|bn|k)\b)",
    re.IGNORECASE,
)
CELL_UNIT: Final = re.compile(r"^\s*[\d.,]+\s*([a-z][a-z0-9/]*)\s*$")


def dollars_said(text: str) -> str:
    """ "at least $40,000" -> "at least 40,000 dollars": the tokenizer drops "$", and the unit
    after the number is what names the column of money. "$2 million" is left alone."""
    return DOLLARS.sub(r"\1 dollars", text)


def unit_after(tokens: list[Token], i: int, read: bool = False) -> tuple[str, int] | None:
    """The unit said right after the number at `i`, and how many words say it, with the
    dimension that may follow it ("500 ft tall", "10 square km in size"). `read`: also when
    its words are read already (by the unit's column mention)."""
    for n in range(LONGEST, 0, -1):
        said = tokens[i + 1 : i + 1 + n]
        words = tuple(t.text for t in said)
        if len(words) == n and not any((t.used and not read) or t.quoted for t in said):
            if words in SAID:
                return SAID[words], n + _dimension(tokens, i + 1 + n, read)
    return None


def _dimension(tokens: list[Token], i: int, read: bool) -> int:
    """How many words at `i` say what was measured, which the unit already told."""
    for words in DIMENSIONS:
        said = tokens[i : i + len(words)]
        # "in" is a keyword, read already
        free = all(t.text == "in" or read or not (t.used or t.quoted) for t in said)
        if tuple(t.text for t in said) == words and free:
            return len(words)
    return 0


def column_units(column: ColumnProfile) -> frozenset[str]:
    """The units a column's name writes ("Area (km²)", "Money ($)"; of two written as "ft / m"
    or "ft (m)", the first, which the cells' first number is in: text_numbers.py), or else the
    one unit its cells end with ("3,465 ft"); empty when none is written."""
    if clockish(column):  # "3:36": a duration, said in any unit of time
        return frozenset(SECONDS_IN)
    name = column.name.lower().replace("²", "2").replace("^2", "2")
    found = {u: m.start() for u, p in WRITTEN if (m := p.search(_without_longer(name, u)))}
    if len(found) == 2:  # "Height ft / m", "Height ft (m)": cells "629 / 192" read as feet
        first, second = sorted(found, key=found.get)
        if re.search(r"[/(]", name[found[first] : found[second]]):
            return frozenset({first})
    if found:
        return frozenset(found)
    ends = {m.group(1) for v in column.texts if (m := CELL_UNIT.match(v.lower().replace("²", "2")))}
    found = {u for end in ends for u in (_unit_of(end),) if u}
    return frozenset(found) if len(found) == 1 else frozenset()


def _carries(column: ColumnProfile, unit: str) -> bool:
    """The column is written in `unit` and no other, or holds durations and `unit` is time's."""
    units = column_units(column)
    return units == {unit} or (unit in SECONDS_IN and units == frozenset(SECONDS_IN))


def _unit_of(text: str) -> str | None:
    return next((u for u, p in WRITTEN if p.search(text)), None)


def _without_longer(name: str, unit: str) -> str:
    """The name without units that contain `unit`'s letters: "km" is not found in "km2"."""
    for longer, pattern in WRITTEN:
        if longer != unit and unit in longer:
            name = pattern.sub(" ", name)
    return name


def unit_mentions(
    tokens: list[Token],
    table: TableProfile,
    mentions: list[ColumnMention],
    compared: frozenset[int],
) -> list[ColumnMention]:
    """ "under 50 square km": the unit after a compared number names the one numeric column
    that carries it; its words are then read. No mention when none or several columns do, or
    when the words are already a column's name ("at least 15 floors")."""
    taken = {p for m in mentions for p in range(m.start, m.end)}
    found = []
    for i in sorted(compared):
        said = unit_after(tokens, i) if i < len(tokens) else None
        if said is None or i + 1 in taken:
            continue
        unit, n = said
        carrying = [c for c in table.columns if c.kind == "number" and _carries(c, unit)]
        if len(carrying) != 1:
            continue
        for t in tokens[i + 1 : i + 1 + n]:
            t.used = True
        found.append(ColumnMention(carrying[0], table, i + 1, i + 1 + n, 0.9))
    return found
