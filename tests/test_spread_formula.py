"""The standard deviation formula a question names is the one the code computes."""

from __future__ import annotations

import pandas as pd
import pytest

from engine.answer.spread_formula import named_ddof, with_named_spread
from tests.conftest import SAMPLE_DATA
from tests.test_answer_failures import ask_model


@pytest.mark.parametrize(
    ("question", "ddof"),
    [
        ("what is the population standard deviation of the unit price?", 0),
        ("Give the sample standard deviation of quantity.", 1),
        ("the population variance of the discount", 0),
        ("Use the Population STD of price", 0),
        ("spread of price by the population standard deviation formula, not the sample one", 0),
        ("the sample variance, not the population standard deviation", 1),
        ("the population standard deviation instead of the sample standard deviation", 0),
        ("what is the standard deviation of price?", None),  # the library's default stands
        ("the population and sample standard deviation of price", None),  # both: ask for both
        ("the sample standard deviation and the population variance", None),
        ("what is the population of the largest city?", None),
        ("take a sample of 10 rows and give their standard deviation", None),
    ],
)
def test_the_formula_a_question_names(question: str, ddof: int | None) -> None:
    assert named_ddof(question) == ddof


POPULATION = "what is the population standard deviation of the unit price?"


def test_each_spread_call_without_ddof_gets_the_named_one_and_the_rest_stays() -> None:
    code = (
        "z = (df['a'] - df['a'].mean()) / df['a'].std()  # z-scores\n"
        "by_group = df.groupby('g')['a'].std( )\n"
        "v = np.var(df['a'], axis=0,)\n"
        "scores = stats.zscore(df['a'])\n"
        "kept = df['a'].std(ddof=1)\n"
        "options = df['a'].std(**settings)\n"
        "unpacked = np.std(*arguments)\n"
        "positional = np.std(df['a'], 0, None)\n"
        "result = f\"@std[{df['é'].var(skipna=True):.2f}]\"\n"
    )
    assert with_named_spread(code, POPULATION) == (
        "z = (df['a'] - df['a'].mean()) / df['a'].std(ddof=0)  # z-scores\n"
        "by_group = df.groupby('g')['a'].std( ddof=0)\n"
        "v = np.var(df['a'], axis=0, ddof=0,)\n"
        "scores = stats.zscore(df['a'], ddof=0)\n"
        "kept = df['a'].std(ddof=1)\n"
        "options = df['a'].std(**settings)\n"
        "unpacked = np.std(*arguments)\n"
        "positional = np.std(df['a'], 0, None)\n"
        "result = f\"@std[{df['é'].var(skipna=True, ddof=0):.2f}]\"\n"
    )
    sample = "result = np.std(df['a'])"
    assert with_named_spread(sample, "the sample standard deviation") == (
        "result = np.std(df['a'], ddof=1)"
    )


def test_code_is_left_alone_without_a_named_formula_or_when_it_does_not_parse() -> None:
    assert with_named_spread("result = df['a'].std()", "the standard deviation of a") == (
        "result = df['a'].std()"
    )
    assert with_named_spread("result = df['a'].std(", POPULATION) == "result = df['a'].std("


def test_the_population_formula_is_what_the_answer_computes(session) -> None:
    """On the real sandbox: the model writes pandas' default `.std()` (n - 1); the code that
    runs, and is shown, divides by n as the question asks."""
    turn, _ = ask_model(session, POPULATION, ["result = float(df['unit_price'].std())"])
    prices = pd.read_csv(SAMPLE_DATA / "sales.csv")["unit_price"]
    assert round(prices.std(ddof=0), 6) != round(prices.std(), 6)  # or this proves nothing
    assert turn.ok and turn.code == "result = float(df['unit_price'].std(ddof=0))"
    assert turn.result.answer.value == pytest.approx(prices.std(ddof=0))
