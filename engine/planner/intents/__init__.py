"""What a read question asks for: the ordered registry of intents (issue 5, style rule 10).

Each intent's `match(query)` returns a `Plan` or None, and the first match wins, so the more
specific intents come first. An intent that sees the question is its kind but lacks a part (no
column to average, two candidate measures) raises UnsupportedError saying what is missing.
Intents that read one kind of sentence in several ways (a superlative, a count) sit next to each
other, in the order the cases are told apart.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from engine.errors import UnsupportedError
from engine.planner.checks import check_plan
from engine.planner.intents.aggregates import Aggregate, Pivot, Share
from engine.planner.intents.counting import CountOfText, DistinctPerGroup, RowCount, ValueCount
from engine.planner.intents.dates import FirstLast, Trend
from engine.planner.intents.lookup import CellValue, Choice, ChoiceByCount, Difference, SameAs
from engine.planner.intents.overview import (
    ColumnCount,
    Correlation,
    CorrelationMatrix,
    Describe,
    Head,
    Histogram,
    Missing,
    Scatter,
)
from engine.planner.intents.positions import (
    LatestRow,
    ListEnd,
    Neighbour,
    PlaceAmong,
    Placing,
    TableOrder,
)
from engine.planner.intents.ranking import (
    Extreme,
    Mode,
    MostWins,
    RowLabel,
    Sort,
    TopGroups,
    TopRows,
)
from engine.planner.intents.values import DistinctCount, FilteredValues, Listing, Rows, Unique
from engine.planner.intents.versus import Versus, VersusNumber
from engine.planner.plans import Intent, Plan
from engine.planner.query import Query

__all__ = ["INTENTS", "plan_for_query"]

INTENTS: Final[tuple[Intent, ...]] = (
    CorrelationMatrix(),
    Correlation(),
    Scatter(),
    Missing(),
    Describe(),
    ColumnCount(),
    Placing(),  # 'who finished first': the row whose rank column holds that place
    Neighbour(),  # the row after a named one, the last row listed: the table's own order
    ListEnd(),
    LatestRow(),  # "who was the last coach": by the table's one date or year column
    TableOrder(),  # … or, with none, the table's order
    PlaceAmong(),  # … or, in a ranked table, the best or worst place among the rows asked about
    Head(),
    FirstLast(),
    Histogram(),
    Share(),
    Pivot(),
    Mode(),
    MostWins(),  # 'who won the most': the most common winner
    DistinctCount(),  # "number of distinct species", before the listing of them
    Unique(),
    Sort(),
    Versus(),  # "did A score more than B": yes or no, before a choice or a superlative
    VersusNumber(),  # "is the E code less than 1950"
    Choice(),  # "which had more titles, A or B": before a superlative reads it
    ChoiceByCount(),  # "are there more films in A or B": the option more rows hold
    TopRows(),  # a superlative: top rows, the extreme value, or top groups
    Extreme(),
    RowLabel(),  # "which shop had the most visitors": the row's label, not a group's mean
    TopGroups(),
    Trend(),
    Difference(),  # two named rows: the difference of their values, or one row's value
    SameAs(),
    CellValue(),
    RowCount(),  # a count: of rows, distinct values per group or overall, or values
    DistinctPerGroup(),
    CountOfText(),
    ValueCount(),
    Aggregate(),
    Listing(),
    Rows(),  # only filters: the rows, or the values of the one text column named
    FilteredValues(),
)


def plan_for_query(q: Query) -> Plan:
    """The first intent that matches, or a decline that says what was understood. A plan that
    leaves a part of the question unused, or gives another kind of answer than the question
    asks for, is declined (issue 13): a wrong confident answer is worse than none."""
    for intent in INTENTS:
        found = intent.match(q)
        if found is not None:
            drop = q.table.summary_rows if intent.every_row else ()
            found = replace(found, confidence=round(found.confidence, 2), drop_rows=drop)
            check_plan(q, found)
            return found
    raise UnsupportedError(
        "I could not tell what to compute. Try e.g. “average body_mass_g by species”, "
        "“how many rows”, or “distribution of price”."
    )
