"""A count of 0 that only a mistyped filter explains (issue 13).

Measured on 100 wtq-train questions (seed 2026, auto with the local model): 9 of the 44 wrong
answers were a 0, most from code comparing a column with a value no cell of it holds as written
('Palau Track and Field Stadium' in Opponents, where it is a Venue; 'Retired Adams gain' where
the cell breaks the line). The value index
(engine/value_index.py) knows every text cell of a report-sized table, so such a literal is told
apart from a real zero: no cell equals it, while cells hold it in another case or spelling, among
other words, or in another column. Replayed on that run's records, this names the cells for 4 of
the 9 (and 6 of the naive prompt's 16 zeros); no right answer was a 0. The loop then sends the
zero back once with these cells, as it does for an empty result.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal
from typing import Final

from engine.answer.emptiness import string_literals
from engine.answer.expectations import one_value
from engine.figures import compared_numbers, compared_values, method_calls, stripped_columns
from engine.types import Answer, ColumnProfile, TableProfile
from engine.value_index import IndexedValue, ValueIndex, listed_items, value_words

SHOWN: Final = 5
MIN_CHARS: Final = 3  # "y" in a date format, "a" in a join string: not a filter value


def number_value(answer: Answer | None) -> int | float | None:
    """A number answer's value, also as the one cell of a SQL result; None for any other."""
    if answer is None or answer.kind not in ("value", "table"):
        return None
    value = one_value(answer)
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def is_zero(answer: Answer | None) -> bool:
    """A number answer equal to 0 (a count or a total that found nothing)."""
    return number_value(answer) == 0


def unmatched_values(
    code: str, values: Mapping[str, ValueIndex], names: Collection[str]
) -> list[str]:
    """Where `code` compares a column with a text value no cell of that column holds as written
    (`df['Opponent'] == 'Palau'`, `.isin([...])`), while cells hold it written otherwise or in
    another column: where and how, in words. A literal compared with no known column counts
    when no cell anywhere holds it as written but some hold it otherwise."""
    notes: list[str] = []
    columns = {v.column for index in values.values() for vs in index.values.values() for v in vs}
    paired = [(c, v) for c, values in compared_values(code) for v in values]
    stripped = stripped_columns(code)
    seen: set[str] = set()
    for column, literal in paired:
        seen.add(literal)
        if column not in columns:
            continue
        found = _holders(literal, values) or _places(literal, column, values)
        if any(
            v.column == column and _as_written(v.value, literal, column in stripped) for v in found
        ):
            continue
        if found:
            notes.append(_note(f"no {column} cell is exactly {literal!r}", found))
    for literal in sorted(string_literals(code) - set(names) - seen - _searched(code)):
        found = _holders(literal, values)
        if found and not any(v.value == literal for v in found):
            notes.append(_note(f"no cell is exactly {literal!r}", found))
    return notes


def unheld_numbers(code: str, profiles: Sequence[TableProfile]) -> list[str]:
    """Where `code` compares a column with a number no cell of it holds, in words: a number
    outside the column's range, or not among its values when the profile knows them all, or
    any number beside a text column in pandas (text never equals a number there; SQL casts it).
    wtq-train seed 2032 nt-13275 counted `df['Grid'] == 0` for "riders who did not qualify":
    Grid runs from 1 to 22 and is empty for them; nt-10163 compared "T4" cells with 4."""
    columns: dict[str, list[ColumnProfile]] = {}
    for column in (c for p in profiles for c in p.columns):
        columns.setdefault(column.name, []).append(column)
    notes = []
    for name, number, in_sql in dict.fromkeys(compared_numbers(code)):
        held = [_unheld_number(c, number, in_sql) for c in columns.get(name, [])]
        if held and all(held):
            notes.append(f"no {name} cell is {number:g} ({held[0]})")
    return notes


