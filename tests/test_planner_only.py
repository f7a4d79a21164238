"""'The only …' (issue 13): a question that says one row answers is answered only when the
data agrees, and "only N <column>" compares the column with N.

Small tables of our own, loaded by the real loader; every answer is checked against pandas
written here, and each premise the data does not hold is a decline, not a list.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.sandbox.execute import CannotAnswer
from tests.test_planner_rows import Table

# Numbers written as text ("62,000") beside a Total row that repeats its label in every cell
STADIUMS = """Club,City,Home stadium,Capacity,Founded
Beijing Guoan,Beijing,Workers Stadium,"62,000",1992
Changchun Yatai,Changchun,Development Area Stadium,"25,000",1996
Nanchang Hengyuan,Nanchang,Bayi Stadium,"20,000",1999
Qingdao Jonoon,Qingdao,Tiantai Stadium,"20,525",1993
Dalian Shide,Dalian,Jinzhou Stadium,"30,775",1992
Total,Total,Total,Total,Total
"""


def _stadiums(t: Table):
    data = t.frame[t.frame["Club"] != "Total"].copy()
    data["Capacity"] = data["Capacity"].str.replace(",", "").astype(int)
    return data


@pytest.fixture
def stadiums(settings, tmp_path: Path) -> Table:
    with Table(settings, tmp_path, STADIUMS, "stadiums") as table:
        yield table


def test_the_only_row_with_a_condition_is_named(stadiums: Table) -> None:
    data = _stadiums(stadiums)
    want = data.loc[data["Capacity"] > 60000, "Home stadium"].tolist()
    assert len(want) == 1  # the premise holds in this table
    result = stadiums.answer("which was the only stadium with a capacity over 60,000?")
    assert result.tolist() == want
    assert (
        "the only one"
        in stadiums.plan("which was the only stadium with a capacity over 60,000?").explanation
    )


@pytest.mark.parametrize(
    "question",
    [
        "which stadium only has a capacity of 20,000?",  # the column before the number
        "which stadium has only 20,000 capacity?",  # the column after it
    ],
)
def test_only_a_number_of_a_column_is_that_number(stadiums: Table, question: str) -> None:
    data = _stadiums(stadiums)
    want = data.loc[data["Capacity"] == 20000, "Home stadium"].tolist()
    assert stadiums.answer(question).tolist() == want == ["Bayi Stadium"]


@pytest.mark.parametrize(
    ("question", "why"),
    [
        ("which was the only stadium with a capacity over 21,000?", "but 3 values match"),
        ("which stadium only has a capacity of 21,000?", "but 0 values match"),
    ],
)
def test_the_only_one_declines_when_the_data_says_otherwise(stadiums, question, why) -> None:
    with pytest.raises(CannotAnswer, match=why):
        stadiums.answer(question)


def test_without_only_every_matching_value_is_listed(stadiums: Table) -> None:
    """The same condition without "only" lists them all; and a Total row that repeats its
    label under Capacity no longer stops Capacity being read as numbers."""
    data = _stadiums(stadiums)
    want = sorted(data.loc[data["Capacity"] > 21000, "Home stadium"])
    assert stadiums.answer("which stadiums have a capacity over 21,000?").tolist() == want


def test_only_beside_another_linking_verb_is_not_read_as_one_row(stadiums: Table) -> None:
    """'founded' selects rows as well as it links them: the question stays unread."""
    from engine.errors import UnsupportedError

    with pytest.raises(UnsupportedError):
        stadiums.plan("which was the only stadium founded by a club with a capacity over 60,000?")
