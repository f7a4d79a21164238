"""A row label looked up among the columns (engine/answer/row_labels.py): `df[s.idxmax()]` for
a column `s` of `df` runs as `df.loc[…]` instead of failing with a bare KeyError (issue 13)."""

from __future__ import annotations

import pandas as pd
import pytest

from engine.answer.row_labels import rows_by_label
from tests.conftest import SAMPLE_DATA
from tests.test_answer_failures import ask_model


@pytest.mark.parametrize(
    ("code", "rewritten"),
    [
        (  # wtq-train nt-5455, as the embedded model wrote it
            "result = df[df['Per capita (USD, 2017)'].idxmax()]['Country']",
            "result = df.loc[df['Per capita (USD, 2017)'].idxmax()]['Country']",
        ),
        (
            "result = df[df['Attendance'].idxmax() - 1]",
            "result = df.loc[df['Attendance'].idxmax() - 1]",
        ),
        (
            "x = sales[sales.price.idxmin() + 1]['region']",
            "x = sales.loc[sales.price.idxmin() + 1]['region']",
        ),
        (
            "s = 'é'\ny = df[df['é'].idxmax()]",
            "s = 'é'\ny = df.loc[df['é'].idxmax()]",
        ),  # byte offsets
    ],
)
def test_a_row_label_of_the_frames_own_column_is_looked_up_as_a_row(
    code: str, rewritten: str
) -> None:
    assert rows_by_label(code) == rewritten


@pytest.mark.parametrize(
    "code",
    [
        "x = df[df.mean(numeric_only=True).idxmax()]",  # a column's name: a column
        "x = df[df.groupby('a')['b'].sum().idxmax()]",  # a group's key
        "x = other[df['a'].idxmax()]",  # a label of another frame
        "x = df.loc[df['a'].idxmax()]",  # already a row
        "x = df[df['a'].idxmax() * 2]",
        "x = df[",  # does not parse: the run says so
    ],
)
def test_other_lookups_are_left_alone(code: str) -> None:
    assert rows_by_label(code) == code


def test_the_row_is_taken_without_a_repair(session) -> None:
    """On the real sandbox: the model's `df[df['quantity'].idxmax()]` answers with the row's
    value on the first run, no KeyError and no round trip to the model."""
    code = "result = df[df['unit_price'].idxmax()]['product']"
    turn, server = ask_model(session, "which product had the highest unit price?", [code])
    assert turn.ok and len(server.requests) == 1 and not turn.attempts
    sales = pd.read_csv(SAMPLE_DATA / "sales.csv")
    assert turn.result.answer.value == sales.loc[sales["unit_price"].idxmax(), "product"]
    assert "df.loc[df['unit_price'].idxmax()]" in turn.code
