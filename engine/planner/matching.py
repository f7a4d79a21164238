"""Find columns, category values, numbers and dates in a question (issue 5).

Matching goes from strict to loose: exact names, then names insensitive to case, plurals,
spaces, underscores and units, then a few synonyms, then word parts and rapidfuzz. A loose
match that fits two columns equally is an ambiguity, which the planner turns into a decline
naming both: it never picks one silently.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any, Final

from engine.errors import UnsupportedError
from engine.planner.dates_said import MONTHS, number_of
from engine.planner.vocabulary import STOPWORDS, WINNER_WORDS
from engine.types import ColumnProfile, TableProfile
from engine.value_index import ValueIndex, value_words

# rapidfuzz ratio. The suite's misspellings ("lenght", "specie", "body mas") score 92+, and any
# cutoff from 75 to 92 gives the same results on its 340 questions: kept on the strict side.
FUZZY_CUTOFF: Final = 86.0
FUZZY_MIN_CHARS: Final = 5
MAX_VALUE_WORDS: Final = 8  # the longest cell value looked for in a question  # short words are too easy to confuse ("sex" vs "set")
INVARIANT: Final = frozenset("species series data news physics always besides".split())
UNIT_WORDS: Final = frozenset("mm cm m km g kg lb lbs usd eur pct".split())
# Words people use for a column whose name says it differently: phrase -> words of the name.
SYNONYMS: Final[dict[tuple[str, ...], tuple[str, ...]]] = {
    ("life", "expectancy"): ("life", "exp"),
    ("population",): ("pop",),
    ("gdp", "per", "capita"): ("gdp", "percap"),
    ("per", "capita", "gdp"): ("gdp", "percap"),
    ("rainfall",): ("precipitation",),
    ("weight",): ("mass",),
    ("temperature",): ("temp",),
    ("qty",): ("quantity",),
    ("wind", "speed"): ("wind",),
    ("latitude",): ("lat",),
    ("longitude",): ("lon",),
    ("taller",): ("higher", "height"),  # "which is taller, A or B": the Height column's
    ("tallest",): ("highest", "height"),
    ("story", "tall"): ("floors",),  # "at least 15 stories tall": a building's Floors
    ("storey", "tall"): ("floors",),
    ("story",): ("floors",),
    ("country",): ("nation",),  # "how many countries" beside a column Nation
    ("storey",): ("floors",),
}

_TOKEN = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}|\d{4}-\d{1,2}|\d+(?::\d{2}){1,2}(?:\.\d+)?(?![\d:])|\d+(?:st|nd|rd|th)\b|\d+(?:,\d{3}(?!\d))*(?:\.\d+)?%?|\.\d+"
    r"|[a-z][a-z0-9_]*(?:'[a-z]+)?"
    r"|[<>!]=|[<>=]|\"[^\"]*\"|'[^']*'|[^\W\d_]\w*(?:'[^\W\d_]+)?",  # last: words in other scripts
    re.IGNORECASE,
)


@dataclass
class Token:
    """One word, number or quoted string of the question; `used` once something explains it."""

    text: str  # lower case (quoted strings keep their case, without quotes)
    raw: str
    quoted: bool = False
    used: bool = False


def tokenize(question: str) -> list[Token]:
    """Words, numbers (1,200 and 12.5% kept whole; not the comma of "october 25, 1981"),
    ordinals (3rd), ISO dates, comparison signs, quoted strings.
    Accents are dropped ("Málaga" is "malaga"); a word in another script is a word too."""
    folded = unicodedata.normalize("NFKD", question)
    question = "".join(c for c in folded if not unicodedata.combining(c))
    tokens = []
    for m in _TOKEN.finditer(question):
        raw = m.group(0)
        if raw[0] in "\"'" and len(raw) >= 2 and raw[-1] == raw[0]:
            tokens.append(Token(raw[1:-1], raw, quoted=True))
        else:
            tokens.append(Token(raw.lower().removesuffix("'s"), raw))
    return tokens


def singular(word: str) -> str:
    """A crude English singular, enough for column names: species, islands, countries, boxes."""
    if len(word) <= 3 or word in INVARIANT or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    if word.endswith("s"):
        return word[:-1]
    return word


def name_words(name: str) -> tuple[str, ...]:
    """`bill_length_mm` -> (bill, length, mm); `gdpPercap` -> (gdp, percap)."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return tuple(w.lower() for w in re.split(r"[^A-Za-z0-9]+", spaced) if w)


