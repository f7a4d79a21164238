"""Reading rules (issue 13): what some words mean next to columns and values, applied to the
keywords after the question's columns, values and keywords are found (query.read_question).

- 'how many gold', 'the number of goals': the counting words ask for the amount a numeric column
  holds (`amounts`), and a plural noun after it is its unit (`units`);
- 'after Lyon', 'above Oak Street': a comparison word before a cell value names the
  neighbouring row (`neighbours`); one before neither a number nor a date is left unread
  (`loose_comparisons`), and the plan declines;
- a counting word that is also part of a column's name is ambiguous (`stat_or_column`);
- 'who …' names the rows by the column with a different value in every row (`who_column`);
- 'how many medals' in a table of Gold, Silver, Bronze and Total, 'how many fans' beside an
  Attendance column: a noun the cells count names that column (`counted_nouns`).
"""

from __future__ import annotations

import re
from typing import Final

from engine.errors import UnsupportedError
from engine.planner.dates_said import date_of, number_of
from engine.planner.durations import clockish
from engine.planner.matching import (
    ColumnMention,
    Token,
    ValueMention,
    name_has,
    name_words,
    singular,
    winner_column,
)
from engine.planner.vocabulary import (
    ATTEND_VERBS,
    ATTENDANCE_WORDS,
    CAPACITY_WORDS,
    COUNTED_IN_CELLS,
    DEMONYMS,
    HOLD_VERBS,
    ID_WORDS,
    LIVE_VERBS,
    NATION_NOUNS,
    NATION_WORDS,
    NEIGHBOUR_WORDS,
    PEOPLE_NOUNS,
    POPULATION_WORDS,
    QUANTITY_NOUNS,
    RANK_WORDS,
    STOPWORDS,
    TALLY_NOUNS,
    WIN_VERBS,
)
from engine.types import ColumnProfile, TableProfile

WHO: Final = re.compile(r"\s*(?:who|whom|whose)\b", re.IGNORECASE)
LOOSE_OK: Final = frozenset({"from", "over"})  # "players from Brazil", "over the season"


def amounts(
    keywords: list[tuple[int, str, str]], mentions: list[ColumnMention], tokens: list[Token]
) -> list[tuple[int, str, str]]:
    """'how many gold', 'the number of goals', 'how many total medals': before a numeric column
    the count words ask for the amount the column holds, not for a count of rows (issue 13).
    They become the `amount` keyword. Years and ids are counted ("how many years")."""
    starts = {m.start: (m.column, m.table) for m in mentions}
    at = {pos: feature for pos, feature, _ in keywords}
    out = []
    for pos, feature, value in keywords:
        if feature == "count" and not value and _a_columns_count(pos, mentions, tokens):
            feature = "amount"
        if feature == "count" and value == "many":
            nxt = pos + 1
            while (
                at.get(nxt) == "agg" or tokens[nxt : nxt + 1] and tokens[nxt].text in ("all", "the")
            ):
                nxt += 1  # "how many total medals", "the number of all goals"
            column, table = starts.get(nxt, (None, None))
            if (
                column
                and column.kind == "number"
                and not names_or_orders(column)
                and not _numbered_rows(column, table, tokens[nxt])
            ):
                feature = "amount"
        out.append((pos, feature, value))
    return out


def _a_columns_count(pos: int, mentions: list[ColumnMention], tokens: list[Token]) -> bool:
    """ "the gold medal count of Brazil", "population counts of at least 10,000": "count" right
    after a numeric column that holds amounts is that amount, not a count of rows. A word the
    column already read may stand between ("medal")."""
    start = pos - 1 if tokens[pos].text == "of" and pos else pos
    if tokens[start].text not in ("count", "counts"):
        return False
    ends = {m.end: m.column for m in mentions}
    column = ends.get(start)
    if column is None and start and tokens[start - 1].used:
        column = ends.get(start - 1)
    return column is not None and column.kind == "number" and not names_or_orders(column)


