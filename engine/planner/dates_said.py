"""Numbers and dates as the question writes them: "1,200", "12%", "1:55" (a duration, in
seconds), "2024-03", "March 2024", "15 March 2024", "March 15, 2024", "Q1 2024"."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Final

from engine.planner.durations import seconds_of

if TYPE_CHECKING:
    from engine.planner.matching import Token

MONTHS: Final = {
    name: i + 1
    for i, names in enumerate(
        "jan january,feb february,mar march,apr april,may,jun june,jul july,aug august,"
        "sep sept september,oct october,nov november,dec december".split(",")
    )
    for name in names.split()
}
DAY: Final = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?")  # a day of a month: 8, 8th, 25


def number_of(token: Token) -> float | None:
    """12, 1,200, 12.5 or 12% as a number (12% -> 0.12 only when written with %); a duration
    in seconds ("1:55" -> 115)."""
    text = token.text.replace(",", "")
    if ":" in text:
        return seconds_of(text)
    try:
        if text.endswith("%"):
            return float(text[:-1]) / 100
        return float(text)
    except ValueError:
        return None


def date_of(tokens: list[Token], i: int) -> tuple[date, date, int] | None:
    """A date or period starting at token i: (first day, day after, tokens used).

    Understands 2024-03-15, 2024-03, 2024, 'March 2024', '15 March 2024', 'March 15, 2024'
    and 'Q1 2024'.
    """
    try:
        return _date_at(tokens, i)
    except ValueError:  # "2004-13", "1999-02-30": a season or a range, not a date
        return None


def _date_at(tokens: list[Token], i: int) -> tuple[date, date, int] | None:
    t = tokens[i].text
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", t)
    if m:
        d = date(int(m[1]), int(m[2]), int(m[3]))
        return d, date.fromordinal(d.toordinal() + 1), 1
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", t)
    if m:
        return _month(int(m[1]), int(m[2])) + (1,)
    quarter = re.fullmatch(r"q([1-4])", t)
    if quarter and i + 1 < len(tokens) and re.fullmatch(r"\d{4}", tokens[i + 1].text):
        year, first_month = int(tokens[i + 1].text), 3 * int(quarter[1]) - 2
        first = date(year, first_month, 1)
        return first, _month(year, first_month + 2)[1], 2
    if t in MONTHS and i + 1 < len(tokens) and re.fullmatch(r"\d{4}", tokens[i + 1].text):
        return _month(int(tokens[i + 1].text), MONTHS[t]) + (2,)
    if i + 2 < len(tokens) and re.fullmatch(r"\d{4}", tokens[i + 2].text):
        day, month = DAY.fullmatch(t), tokens[i + 1].text  # 15 March 2024, 15th march 2024
        if not day:  # March 15, 2024 (the comma is not a token)
            day, month = DAY.fullmatch(tokens[i + 1].text), t
        if day and month in MONTHS:
            d = date(int(tokens[i + 2].text), MONTHS[month], int(day[1]))
            return d, date.fromordinal(d.toordinal() + 1), 3
    if re.fullmatch(r"(19|20)\d\d", t):
        return date(int(t), 1, 1), date(int(t) + 1, 1, 1), 1
    return None


def _month(year: int, month: int) -> tuple[date, date]:
    after = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return date(year, month, 1), after
