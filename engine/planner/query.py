"""A question read into parts: columns and their roles, filters, keywords, numbers (issue 5).

`read_question` explains every word of the question or declines: columns, category values,
numbers, dates and the vocabulary. What the words ask for is decided later by the intents.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from engine.errors import UnsupportedError
from engine.planner.dates_said import number_of
from engine.planner.demonyms import demonyms_said
from engine.planner.filters import Filter, counted_amounts, filters_from_question
from engine.planner.matching import (
    ColumnMention,
    Token,
    ValueMention,
    apply_synonyms,
    find_columns_exact,
    find_columns_loose,
    find_values,
    name_has,
    name_words,
    singular,
    tokenize,
    year_named,
)
from engine.planner.measure_units import dollars_said, unit_mentions
from engine.planner.outcomes import outcome_filters
from engine.planner.readings import (
    WHO,
    amounts,
    counted_nouns,
    label_noun,
    linked_amounts,
    loose_comparisons,
    neighbours,
    ranked_durations,
    row_nouns,
    stat_or_column,
    time_nouns,
    units,
    who_column,
    won_by,
)
from engine.planner.refusals import refusal
from engine.planner.text_numbers import read_as_numbers
from engine.planner.vocabulary import (
    AMOUNT_NOUNS,
    ATTEND_VERBS,
    ATTENDANCE_WORDS,
    DEICTIC,
    DURATION_WORDS,
    FILLERS,
    GAME_NOUNS,
    KEYWORDS,
    MAX_PHRASE,
    OPPONENT_WORDS,
    RESULT_WORDS,
    STOPWORDS,
    WHO_NOUNS,
    WHOLE_NOUNS,
    WIN_VERBS,
)
from engine.planner.works import titles_named
from engine.types import ColumnProfile, TableProfile
from engine.value_index import ValueIndex

FUZZY_KEYWORD_CUTOFF: Final = 84.0  # "averge" 92, "corelation" 95; "medain" (83) stays unknown
FUZZY_KEYWORD_MIN_CHARS: Final = 5  # of the word and the keyword: "state" is no "stat"
APPROX_KEY_SHARE: Final = 0.95
_WHEN = r"((?:[A-Za-z]+ )?\d{4}(?:-\d{1,2}){0,2}|\d+(?:\.\d+)?)"
FROM_TO: Final = re.compile(rf"\bfrom {_WHEN} (?:to|until|till|through) {_WHEN}", re.IGNORECASE)
# "from 1941-1949", "between the years 1954-2014": two years joined by a dash are a range (a bare
# "2002-03" is a season, a value)
YEAR_SPAN: Final = re.compile(r"\b(?:from|between)(?: the years?)? (\d{4}) ?[-–] ?(\d{4})\b", re.I)
# "50,000 or more", "10 goals or fewer", "1,000 at most": the comparison said after the number
# is said before it, where the filters read it ("at least 50,000", "at most 10 goals")
_NUMBER = r"(\d[\d,]*(?:\.\d+)?)((?: [a-z]+){0,2}?)"
OR_MORE: Final = re.compile(
    rf"\b{_NUMBER} (?:(?:or|and) (?:more|greater|higher|above|over|up)|at least)\b", re.IGNORECASE
)
OR_LESS: Final = re.compile(
    rf"\b{_NUMBER} (?:(?:or|and) (?:less|fewer|lower|below|under|smaller)|at most)\b",
    re.IGNORECASE,
)
# "at least eight silvers", "more than one format": a number written as a word, after a
# comparison, is that number (elsewhere "one" is often no number: "the only one")
NUMBER_WORDS: Final = {
    w: str(n)
    for n, w in enumerate(
        """zero one two three four five six seven eight nine ten eleven twelve thirteen
        fourteen fifteen sixteen seventeen eighteen nineteen twenty""".split()
    )
} | {"thirty": "30", "forty": "40", "fifty": "50", "hundred": "100"}
COMPARED_WORD: Final = re.compile(
    r"\b(more than|less than|fewer than|greater than|at least|at most|over|under|above|below"
    rf"|exactly) (?:an? )?({'|'.join(NUMBER_WORDS)})\b",
    re.IGNORECASE,
)
# "didn't" is "did not"; "did not win any medals" is "did win no medals" (filters._nothing)
CONTRACTED: Final = re.compile(r"\b(\w+?)n[’']t\b", re.IGNORECASE)
_IRREGULAR: Final = {"wo": "will", "ca": "can", "sha": "shall"}  # won't, can't, shan't
IMPERATIVE_NAME: Final = re.compile(r"^name (?=the \w+s\b|all |each )", re.IGNORECASE)  # "list"
NOT_ANY: Final = re.compile(r"\b(?:not|never) (\w+ )?any\b", re.IGNORECASE)
# "how many gold medals do A and B have (in) total?": a closing "total" adds up, like "combined",
# and does not name a column Total
CLOSING_TOTAL: Final = re.compile(r"\b(?:in )?total(\W*)$", re.IGNORECASE)
HOW_MANY: Final = re.compile(r"\s*how (?:many|much)\b", re.IGNORECASE)
# "how long did it take X to finish": the cell of the table's one duration column in X's row
HOW_LONG_TAKE: Final = re.compile(
    r"^how long did it take (?:for )?(.+?) to (?:finish|complete|run)\b"
    r"(?: (?:the|this) (?:race|event|course|stage|heat|final)\b)?",
    re.IGNORECASE,
)
HOW_LONG_WAS: Final = re.compile(r"^how long (?:was|is) ", re.IGNORECASE)
# "is …", "did …": a yes/no question's first word (checks.py, intents/versus.py)
_YES_NO_VERB = r"(?:is|are|was|were|does|do|did|has|have|had)\b"
YES_NO_START: Final = re.compile(rf"^\s*{_YES_NO_VERB}", re.IGNORECASE)
# "does A have more or less people than B", "is X above or below 6": a yes/no question that
# offers two answers is read with the first ("more … than"), and answered with one of the two
_DIRECTIONS: Final = {
    **dict.fromkeys("more greater higher larger bigger above over".split(), ">"),
    **dict.fromkeys("less fewer lower smaller below under".split(), "<"),
}
OFFERED: Final = re.compile(
    rf"^({_YES_NO_VERB}.*?)\b({'|'.join(_DIRECTIONS)}) or "
    rf"({'|'.join(_DIRECTIONS)})\b",
    re.IGNORECASE,
)
FUZZY_FEATURES: Final = frozenset(
    "agg super count distinct share hist trend corr matrix describe missing mode sort".split()
)


@dataclass(frozen=True)
class Query:
    """What the question says, before deciding what to compute."""

    question: str
    table: TableProfile
    keywords: tuple[tuple[int, str, str], ...]  # (token position, feature, value)
    columns: tuple[ColumnMention, ...]  # mentions not consumed by a filter, in question order
    groups: tuple[ColumnMention, ...] = ()
    which: ColumnMention | None = None
    color: ColumnMention | None = None
    filters: tuple[Filter, ...] = ()
    n: int | None = None
    confidence: float = 0.95
    values: tuple[ValueMention, ...] = ()  # the cell values named, where the filters came from
    text_numbers: tuple[str, ...] = ()  # text columns read as numbers (text_numbers.py)
    loose: tuple[str, ...] = ()  # comparison words no number or date follows ("under coach X")
    asked: ColumnMention | None = None  # the column after "which"/"what", even if a value's
    who: ColumnProfile | None = None  # for "who …": the column that names each row (_who)
    named_values: tuple[ColumnMention, ...] = ()  # columns named beside their value ("coach X")
    asks_who: bool = False  # "who …", or "which country …" with no column called country
    won_by: bool = False  # "how many races did X win": X named in the column of winners
    offered: tuple[str, str] = ()  # "more or less": the two answers a yes/no question offers

    def has(self, feature: str) -> bool:
        return any(f == feature for _, f, _ in self.keywords)

    def value(self, feature: str) -> str | None:
        return next((v for _, f, v in self.keywords if f == feature), None)

    @property
    def measures(self) -> list[ColumnMention]:
        roles = {id(m) for m in self.groups} | {id(self.which), id(self.color)}
        return [m for m in self.columns if id(m) not in roles]


def read_question(
    question: str,
    profiles: Sequence[TableProfile],
    indexes: Mapping[str, ValueIndex] | None = None,
) -> Query:
    """Read the question against the tables; raise UnsupportedError on what it cannot explain.
    `indexes` holds the value index of each table that has one (engine/value_index.py)."""
    text = question.strip()
    lowered = text.lower()
    if not re.search(r"[a-z]", lowered):
        raise UnsupportedError(
            "That does not look like a question. Ask about your table's columns."
        )
    refused = refusal(lowered, profiles, indexes)
    if refused is not None:
        raise UnsupportedError(refused)
    table, text_numbers = read_as_numbers(_pick_table(text, list(profiles)))
    text = demonyms_said(text, (indexes or {}).get(table.name))  # "japanese": Japan, JPN
    text = FROM_TO.sub(r"between \1 and \2", text)  # "from 1952 to 2007" is a range
    text = YEAR_SPAN.sub(lambda m: _year_span(m, table), text)
    text = dollars_said(text)  # "$40,000": the unit names a column of money
    text = COMPARED_WORD.sub(lambda m: f"{m[1]} {NUMBER_WORDS[m[2].lower()]}", text)
    text = OR_LESS.sub(r"at most \1\2", OR_MORE.sub(r"at least \1\2", text))
    text, offered = offered_answers(text)
    text = NOT_ANY.sub(r"\1no", CONTRACTED.sub(_uncontracted, IMPERATIVE_NAME.sub("list ", text)))
    if HOW_MANY.match(text):  # "which country won the most medals total": the column
        text = CLOSING_TOTAL.sub(r"combined\1", text)
    text = _how_long(text, table)
    index = (indexes or {}).get(table.name)
    tokens = titles_named(apply_synonyms(tokenize(text), [table]), table, index)
    _mark_table_words(tokens, table)
    outcomes = outcome_filters(tokens, table)  # "how many wins": W in the results column
    won = any(t.text in WIN_VERBS for t in tokens)  # "X won": X's cell is a winner's
    long_values = find_values(tokens, [table], index, min_words=2, won=won)  # "Hague Club"
    idioms = _keywords(tokens, min_words=3)
    mentions = find_columns_exact(tokens, [table])
    keywords = sorted(idioms + _keywords(tokens))
    counted = counted_amounts(tokens, mentions)  # "which rider had 2 points": Points == 2
    compared = counted | frozenset(  # "more than 10 points", "only 2 points": 10 and 2 too
        pos + 1 for pos, feature, said in keywords if feature == "cmp" or said == "only"
    )
    values = find_values(tokens, [table], index, compared=compared, won=won)
    values = sorted(long_values + values, key=lambda v: v.start)
    mentions += find_columns_loose(tokens, [table], won=won)
    mentions += counted_nouns(tokens, mentions, table)
    if any(name_has(m.column, ATTENDANCE_WORDS) for m in mentions):  # "at least 1500 people
        keywords = [k for k in keywords if not _attend_link(k, tokens)]  # attend": a filter
    mentions += time_nouns(tokens, mentions, table)
    mentions += unit_mentions(tokens, table, mentions, compared)
    mentions.sort(key=lambda m: m.start)
    keywords = sorted(keywords + row_nouns(tokens, keywords))
    keywords = neighbours(amounts(keywords, mentions, tokens), tokens, values)
    keywords, winner_named = won_by(linked_amounts(keywords, tokens, counted), tokens, values)
    units(keywords, mentions, tokens)
    keywords = ranked_durations(keywords, mentions, tokens)
    confidence = min([0.95] + [m.score + 0.05 for m in mentions])
    found = filters_from_question(table, keywords, mentions, tokens, values)
    keywords = [k for k in keywords if k[0] not in found.read]  # "march or april": one filter
    columns = tuple(m for m in mentions if m.start not in found.consumed)
    roles = _roles(keywords, columns, tokens)
    loose = loose_comparisons(keywords, tokens, values)
    stat_or_column(keywords, tokens, table)
    misspelt, confidence = _fuzzy_keywords(tokens, confidence)
    # "which country …" marks its noun used: read before the unknown words
    noun = label_noun(tokens, keywords)
    says_who = WHO.match(text) is not None
    asks_who = noun is not None or says_who
    _decline_unknown_words(tokens, table, says_who)
    return Query(
        text,
        table,
        keywords=tuple(keywords + misspelt),
        columns=columns,
        groups=tuple(roles.groups),
        which=roles.which,
        color=roles.color,
        filters=found.filters + tuple(outcomes),
        n=roles.n,
        confidence=confidence,
        values=tuple(values),
        text_numbers=text_numbers,
        loose=loose,
        asked=next((m for m in mentions if (m.start - 1, "which") in _features(keywords)), None),
        who=who_column(table, noun) if asks_who else None,
        asks_who=asks_who,
        won_by=winner_named,
        offered=offered,
        named_values=tuple(m for m in mentions if m.start in found.consumed),
    )


def offered_answers(text: str) -> tuple[str, tuple[str, str]]:
    """ "does A have more or less people than B" read as "… more people than B", with the two
    answers it offers ("more", "less"); the text unchanged and () when it offers none, or two
    of one direction ("more or greater")."""
    m = OFFERED.match(text)
    if m is None or _DIRECTIONS[m[2].lower()] == _DIRECTIONS[m[3].lower()]:
        return text, ()
    return f"{m[1]}{m[2]}{text[m.end() :]}", (m[2].lower(), m[3].lower())


def _year_span(m: re.Match[str], table: TableProfile) -> str:
    """ "from 1941-1949" as "between 1941 and 1949" when the table has dates or years to
    compare and no column is named by those two years (a column "1990–2001" is meant)."""
    first, last = m[1], m[2]
    named = any(re.findall(r"\d{4}", c.name) == [first, last] for c in table.columns)
    timed = any(c.kind == "date" or year_named(c) for c in table.columns)
    return f"between {first} and {last}" if first < last and timed and not named else m[0]


def _attend_link(keyword: tuple[int, str, str], tokens: list[Token]) -> bool:
    """A verb of attending beside the attendance column says nothing more than the column:
    not a link between a named row and a value ("how many games did 1500 people attend")."""
    pos, feature, _ = keyword
    return feature == "link" and tokens[pos].text in ATTEND_VERBS


def _how_long(text: str, table: TableProfile) -> str:
    """ "How long did it take X to finish", "how long was X": X's cell in the table's one
    column of durations (Time, Length, Time/Retired), asked by name. Without exactly one such
    column the question is left as it is (and "long" stays unknown): years served, a length in
    metres or the span between two dates are other questions."""
    if not (HOW_LONG_TAKE.search(text) or HOW_LONG_WAS.search(text)):
        return text
    durations = [c for c in table.columns if name_has(c, DURATION_WORDS)]
    if len(durations) != 1:
        return text
    asked = f"what was the {durations[0].name} of "
    found = HOW_LONG_TAKE.search(text)
    if found:
        return asked + found.group(1) + text[found.end() :]
    return HOW_LONG_WAS.sub(asked, text, count=1)


def _uncontracted(m: re.Match[str]) -> str:
    stem = m.group(1)
    return _IRREGULAR.get(stem.lower(), stem) + " not"


def _pick_table(question: str, profiles: list[TableProfile]) -> TableProfile:
    if not profiles:
        raise UnsupportedError("No table is loaded yet. Load a file first, then ask about it.")
    if len(profiles) == 1:
        return profiles[0]
    words = {singular(w) for w in re.findall(r"[a-z0-9_]+", question.lower())}
    named = [p for p in profiles if singular(p.name.lower()) in words]
    if len(named) == 1:
        return named[0]
    scores = []
    for profile in profiles:
        tokens = apply_synonyms(tokenize(question), [profile])
        try:
            found = find_columns_exact(tokens, [profile]) + find_values(tokens, [profile])
        except UnsupportedError:
            found = []
        scores.append(len(found))
    best = max(scores)
    winners = [p for p, s in zip(profiles, scores, strict=True) if s == best]
    if best == 0 or len(winners) > 1:
        names = " or ".join(p.name for p in winners)
        raise UnsupportedError(f"Which table do you mean: {names}? Name it in the question.")
    return winners[0]


def _mark_table_words(tokens: list[Token], table: TableProfile) -> None:
    """The table's own name ('penguins', 'sales') and id-column nouns ('orders') mean rows."""
    columns = {singular(w) for c in table.columns for w in name_words(c.name)}
    nouns = {singular(w) for w in name_words(table.name)} | {singular(table.name.lower())}
    nouns -= columns | AMOUNT_NOUNS  # table 'cities' with a column 'city': 'by city' groups
    if _one_game_a_row(columns):
        nouns |= GAME_NOUNS - columns
    for col in table.columns:
        words = name_words(col.name)
        if len(words) == 2 and words[1] == "id" and _one_per_row(col, table):
            nouns.add(words[0])
        if col.kind == "date" and _one_per_row(col, table) and "day" not in columns:
            nouns.add("day")  # unless a column says days: "lasted more than 100 days"
    for i, t in enumerate(tokens):
        if singular(t.text) in nouns and not t.quoted:
            before = tokens[i - 1].text if i else ""
            if before in ("which", "what") and singular(t.text) in GAME_NOUNS:
                continue  # "which game …": told by its date, its opponent? Not said
            if not (before in ("by", "per", "each") and singular(t.text) == "day"):
                t.used = True
                t.text = "row"