def time_nouns(
    tokens: list[Token], mentions: list[ColumnMention], table: TableProfile
) -> list[ColumnMention]:
    """ "which had the fastest time" beside a column Notes of "1:25:23" cells: with no column
    named for time, "time" is the table's one column of durations."""
    if any(name_has(c, {"time"}) for c in table.columns):
        return []
    clocks = [c for c in table.columns if clockish(c)]
    if len(clocks) != 1 or clocks[0].name in {m.column.name for m in mentions}:
        return []  # "the total time" beside a column Total of durations: named already
    taken = {p for m in mentions for p in range(m.start, m.end)}
    found = []
    for i, t in enumerate(tokens):
        if t.text in ("time", "times") and not (t.used or t.quoted) and i not in taken:
            t.used = True
            found.append(ColumnMention(clocks[0], table, i, i + 1, 1.0))
    return found


def ranked_durations(
    keywords: list[tuple[int, str, str]], mentions: list[ColumnMention], tokens: list[Token]
) -> list[tuple[int, str, str]]:
    """Beside a column of durations the best time is the lowest: "best", "fastest" and
    "quickest" rank up from the smallest, "worst" and "slowest" down from the largest. Without
    one, "fastest" stays unread (a speed's fastest is its highest)."""
    if not any(clockish(m.column) for m in mentions):
        return keywords
    out = []
    for pos, feature, value in keywords:
        if feature == "super" and tokens[pos].text in ("best", "worst"):
            value = "asc" if tokens[pos].text == "best" else "desc"
        out.append((pos, feature, value))
    for i, t in enumerate(tokens):
        if t.text in ("fastest", "quickest", "slowest") and _free_word(t):
            t.used = True
            out.append((i, "super", "desc" if t.text == "slowest" else "asc"))
    return sorted(out)


def counted_nouns(
    tokens: list[Token], mentions: list[ColumnMention], table: TableProfile
) -> list[ColumnMention]:
    """A noun that names what a column counts, said instead of the column's name:
    - 'how many medals did Senegal win', 'the nation with the most medals' in a table of Gold,
      Silver, Bronze and Total: a thing won or scored (TALLY_NOUNS) is the Total column, when
      the table has one numeric column called Total and two or more other amounts no larger;
    - 'how many people attended', 'games with at least 5,000 fans': people (PEOPLE_NOUNS) are
      the one numeric column of attendance, crowd or spectators; 'attended' then says nothing
      more.

    Right after a numeric column's name such a noun is that column's unit ('more than 2 gold
    medals'), and beside its column already named it is read as the column's ('the most medals
    in total', 'people in attendance'): read, but no second mention."""
    numeric_ends = {m.end for m in mentions if m.column.kind == "number"}
    named = {m.column.name for m in mentions}
    attendance = _only_column(table, ATTENDANCE_WORDS)
    verbs = ATTEND_VERBS
    said = {t.text for t in tokens if _free_word(t)}
    if attendance is None and said & HOLD_VERBS:
        attendance, verbs = _only_column(table, CAPACITY_WORDS), HOLD_VERBS
    elif attendance is None:
        attendance, verbs = _only_column(table, POPULATION_WORDS), LIVE_VERBS
    targets = [(TALLY_NOUNS, _total_column(table))]
    if attendance is not None:  # without one, people are not read as any column's unit
        targets.append((PEOPLE_NOUNS, attendance))
    found = []
    people = False  # a noun for people was read as `attendance`
    for nouns, column in targets:
        for i, t in enumerate(tokens):
            if not _free_word(t) or singular(t.text) not in nouns:
                continue
            people = people or nouns is PEOPLE_NOUNS
            if i in numeric_ends or (column is not None and column.name in named):
                t.used = True
            elif column is not None:
                t.used = True
                found.append(ColumnMention(column, table, i, i + 1, 1.0))
                named.add(column.name)
    # "attended" is read beside an attendance column; "seats" or "live" only with the people
    # they say something about ("the largest number of seats" is a noun, not a verb)
    if attendance is not None and (people or verbs is ATTEND_VERBS):
        for t in tokens:
            if _free_word(t) and t.text in verbs:
                t.used = True
    return found


