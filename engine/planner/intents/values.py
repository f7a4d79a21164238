"""Intents that list values or rows: distinct values and how many there are, 'list all
species', and the rows (or values) that match the question's filters (issue 5)."""

from __future__ import annotations

from typing import Final

from engine.code_names import DECLINE
from engine.errors import UnsupportedError
from engine.identifiers import quote_ident
from engine.planner.matching import name_words
from engine.planner.plans import Intent, Plan, new_plan
from engine.planner.query import Query
from engine.planner.snippets import ROWS_SHOWN, call, col, group_words, not_null, where
from engine.planner.vocabulary import ID_WORDS
from engine.types import ColumnProfile

# Keywords a plain filter question may contain ("orders during 2014 between ... and ...").
FILTER_WORDS: Final = frozenset(
    "during cmp tcmp between not contains and row which group list much".split()
)


def _one_target(q: Query) -> ColumnProfile:
    targets = [m.column for m in q.measures] + [m.column for m in q.groups]
    if len(targets) != 1:
        raise UnsupportedError("Name one column to list the distinct values of.")
    return targets[0]


class DistinctCount(Intent):
    """'number of distinct species': how many different values one column has."""

    def match(self, q: Query) -> Plan | None:
        if not (q.has("distinct") and q.has("count")):
            return None
        return new_plan(q, self, groups=(_one_target(q),))

    def explain(self, plan: Plan) -> str:
        return f"Number of distinct values of {group_words(plan)}"

    def gives(self, plan: Plan) -> str:
        return "number"

    def pandas(self, plan: Plan, rows: str, frame: str) -> list[str]:
        return [f"result = {col(rows, plan.groups[0])}.nunique()"]

    def sql(self, plan: Plan, table: str) -> list[str] | None:
        c = quote_ident(plan.groups[0].name)
        return [
            call(f"SELECT count(DISTINCT {c}) AS n FROM {table}{where(plan)}"),
            'result = int(result["n"].iloc[0])',
        ]


class Unique(Intent):
    """'distinct species', 'unique values of island': one column's values, sorted."""

    def match(self, q: Query) -> Plan | None:
        if not q.has("distinct") or q.has("agg"):  # "the mean age of the individuals"
            return None
        return new_plan(q, self, groups=(_one_target(q),))

    def explain(self, plan: Plan) -> str:
        return f"Distinct values of {group_words(plan)}"

    def gives(self, plan: Plan) -> str:
        return "values"

    def pandas(self, plan: Plan, rows: str, frame: str) -> list[str]:
        c = col(rows, plan.groups[0])
        return [f"result = {c}.dropna().drop_duplicates().sort_values().reset_index(drop=True)"]

    def sql(self, plan: Plan, table: str) -> list[str] | None:
        c = quote_ident(plan.groups[0].name)
        q = f"SELECT DISTINCT {c}\nFROM {table}{where(plan, *not_null(plan.groups))}\nORDER BY {c}"
        return [call(q)]


class Listing(Unique):
    """'list all species', 'give me a list of the product categories'."""

    def match(self, q: Query) -> Plan | None:
        if not q.has("list") or q.groups or q.has("agg") or len(q.measures) != 1:
            return None
        column = q.measures[0].column
        if column.kind == "number" and _numbers_things(column):
            return None  # "list all the boats" beside Boat #: the boats, not their numbers
        return new_plan(q, self, groups=(column,))


def _numbers_things(column: ColumnProfile) -> bool:
    """A column of numbers that identify the rows: "Boat #", "Pick No.", "Player ID"."""
    words = name_words(column.name)
    return "#" in column.name or (bool(words) and words[-1] in ID_WORDS | {"number"})


def _only_filters(q: Query, also: frozenset[str] = frozenset()) -> bool:
    """The question names conditions and nothing to compute: 'orders from the West in 2014'."""
    said = {f for _, f, _ in q.keywords} - FILTER_WORDS - also
    return bool(q.filters) and not q.groups and not said


def _says_only(q: Query) -> bool:
    """'which was the only stamp set with over 200,000 issued': "only" is the one linking word,
    so the conditions must leave one value (the code checks it)."""
    links = [v for _, f, v in q.keywords if f == "link"]
    return bool(links) and all(v == "only" for v in links)


class Rows(Intent):
    """'orders from the West in 2014': the rows that match (the first 1,000 of a big table)."""

    def match(self, q: Query) -> Plan | None:
        if not _only_filters(q) or q.measures or q.which or (q.asks_who and q.who):
            return None  # "which club has points over 50" asks for clubs (FilteredValues)
        return new_plan(q, self)

    def explain(self, plan: Plan) -> str:
        return "Rows"

    def gives(self, plan: Plan) -> str:
        return "rows"

    def pandas(self, plan: Plan, rows: str, frame: str) -> list[str]:
        return [f"result = {rows}"]

    def sql(self, plan: Plan, table: str) -> list[str] | None:
        return [call(f"SELECT *\nFROM {table}{where(plan)}\nLIMIT {ROWS_SHOWN}")]


class FilteredValues(Unique):
    """'countries with pop over 1e9', "countries containing 'land'": the values of the one text
    column named, among the rows that match. With "the only …" (n = 1) the code declines
    unless exactly one value matches: the question's premise is checked, not assumed."""

    reads = frozenset({"link"})  # "only", nothing else (_says_only)

    def match(self, q: Query) -> Plan | None:
        named = [m.column for m in q.measures] + ([q.which.column] if q.which else [])
        if not named and q.asks_who and q.who is not None:
            named = [q.who]  # "which country won at least 6 bronze medals": the rows' names
        only = _says_only(q)
        also = frozenset({"link", "listed"}) if only else frozenset()  # "the only … listed"
        if (q.has("link") and not only) or q.value("listed"):
            return None
        if not _only_filters(q, also) or len(named) != 1 or q.has("row"):
            return None  # "which club has points over 50": the club is asked with "which"
        if named[0].kind != "text" and not named[0].type.upper().startswith("DATE"):
            return None  # "which date had over 50 casualties": dates, not times of day
        return new_plan(q, self, groups=(named[0],), n=1 if only else None)

    def explain(self, plan: Plan) -> str:
        said = super().explain(plan)
        return f"{said} (the only one, checked)" if plan.n == 1 else said

    def pandas(self, plan: Plan, rows: str, frame: str) -> list[str]:
        return super().pandas(plan, rows, frame) + _one_value(plan)

    def sql(self, plan: Plan, table: str) -> list[str] | None:
        return super().sql(plan, table) + _one_value(plan)


def _one_value(plan: Plan) -> list[str]:
    if plan.n != 1:
        return []
    return [
        "if len(result) != 1:",
        f'    {DECLINE}(f"the question says only one, but {{len(result)}} values match")',
    ]