def _one_game_a_row(words: set[str]) -> bool:
    """A table of results: an opponent (or home and away teams) and a result or score."""
    against = bool(words & OPPONENT_WORDS) or {"home", "away"} <= words
    return against and bool(words & RESULT_WORDS)


def _one_per_row(column: ColumnProfile, table: TableProfile) -> bool:
    """A key: one value per row (HyperLogLog counts from 1M rows are within a few percent)."""
    if column.distinct_approximate:
        return column.distinct_count >= APPROX_KEY_SHARE * table.rows
    return column.distinct_count == table.rows


def _keywords(tokens: list[Token], min_words: int = 1) -> list[tuple[int, str, str]]:
    """Vocabulary phrases, longest first; with `min_words`, only phrases that long (read
    before the column names: "how many times" is a count even beside a column "Time")."""
    found: list[tuple[int, str, str]] = []
    for i, t in enumerate(tokens):
        if t.text == "row" and t.used and min_words == 1:
            found.append((i, "row", ""))
    for n in range(MAX_PHRASE, min_words - 1, -1):
        for i in range(len(tokens) - n + 1):
            span = tokens[i : i + n]
            if any(t.used or t.quoted for t in span):
                continue
            hit = KEYWORDS.get(" ".join(singular(t.text) for t in span)) or KEYWORDS.get(
                " ".join(t.text for t in span)
            )
            if hit:
                for t in span:
                    t.used = True
                found.append((i + n - 1, *hit))  # at its last word: what follows is its object
    found.sort()
    return found


