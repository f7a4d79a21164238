"""Intents that rank: the most common value, sorted rows, and superlatives ('which species has
the highest body mass', 'top 5 countries by gdpPercap', 'the highest body mass') (issue 5).

One superlative question becomes one of three plans: the top rows, the extreme value (an
`Aggregate`), or the top groups. Those three intents read it through the same `_superlative`,
which declines what none of them can answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from engine.code_names import DECLINE
from engine.errors import UnsupportedError
from engine.identifiers import quote_ident
from engine.planner.intents.aggregates import Aggregate
from engine.planner.matching import name_has, winner_column
from engine.planner.plans import (
    GUESSED_AGG_PENALTY,
    Intent,
    Plan,
    new_plan,
    numeric_measures,
    said_agg,
)
from engine.planner.query import Query
from engine.planner.readings import numbers_rows
from engine.planner.snippets import (
    AGG_WORDS,
    PANDAS_AGG,
    ROWS_SHOWN,
    agg_expr,
    call,
    col,
    measure_words,
    not_null,
    py,
    top_labels,
    where,
)
from engine.planner.vocabulary import RANK_WORDS
from engine.types import ColumnProfile

COUNTING: Final = re.compile(r"\b(most|fewest|least)\b", re.IGNORECASE)  # of rows, not values


class Mode(Intent):
    """'most common island': the value with the most rows."""

    reads = frozenset({"mode", "super"})

    def match(self, q: Query) -> Plan | None:
        if not q.has("mode"):
            return None
        targets = [m.column for m in q.measures] + ([q.which.column] if q.which else [])
        if len(targets) != 1:
            raise UnsupportedError("Name the one column whose most common value you want.")
        return new_plan(q, self, groups=(targets[0],), n=q.n)

    def explain(self, plan: Plan) -> str:
        return f"Most common value of {plan.groups[0].name}"

    def gives(self, plan: Plan) -> str:
        return "table" if plan.n else "label"

    def pandas(self, plan: Plan, rows: str, frame: str) -> list[str]:
        counts = f"counts = {rows}.groupby({py(plan.groups[0].name)}).size()"
        return [counts, *top_labels("counts", "max")]

    def sql(self, plan: Plan, table: str) -> list[str] | None:
        g = quote_ident(plan.groups[0].name)
        q = (
            f"SELECT {g}, count(*) AS count\nFROM {table}{where(plan, *not_null(plan.groups))}\n"
            f"GROUP BY {g}\nQUALIFY count = max(count) OVER ()\nORDER BY {g}"
        )
        name = py(plan.groups[0].name)
        return [
            call(q, "best"),
            f"result = best[{name}].iloc[0] if len(best) == 1 else best[{name}]  # a tie",
        ]


class MostWins(Mode):
    """'who won the most?', 'which party has won the most': the most common value of the
    table's one column of winners (Winner, Winning party), when nothing else is counted."""

    reads = frozenset({"gain", "super"})

    def match(self, q: Query) -> Plan | None:
        if not (q.has("gain") and q.value("super") == "desc") or not _WON_MOST.search(q.question):
            return None
        said = {f for _, f, _ in q.keywords} - {"gain", "super", "which", "during", "listed"}
        winners = [c for c in q.table.columns if c.kind == "text" and winner_column(c)]
        named = {m.column.name for m in q.measures} | ({q.which.column.name} if q.which else set())
        if said or q.groups or len(winners) != 1 or named - {winners[0].name}:
            return None
        return new_plan(q, self, groups=(winners[0],), n=q.n)

    def explain(self, plan: Plan) -> str:
        return f"Most common value of {plan.groups[0].name} (who won most often)"


_WON_MOST: Final = re.compile(r"\b(?:won|win|wins)\s+(?:the\s+)?most\b", re.IGNORECASE)


