"""Row conditions in a question (issue 5): category values, comparisons, dates, ranges, contains.

"in 2014" filters the date column, "temp_max above 30" the named column, "between A and B" either,
judged by the numbers (1990 is a year, not a life expectancy). Each filter consumes its words,
so the rest of the question is read without them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from engine.errors import UnsupportedError
from engine.planner.dates_said import DAY, MONTHS, date_of, number_of
from engine.planner.durations import SECONDS_IN, clockish
from engine.planner.matching import (
    ColumnMention,
    Token,
    ValueMention,
    mostly_months,
    name_has,
)
from engine.planner.measure_units import column_units, unit_after
from engine.planner.vocabulary import STOPWORDS
from engine.types import ColumnProfile, TableProfile

Keywords = Sequence[tuple[int, str, str]]  # (token position, feature, value), as in Query
Period = tuple[date, date, int]  # first day, day after, tokens used (dates_said.date_of)


@dataclass(frozen=True)
class Filter:
    """One row condition: column op value. `op` is ==, !=, >, >=, <, <=, in, not in, contains,
    `dates` (value = (first day, day after)), `months` (value = month numbers, any year) or
    `none` (nothing in the cell: 0 or blank)."""

    column: ColumnProfile
    op: str
    value: Any


@dataclass(frozen=True)
class FoundFilters:
    """The question's conditions, where the column mentions they used start (those columns
    are the filters', not measures or groups), and the keywords they read ("or" in "in march
    or april")."""

    filters: tuple[Filter, ...]
    consumed: frozenset[int]
    read: frozenset[int] = frozenset()


