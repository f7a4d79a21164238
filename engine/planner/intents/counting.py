"""Intents for counting questions: 'how many rows (per region)', 'orders by category',
'how many countries (per continent)', 'count of body mass' (issue 5).

What is counted depends on what the question names: nothing (rows), a text column (its distinct
values), or a numeric column (its non-missing values). `_counts` decides that the question
counts at all, for all four intents.
"""

from __future__ import annotations

import re
from typing import Final

from engine.code_names import DECLINE
from engine.errors import UnsupportedError
from engine.identifiers import quote_ident
from engine.planner.filters import Filter
from engine.planner.intents.aggregates import Aggregate
from engine.planner.intents.values import DistinctCount
from engine.planner.matching import apply_synonyms, name_has, tokenize, year_named
from engine.planner.plans import Intent, Plan, group_columns, new_plan
from engine.planner.query import Query
from engine.planner.snippets import (
    by,
    call,
    col,
    group_words,
    measure_words,
    not_null,
    py,
    where,
)
from engine.planner.text_numbers import numberish
from engine.planner.vocabulary import WON_NOUNS


def _counts(q: Query) -> bool:
    """'how many', 'number of', or rows by a group ("orders by category" counts orders); an
    average of counts per group is declined here, before any counting intent answers it. So
    is a count of a column's values in the one row a value names ("how many titles did X
    have", X in one row): it would be 1 whatever the question meant."""
    rows_by_group = q.has("row") and bool(q.groups) and not q.measures and not q.has("agg")
    if not (q.has("count") or rows_by_group):
        return False
    one_row = len(q.filters) == 1 and len(q.values) == 1 and q.values[0].rows == 1
    if one_row and q.measures and not q.groups:
        raise UnsupportedError(
            f"{q.values[0].value} is in one row, so counting would give 1. Name the column "
            "that holds the number you want."
        )
    if q.has("agg") and q.groups and not q.measures:
        raise UnsupportedError(
            "An average of counts per group needs two steps; ask for the counts per group first."
        )
    return True


def _counted_text(q: Query) -> bool:
    """'how many countries': the one column named is text, so its distinct values count. Not a
    column of numbers written as text ("how many points": an amount), and not a column the
    question pins to one value (its distinct count is 1 whatever the data). Not when the noun
    after the counting words is another thing ("how many orders did each manager's region
    get": orders, not regions)."""
    if len(q.measures) != 1 or q.measures[0].column.kind != "text":
        return False
    column = q.measures[0].column
    if any(f == "row" and v == "noun" for _, f, v in q.keywords):
        raise UnsupportedError(
            f"The question counts something that is not a column here, not the values of "
            f"{column.name}; I will not count {column.name} in its place."
        )
    if numberish(column):
        raise UnsupportedError(
            f"{column.name} holds numbers written as text; I will not count its values as names."
        )
    if any(f.column.name == column.name and f.op == "==" for f in q.filters):
        raise UnsupportedError(
            f"The question names one value of {column.name}, so counting its values would "
            "always give 1. Ask for the number of rows."
        )
    return True


def _counted_exactly(q: Query) -> None:
    """Counting the rows equal to a value misses the cells that hold it among others ("X" in
    "X, Y"): decline when the value index knows such cells."""
    for v in q.values:
        if v.inside:
            raise UnsupportedError(
                f"{v.value} also appears inside other cells (e.g. {v.inside[0]!r}); counting "
                f"the rows where {v.column.name} is exactly {v.value} would miss those."
            )


def _says_which(q: Query) -> bool:
    """Something beside a linking verb says which rows: a named value ("located in Minsk"),
    or nothing in a column ("received no gold medals"); else the verb may select them.
    "Won" says it only of a column of things won ("won no titles", not "won no games" beside
    a column of games played)."""
    nothing = [f.column for f in q.filters if f.op == "none"]
    if q.has("gain"):
        return q.value("gain") == "won" and any(name_has(c, WON_NOUNS) for c in nothing)
    if q.values or nothing:
        return True
    links, words = _links(q), _words(q)
    return bool(links) and all(_happened_then(q, p, words) for p in links)


def _compared(f: Filter) -> bool:
    """A filter that compares a number or a time ("more than 10 points", "in 1990", "in
    october")."""
    timed = f.column.kind == "date" or year_named(f.column)
    compared = f.op in (">", ">=", "<", "<=", "between", "months")
    return compared or (timed and f.op in ("==", "dates"))


