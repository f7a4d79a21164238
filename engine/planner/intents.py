"""What a read question asks for: an ordered registry of small intents (issue 5, style rule 10).

Each intent's `match(query)` returns a `Plan` or None; the first match wins, so the more
specific intents come first. An intent that sees the question is its kind but lacks a part
(no column to average, two candidate measures) raises UnsupportedError saying what is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Final

from engine.errors import UnsupportedError
from engine.planner.plans import (
    AGG_VERBS,
    AMOUNT_NAME,
    COUNTING,
    FILTER_WORDS,
    GUESSED_AGG_PENALTY,
    Plan,
    group_columns,
    new_plan,
    numeric_measures,
    one_measure,
    said_agg,
)
from engine.planner.query import Query
from engine.types import ColumnProfile


def correlation_matrix(q: Query) -> Plan | None:
    if q.has("matrix") or (q.has("corr") and not numeric_measures(q) and not q.groups):
        return new_plan(q, "corr_matrix")
    return None


def correlation(q: Query) -> Plan | None:
    if not q.has("corr"):
        return None
    numbers = numeric_measures(q)
    if len(numbers) != 2:
        raise UnsupportedError(
            "Name two numeric columns to correlate, e.g. “correlation of a and b”."
        )
    return new_plan(q, "corr", measures=tuple(numbers))


def scatter(q: Query) -> Plan | None:
    numbers = numeric_measures(q)
    if not (q.has("scatter") and len(numbers) == 2):
        return None
    color = q.color.column if q.color else (q.groups[0].column if len(q.groups) == 1 else None)
    return new_plan(q, "scatter", measures=tuple(numbers), color=color)


def missing(q: Query) -> Plan | None:
    if not q.has("missing"):
        return None
    if q.has("share") or q.has("agg"):
        raise UnsupportedError(
            "Ask for the number of missing values; shares of them are not offline yet."
        )
    return new_plan(q, "missing", measures=tuple(m.column for m in q.measures))


def describe(q: Query) -> Plan | None:
    if not q.has("describe") or q.has("agg"):
        return None
    return new_plan(
        q, "describe", measures=tuple(m.column for m in q.measures), groups=group_columns(q)
    )


def first_last(q: Query) -> Plan | None:
    if not (q.has("first") or q.has("last") or q.has("range")) or q.has("agg") or q.n:
        return None
    dates = [m.column for m in q.columns if m.column.kind == "date"]
    if not dates:
        dates = [c for c in q.table.columns if c.kind == "date"]
        if len(dates) != 1 or any(m.column.kind != "date" for m in q.measures):
            return None
    if len(dates) != 1:
        raise UnsupportedError(f"Which date column: {' or '.join(c.name for c in dates)}?")
    which = "range" if q.has("range") or (q.has("first") and q.has("last")) else None
    which = which or ("first" if q.has("first") else "last")
    return new_plan(q, "first_last", time=dates[0], period=which)


def head(q: Query) -> Plan | None:
    if q.has("head") or (q.has("first") and q.has("row") and not q.measures):
        return new_plan(q, "head", n=q.n or 5)
    return None


def histogram(q: Query) -> Plan | None:
    if not q.has("hist") or q.has("agg"):
        return None
    targets = [m.column for m in q.measures]
    if len(targets) != 1:
        raise UnsupportedError("Name one column to show the distribution of.")
    color = q.color.column if q.color else (q.groups[0].column if len(q.groups) == 1 else None)
    return new_plan(q, "histogram", measures=(targets[0],), color=color)


def trend(q: Query) -> Plan | None:
    period = q.value("period")
    year_group = [m.column for m in q.groups if m.column.name.lower() == "year"]
    if not (q.has("trend") or period or year_group):
        return None
    dates = [m.column for m in q.columns if m.column.kind == "date"]
    dates = dates or [c for c in q.table.columns if c.kind == "date"]
    years = year_group or [c for c in q.table.columns if c.name.lower() == "year"]
    if year_group:
        time, period = year_group[0], None
    elif len(dates) == 1:
        time = dates[0]
    elif dates:
        raise UnsupportedError(f"Which date column: {' or '.join(c.name for c in dates)}?")
    elif years:
        time, period = years[0], None
    else:
        return None
    measures = [c for c in numeric_measures(q) if c.name != time.name]
    other = [g for g in group_columns(q) if g.name != time.name]
    agg, confidence = said_agg(q)
    if len(measures) > 1 or len(other) > 1:
        raise UnsupportedError("Ask for the trend of one column at a time.")
    if measures and agg is None:  # sum for amounts of things, mean for levels (issue 5)
        amount = AMOUNT_NAME.search(measures[0].name.lower())
        agg, confidence = ("sum" if amount else "mean"), confidence - GUESSED_AGG_PENALTY
    return new_plan(
        q,
        "trend",
        measures=tuple(measures),
        agg=agg or "count",
        time=time,
        period=period or ("month" if time.kind == "date" else None),
        color=other[0] if other else None,
        confidence=confidence,
    )


def share(q: Query) -> Plan | None:
    if not q.has("share"):
        return None
    groups = group_columns(q) or tuple(m.column for m in q.measures if m.column.kind != "number")
    numbers = [c for c in numeric_measures(q) if c not in groups]
    if not groups and q.filters:  # "what percentage of penguins are female"
        if any(f.op == "in" for f in q.filters):
            raise UnsupportedError("Ask for the share by that column, e.g. “share of rows by sex”.")
        return new_plan(q, "share_rows")
    if len(groups) != 1 or len(numbers) > 1:
        raise UnsupportedError("Name one column to split by, e.g. “share of rows by region”.")
    return new_plan(q, "share", groups=groups, measures=tuple(numbers), agg="sum")


def pivot(q: Query) -> Plan | None:
    if not q.has("pivot"):
        return None
    groups = group_columns(q) or tuple(m.column for m in q.measures if m.column.kind != "number")
    numbers = [c for c in numeric_measures(q) if c not in groups]
    if len(groups) != 2 or len(numbers) > 1:
        raise UnsupportedError(
            "A pivot needs two columns to split by and at most one value column."
        )
    agg, confidence = said_agg(q)
    if numbers and agg is None:
        agg, confidence = "mean", confidence - GUESSED_AGG_PENALTY
    return new_plan(
        q,
        "pivot",
        groups=groups,
        measures=tuple(numbers),
        agg=agg or "count",
        confidence=confidence,
    )


def mode(q: Query) -> Plan | None:
    if not q.has("mode"):
        return None
    targets = [m.column for m in q.measures] + ([q.which.column] if q.which else [])
    if len(targets) != 1:
        raise UnsupportedError("Name the one column whose most common value you want.")
    return new_plan(q, "mode", groups=(targets[0],), n=q.n)


def superlative(q: Query) -> Plan | None:
    """'which species has the highest body mass', 'top 5 countries by gdpPercap'."""
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
        texts = [m.column for m in q.columns if m.column.kind in ("text", "bool")]
        if len(texts) > 1:
            raise UnsupportedError(f"Ranked by which: {' or '.join(c.name for c in texts)}?")
        group = texts[0] if texts else None
    numbers = [m.column for m in q.columns if m.column.kind == "number" and m.column != group]
    if len(numbers) > 1:
        raise UnsupportedError(f"Highest by which column: {' or '.join(c.name for c in numbers)}?")
    desc = direction == "desc"
    if group is None:
        if len(numbers) != 1:
            return None
        if q.n or (q.has("which") and q.has("row")):  # "which order has the highest price"
            return new_plan(q, "top_rows", measures=(numbers[0],), n=q.n or 1, descending=desc)
        # "the highest body mass" is the maximum
        return new_plan(q, "aggregate", measures=(numbers[0],), agg="max" if desc else "min")
    if not numbers:  # "which region has the most orders"
        if not (q.has("row") or q.has("count")):
            return None
        return new_plan(q, "top_groups", groups=(group,), agg="count", n=q.n, descending=desc)
    if agg is None:
        agg, confidence = "mean", confidence - GUESSED_AGG_PENALTY
    return new_plan(
        q,
        "top_groups",
        groups=(group,),
        measures=(numbers[0],),
        agg=agg,
        n=q.n,
        descending=desc,
        confidence=confidence,
    )


def _most_rows(q: Query) -> bool:
    """'most penguins', 'fewest orders': the superlative counts rows (the row noun follows it)."""
    supers = {pos for pos, f, _ in q.keywords if f == "super"}
    return COUNTING.search(q.question) is not None and any(
        f == "row" and pos - 1 in supers for pos, f, _ in q.keywords
    )


def distinct(q: Query) -> Plan | None:
    if not q.has("distinct"):
        return None
    targets = [m.column for m in q.measures] + [m.column for m in q.groups]
    if len(targets) != 1:
        raise UnsupportedError("Name one column to list the distinct values of.")
    intent = "distinct_count" if q.has("count") else "unique"
    return new_plan(q, intent, groups=(targets[0],))


def count(q: Query) -> Plan | None:
    rows_by_group = q.has("row") and q.groups and not q.measures and not q.has("agg")
    if not (q.has("count") or rows_by_group):  # "orders by category" counts orders
        return None
    if q.has("agg") and q.groups and not q.measures:
        raise UnsupportedError(
            "An average of counts per group needs two steps; ask for the counts per group first."
        )
    groups = group_columns(q)
    targets = [m.column for m in q.measures]
    if not targets:
        return new_plan(q, "count_groups" if groups else "count_rows", groups=groups)
    if len(targets) == 1 and targets[0].kind == "text":  # "how many countries (per continent)"
        if groups:
            return new_plan(q, "distinct_groups", measures=(targets[0],), groups=groups)
        return new_plan(q, "distinct_count", groups=(targets[0],))
    if len(targets) == 1 and not groups and not q.has("row"):
        return new_plan(q, "aggregate", measures=(targets[0],), agg="count")
    return None


def aggregate(q: Query) -> Plan | None:
    agg, confidence = said_agg(q)
    groups = group_columns(q)
    compare = q.has("compare")
    if agg is None and not (groups or compare or q.has("much")):
        return None
    if not groups and compare:
        groups = tuple(f.column for f in q.filters if f.op == "in")
    if agg is None and q.has("much"):  # "how much precipitation fell in 2013": a total
        agg = "sum"
    measure = one_measure(q, AGG_VERBS.get(agg or "mean", "use"))
    if agg is None:
        agg, confidence = "mean", confidence - GUESSED_AGG_PENALTY
    if len(groups) > 2:
        raise UnsupportedError("Group by at most two columns at a time.")
    return new_plan(
        q, "aggregate", measures=(measure,), agg=agg, groups=groups, confidence=confidence
    )


def sort(q: Query) -> Plan | None:
    if not (q.has("sort") or q.has("order")):
        return None
    if q.groups and numeric_measures(q):
        return None  # "total quantity by product, highest first": an aggregate, sorted
    measure = [m.column for m in q.columns]  # "sort by quantity": `by` does not group here
    if len(measure) != 1:
        raise UnsupportedError("Sort by which column? Name one.")
    return new_plan(q, "sort", measures=(measure[0],), descending=q.value("order") != "asc", n=q.n)


def listing(q: Query) -> Plan | None:
    """'list all species', 'give me a list of the product categories'."""
    if not q.has("list") or q.groups or q.has("agg") or len(q.measures) != 1:
        return None
    return new_plan(q, "unique", groups=(q.measures[0].column,))


def filter_rows(q: Query) -> Plan | None:
    said = {f for _, f, _ in q.keywords} - FILTER_WORDS
    if not q.filters or q.groups or said:
        return None
    if not q.measures:
        return new_plan(q, "rows")
    if len(q.measures) == 1 and q.measures[0].column.kind == "text" and not q.has("row"):
        # "countries with pop over 1e9", "countries containing 'land'"
        return new_plan(q, "unique", groups=(q.measures[0].column,))
    return None


INTENTS: Final[tuple[Callable[[Query], Plan | None], ...]] = (
    correlation_matrix,
    correlation,
    scatter,
    missing,
    describe,
    head,
    first_last,
    histogram,
    share,
    pivot,
    mode,
    distinct,
    sort,
    superlative,
    trend,
    count,
    aggregate,
    listing,
    filter_rows,
)


def plan_for_query(q: Query) -> Plan:
    """The first intent that matches, or a decline that says what was understood."""
    for intent in INTENTS:
        found = intent(q)
        if found is not None:
            return replace(found, confidence=round(found.confidence, 2))
    raise UnsupportedError(
        "I could not tell what to compute. Try e.g. “average body_mass_g by species”, "
        "“how many rows”, or “distribution of price”."
    )