class Sort(Intent):
    """'sort by quantity (ascending)', 'top 10 rows ordered by price'."""

    reads = frozenset({"super"})

    def match(self, q: Query) -> Plan | None:
        if not (q.has("sort") or q.has("order")):
            return None
        if q.groups and numeric_measures(q):
            return None  # "total quantity by product, highest first": an aggregate, sorted
        measure = [m.column for m in q.columns]  # "sort by quantity": `by` does not group here
        if len(measure) != 1:
            raise UnsupportedError("Sort by which column? Name one.")
        descending = q.value("order") != "asc"
        return new_plan(q, self, measures=(measure[0],), descending=descending, n=q.n)

    def explain(self, plan: Plan) -> str:
        most = "highest" if plan.descending else "lowest"
        return f"Rows sorted by {measure_words(plan)}, {most} first"

    def gives(self, plan: Plan) -> str:
        return "rows"

    def pandas(self, plan: Plan, rows: str, frame: str) -> list[str]:
        asc = "False" if plan.descending else "True"
        head = f".head({plan.n})" if plan.n else ""
        return [f"result = {rows}.sort_values({py(plan.measures[0].name)}, ascending={asc}){head}"]

    def sql(self, plan: Plan, table: str) -> list[str] | None:
        m = quote_ident(plan.measures[0].name)
        order = "DESC" if plan.descending else "ASC"
        limit = plan.n or ROWS_SHOWN
        return [call(f"SELECT *\nFROM {table}{where(plan)}\nORDER BY {m} {order}\nLIMIT {limit}")]


@dataclass(frozen=True)
class _Superlative:
    """A superlative question's parts: what to rank (`group`, None for rows) and by what."""

    descending: bool
    agg: str | None
    confidence: float
    group: ColumnProfile | None
    numbers: list[ColumnProfile]


def _superlative(q: Query) -> _Superlative | None:
    """The superlative's parts, None when there is none, a decline when they are ambiguous."""
    direction = q.value("super")
    agg, confidence = said_agg(q)
    if direction is None and agg in ("max", "min") and q.which:
        direction = "desc" if agg == "max" else "asc"
    if direction is None:
        return None
    if q.has("period"):
        raise UnsupportedError(
            f"To rank {q.value('period')}s, ask for the trend per {q.value('period')} "
            "and sort it; the offline planner does not rank periods yet."
        )
    if q.which:
        group: ColumnProfile | None = q.which.column
    elif len(q.columns) == 1 and not q.has("agg") and _most_rows(q):
        group = q.columns[0].column  # "the year with the most penguins": rows per year
    else:
        labels = ("text", "bool", "date")  # "the air date with the most visitors": a date too
        texts = [m.column for m in q.columns if m.column.kind in labels]
        if len(texts) > 1:
            raise UnsupportedError(f"Ranked by which: {' or '.join(c.name for c in texts)}?")
        group = texts[0] if texts else None
    numbers = [m.column for m in q.columns if m.column.kind == "number" and m.column != group]
    if len(numbers) > 1:
        raise UnsupportedError(f"Highest by which column: {' or '.join(c.name for c in numbers)}?")
    ranks = [c.name for c in numbers if name_has(c, RANK_WORDS)]
    if ranks:  # "the top position" is position 1: highest or lowest?
        raise UnsupportedError(
            f"{ranks[0]} ranks rows, so its “highest” may be its lowest number. Ask for the "
            f"smallest or largest {ranks[0]}, or for the row where it is 1."
        )
    counters = [c.name for c in numbers if numbers_rows(c, q.table.rows)]
    if counters:  # "the largest amount of tracks" is not the highest track number
        raise UnsupportedError(
            f"{counters[0]} numbers the rows (1, 2, 3, …), so its highest value is the last row, "
            "not the most of anything. Name the column that holds the amount."
        )
    return _Superlative(direction == "desc", agg, confidence, group, numbers)


def _counted_names(q: Query, group: ColumnProfile) -> tuple[ColumnProfile, ...]:
    """ "which community has the most airports" beside a column Airport name: the one text
    column named after "most" or "fewest", whose filled cells are counted per group."""
    supers = [pos for pos, f, _ in q.keywords if f == "super"]
    named = [m.column for m in q.measures if m.column.kind == "text" and m.column != group]
    if (
        len(supers) != 1
        or len(named) != 1
        or len(q.measures) != 1
        or not COUNTING.search(q.question)
    ):
        return ()
    return tuple(named) if q.measures[0].start > supers[0] else ()


def _most_rows(q: Query) -> bool:
    """'most penguins', 'fewest orders': the superlative counts rows (the row noun follows it)."""
    supers = {pos for pos, f, _ in q.keywords if f == "super"}
    return COUNTING.search(q.question) is not None and any(
        f == "row" and pos - 1 in supers for pos, f, _ in q.keywords
    )


def _ranks_rows(q: Query) -> bool:
    """'top 3 orders by price', 'which order has the highest price': rows, not a value."""
    return bool(q.n) or (q.has("which") and q.has("row"))