def filters_from_question(
    table: TableProfile,
    keywords: Keywords,
    columns: Sequence[ColumnMention],
    tokens: list[Token],
    values: list[ValueMention],
) -> FoundFilters:
    """The question's conditions; marks the words they use in `tokens` as used."""
    kw = {pos: (f, v) for pos, f, v in keywords}
    found: list[Filter] = []
    consumed: set[int] = set()
    by_column: dict[str, list[ValueMention]] = {}
    negated: dict[str, bool] = {}
    for v in values:
        by_column.setdefault(v.column.name, []).append(v)
        negated[v.column.name] = negated.get(v.column.name, False) or any(
            kw.get(p, ("",))[0] == "not" for p in range(max(0, v.start - 3), v.start)
        )
        for m in columns:  # "species Adelie", "region is West": the column is the filter's
            grouped = kw.get(m.start - 1, ("",))[0] == "group"  # "by region except Europe"
            near = 0 <= v.start - m.end <= 2 or m.start == v.end  # "the Corporate segment"
            near = (
                near
                or (  # "was Oslo the venue", "the Hawks as their nickname", "USA listed as
                    0 < m.start - v.end <= 4  # the country", "X is listed as the Y"
                    and all(t.text in STOPWORDS | {"listed"} for t in tokens[v.end : m.start])
                )
            )
            if m.column.name == v.column.name and near and not grouped:
                consumed.add(m.start)
    for name, mentions in by_column.items():
        col = mentions[0].column
        vals = [v.value for v in mentions]
        if len(vals) == 1:
            found.append(Filter(col, "!=" if negated[name] else "==", vals[0]))
        else:
            found.append(Filter(col, "not in" if negated[name] else "in", tuple(vals)))
    date_cols = [c for c in table.columns if c.kind == "date"]
    year_cols = [c for c in table.columns if c.kind == "number" and c.name.lower() == "year"]
    only = ("link", "only") in kw.values()  # "the only team with 16 points": equal to 16
    counted = counted_amounts(tokens, columns)  # "which rider had 2 points": equal to 2
    for i, t in enumerate(tokens):
        if t.used or t.quoted:
            continue
        before = kw.get(i - 1, ("", ""))
        period = date_of(tokens, i) if (date_cols or year_cols) else None
        number = number_of(t)
        if number is None and period is None:
            continue
        near = _column_before(columns, i - 1, tokens)
        after = _column_after(columns, i + 1) if before[0] == "cmp" or only else None
        if after is not None and (
            near is None
            or near.kind not in ("number", "date")  # "at least 10 title defenses"
            or (near.kind == "date" and period is None)  # "which date had at least 55 casualties"
            or (_outside(near, number) and not _outside(after, number))  # "games had over
        ):  # 1,000 in attendance" beside a column Game of 1 … 16: the number is attendance's
            near = after
        if ":" in t.text and number is not None:  # "less than 1:55": a duration's column
            near = _clock_column(table, near, t)
        timely = period is not None and (
            before[0] in ("tcmp", "during", "")
            or not (near and near.kind == "number" and not _is_year(near))
            or _outside(near, number)  # "lifeExp between 1990 and 2000": years, not lifeExp
            or number is None  # "March 2013", "2013-03-01": only ever a date
        )
        if near is not None and timely != (near.kind == "date" or _is_year(near)):
            near = None  # "temp_max in 2014": the year is about the date, not temp_max
        if before[0] in ("cmp", "tcmp", "between"):
            _consume(columns, near, consumed)
            scale = _unit_fits(tokens, i, near)
            if before[0] == "between":
                j = i + (period[2] if period else 1)
                if j + 1 < len(tokens) and kw.get(j, ("",))[0] == "and":
                    found.append(_between(table, tokens, i, j + 1, near))
                    continue
                raise UnsupportedError("Say “between A and B” with two numbers or dates.")
            found.append(
                _compare(near, before[1], t, period if timely else None, date_cols, year_cols)
            )
            if scale != 1 and ":" not in t.text:  # "under 4 minutes": durations in seconds
                found[-1] = replace(found[-1], value=found[-1].value * scale)
            _use(tokens, i, period if timely else None)
        elif only and number is not None and near is not None and near.kind == "number":
            _consume(columns, near, consumed)  # "which county has only 774 households"
            found.append(_compare(near, "==", t, None, date_cols, year_cols))
            t.used = True
        elif (
            i in counted
            and before[0] in ("", "link")  # "who scored 16 points"
            and not timely
            and all(kw.get(p, ("",))[0] != "not" for p in range(i - 3, i))  # "do not have"
        ):
            near = _column_after(columns, i + 1)
            _consume(columns, near, consumed)
            found.append(_compare(near, "==", t, None, date_cols, year_cols))
            t.used = True
        elif period and timely and (before[0] == "during" or number is None or 1900 <= number):
            if before[0] not in ("during", "") and number is not None:
                continue  # a bare number after another word: top N, handled by the roles
            _consume(columns, near, consumed)
            found.append(_period(near, period, date_cols, year_cols))
            _use(tokens, i, period)
    months, read = _months(table, tokens, kw)
    found.extend(months)
    nothing, verbs = _nothing(columns, tokens, consumed, kw)
    found.extend(nothing)
    read += verbs
    remaining = [m for m in columns if m.start not in consumed]
    found.extend(_contains(remaining, tokens, kw))
    for pos, (feature, _) in kw.items():  # "above average": a comparison with no number
        if feature == "cmp" and tokens[pos].text not in ("over", "from") and pos + 1 < len(tokens):
            if kw.get(pos + 1, ("",))[0] in ("agg", "super", "mode"):
                raise UnsupportedError(
                    "Comparing with a computed value (like the average) needs two steps; "
                    "the offline planner compares with numbers only, e.g. “temp_max above 30”."
                )
    if any(f.op in ("!=", "not in") for f in found):  # "the other songs besides X": not X
        for t in tokens:
            t.used = t.used or (t.text in ("other", "others") and not t.quoted)
    return FoundFilters(tuple(found), frozenset(consumed), frozenset(read))


def _months(
    table: TableProfile, tokens: list[Token], kw: dict[int, tuple[str, str]]
) -> tuple[list[Filter], list[int]]:
    """'games played in october', 'released in march or april', 'in the month of may': months of
    the table's one date column, in any year. A month with a day ("october 10") is one day and
    stays unread; with a year it is a period (date_of). "In", "during" or "of" must lead to it,
    so "may" and "march" the verbs are not months. Also gives the positions of the "or" and
    "and" between months, which the filter reads."""
    picked: list[int] = []
    for i, t in enumerate(tokens):
        if t.used or t.quoted or t.text not in MONTHS or _day_beside(tokens, i):
            continue
        led = kw.get(i - 1, ("",))[0] == "during"
        listed = i >= 2 and tokens[i - 1].text in ("or", "and") and i - 2 in picked
        if led or listed:
            picked.append(i)
    if not picked:
        return [], []
    dated = [c for c in table.columns if c.kind == "date" or _dated_text(c)]
    if not dated:
        return [], []  # the month stays unread: the question is declined as not understood
    target = _only(dated, "date")
    for i in picked:
        tokens[i].used = True
        if (
            kw.get(i - 1, ("",))[0] == "during"
            and i >= 2
            and tokens[i - 2].text in ("month", "months")
        ):
            tokens[i - 2].used = True  # "in the month of october"
    months = tuple(dict.fromkeys(MONTHS[tokens[i].text] for i in picked))
    return [Filter(target, "months", months)], [i - 1 for i in picked[1:]]