def year_named(column: ColumnProfile) -> bool:
    """A column whose name ends in "year" ("Year", "Event year")."""
    return name_words(column.name)[-1:] == ("year",)


@dataclass(frozen=True)
class ColumnMention:
    """A column found in the question: where, how surely, and how (for the explanation)."""

    column: ColumnProfile
    table: TableProfile
    start: int
    end: int  # token span [start, end)
    score: float


@dataclass(frozen=True)
class ValueMention:
    """A category value found in the question, e.g. 'Europe' in region, and how many rows hold
    it when the value index says (None: unknown)."""

    column: ColumnProfile
    table: TableProfile
    value: Any
    start: int
    end: int
    rows: int | None = None
    inside: tuple[Any, ...] = ()  # other cell values that contain this one's words


@dataclass
class _Entry:
    column: ColumnProfile
    table: TableProfile
    words: tuple[str, ...]
    core: tuple[str, ...]
    forms: set[str] = field(default_factory=set)


def _entries(profiles: list[TableProfile]) -> list[_Entry]:
    entries = []
    for table in profiles:
        for col in table.columns:
            words = tuple(singular(w) for w in name_words(col.name))
            core = tuple(w for w in words if w not in UNIT_WORDS) or words
            forms = {
                col.name.lower(),
                col.name.lower().replace("_", "").replace(" ", ""),
                " ".join(words),
                " ".join(core),
                "".join(core),
                "".join(words),
            }
            entries.append(_Entry(col, table, words, core, forms))
    return entries


def apply_synonyms(tokens: list[Token], profiles: Collection[TableProfile] = ()) -> list[Token]:
    """Rewrite synonym phrases to the words of the column they name ('population' -> 'pop'),
    unless a column of `profiles` has the phrase's own words (a column "Population")."""
    named = {singular(w) for p in profiles for c in p.columns for w in name_words(c.name)}
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        for phrase, words in SYNONYMS.items():
            n = len(phrase)
            said = tuple(singular(t.text) for t in tokens[i : i + n])
            if said == phrase and not set(phrase) <= named:
                out.extend(Token(w, tokens[i].raw) for w in words)
                i += n
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


def _phrase(tokens: list[Token], start: int, end: int) -> tuple[str, ...] | None:
    span = tokens[start:end]
    if any(t.used or t.quoted or not t.text[0].isalpha() for t in span):
        return None
    return tuple(singular(t.text) for t in span)


def find_columns_exact(tokens: list[Token], profiles: list[TableProfile]) -> list[ColumnMention]:
    """Whole-name matches (case, plural, spaces, underscores and units ignored), longest first."""
    entries = _entries(profiles)
    found: list[ColumnMention] = []
    for n in (4, 3, 2, 1):
        for i in range(len(tokens) - n + 1):
            words = _phrase(tokens, i, i + n)
            if words is None:
                continue
            text = " ".join(words)
            hits = [e for e in entries if text in e.forms or "".join(words) in e.forms]
            if hits:
                found.extend(_mentions(hits, tokens, i, i + n, 1.0))
    for i, t in enumerate(tokens):  # 'body_mass_g' or "Store Name" in quotes: that exact column
        hits = [
            e
            for e in entries
            if t.quoted and not t.used and e.column.name.lower() == t.text.lower()
        ]
        if hits:
            found.extend(_mentions(hits, tokens, i, i + 1, 1.0))
    return found