def _features(keywords: list[tuple[int, str, str]]) -> set[tuple[int, str]]:
    return {(pos, feature) for pos, feature, _ in keywords}


@dataclass
class _Roles:
    """What the words around the column mentions make of them, and the N of 'top N'."""

    groups: list[ColumnMention] = field(default_factory=list)
    which: ColumnMention | None = None
    color: ColumnMention | None = None
    n: int | None = None


def _roles(
    keywords: list[tuple[int, str, str]], columns: tuple[ColumnMention, ...], tokens: list[Token]
) -> _Roles:
    roles = _Roles()
    kw = {pos: (f, v) for pos, f, v in keywords}
    for m in columns:
        before = kw.get(m.start - 1, ("", ""))[0]
        if m.column.name.lower() == "year" and "over" in {
            t.text for t in tokens[m.start - 2 : m.start]
        }:
            before = "group"  # "lifeExp over the years"
        if before in ("group", "and") and (before == "group" or roles.groups):
            if before == "and" and roles.groups[-1].end != m.start - 1:
                continue
            roles.groups.append(m)
        elif before == "which":
            roles.which = m
        elif before == "color":
            roles.color = m
    for i, t in enumerate(tokens):
        if t.used or t.quoted:
            continue
        number = number_of(t)
        if number is None or not number.is_integer():
            continue
        near = {kw.get(i - 1, ("",))[0], kw.get(i + 1, ("",))[0]}
        if near & {"super", "head", "first", "last", "row", "mode"} or "super" in {
            kw.get(i + 2, ("",))[0]
        }:
            roles.n = int(number)
            t.used = True
    return roles