def _day_beside(tokens: list[Token], i: int) -> bool:
    """'october 10', '10 october', 'september 8th': a day of the month, not the month."""
    near = [tokens[j].text for j in (i - 1, i + 1) if 0 <= j < len(tokens)]
    return any(DAY.fullmatch(w) for w in near)


def _dated_text(column: ColumnProfile) -> bool:
    """A text column of dates as people write them, named Date or Month."""
    return name_has(column, {"date", "month"}) and mostly_months(column)


def _nothing(
    columns: Sequence[ColumnMention],
    tokens: list[Token],
    consumed: set[int],
    kw: dict[int, tuple[str, str]],
) -> tuple[list[Filter], list[int]]:
    """'how many nations earned no bronze medals', 'which clubs have no nickname': "no" right
    before a column keeps the rows where it holds nothing (0 or blank for numbers, blank or
    a dash for text). A verb right before "no" ("did not win any gold medals": "win no gold
    medals") is the column's own and read with it; its position is given too."""
    found = []
    verbs = []
    for m in columns:
        before = tokens[m.start - 1] if m.start else None
        if before is None or before.used or before.quoted or before.text != "no":
            continue
        if m.start in consumed:
            continue
        before.used = True
        consumed.add(m.start)
        found.append(Filter(m.column, "none", None))
        if kw.get(m.start - 2, ("",))[0] in ("gain", "link"):
            verbs.append(m.start - 2)
    return found, verbs


def _clock_column(
    table: TableProfile, near: ColumnProfile | None, token: Token
) -> ColumnProfile | None:
    """The column a duration ("1:55") is compared with: the one named if it holds durations,
    else the table's one column of durations."""
    clocks = [c for c in table.columns if clockish(c)]
    if near is not None and clockish(near):
        return near
    if near is None and len(clocks) == 1:
        return clocks[0]
    names = " or ".join(c.name for c in clocks) or "none"
    raise UnsupportedError(
        f"{token.raw} is a duration; which column of durations should it be compared with "
        f"({names})? Name it before the number."
    )


def _unit_fits(tokens: list[Token], i: int, column: ColumnProfile | None) -> float:
    """ "Elevation (m) above 2500 meters": the unit said after the number is the column's, and
    read. A column written in another unit ("3200 feet" beside Elevation (m)) declines: its
    values are not in the question's units."""
    said = unit_after(tokens, i, read=True)
    if said is None or column is None or column.kind != "number":
        return 1
    unit, n = said
    units = column_units(column)
    if units and unit not in units:
        written = " or ".join(sorted(units))
        raise UnsupportedError(
            f"{column.name} is in {written}, but the question gives {unit}; "
            f"convert the number to {written} and ask again."
        )
    for t in tokens[i + 1 : i + 1 + n] if units else ():  # no unit written: not read
        t.used = True
    return SECONDS_IN[unit] if clockish(column) else 1  # durations are compared in seconds


def _use(tokens: list[Token], i: int, period: Period | None) -> None:
    for t in tokens[i : i + (period[2] if period else 1)]:
        t.used = True


def counted_amounts(tokens: Sequence[Token], columns: Sequence[ColumnMention]) -> frozenset[int]:
    """Positions of whole numbers said right before the name of a numeric column, with no
    column named just before them: "which rider had 2 points", "who played 3 games". Such a
    number is that column's value, not a cell of a text column that holds "2" (a rank)."""
    return frozenset(
        i
        for i, t in enumerate(tokens)
        if not t.used
        and (n := number_of(t)) is not None
        and n.is_integer()
        and any(m.start == i + 1 and m.column.kind == "number" for m in columns)
        and not any(m.end == i for m in columns)  # "game 3 points": game 3
    )


def _column_before(
    columns: Sequence[ColumnMention], pos: int, tokens: list[Token]
) -> ColumnProfile | None:
    """The column named just before a number: up to three words between ("population of at
    least"), or more when each is a word the question already explained ("population counts of
    at least 10,000")."""
    near = [
        m
        for m in columns
        if m.end <= pos + 1
        and (pos + 1 - m.end <= 3 or all(t.used for t in tokens[m.end : pos + 1]))
    ]
    return near[-1].column if near else None


def _column_after(columns: Sequence[ColumnMention], pos: int) -> ColumnProfile | None:
    """A numeric column named just after a number: "more than 30 points", "at least 10 title
    defenses" (up to two words between: "5,000 total points")."""
    after = [m for m in columns if 0 <= m.start - pos <= 2 and m.column.kind == "number"]
    return after[0].column if after else None