def find_columns_loose(
    tokens: list[Token], profiles: list[TableProfile], won: bool = False
) -> list[ColumnMention]:
    """Word-part matches ('mass' -> body_mass_g) then fuzzy ones ('flipper lenght'); ambiguous
    ones raise UnsupportedError naming the candidates. `won`: the question says someone won,
    so "party" beside Winning Party and Nearest Contesting Party is the winners'."""
    entries = _entries(profiles)
    found = _fuzzy(tokens, entries, (3, 2))
    for n in (3, 2, 1):
        for i in range(len(tokens) - n + 1):
            words = _phrase(tokens, i, i + n)
            if words is None or (n == 1 and len(words[0]) < 3) or set(words) <= STOPWORDS:
                continue  # "the" is no part of "Opponents in the final"
            hits = [e for e in entries if set(words) <= set(e.core) and len(words) < len(e.core)]
            winners = [e for e in hits if won and winner_column(e.column)]
            if len(winners) == 1:
                hits = winners
            if len({e.column.name for e in hits}) > 1:
                hits = (
                    _named_elsewhere(hits, tokens, i, i + n) or _a_count(hits, tokens, i, n) or hits
                )
            if hits:
                found.extend(_mentions(hits, tokens, i, i + n, 0.9))
    return found + _fuzzy(tokens, entries, (1,))


def _a_count(hits: list[_Entry], tokens: list[Token], start: int, n: int) -> list[_Entry] | None:
    """Of several columns a word fits, the one that counts it, when the question counts: "more
    households" or "how many voters did McCain have" is Number of households or McCain#, not
    Median household income or McCain%. None unless exactly one column's name counts."""
    plural = tokens[start + n - 1].text != singular(tokens[start + n - 1].text)
    before = " ".join(t.text for t in tokens[:start])
    asked = "how many" in before or "number of" in before
    if not (plural or asked):
        return None
    counting = {e.column.name for e in hits if _counts_things(e.column.name)}
    return [e for e in hits if e.column.name in counting] if len(counting) == 1 else None


def _counts_things(name: str) -> bool:
    """A column named for a count: "Number of households", "No. of Premierships", "McCain#"."""
    words = name_words(name)
    return "#" in name or words[:1] in (("number",), ("no",), ("num",)) or words[-1:] == ("count",)


def _named_elsewhere(
    hits: list[_Entry], tokens: list[Token], start: int, end: int
) -> list[_Entry] | None:
    """Of several columns a word fits, the one whose name has another word the question says
    and nothing else has read yet: "the combined 2011 population" is Population (2011), not
    Population (2006); "the winner in the women's tournament" is Women's winner. That word is
    then read (marked used). None when no column, or more than one, has such a word."""
    said = {
        singular(t.text): j
        for j, t in enumerate(tokens)
        if not (start <= j < end or t.used or t.quoted) and singular(t.text) not in STOPWORDS
    }
    span = {singular(t.text) for t in tokens[start:end]}
    support = {
        e.column.name: {said[w] for w in e.core if w in said and w not in span} for e in hits
    }
    best = _stands_out(support)  # "population in the 2010 census": 2010 and census beat census
    if best is None:
        return None
    for j in support[best]:
        tokens[j].used = True
    return [e for e in hits if e.column.name == best]


def _stands_out(support: dict[str, set[int]]) -> str | None:
    """Of several column names, each with the positions of the question's words it has, the
    one that has every word the others have and more; None when no name does."""
    if not support:
        return None
    best = max(support, key=lambda name: len(support[name]))
    others = [found for name, found in support.items() if name != best]
    return best if support[best] and all(found < support[best] for found in others) else None


def _fuzzy(
    tokens: list[Token], entries: list[_Entry], sizes: tuple[int, ...]
) -> list[ColumnMention]:
    from rapidfuzz import fuzz

    found: list[ColumnMention] = []
    for n in sizes:
        for i in range(len(tokens) - n + 1):
            words = _phrase(tokens, i, i + n)
            if words is None or len("".join(words)) < FUZZY_MIN_CHARS:
                continue
            text = "".join(words)
            scored = [
                (max(fuzz.ratio(text, "".join(e.core)), fuzz.ratio(text, "".join(e.words))), e)
                for e in entries
            ]
            best = max((s for s, _ in scored), default=0.0)
            if best < FUZZY_CUTOFF:
                continue
            hits = [e for s, e in scored if s >= best - 3]
            if n > 1 and fuzz.ratio(words[0], hits[0].core[0]) < FUZZY_CUTOFF - 20:
                continue  # the first word must be near the name's: "mean pop" is not "mean_pop"
            found.extend(_mentions(hits, tokens, i, i + n, 0.85))
    return found


