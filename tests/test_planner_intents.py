"""The planner's intent registry (issue 12): one object per intent, tried in order, and a plan
that names the intent which wrote it. The answers themselves are checked by the case table
(tests/test_planner_cases.py)."""

from __future__ import annotations

import pytest

from engine.config import Settings
from engine.planner import plan
from engine.planner.draft import code_for_plan
from engine.planner.intents import INTENTS, plan_for_query
from engine.planner.intents.aggregates import Aggregate
from engine.planner.intents.overview import CorrelationMatrix
from engine.planner.intents.ranking import Extreme
from engine.planner.plans import Intent
from engine.planner.query import read_question
from engine.types import ColumnProfile, TableProfile

PRICES = TableProfile(
    name="prices",
    source="prices.csv",
    rows=100,
    columns=(
        ColumnProfile("region", "VARCHAR", 0, 3, top_values=(("East", 40), ("West", 35))),
        ColumnProfile("price", "DOUBLE", 0, 90, min=1.0, max=99.0),
        ColumnProfile("quantity", "BIGINT", 0, 20, min=1, max=20),
    ),
)


def test_the_registry_holds_one_instance_of_each_intent():
    kinds = [type(intent) for intent in INTENTS]
    assert all(isinstance(intent, Intent) for intent in INTENTS)
    assert len(kinds) == len(set(kinds))


@pytest.mark.parametrize(
    ("question", "intent", "explanation"),
    [
        ("average price by region", Aggregate, "Mean of price, grouped by region"),
        (
            "the highest price",
            Extreme,
            "Maximum of price",
        ),  # an Aggregate, matched as a superlative
        ("correlation matrix", CorrelationMatrix, "Correlation matrix of the numeric columns"),
    ],
)
def test_a_plan_refers_to_the_intent_that_matched(question, intent, explanation):
    found = plan_for_query(read_question(question, [PRICES]))
    assert type(found.intent) is intent
    assert plan(question, [PRICES], Settings()).explanation == explanation


def test_an_intent_without_sql_falls_back_to_pandas_on_a_big_table():
    found = plan_for_query(read_question("correlation matrix", [PRICES]))
    assert found.intent.sql(found, '"prices"') is None
    assert "sql(" not in code_for_plan(found, [PRICES], big_table_rows=10)
    average = plan_for_query(read_question("average price by region", [PRICES]))
    assert "sql(" in code_for_plan(average, [PRICES], big_table_rows=10)