class TopRows(Intent):
    """'the 3 orders with the highest price': whole rows, ranked by one numeric column."""

    reads = frozenset({"super"})

    def match(self, q: Query) -> Plan | None:
        s = _superlative(q)
        if s is None or s.group is not None or len(s.numbers) != 1 or not _ranks_rows(q):
            return None
        return new_plan(q, self, measures=(s.numbers[0],), n=q.n or 1, descending=s.descending)

    def explain(self, plan: Plan) -> str:
        most = "highest" if plan.descending else "lowest"
        return f"The {plan.n} rows with the {most} {measure_words(plan)}"

    def gives(self, plan: Plan) -> str:
        return "rows"

    def pandas(self, plan: Plan, rows: str, frame: str) -> list[str]:
        pick = "nlargest" if plan.descending else "nsmallest"
        return [f"result = {rows}.{pick}({plan.n}, {py(plan.measures[0].name)})"]

    def sql(self, plan: Plan, table: str) -> list[str] | None:
        m = quote_ident(plan.measures[0].name)
        order = "DESC" if plan.descending else "ASC"
        q = (
            f"SELECT *\nFROM {table}{where(plan, *not_null(plan.measures))}\n"
            f"ORDER BY {m} {order}\nLIMIT {plan.n}"
        )
        return [call(q)]


class Extreme(Aggregate):
    """'the highest body mass': the maximum (or minimum) of one numeric column."""

    reads = frozenset({"super"})

    def match(self, q: Query) -> Plan | None:
        s = _superlative(q)
        if s is None or s.group is not None or len(s.numbers) != 1 or _ranks_rows(q):
            return None
        if q.asks_who:
            return None  # "who had the most wins" wants the row's name (RowLabel)
        return new_plan(q, self, measures=(s.numbers[0],), agg="max" if s.descending else "min")


class RowLabel(Intent):
    """'which shop had the top number of visitors', 'the opening date with the most visitors': the
    label of the row with the highest (or lowest) value of one numeric column, every tied row's
    when several share it. Not a statistic per group: none was asked for (issue 13)."""

    reads = frozenset({"link", "gain", "super"})  # "which team scored / won the most goals"

    def match(self, q: Query) -> Plan | None:
        s = _superlative(q)
        if s is None or len(s.numbers) != 1 or q.n or s.agg not in (None, "max", "min"):
            return None
        if q.groups:
            return None  # "the highest points by city": per city, one row each
        group = s.group
        if q.which is None and q.asks_who:  # "who had the most wins": the column
            group = q.who if group is None or group == q.who else None  # naming each row
        if group is None:
            return None
        parts = {"groups": (group,), "measures": (s.numbers[0],), "descending": s.descending}
        return new_plan(q, self, **parts)

    def explain(self, plan: Plan) -> str:
        most = "highest" if plan.descending else "lowest"
        return f"The {plan.groups[0].name} of the row with the {most} {measure_words(plan)}"

    def gives(self, plan: Plan) -> str:
        return "label"

    def pandas(self, plan: Plan, rows: str, frame: str) -> list[str]:
        g, m = plan.groups[0].name, plan.measures[0].name
        extreme = "max" if plan.descending else "min"
        return [
            f"best = {rows}.loc[{col(rows, m)} == {col(rows, m)}.{extreme}(), {py(g)}]"
            ".drop_duplicates()",
            "if best.isna().any():  # a row of totals, or a label left blank",
            f"    {DECLINE}({py(f'the row with the {extreme} {m} has no {g}')})",
            "result = best.iloc[0] if len(best) == 1 else best.reset_index(drop=True)  # ties",
        ]

    def sql(self, plan: Plan, table: str) -> list[str] | None:
        g, m = (quote_ident(c.name) for c in (plan.groups[0], plan.measures[0]))
        extreme = "max" if plan.descending else "min"
        q = (
            f"SELECT DISTINCT {g}\nFROM {table}{where(plan)}\n"
            f"  {'AND' if where(plan) else 'WHERE'} {m} = "
            f"(SELECT {extreme}({m}) FROM {table}{where(plan)})"
        )
        name = py(plan.groups[0].name)
        return [
            call(q, "best"),
            f"if best[{name}].isna().any():  # a row of totals, or a label left blank",
            f"    {DECLINE}({py(f'the row with the {extreme} {plan.measures[0].name} has no label')})",
            f"result = best[{name}].iloc[0] if len(best) == 1 else best[{name}]  # ties",
        ]