def _mentions(
    hits: list[_Entry], tokens: list[Token], start: int, end: int, score: float
) -> list[ColumnMention]:
    names = sorted({e.column.name for e in hits})
    if len(names) > 1:
        said = " ".join(t.raw for t in tokens[start:end])
        raise UnsupportedError(
            f"“{said}” could mean several columns. Did you mean {_or(names)}? "
            "Ask again with the column's name."
        )
    for t in tokens[start:end]:
        t.used = True
    return [ColumnMention(e.column, e.table, start, end, score) for e in hits]


def _or(names: list[str]) -> str:
    return ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]


def find_values(
    tokens: list[Token],
    profiles: list[TableProfile],
    index: ValueIndex | None = None,
    min_words: int = 1,
    compared: frozenset[int] = frozenset(),
    won: bool = False,
) -> list[ValueMention]:
    """Category values named in the question: the profile's most frequent values (plurals
    allowed), and with a value index every text value of the table (exact normalised words).
    With `min_words`, only values of that many words or more: read before the column names,
    a cell like "Hague Club" is one value, not a column `club` beside an unknown word.
    `compared`: positions of numbers a comparison word precedes ("more than 10 points"): a
    number there is compared, never a cell of a text column (a rank column holding "10").
    `won`: the question says someone won, so a value in the winners' column and another
    (Winner or Runner-up) is the winner's."""
    candidates: dict[tuple[str, ...], list[tuple[ColumnProfile, TableProfile, Any]]] = {}
    for table in profiles:
        for col in table.columns:  # text columns, and those read as numbers (text_numbers.py)
            for value, _count in col.top_values:
                if not isinstance(value, str) or not value.strip():
                    continue
                if _header_cell(col, value_words(value)):
                    continue
                key = tuple(singular(w) for w in re.findall(r"[a-z0-9]+", value.lower()))
                if key:
                    candidates.setdefault(key, []).append((col, table, value))
    longest = max(4, min(index.longest, MAX_VALUE_WORDS) if index is not None else 0)
    found: list[ValueMention] = []
    for n in range(longest, min_words - 1, -1):
        for i in range(len(tokens) - n + 1):
            span = tokens[i : i + n]
            if any(t.used for t in span):
                continue
            if n == 1 and i in compared and number_of(span[0]) is not None:
                continue
            key = tuple(singular(t.text.lower()) for t in span)
            hits = list(candidates.get(key, ()))
            rows: int | None = None
            inside: tuple[Any, ...] = ()
            words = value_words(" ".join(t.text for t in span))
            if len(words) < min_words:
                continue
            if (
                index is not None
                and _may_name_a_value(span, tokens[max(0, i - 3) : i])
                and profiles
            ):
                table = profiles[0]
                for entry in index.find(words):
                    col = table.column(entry.column)
                    if col is not None and _header_cell(col, words):
                        continue
                    if col is not None and all(
                        (h[0].name, h[2]) != (col.name, entry.value) for h in hits
                    ):
                        hits.append((col, table, entry.value))
                    if col is not None and len(hits) == 1 and hits[0][2] == entry.value:
                        rows = entry.rows
                if hits:
                    inside = tuple((e.column, e.value) for e in index.inside(words))
            if not hits:
                continue
            winners = [h for h in hits if won and winner_column(h[0])]
            if len({h[0].name for h in winners}) == 1 and len({h[2] for h in winners}) == 1:
                hits = winners[:1]  # "the last year Chasetown won": Winners, not Runners up
            # cells of the value's own column that hold it among other words ("A, B")
            inside = tuple(  # not the value itself, found by its other key ("X (PHI)")
                v for c, v in inside if c == hits[0][0].name and v not in {h[2] for h in hits}
            )
            if len({(c.name, tb.name) for c, tb, _ in hits}) > 1:
                hits = _value_column_named(hits, tokens, i, i + n) or hits
            if len({(c.name, tb.name) for c, tb, _ in hits}) > 1:
                cols = sorted({c.name for c, _, _ in hits})
                raise UnsupportedError(
                    f"“{' '.join(t.raw for t in span)}” is a value of {_or(cols)}. "
                    "Say which column you mean, e.g. “where "
                    f"{cols[0]} is {hits[0][2]}”."
                )
            if len({v for _, _, v in hits}) > 1:
                spelled = " or ".join(repr(v) for _, _, v in hits)
                raise UnsupportedError(
                    f"“{' '.join(t.raw for t in span)}” could be {spelled} in {hits[0][0].name}. "
                    "Quote the one you mean."
                )
            col, table, value = hits[0]
            for t in span:
                t.used = True
            found.append(ValueMention(col, table, value, i, i + n, rows, inside))
    return found