def _only_column(table: TableProfile, words: frozenset[str]) -> ColumnProfile | None:
    """The one numeric column whose name has one of `words` (none, or several: None)."""
    found = [c for c in table.columns if c.kind == "number" and name_has(c, words)]
    return found[0] if len(found) == 1 else None


def _total_column(table: TableProfile) -> ColumnProfile | None:
    totals = [c for c in table.columns if c.kind == "number" and name_words(c.name) == ("total",)]
    if len(totals) != 1 or not isinstance(totals[0].max, int | float):
        return None
    parts = [
        c
        for c in table.columns
        if c.kind == "number" and c is not totals[0] and not names_or_orders(c)
    ]
    fits = [  # a column of numbers written as text ("-" for none) has no numeric max to check
        c
        for c in parts
        if isinstance(c.max, str) or (isinstance(c.max, int | float) and c.max <= totals[0].max)
    ]
    return totals[0] if len(parts) >= 2 and len(fits) == len(parts) else None


def units(
    keywords: list[tuple[int, str, str]], mentions: list[ColumnMention], tokens: list[Token]
) -> None:
    """'how many silver medals', 'the number of home runs': a plural noun right after the
    amount's column is its unit, explained by it."""
    amounts = {pos for pos, feature, _ in keywords if feature == "amount"}
    for m in mentions:
        if not any(0 < m.start - pos <= 2 for pos in amounts) or m.end >= len(tokens):
            continue
        t = tokens[m.end]
        if not t.used and not t.quoted and t.text.isalpha() and singular(t.text) != t.text:
            t.used = True


def names_or_orders(column: ColumnProfile) -> bool:
    """A numeric column that names or orders things rather than holding amounts: a year, an
    id, a rank ("how many positions": adding positions up means nothing). Told by its name,
    or by its values: years (1000-2100), or the numbers 1, 2, 3 … one per row."""
    words = [singular(w) for w in name_words(column.name)]
    if words and (words[-1] in ID_WORDS | {"year"} or set(words) & RANK_WORDS):
        return True
    low, high = column.min, column.max
    if not isinstance(low, int | float) or not isinstance(high, int | float):
        return False
    once = bool(column.top_values) and column.top_values[0][1] == 1  # no value repeats
    ordinal = low == 1 and high == column.distinct_count >= 3 and once
    return holds_years(column) or ordinal


def holds_years(column: ColumnProfile) -> bool:
    """Every value is a whole number between 1000 and 2100: years."""
    low, high = column.min, column.max
    if not isinstance(low, int | float) or not isinstance(high, int | float):
        return False
    return float(low).is_integer() and float(high).is_integer() and 1000 <= low <= high <= 2100


def _numbered_rows(column: ColumnProfile, table: TableProfile, said: Token) -> bool:
    """'how many games' beside a column Game holding 1 … 16: the column numbers the rows (its
    name is singular, the question's word plural), so the rows are counted. A column named in
    the plural ("Goals") holds amounts, whatever its values."""
    name = name_words(column.name)
    plural_said = singular(said.text) != said.text
    return (
        bool(name)
        and singular(name[-1]) == name[-1]
        and plural_said
        and numbers_rows(column, table.rows)
    )


def numbers_rows(column: ColumnProfile, rows: int) -> bool:
    """Whole numbers from 0 or 1 up, each once, with no gap: a position, not an amount ("how
    many games" beside a column Game of 1 … 16 counts the rows)."""
    present = rows - column.null_count
    try:
        low, high = float(column.min), float(column.max)
    except (TypeError, ValueError):
        return False
    return (
        present > 2
        and column.distinct_count == present
        and low in (0.0, 1.0)
        and high.is_integer()
        and high - low + 1 == present
    )