def _unheld_number(column: ColumnProfile, number: float, in_sql: bool) -> str | None:
    """What `column` holds instead of `number` (None when it may hold it, or is not known)."""
    cells = (
        "1 of its cells is" if column.null_count == 1 else f"{column.null_count} of its cells are"
    )
    empty = f"; {cells} empty" if column.null_count else ""
    if column.kind == "text" and not in_sql and column.texts:
        shown = ", ".join(repr(t) for t in list(dict.fromkeys(column.texts))[:SHOWN])
        return f"it holds text, such as {shown}, and text never equals a number{empty}"
    if column.kind != "number" or column.min is None or column.max is None:
        return None
    low, high = float(column.min), float(column.max)
    seen = {float(v) for v in column.seen if isinstance(v, int | float | Decimal)}
    complete = not column.distinct_approximate and column.distinct_count <= len(seen)
    if low <= number <= high and not (complete and number not in seen):
        return None
    return f"its numbers run from {low:g} to {high:g}{empty}"


def missed_rows(code: str, values: Mapping[str, ValueIndex]) -> list[str]:
    """Where `code` counts rows equal to a value some cells of that column hold as written,
    while others hold it in another case or among other words ('Dallas Cowboys' beside 'at
    Dallas Cowboys', 'Middle Blocker' beside 'Middle blocker'): those rows are left out."""
    return [
        _note(f"{column} == {literal!r} leaves out rows where", others, "")
        for column, literal, others in _left_out(code, values, same_words=False)
    ]


def rewritten_rows(code: str, values: Mapping[str, ValueIndex]) -> list[str]:
    """Where `code` counts rows equal to a value while other cells of that column hold the
    same words written otherwise ('Middle Blocker' beside 'Middle blocker'): one value, written
    two ways, so the count is short whatever was meant (wtq-train nt-8659 counted 1 of 3 middle
    blockers, and the repair, offered to keep the exact value, kept it)."""
    return [
        _note(f"{column} == {literal!r} leaves out rows where", others, "")
        for column, literal, others in _left_out(code, values, same_words=True)
    ]


def listed_rows(code: str, values: Mapping[str, ValueIndex]) -> list[str]:
    """Where `code` keeps rows equal to a value that other cells of that column list among
    others ('PS1' beside 'AMI, DOS, MAC, PS1'): those rows are left out whatever the answer
    (wtq-train nt-11954 took the first year of `Platform == 'PS1'`, 2000, where 1992's row
    lists it; 69 of wtq-train's 1,174 tables have such a column). A cell lists values when
    another of its items is a value of the column too, alone or listed: 'Institute of
    Governance and Social Research, Nigeria' is one name (nt-1343). Counts have
    `missed_rows`."""
    notes = []
    for column, literal in dict.fromkeys((c, v) for c, vs in compared_values(code) for v in vs):
        words = value_words(literal)
        cells = {
            v: others
            for v in _holders(literal, values)
            if v.column == column
            and words in (items := [value_words(i) for i in listed_items(v.value)])
            and (others := {i for i in items if i and i != words})
        }
        listed = list(cells.values())
        listing = sorted(  # one message whatever the rows' order
            (
                v
                for v, others in cells.items()
                if any(_alone(item, column, values) for item in others)
                or any(others & o for o in listed if o is not others)
            ),
            key=lambda v: v.value,
        )
        if listing:
            notes.append(_note(f"{column} == {literal!r} leaves out rows where", listing, ""))
    return notes


def _alone(words: tuple[str, ...], column: str, values: Mapping[str, ValueIndex]) -> bool:
    """Whether a cell of `column` holds `words` alone."""
    return any(v.column == column for index in values.values() for v in index.find(words))


def _left_out(
    code: str, values: Mapping[str, ValueIndex], *, same_words: bool
) -> list[tuple[str, str, list[IndexedValue]]]:
    """(column, value, other cells of that column holding it) for each value the code
    compares a column with that some cell holds as written and others otherwise (only in
    another case, accents or punctuation, with `same_words`)."""
    found_out = []
    stripped = stripped_columns(code)
    for column, literal in dict.fromkeys((c, v) for c, vs in compared_values(code) for v in vs):
        words = value_words(literal)
        found = [v for v in _holders(literal, values) if v.column == column]
        others = [
            v
            for v in found
            if not _as_written(v.value, literal, column in stripped)
            and (not same_words or value_words(v.value) == words)
        ]
        if others and len(others) < len(found):  # the value as written is there, and otherwise
            found_out.append((column, literal, others))
    return found_out