def _verb_names_value(q: Query) -> bool:
    """Each linking verb leads, through "from", "by" or "for", to a named value ("came from
    Kenya", "were operated by EWS"): it says where the rows belong, not which rows finished,
    won or scored ("how many drivers from Kenya finished", "how many players scored during
    the 1983 championship"). A verb of happening may lead to a month instead ("how many games
    were played in october"): every row happened, the month says when."""
    words, links = _words(q), _links(q)
    starts = {v.start for v in q.values}
    return bool(links) and all(
        _happened_then(q, pos, words)
        or (
            pos + 1 < len(words)
            and words[pos + 1] in _BELONGING
            and (pos + 2 in starts or (pos + 3 in starts and words[pos + 2] == "the"))
        )
        for pos in links
    )


def _happened_then(q: Query, pos: int, words: list[str]) -> bool:
    """The linking verb at `pos` of `words` (_words) is one of happening, and leads to the
    question's month: "were played in october", "took place during may"."""
    after = pos + 2 if words[pos + 1 : pos + 2] == ["place"] else pos + 1  # "took place"
    monthly = any(f.op == "months" for f in q.filters)
    return monthly and words[pos] in _HAPPENED and words[after : after + 1] in (["in"], ["during"])


def _links(q: Query) -> list[int]:
    return [pos for pos, f, _ in q.keywords if f == "link"]


def _words(q: Query) -> list[str]:
    """The question's words as the keyword positions count them."""
    return [t.text for t in apply_synonyms(tokenize(q.question), [q.table])]


_BELONGING: Final = frozenset({"from", "by", "for"})
_HAPPENED: Final = frozenset(
    "play played held hold release released air aired premiere premiered publish published "
    "launch launched occur occurred took take".split()
)


class RowCount(Intent):
    """'how many rows', 'number of orders per region and segment': rows, per group if any.
    A linking verb is read when a named value says which rows ("how many times did X finish
    3rd"); alone it could select rows itself ("how many drivers finished"). A noun for the
    rows is counted when compared with a number, or when a winner is named ("how many races
    did X win": rows where Winner is X); otherwise what it covers is open."""

    reads = frozenset({"link", "gain"})

    def match(self, q: Query) -> Plan | None:
        verb = q.has("link") or q.has("gain")
        if not _counts(q) or q.measures or (verb and not _says_which(q)):
            return None
        if any(f.op in ("!=", "not in") for f in q.filters) and q.named_values:
            return None  # "non-friendly competitions": competitions, or their rows?
        nouns = any(f == "row" and v == "noun" for _, f, v in q.keywords)
        compared = q.filters and all(_compared(f) for f in q.filters)
        named = q.filters and q.values and all(f.op == "==" for f in q.filters)
        linked = q.has("link") and not _verb_names_value(q)
        if nouns and (not (compared or named) or linked) and not q.won_by:
            return None  # "how many events were there": what the noun covers is open
        _counted_exactly(q)
        return new_plan(q, self, groups=group_columns(q))

    def explain(self, plan: Plan) -> str:
        return f"Number of rows per {group_words(plan)}" if plan.groups else "Number of rows"

    def gives(self, plan: Plan) -> str:
        return "table" if plan.groups else "number"

    def pandas(self, plan: Plan, rows: str, frame: str) -> list[str]:
        if not plan.groups:
            return [f"result = len({rows})"]
        out = [
            f"result = {rows}.groupby({by(plan)}).size().sort_values(ascending=False)"
            '.reset_index(name="count")',
        ]
        color = f", color={py(plan.groups[1].name)}" if len(plan.groups) > 1 else ""
        return out + [f'fig = px.bar(result, x={py(plan.groups[0].name)}, y="count"{color})']

    def sql(self, plan: Plan, table: str) -> list[str] | None:
        if not plan.groups:
            return [
                call(f"SELECT count(*) AS n FROM {table}{where(plan)}"),
                'result = int(result["n"].iloc[0])',
            ]
        g = ", ".join(quote_ident(c.name) for c in plan.groups)
        q = (
            f"SELECT {g}, count(*) AS count\nFROM {table}{where(plan, *not_null(plan.groups))}\n"
            f"GROUP BY {g}\nORDER BY count DESC"
        )
        color = f", color={py(plan.groups[1].name)}" if len(plan.groups) > 1 else ""
        return [call(q), f'fig = px.bar(result, x={py(plan.groups[0].name)}, y="count"{color})']


class DistinctPerGroup(Intent):
    """'how many countries per continent'. pandas only: a small grouped nunique."""

    def match(self, q: Query) -> Plan | None:
        if not _counts(q) or not _counted_text(q) or not q.groups:
            return None
        return new_plan(q, self, measures=(q.measures[0].column,), groups=group_columns(q))

    def explain(self, plan: Plan) -> str:
        return f"Number of distinct values of {measure_words(plan)} per {group_words(plan)}"

    def pandas(self, plan: Plan, rows: str, frame: str) -> list[str]:
        m = plan.measures[0].name
        return [
            f"result = {rows}.groupby({by(plan)})[{py(m)}].nunique().reset_index()",
            f"fig = px.bar(result, x={py(plan.groups[0].name)}, y={py(m)})",
        ]


