"""An answer that is nan goes back to the model once (engine/answer/missing_answer.py)."""

from __future__ import annotations

import pytest

from engine.answer.missing_answer import MISSING_DOUBT, missing_in
from engine.types import Answer, TableData
from tests.test_answer_failures import ask_model

# scipy's pearsonr over a column with missing values: nan, where pandas would have skipped them.
NAN_PEARSON = (
    "from scipy.stats import pearsonr\n"
    "price = df['unit_price'].where(df['quantity'] > 2)\n"
    "r, p = pearsonr(price, df['quantity'])\n"
    "result = f'@p_value[{p:.4f}]'"
)
DROPPED = (
    "from scipy.stats import pearsonr\n"
    "both = df.assign(price=df['unit_price'].where(df['quantity'] > 2)).dropna(subset=['price'])\n"
    "r, p = pearsonr(both['price'], both['quantity'])\n"
    "result = f'@p_value[{p:.4f}]'"
)
# Rows are found, but none has the value: the median is nan, and nan is the answer.
NONE_GIVEN = "result = f\"median: {df['unit_price'].where(df['quantity'] > 1000).median()}\""


@pytest.mark.parametrize(
    "answer",
    [
        Answer("value", "@p_value[nan]", value="@p_value[nan]"),
        Answer("text", "r = 0.12, p = NaN", value="r = 0.12, p = NaN"),  # a string result
        Answer("value", "first sale: NaT", value="first sale: NaT"),
        Answer("value", "median <NA>", value="median <NA>"),
        # a part of a filled-in answer format, on a line of its own
        Answer("text", "@r_male[0.31]", value="@r_male[0.31]\n@p_value_male[nan]\n@type[none]"),
    ],
)
def test_a_missing_value_in_a_one_value_answer_is_seen(answer: Answer) -> None:
    assert missing_in(answer)


@pytest.mark.parametrize(
    "answer",
    [
        None,
        Answer("value", "None", value=None),  # nothing but a missing value: nothing_found's
        Answer("value", "0.5", value=0.5),
        Answer("value", "0", value=0),
        Answer("value", "Nan Goldin", value="Nan Goldin"),  # a name
        Answer("value", "banana, nano, nancy", value="banana, nano, nancy"),
        Answer("value", "x.nan", value="x.nan"),
        Answer("text", "a  b  c", value="   a    b\n0  1  nan\n"),  # a printed listing
        Answer("text", "@a[1]", value="@a[1]\n@b[0.5]\nnan: none of the parts"),
        Answer("table", "1 rows x 1 columns", table=TableData(("a",), ((None,),), 1)),
    ],
)
def test_other_answers_are_not_doubted(answer: Answer | None) -> None:
    assert not missing_in(answer)


def test_a_nan_answer_goes_back_once_and_the_repair_answers(session) -> None:
    """On the real sandbox: pearsonr over a column with missing values gives p = nan; the
    model is told so, drops the missing rows, and its number is the answer."""
    turn, server = ask_model(
        session, "p-value of the correlation of unit price and quantity", [NAN_PEARSON, DROPPED]
    )
    assert [a.result.answer.text for a in turn.attempts] == ["@p_value[nan]"]
    assert turn.ok and turn.code == DROPPED
    p = float(turn.result.answer.text.removeprefix("@p_value[").removesuffix("]"))
    assert 0.0 <= p <= 1.0
    assert MISSING_DOUBT in server.requests[1].messages[-1]["content"]


def test_the_same_code_again_keeps_a_nan_that_is_the_answer(session) -> None:
    """No row has a value to take the median of; given the same code again, the answer stands
    as computed (not repaired again, not declined)."""
    turn, server = ask_model(
        session, "median unit price of orders over 1000 units", [NONE_GIVEN] * 3
    )
    assert turn.ok and turn.code == NONE_GIVEN and turn.result.answer.text == "median: nan"
    assert len(server.requests) == 3
    assert MISSING_DOUBT in server.requests[1].messages[-1]["content"]