class TopGroups(Intent):
    """'which species has the highest body mass', 'top 5 countries by gdpPercap', 'which region
    has the most orders': groups ranked by a statistic (or by their number of rows). Without
    N the answer is the one group's name."""

    reads = frozenset({"super"})

    def match(self, q: Query) -> Plan | None:
        s = _superlative(q)
        if s is None or s.group is None:
            return None
        if not s.numbers:  # "which region has the most orders"
            named = _counted_names(q, s.group)  # "which community has the most airports"
            if not (named or q.has("count") or (q.has("row") and COUNTING.search(q.question))):
                return None  # "the highest grade" ranks grades, it does not count them
            parts = {"groups": (s.group,), "measures": named, "n": q.n}
            return new_plan(q, self, agg="count", descending=s.descending, **parts)
        agg, confidence = s.agg, s.confidence
        if agg is None and not q.n:  # one row's label is RowLabel's; here no label was asked
            raise UnsupportedError(
                f"Highest {s.numbers[0].name} in one row, or on average per {s.group.name}? "
                "Say which (e.g. “highest average …”)."
            )
        if agg is None:
            agg, confidence = "mean", confidence - GUESSED_AGG_PENALTY
        return new_plan(
            q,
            self,
            groups=(s.group,),
            measures=(s.numbers[0],),
            agg=agg,
            n=q.n,
            descending=s.descending,
            confidence=confidence,
        )

    def explain(self, plan: Plan) -> str:
        g = plan.groups[0].name
        agg = AGG_WORDS.get(plan.agg, plan.agg).lower()
        what = "rows" if plan.agg == "count" else f"{agg} {plan.measures[0].name}"
        most = "highest" if plan.descending else "lowest"
        if plan.agg == "count":
            most = "most" if plan.descending else "fewest"
        if plan.n:
            return f"The {plan.n} values of {g} with the {most} {what}"
        return f"The {g} with the {most} {what}"

    def gives(self, plan: Plan) -> str:
        return "table" if plan.n else "label"

    def pandas(self, plan: Plan, rows: str, frame: str) -> list[str]:
        g = plan.groups[0].name
        if plan.agg == "count" and not plan.measures:
            out = [f"per_group = {rows}.groupby({py(g)}).size()"]
            y = "count"
        else:
            m = plan.measures[0].name
            out = [f"per_group = {rows}.groupby({py(g)})[{py(m)}].{PANDAS_AGG[plan.agg]}()"]
            y = "count" if plan.agg == "count" else m
        if plan.agg == "count":
            out += _one_row_each("per_group", g)
        if not plan.n:
            return out + top_labels("per_group", "max" if plan.descending else "min")
        pick = "nlargest" if plan.descending else "nsmallest"
        return out + [
            f"result = per_group.{pick}({plan.n}).reset_index(name={py(y)})",
            f"fig = px.bar(result, x={py(g)}, y={py(y)})",
        ]

    def sql(self, plan: Plan, table: str) -> list[str] | None:
        g = quote_ident(plan.groups[0].name)
        m = plan.measures[0] if plan.measures else None
        y = "count" if plan.agg == "count" or m is None else m.name
        order = "DESC" if plan.descending else "ASC"
        head = f"SELECT {g}, {agg_expr(plan, m)} AS {quote_ident(y)}\n"
        head += f"FROM {table}{where(plan, *not_null(plan.groups))}\nGROUP BY {g}\n"
        counted = _one_row_each(f"result[{py(y)}]", plan.groups[0].name)
        checks = counted if plan.agg == "count" else []
        if not plan.n:  # every group tied at the top (QUALIFY over an aggregate does not
            # translate to PostgreSQL, and the alias may be the column's own name)
            extreme, y = "max" if plan.descending else "min", quote_ident(y)
            q = (
                f"WITH per_group AS (\n{head.rstrip()}\n)\nSELECT *\nFROM per_group\n"
                f"WHERE {y} = (SELECT {extreme}({y}) FROM per_group)\nORDER BY {g}"
            )
            name = py(plan.groups[0].name)
            return [
                call(q),
                *checks,
                f"result = result[{name}].iloc[0] if len(result) == 1 else result[{name}]",
            ]
        q = f"{head}ORDER BY {quote_ident(y)} {order}, {g}\nLIMIT {plan.n}"
        fig = f"fig = px.bar(result, x={py(plan.groups[0].name)}, y={py(y)})"
        return [call(q), *checks, fig]


def _one_row_each(counts: str, group: str) -> list[str]:
    """Counted rows where every group has one row at most ("which ritu has the most seasonal
    festivals", the festivals listed in one cell): a tie of all, which says nothing."""
    why = f"each {group} is in one row at most, so counting rows cannot tell which has the most"
    return [f"if len({counts}) > 1 and {counts}.max() <= 1:", f"    {DECLINE}({py(why)})"]