def _value_column_named(
    hits: list[tuple[ColumnProfile, TableProfile, Any]], tokens: list[Token], start: int, end: int
) -> list[tuple[ColumnProfile, TableProfile, Any]] | None:
    """Of several columns that hold a value, the one whose name has the most of the question's
    other words, when it has every word the others have and more: "stations licensed in Fort
    Wayne" is City of license, not Area served; "the times Queen's was runner-up in men's" is
    Men's runner-up. Those words are then read. None when no column stands out."""
    said = {
        j: singular(t.text)
        for j, t in enumerate(tokens)
        if not (start <= j < end or t.used or t.quoted) and t.text not in STOPWORDS
    }
    support: dict[str, set[int]] = {}
    for column, _, _ in hits:
        words = {singular(w) for w in name_words(column.name)} - STOPWORDS
        support[column.name] = {j for j, w in said.items() if any(_says(w, n) for n in words)}
    best = _stands_out(support)
    if best is None:
        return None
    for j in support[best]:
        tokens[j].used = True
    return [h for h in hits if h[0].name == best]


def _says(word: str, name_word: str) -> bool:
    """A question's word says a column name's word: the same, or the same stem ("licensed"
    for "license", "served" for "serve")."""
    return word == name_word or (len(name_word) >= 4 and word.startswith(name_word))


def mostly_months(column: ColumnProfile) -> bool:
    """Most of a text column's profiled values name a month: dates as people write them
    ("October 10", "11 September", "Fri., Feb. 28, 1941"), never numbers."""
    if column.kind != "text":
        return False
    seen = [str(v) for v in column.examples] or [str(v) for v, _ in column.top_values]
    named = [v for v in seen if any(w in MONTHS for w in re.findall(r"[a-z]+", v.lower()))]
    return 2 * len(named) > len(seen)


def name_has(column: ColumnProfile, words: Collection[str]) -> bool:
    """The column's name holds one of `words` (singular): "Winning Rider" has "winning"."""
    return not {singular(w) for w in name_words(column.name)}.isdisjoint(words)


def winner_column(column: ColumnProfile) -> bool:
    """A column of winners: Winner, Winners, Winning Rider, Champion, Victor."""
    return name_has(column, WINNER_WORDS)


def _header_cell(column: ColumnProfile, words: tuple[str, ...]) -> bool:
    """A cell that says its column's name: a header row repeated in the data ("Prime Minister"
    under Prime Minister), no value to filter on."""
    return value_words(column.name) == words


_SEARCH_WORDS: Final = frozenset(
    {"contain", "contains", "containing", "includes", "matching", "word", "name"}
)


def _may_name_a_value(span: list[Token], before: list[Token]) -> bool:
    """A span the value index may explain: not a lone stop word or number ("a" in group A, "10"
    in a text column of ranks), and not quoted after a word of `contains` ("names containing
    'land'"): a title in quotes ("the track before "Melodies from Heaven"") is a cell."""
    if any(t.quoted for t in span) and any(t.text in _SEARCH_WORDS for t in before):
        return False
    return not (len(span) == 1 and (span[0].text in STOPWORDS or number_of(span[0]) is not None))