class CountOfText(DistinctCount):
    """'how many countries': the number of distinct values of a text column. Rows and values
    agree when no value repeats; when some do, distinct values are meant only if the table
    lists every value equally often (each city twice, each country once a year). When some
    repeat and others do not ("how many players": 26 rows, 25 names) rows and values
    disagree, and the code declines (issue 13). So it does when the rows a comparison keeps
    repeat a value ("how many artists scored more than 30": 4 entries by 3 artists). A
    linking verb is read when a named value says which rows ("how many teams are located in
    Minsk"), as for rows."""

    reads = frozenset({"link", "gain"})

    def match(self, q: Query) -> Plan | None:
        if not _counts(q) or not _counted_text(q) or q.groups:
            return None
        if (q.has("link") or q.has("gain")) and not _says_which(q):
            return None  # "how many catalogs were released": the verb may select rows
        _counted_exactly(q)  # "Joni Mitchell" also in "The Band, Neil Young and Joni Mitchell"
        return new_plan(q, self, groups=(q.measures[0].column,))

    def pandas(self, plan: Plan, rows: str, frame: str) -> list[str]:
        c = plan.groups[0]
        if _compares(plan):
            check, why = "", _REPEATED
        else:
            check, why = f" and {col(frame, c)}.value_counts().nunique() > 1", _UNEVEN
        listed = [  # only a column named like "Nominee(s)" lists several names in a cell
            "if names.astype(str).str.contains(r'[,;]').any():",
            f"    {DECLINE}({py(_LISTED.format(c.name))})",
        ]
        return [
            f"names = {col(rows, c)}.dropna()",
            f"if names.duplicated().any(){check}:",
            f"    {DECLINE}({py(why.format(c.name))})",
            *(listed if _LISTS.search(c.name) else []),
            "result = names.nunique()",
        ]

    def sql(self, plan: Plan, table: str) -> list[str] | None:
        c = quote_ident(plan.groups[0].name)
        lists = _LISTS.search(plan.groups[0].name) is not None  # "Nominee(s)": see pandas
        listed = f", coalesce(bool_or(regexp_matches({c}::VARCHAR, '[,;]')), false) AS listed"
        counted = (
            f"SELECT count({c}) AS n, count(DISTINCT {c}) AS names{listed if lists else ''} "
            f"FROM {table}{where(plan)}"
        )
        compares = _compares(plan)
        why = _REPEATED if compares else _UNEVEN
        spread = (
            f"SELECT min(k) = max(k) AND {not compares} AS even\nFROM (SELECT count(*) AS k "
            f"FROM {table} WHERE {c} IS NOT NULL GROUP BY {c}) AS counts"
        )
        return [
            call(counted, "counted"),
            call(spread, "spread"),
            'if counted["n"].iloc[0] > counted["names"].iloc[0] and not spread["even"].iloc[0]:',
            f"    {DECLINE}({py(why.format(plan.groups[0].name))})",
            *(
                [
                    'if counted["listed"].iloc[0]:',
                    f"    {DECLINE}({py(_LISTED.format(plan.groups[0].name))})",
                ]
                if lists
                else []
            ),
            'result = int(counted["names"].iloc[0])',
        ]


def _compares(plan: Plan) -> bool:
    """A comparison with a number keeps some rows of a name and not others ("scored more than
    30" in one round of two): then a name in several kept rows leaves entries or names open.
    A value ("in Europe") keeps all of a name's rows, so a table of names listed equally
    often (a country a year) still counts names."""
    return any(f.op in (">", ">=", "<", "<=", "between") for f in plan.filters)


_UNEVEN = (
    "some {0} values are listed more often than others, so the number of rows and the number "
    "of different values disagree"
)
# A column named "Nominee(s)" holds lists: "Michael Ballin, Sam Black, Douglas Gray" is one
# cell and four nominees (issue 13). Elsewhere a comma is part of a name ("Biloxi, MS").
_LISTS: Final = re.compile(r"\((?:e?s)\)")
_LISTED = "some {0} cells list several names, so counting cells would not count the names"
_REPEATED = (
    "some {0} values are in several of the rows the question keeps, so the number of rows "
    "and the number of different values disagree"
)


class ValueCount(Aggregate):
    """'count of body mass': the non-missing values of one numeric (or date) column."""

    def match(self, q: Query) -> Plan | None:
        if not _counts(q) or len(q.measures) != 1 or _counted_text(q):
            return None
        if q.groups or q.has("row") or q.values or q.value("agg") not in (None, "sum"):
            return None  # "average number of X's apps": a mean; "X's count of Y": a lookup
        return new_plan(q, self, measures=(q.measures[0].column,), agg="count")