def neighbours(
    keywords: list[tuple[int, str, str]], tokens: list[Token], values: list[ValueMention]
) -> list[tuple[int, str, str]]:
    """'after Lyon', 'above Oak Street': a comparison word before a cell value (not a number
    or a date) names the neighbouring row, the `position` keyword (intents/positions.py)."""
    starts = {v.start for v in values}
    out = []
    for pos, feature, value in keywords:
        word = tokens[pos].text
        nxt = pos + 1
        while nxt < len(tokens) and tokens[nxt].text == "the" and nxt not in starts:
            nxt += 1  # "after the Hague Club": the value may start with "the" or after it
        if feature in ("cmp", "tcmp") and word in NEIGHBOUR_WORDS and nxt in starts:
            feature, value = "position", NEIGHBOUR_WORDS[word]
        out.append((pos, feature, value))
    return out


_WITH_A: Final = frozenset({"with", "a", "an", "the", "of"})  # "finished with a time of"


def linked_amounts(
    keywords: list[tuple[int, str, str]], tokens: list[Token], counted: frozenset[int] = frozenset()
) -> list[tuple[int, str, str]]:
    """'how many nations won more than 2 gold medals', 'which rider earned only 2 points': a verb
    right before a comparison with a number (or "only" and one, or a number of a column it
    names: `counted`, "who scored 16 points") only links the rows to the amount; the comparison
    reads it, so the verb is no keyword of its own (it would select rows elsewhere: "how many
    drivers won")."""
    at = {pos: feature for pos, feature, _ in keywords}

    def _of(p: int) -> bool:  # "a time of at least": "of" is no keyword of its own here
        return at[p] == "during" and tokens[p].text == "of"

    out = []
    for pos, feature, value in keywords:
        if feature == "link" and pos + 1 in counted:  # "who scored 16 points": Points == 16
            continue
        if feature in ("gain", "link") and value != "only":  # "only" says one row (values.py)
            end = next((p for p in range(pos + 1, pos + 7) if p in at and not _of(p)), None)
            between = tokens[pos + 1 : end] if end is not None else []
            nxt = end + 1 if end is not None else len(tokens)
            if (
                end is not None
                and (at[end] == "cmp" or tokens[end].text == "only")  # "earned only 2 points"
                and all(t.used or t.text in _WITH_A for t in between)
                and nxt < len(tokens)
                and number_of(tokens[nxt]) is not None
            ):
                continue
        out.append((pos, feature, value))
    return out


def won_by(
    keywords: list[tuple[int, str, str]], tokens: list[Token], values: list[ValueMention]
) -> tuple[list[tuple[int, str, str]], bool]:
    """'how many races did X win', 'won by X': with X a value of the column of winners, the
    verb says what that column already holds, so it is no keyword (it selects no rows of
    its own); True when it was read so. Beside any other value it stays `gain`: X may have
    lost that final."""
    if not any(winner_column(v.column) for v in values):
        return keywords, False
    kept = [k for k in keywords if not (k[1] == "gain" and tokens[k[0]].text in WIN_VERBS)]
    return kept, len(kept) < len(keywords)


def loose_comparisons(
    keywords: list[tuple[int, str, str]], tokens: list[Token], values: list[ValueMention]
) -> tuple[str, ...]:
    """Comparison words that no number or date follows: "players under coach X", "the year
    after the war". No intent reads them, so a plan would leave them out (issue 13). So is
    one before a number that starts a cell value ("more than 3 acts" beside cells "3 acts"):
    the value is a text to equal, not an amount to compare."""
    starts = {v.start for v in values}
    found = []
    for pos, feature, _ in keywords:
        if feature not in ("cmp", "tcmp") or tokens[pos].text in LOOSE_OK:
            continue
        nxt = pos + 1
        if nxt in starts:
            found.append(tokens[pos].raw)
            continue
        if nxt < len(tokens) and (number_of(tokens[nxt]) is not None or date_of(tokens, nxt)):
            continue
        found.append(tokens[pos].raw)
    return tuple(found)


