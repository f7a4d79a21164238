"""A question read into parts: columns and their roles, filters, keywords, numbers (issue 5).

`read_question` explains every word of the question or declines: columns, category values,
numbers, dates and the vocabulary. What the words ask for is decided later by the intents.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from engine.errors import UnsupportedError
from engine.planner.matching import (
    ColumnMention,
    Token,
    ValueMention,
    apply_synonyms,
    date_of,
    find_columns_exact,
    find_columns_loose,
    find_values,
    name_words,
    number_of,
    singular,
    tokenize,
)
from engine.planner.vocabulary import (
    AMOUNT_NOUNS,
    FILLERS,
    KEYWORDS,
    MAX_PHRASE,
    REFUSALS,
    STOPWORDS,
)
from engine.types import ColumnProfile, TableProfile

FUZZY_KEYWORD_CUTOFF: Final = 84.0  # "averge" 92, "corelation" 95; "medain" (83) stays unknown
FUZZY_KEYWORD_MIN_CHARS: Final = 5
APPROX_KEY_SHARE: Final = 0.95
_WHEN = r"((?:[A-Za-z]+ )?\d{4}(?:-\d{1,2}){0,2}|\d+(?:\.\d+)?)"
FROM_TO: Final = re.compile(rf"\bfrom {_WHEN} (?:to|until|till|through) {_WHEN}", re.IGNORECASE)
FUZZY_FEATURES: Final = frozenset(
    "agg super count distinct share hist trend corr matrix describe missing mode sort".split()
)


@dataclass(frozen=True)
class Filter:
    """One row condition: column op value. `op` is ==, !=, >, >=, <, <=, in, not in, contains,
    or `dates` (value = (first day, day after))."""

    column: ColumnProfile
    op: str
    value: Any


@dataclass
class Query:
    """What the question says, before deciding what to compute."""

    question: str
    table: TableProfile
    keywords: list[tuple[int, str, str]]  # (token position, feature, value)
    columns: list[ColumnMention]  # mentions not consumed by a filter, in question order
    groups: list[ColumnMention] = field(default_factory=list)
    which: ColumnMention | None = None
    color: ColumnMention | None = None
    filters: list[Filter] = field(default_factory=list)
    n: int | None = None
    confidence: float = 0.95

    def has(self, feature: str) -> bool:
        return any(f == feature for _, f, _ in self.keywords)

    def value(self, feature: str) -> str | None:
        return next((v for _, f, v in self.keywords if f == feature), None)

    @property
    def measures(self) -> list[ColumnMention]:
        roles = {id(m) for m in self.groups} | {id(self.which), id(self.color)}
        return [m for m in self.columns if id(m) not in roles]


def read_question(question: str, profiles: Sequence[TableProfile]) -> Query:
    """Read the question against the tables; raise UnsupportedError on what it cannot explain."""
    text = question.strip()
    lowered = text.lower()
    if not re.search(r"[a-z]", lowered):
        raise UnsupportedError(
            "That does not look like a question. Ask about your table's columns."
        )
    for pattern, reason in REFUSALS:
        if pattern.search(lowered):
            raise UnsupportedError(reason)
    table = _pick_table(text, list(profiles))
    text = FROM_TO.sub(r"between \1 and \2", text)  # "from 1952 to 2007" is a range
    tokens = apply_synonyms(tokenize(text))
    _mark_table_words(tokens, table)
    mentions = find_columns_exact(tokens, [table])
    keywords = _keywords(tokens)
    values = find_values(tokens, [table])
    mentions += find_columns_loose(tokens, [table])
    mentions.sort(key=lambda m: m.start)
    query = Query(text, table, keywords, mentions)
    query.confidence = min([0.95] + [m.score + 0.05 for m in mentions])
    _filters(query, tokens, values)
    _roles(query, tokens)
    _leftovers(query, tokens)
    return query


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
        tokens = apply_synonyms(tokenize(question))
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
    nouns = {singular(w) for w in name_words(table.name)} - columns
    nouns.add(singular(table.name.lower()))
    nouns -= AMOUNT_NOUNS
    for col in table.columns:
        words = name_words(col.name)
        if len(words) == 2 and words[1] == "id" and _one_per_row(col, table):
            nouns.add(words[0])
        if col.kind == "date" and _one_per_row(col, table):
            nouns.add("day")
    for i, t in enumerate(tokens):
        if singular(t.text) in nouns and not t.quoted:
            before = tokens[i - 1].text if i else ""
            if not (before in ("by", "per", "each") and singular(t.text) == "day"):
                t.used = True
                t.text = "row"


def _one_per_row(column: ColumnProfile, table: TableProfile) -> bool:
    """A key: one value per row (HyperLogLog counts from 1M rows are within a few percent)."""
    if column.distinct_approximate:
        return column.distinct_count >= APPROX_KEY_SHARE * table.rows
    return column.distinct_count == table.rows


def _keywords(tokens: list[Token]) -> list[tuple[int, str, str]]:
    found: list[tuple[int, str, str]] = []
    for i, t in enumerate(tokens):
        if t.text == "row" and t.used:
            found.append((i, "row", ""))
    for n in range(MAX_PHRASE, 0, -1):
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


def _filters(query: Query, tokens: list[Token], values: list[ValueMention]) -> None:
    kw = {pos: (f, v) for pos, f, v in query.keywords}
    consumed: set[int] = set()
    by_column: dict[str, list[ValueMention]] = {}
    negated: dict[str, bool] = {}
    for v in values:
        by_column.setdefault(v.column.name, []).append(v)
        negated[v.column.name] = negated.get(v.column.name, False) or any(
            kw.get(p, ("",))[0] == "not" for p in range(max(0, v.start - 3), v.start)
        )
        for m in query.columns:  # "species Adelie", "region is West": the column is the filter's
            grouped = kw.get(m.start - 1, ("",))[0] == "group"  # "by region except Europe"
            near = 0 <= v.start - m.end <= 2 or m.start == v.end  # "the Corporate segment"
            if m.column.name == v.column.name and near and not grouped:
                consumed.add(id(m))
    for name, found in by_column.items():
        col = found[0].column
        vals = [v.value for v in found]
        if len(vals) == 1:
            query.filters.append(Filter(col, "!=" if negated[name] else "==", vals[0]))
        else:
            query.filters.append(Filter(col, "not in" if negated[name] else "in", tuple(vals)))
    date_cols = [c for c in query.table.columns if c.kind == "date"]
    year_cols = [c for c in query.table.columns if c.kind == "number" and c.name.lower() == "year"]
    for i, t in enumerate(tokens):
        if t.used or t.quoted:
            continue
        before = kw.get(i - 1, ("", ""))
        period = date_of(tokens, i) if (date_cols or year_cols) else None
        number = number_of(t)
        if number is None and period is None:
            continue
        near = _column_before(query, i - 1)
        timely = period is not None and (
            before[0] in ("tcmp", "during", "")
            or not (near and near.kind == "number" and not _is_year(near))
            or _outside(near, number)  # "lifeExp between 1990 and 2000": years, not lifeExp
            or number is None  # "March 2013", "2013-03-01": only ever a date
        )
        if near is not None and timely != (near.kind == "date" or _is_year(near)):
            near = None  # "temp_max in 2014": the year is about the date, not temp_max
        if before[0] in ("cmp", "tcmp", "between"):
            _consume(query, near, consumed)
            if before[0] == "between":
                j = i + (period[2] if period else 1)
                if j + 1 < len(tokens) and kw.get(j, ("",))[0] == "and":
                    _between(query, tokens, i, j + 1, near, consumed)
                    continue
                raise UnsupportedError("Say “between A and B” with two numbers or dates.")
            query.filters.append(
                _compare(near, before[1], t, period if timely else None, date_cols, year_cols)
            )
            _use(tokens, i, period if timely else None)
        elif period and timely and (before[0] == "during" or number is None or 1900 <= number):
            if before[0] not in ("during", "") and number is not None:
                continue  # a bare number after another word: top N, handled by the roles
            _consume(query, near, consumed)
            query.filters.append(_period(near, period, date_cols, year_cols))
            _use(tokens, i, period)
    if consumed:
        query.columns = [m for m in query.columns if id(m) not in consumed]
    _contains(query, tokens, kw)
    for pos, (feature, _) in kw.items():  # "above average": a comparison with no number
        if feature == "cmp" and tokens[pos].text not in ("over", "from") and pos + 1 < len(tokens):
            if kw.get(pos + 1, ("",))[0] in ("agg", "super", "mode"):
                raise UnsupportedError(
                    "Comparing with a computed value (like the average) needs two steps; "
                    "the offline planner compares with numbers only, e.g. “temp_max above 30”."
                )


def _use(tokens: list[Token], i: int, period: tuple[date, date, int] | None) -> None:
    for t in tokens[i : i + (period[2] if period else 1)]:
        t.used = True


def _column_before(query: Query, pos: int) -> ColumnProfile | None:
    near = [m for m in query.columns if m.end <= pos + 1 and pos + 1 - m.end <= 3]
    return near[-1].column if near else None


def _consume(query: Query, column: ColumnProfile | None, consumed: set[int]) -> None:
    for m in query.columns:
        if column is not None and m.column.name == column.name:
            consumed.add(id(m))


def _outside(column: ColumnProfile | None, number: float | None) -> bool:
    if column is None or number is None or not isinstance(column.max, int | float):
        return False
    return not (column.min <= number <= column.max)


def _is_year(column: ColumnProfile) -> bool:
    return column.kind == "number" and column.name.lower() == "year"


def _compare(col, op, token, period, date_cols, year_cols) -> Filter:
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


def _between(query, tokens, i, j, col, consumed) -> None:
    date_cols = [c for c in query.table.columns if c.kind == "date" or _is_year(c)]
    p1, p2 = date_of(tokens, i), date_of(tokens, j)
    n1, n2 = number_of(tokens[i]), number_of(tokens[j])
    if col is not None and col.kind == "number" and n1 is not None and n2 is not None:
        query.filters.append(Filter(col, "between", (n1, n2)))
    elif p1 and p2 and (date_cols or col is not None):
        target = col or _only(date_cols, "date")
        if target.kind == "date":
            query.filters.append(Filter(target, "dates", (p1[0], p2[1])))
        else:
            query.filters.append(Filter(target, "between", (p1[0].year, p2[1].year - 1)))
        _use(tokens, j, p2)
    else:
        raise UnsupportedError("Name the column to compare, e.g. “quantity between 10 and 20”.")
    _use(tokens, i, p1)
    tokens[j].used = True


def _period(col, period, date_cols, year_cols) -> Filter:
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


def _contains(query: Query, tokens: list[Token], kw: dict[int, tuple[str, str]]) -> None:
    for pos, (feature, _) in kw.items():
        if feature != "contains":
            continue
        nxt = pos + 1
        while nxt < len(tokens) and tokens[nxt].used and tokens[nxt].text in ("the", "word"):
            nxt += 1
        if nxt >= len(tokens) or (tokens[nxt].used and not tokens[nxt].quoted):
            raise UnsupportedError("Contains what? Put the text in quotes, e.g. contains 'land'.")
        text_cols = [m for m in query.columns if m.column.kind == "text" and m.end <= pos]
        if not text_cols:
            raise UnsupportedError("Name the text column to search, e.g. country contains 'land'.")
        tokens[nxt].used = True
        pattern = tokens[nxt].text if tokens[nxt].quoted else tokens[nxt].raw
        query.filters.append(Filter(text_cols[-1].column, "contains", pattern))
        # the column stays a mention: "countries containing 'land'" lists those countries


def _roles(query: Query, tokens: list[Token]) -> None:
    kw = {pos: (f, v) for pos, f, v in query.keywords}
    for m in query.columns:
        before = kw.get(m.start - 1, ("", ""))[0]
        if m.column.name.lower() == "year" and "over" in {
            t.text for t in tokens[m.start - 2 : m.start]
        }:
            before = "group"  # "lifeExp over the years"
        if before in ("group", "and") and (before == "group" or query.groups):
            if before == "and" and query.groups[-1].end != m.start - 1:
                continue
            query.groups.append(m)
        elif before == "which":
            query.which = m
        elif before == "color":
            query.color = m
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
            query.n = int(number)
            t.used = True


def _leftovers(query: Query, tokens: list[Token]) -> None:
    _fuzzy_keywords(query, tokens)
    unknown = [
        t.raw
        for t in tokens
        if not t.used and t.text not in STOPWORDS | FILLERS and singular(t.text) not in STOPWORDS
    ]
    if unknown:
        names = ", ".join(query.table.column_names[:12])
        raise UnsupportedError(
            f"I am not sure what “{' '.join(unknown)}” means here, so I will not guess. "
            f"Columns of {query.table.name}: {names}."
        )


def _fuzzy_keywords(query: Query, tokens: list[Token]) -> None:
    """Misspelt statistic words ('averge', 'corelation'), at a small cost in confidence."""
    from rapidfuzz import fuzz

    for i, t in enumerate(tokens):
        if t.used or t.quoted or len(t.text) < FUZZY_KEYWORD_MIN_CHARS or not t.text.isalpha():
            continue
        scored = [
            (fuzz.ratio(t.text, word), feature, value)
            for word, (feature, value) in KEYWORDS.items()
            if " " not in word and feature in FUZZY_FEATURES and len(word) >= 4
        ]
        best = max(scored, default=(0.0, "", ""))
        if best[0] >= FUZZY_KEYWORD_CUTOFF:
            t.used = True
            query.keywords.append((i, best[1], best[2]))
            query.confidence -= 0.05