def _consume(
    columns: Sequence[ColumnMention], column: ColumnProfile | None, consumed: set[int]
) -> None:
    for m in columns:
        if column is not None and m.column.name == column.name:
            consumed.add(m.start)


def _outside(column: ColumnProfile | None, number: float | None) -> bool:
    if column is None or number is None or not isinstance(column.max, int | float):
        return False
    return not (column.min <= number <= column.max)


def _is_year(column: ColumnProfile) -> bool:
    return column.kind == "number" and column.name.lower() == "year"


def _compare(
    col: ColumnProfile | None,
    op: str,
    token: Token,
    period: Period | None,
    date_cols: list[ColumnProfile],
    year_cols: list[ColumnProfile],
) -> Filter:
    number = number_of(token)
    if col is None and period is None and number is not None:
        raise UnsupportedError(f"Which column should be compared with {token.raw}? Name it first.")
    if col is None or col.kind == "date" or (period and _is_year(col)):
        if period is None:
            raise UnsupportedError(
                f"Which column should be compared with {token.raw}? Name it before the number."
            )
        target = col or _only(date_cols or year_cols, "date")
        first, after, _ = period
        if target.kind == "date":
            bound = after if op in (">", "<=") else first
            return Filter(target, {"<=": "<", ">": ">="}.get(op, op), bound)
        year = first.year if op in (">=", "<", "==") else after.year - 1
        return Filter(target, op, year)
    if col.kind != "number" or number is None:
        raise UnsupportedError(f"{col.name} cannot be compared with {token.raw}.")
    return Filter(col, op, int(number) if number.is_integer() else number)


def _between(
    table: TableProfile, tokens: list[Token], i: int, j: int, col: ColumnProfile | None
) -> Filter:
    date_cols = [c for c in table.columns if c.kind == "date" or _is_year(c)]
    p1, p2 = date_of(tokens, i), date_of(tokens, j)
    n1, n2 = number_of(tokens[i]), number_of(tokens[j])
    if col is not None and col.kind == "number" and n1 is not None and n2 is not None:
        found = Filter(col, "between", (n1, n2))
    elif p1 and p2 and (date_cols or col is not None):
        target = col or _only(date_cols, "date")
        if target.kind == "date":
            found = Filter(target, "dates", (p1[0], p2[1]))
        else:
            found = Filter(target, "between", (p1[0].year, p2[1].year - 1))
        _use(tokens, j, p2)
    else:
        raise UnsupportedError("Name the column to compare, e.g. “quantity between 10 and 20”.")
    _use(tokens, i, p1)
    tokens[j].used = True
    return found


def _period(
    col: ColumnProfile | None,
    period: Period,
    date_cols: list[ColumnProfile],
    year_cols: list[ColumnProfile],
) -> Filter:
    first, after, _ = period
    if col is not None and col.kind == "number":
        return Filter(col, "==", first.year)
    target = col if col is not None and col.kind == "date" else None
    target = target or (_only(date_cols, "date") if date_cols else _only(year_cols, "year"))
    if target.kind == "number":
        return Filter(target, "==", first.year)
    return Filter(target, "dates", (first, after))


def _only(columns: list[ColumnProfile], what: str) -> ColumnProfile:
    if len(columns) == 1:
        return columns[0]
    names = " or ".join(c.name for c in columns)
    raise UnsupportedError(f"Which {what} column do you mean: {names}? Name it in the question.")


def _contains(
    columns: Sequence[ColumnMention], tokens: list[Token], kw: dict[int, tuple[str, str]]
) -> list[Filter]:
    found = []
    for pos, (feature, _) in kw.items():
        if feature != "contains":
            continue
        nxt = pos + 1
        while nxt < len(tokens) and tokens[nxt].used and tokens[nxt].text in ("the", "word"):
            nxt += 1
        if nxt >= len(tokens) or (tokens[nxt].used and not tokens[nxt].quoted):
            raise UnsupportedError("Contains what? Put the text in quotes, e.g. contains 'land'.")
        text_cols = [m for m in columns if m.column.kind == "text" and m.end <= pos]
        if not text_cols:
            raise UnsupportedError("Name the text column to search, e.g. country contains 'land'.")
        tokens[nxt].used = True
        pattern = tokens[nxt].text if tokens[nxt].quoted else tokens[nxt].raw
        found.append(Filter(text_cols[-1].column, "contains", pattern))
        # the column stays a mention: "countries containing 'land'" lists those countries
    return found