def stat_or_column(
    keywords: list[tuple[int, str, str]], tokens: list[Token], table: TableProfile
) -> None:
    """A counting word or a verb that is also part of a column's name ("frequency" beside a
    column "Frequency (Hz)", "released" beside "Copies released") could be either: the
    planner declines rather than pick one. (Statistic words like "max" beside temp_max keep
    their meaning.)"""
    for pos, feature, _ in keywords:
        word = singular(tokens[pos].text)
        if feature not in ("count", "link", "gain") or word in STOPWORDS or word == "many":
            continue  # the last word of "number of", "how many": not a statistic word
        named = [c.name for c in table.columns if word in {singular(w) for w in name_words(c.name)}]
        if named:
            raise UnsupportedError(
                f"“{tokens[pos].raw}” could be a word of the question or the column {named[0]}. "
                "Ask again with the column's full name, or without the word."
            )


def label_noun(tokens: list[Token], keywords: list[tuple[int, str, str]]) -> str | None:
    """'which country won the most golds' in a table whose rows are nations: an unknown noun
    right after a leading which/what names the rows, as "who" does; it is marked used and
    returned, singular (None when there is none). A plural asks for a list ("which countries
    won at least 6 bronze medals"), so beside a superlative it is no label noun."""
    if len(tokens) < 2 or (0, "which", "") not in keywords:
        return None
    t = tokens[1]
    word = singular(t.text)  # "which countries won at least 6 bronze medals": their names
    if not _free_word(t) or (word != t.text and any(f == "super" for _, f, _ in keywords)):
        return None  # "which olympics had the most …": a name plural in form, one row
    if word in COUNTED_IN_CELLS | QUANTITY_NOUNS | RANK_WORDS | DEMONYMS:
        return None
    t.used = True
    return word


def _free_word(t: Token) -> bool:
    """A word of the question nothing has read yet, and not a stop word or a number."""
    return not (t.used or t.quoted or not t.text.isalpha() or t.text in STOPWORDS)


def who_column(table: TableProfile, noun: str | None = None) -> ColumnProfile | None:
    """For a "who" (or "which athlete") question, the column that names the rows: the table's
    first text column with a different value in every row (a name, a team, a nation). None
    when no column qualifies. "Which country" asks for the one column of nations
    (Nationality, NOC) when the rows are people: never their names (None when several)."""
    if noun in NATION_NOUNS:
        nations = [c for c in table.columns if c.kind == "text" and name_has(c, NATION_WORDS)]
        if nations:
            return nations[0] if len(nations) == 1 else None
    blank = len(table.summary_rows)  # a totals row may leave the label column empty
    for c in table.columns:
        if (
            c.kind == "text"
            and c.null_count <= blank
            and c.distinct_count == table.rows - c.null_count
        ):
            return c
    return None


def row_nouns(
    tokens: list[Token], keywords: list[tuple[int, str, str]]
) -> list[tuple[int, str, str]]:
    """'how many divisions had a population of at least 15,000': an unknown plural noun right
    after the counting words names the table's rows, unless cells count it ("how many goals":
    COUNTED_IN_CELLS). It is the `row` keyword with the value `noun`; RowCount reads it only
    with a comparison to a number (a named value or no condition at all leaves what the noun
    covers open: "how many events were there" in a table with a cancelled year)."""
    counting = {pos for pos, feature, value in keywords if feature == "count" and value == "many"}
    found = []
    for pos in sorted(counting):
        if pos + 1 >= len(tokens):
            continue
        t = tokens[pos + 1]
        word = t.text
        if not _free_word(t):
            continue
        if singular(word) == word or singular(word) in COUNTED_IN_CELLS:
            continue
        t.used = True
        found.append((pos + 1, "row", "noun"))
    return found