def _decline_unknown_words(tokens: list[Token], table: TableProfile, asks_who: bool) -> None:
    unknown = [
        t.raw
        for i, t in enumerate(tokens)
        if not t.used
        and t.text not in STOPWORDS | FILLERS
        and singular(t.text) not in STOPWORDS
        and not (i and tokens[i - 1].text in DEICTIC)
        and not _the_whole(tokens, i)
        and not (asks_who and singular(t.text) in WHO_NOUNS)
    ]
    if unknown:
        names = ", ".join(table.column_names[:12])
        raise UnsupportedError(
            f"I am not sure what “{' '.join(unknown)}” means here, so I will not guess. "
            f"Columns of {table.name}: {names}."
        )


def _the_whole(tokens: list[Token], i: int) -> bool:
    """ "in the season" ending the question: the subject of the whole table (WHOLE_NOUNS)."""
    last = all(t.text in STOPWORDS for t in tokens[i + 1 :])
    return (
        last and i > 0 and tokens[i - 1].text == "the" and singular(tokens[i].text) in WHOLE_NOUNS
    )


def _fuzzy_keywords(
    tokens: list[Token], confidence: float
) -> tuple[list[tuple[int, str, str]], float]:
    """Misspelt statistic words ('averge', 'corelation'), at a small cost in confidence."""
    from rapidfuzz import fuzz

    found: list[tuple[int, str, str]] = []

    for i, t in enumerate(tokens):
        if t.used or t.quoted or len(t.text) < FUZZY_KEYWORD_MIN_CHARS or not t.text.isalpha():
            continue
        scored = [
            (fuzz.ratio(t.text, word), feature, value)
            for word, (feature, value) in KEYWORDS.items()
            if " " not in word
            and feature in FUZZY_FEATURES
            and len(word) >= FUZZY_KEYWORD_MIN_CHARS
        ]
        best = max(scored, default=(0.0, "", ""))
        if best[0] >= FUZZY_KEYWORD_CUTOFF:
            t.used = True
            found.append((i, best[1], best[2]))
            confidence -= 0.05
    return found, confidence