def _as_written(cell: str, literal: str, stripped: bool) -> bool:
    """Whether the code's comparison matches `cell`: as written, or once stripped."""
    return cell == literal or (stripped and cell.strip() == literal)


def _holders(literal: str, values: Mapping[str, ValueIndex]) -> list[IndexedValue]:
    """The cells that hold `literal`'s words, alone (any case or accents) or among others."""
    words = value_words(literal)
    if not words or len("".join(words)) < MIN_CHARS:
        return []
    return [v for index in values.values() for v in index.find(words) + index.inside(words)]


def _places(literal: str, column: str, values: Mapping[str, ValueIndex]) -> list[IndexedValue]:
    """The cells of `column` that write the place `literal` names as a rank ("1" as '1st',
    '1st (q)'), when no cell of it is the number itself: `Position == '1'` over a column of
    places finds nothing (wtq-train nt-4891, nt-3663, nt-12400, nt-11578 and nt-784, all
    wrong or declined; 96 of its 1,174 tables have a column of places)."""
    if not literal.strip().isdigit():
        return []
    number = int(literal)
    if _alone((str(number),), column, values):
        return []
    place = f"{number}{ordinal_suffix(number)}"
    return [v for v in _holders(place, values) if v.column == column]


def ordinal_suffix(number: int) -> str:
    """'st', 'nd', 'rd' or 'th': 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 102nd."""
    if number % 100 in (11, 12, 13):
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")


def _note(head: str, found: list[IndexedValue], link: str = ", but") -> str:
    by_column: dict[str, list[str]] = {}
    for v in found:
        by_column.setdefault(v.column, []).append(v.value)
    parts = []
    for column, cells in by_column.items():
        unique = list(dict.fromkeys(cells))
        shown = ", ".join(repr(c) for c in unique[:SHOWN])
        more = f" and {len(unique) - SHOWN} more" if len(unique) > SHOWN else ""
        parts.append(f"{column} holds {shown}{more}")
    return f"{head}{link} {'; '.join(parts)}"


def _searched(code: str) -> set[str]:
    """Literals the code searches for inside cells (`.str.contains('Guam')`): held as written
    when some cell holds them among other words."""
    return {
        text
        for call in method_calls(code, _SEARCHES)
        for text in (_text(a) for a in call.args)
        if text is not None
    }


_SEARCHES: Final = frozenset({"contains", "startswith", "endswith", "match", "find", "count"})


def _text(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and 0 < len(node.value) <= 80:
        return node.value
    return None


def listed_note(notes: list[str]) -> str:
    """The message for a result that `listed_rows` doubts."""
    return (
        "The result may leave out rows whose cell lists that value among others: "
        + "; ".join(notes)
        + ". Match the value as one of the listed items too (for example "
        "df[column].str.split(r',\\s*').apply(lambda items: value in items)); if only the "
        "rows that hold the value alone are meant, give the same code again."
    )


def missed_note(notes: list[str]) -> str:
    """The message for a count that `missed_rows` doubts."""
    return (
        "The count may leave out rows that name the same value otherwise: "
        + "; ".join(notes)
        + ". If only the exact value is meant, give the same code again; otherwise match "
        "those cells too."
    )


def rewritten_note(notes: list[str], *, fix: bool = True) -> str:
    """The message for a count that `rewritten_rows` finds short: for the repair, match those
    cells too (no way out: the count is short whatever was meant); for you, why it is withheld."""
    said = "The count leaves out rows that hold the same value written otherwise: " + "; ".join(
        notes
    )
    if not fix:
        return f"{said}. So it is not given as the answer. Edit the code below, or rephrase."
    return (
        f"{said}. Those cells are the same value: match them too (compare without case, e.g. "
        "df[column].str.casefold() == value.casefold())."
    )


def zero_note(notes: list[str]) -> str:
    """The message for a zero that `unmatched_values` explains."""
    return (
        "The result is 0, and the code compares values that no cell holds as written: "
        + "; ".join(notes)
        + "."
    )
