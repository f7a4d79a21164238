"""Yes/no questions that compare (issue 13): two named rows ('did A score more goals than B'), a
named row and a number ('is the E code less than 1950'), and a count and a number ('are there
more than 8 properties'); and the ones that offer two answers ('more or less'). Each answer is
checked against the same comparison computed by pandas from the CSV text."""

from __future__ import annotations

import pytest

from engine.answer.expectations import answer_mismatch
from engine.answer_kinds import Wanted
from engine.errors import UnsupportedError
from engine.sandbox.execute import CannotAnswer
from engine.types import Answer
from tests.test_planner_rows import Table

TOWNS = """Town,Population,Area,Region
Albino,18000,31.3,North
Stezzano,12500,9.4,North
Dalmine,23000,11.6,South
Osio,12500,7.6,South
Lovere,5300,7.1,North
"""


def _value(t: Table, town: str, column: str):
    return t.frame.loc[t.frame["Town"] == town, column].iloc[0]


@pytest.mark.parametrize(
    ("question", "first", "second", "more"),
    [
        ("does albino have more people than stezzano?", "Albino", "Stezzano", True),
        ("does lovere have more people than dalmine?", "Lovere", "Dalmine", True),
        ("is the area of osio larger than that of dalmine?", "Osio", "Dalmine", True),
        ("did dalmine have a smaller area than albino?", "Dalmine", "Albino", False),
    ],
)
def test_two_named_rows_compared_give_yes_or_no(
    settings, tmp_path, question, first, second, more
) -> None:
    column = "Area" if "area" in question else "Population"
    a, b = _value_pair(settings, tmp_path, first, second, column)
    expected = "Yes" if (a > b if more else a < b) else "No"
    with Table(settings, tmp_path, TOWNS, name="towns") as t:
        assert t.answer(question) == expected
        assert "Whether the" in t.plan(question).explanation


def _value_pair(settings, tmp_path, first, second, column):
    with Table(settings, tmp_path, TOWNS, name="pair") as t:
        return _value(t, first, column), _value(t, second, column)


def test_more_or_less_answers_with_the_word_offered(settings, tmp_path) -> None:
    with Table(settings, tmp_path, TOWNS, name="towns") as t:
        pop = t.frame.set_index("Town")["Population"]
        expected = "more" if pop["Albino"] > pop["Stezzano"] else "less"
        assert t.answer("does albino have more or less people than stezzano?") == expected
        expected = "above" if pop["Lovere"] > pop["Dalmine"] else "below"
        assert t.answer("is the population of lovere above or below that of dalmine?") == expected


def test_a_tie_is_neither_offered_answer(settings, tmp_path) -> None:
    """Stezzano and Osio both have 12,500 people: neither "more" nor "less" holds."""
    with Table(settings, tmp_path, TOWNS, name="towns") as t:
        with pytest.raises(CannotAnswer, match="neither more nor less"):
            t.answer("does stezzano have more or less people than osio?")
        assert t.answer("does stezzano have more people than osio?") == "No"


def test_a_named_row_compared_with_a_number(settings, tmp_path) -> None:
    with Table(settings, tmp_path, TOWNS, name="towns") as t:
        area = t.frame.set_index("Town")["Area"]
        assert t.answer("is the area of albino more than 30?") == (
            "Yes" if area["Albino"] > 30 else "No"
        )
        assert t.answer("is the area of lovere more than 30?") == (
            "Yes" if area["Lovere"] > 30 else "No"
        )
        expected = "more" if area["Dalmine"] > 10 else "less"
        assert t.answer("was the area of dalmine more or less than 10?") == expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("are there more than 4 towns?", lambda f: "Yes" if len(f) > 4 else "No"),
        ("are there at least 6 towns in the table?", lambda f: "Yes" if len(f) >= 6 else "No"),
        ("are there more or less than 8 towns?", lambda f: "more" if len(f) > 8 else "less"),
        (
            "does the north region have more than 2 towns?",
            lambda f: "Yes" if (f["Region"] == "North").sum() > 2 else "No",
        ),
        ("are there more or less than 3 columns in the table?", lambda f: "more"),
    ],
)
def test_a_count_compared_with_a_number(settings, tmp_path, question, expected) -> None:
    with Table(settings, tmp_path, TOWNS, name="towns") as t:
        assert t.answer(question) == expected(t.frame)
        assert "compared with" in t.plan(question).explanation


def test_how_many_columns_counts_columns_not_rows(settings, tmp_path) -> None:
    """ "column" alone is a filler word ("the average of column Area"), so "how many columns"
    was read as "how many" and answered with the number of rows (5, not 4)."""
    with Table(settings, tmp_path, TOWNS, name="towns") as t:
        assert t.answer("how many columns are in the table?") == len(t.frame.columns)
        assert t.answer("how many rows are there?") == len(t.frame)


def test_yes_no_questions_it_cannot_compare_are_declined(settings, tmp_path) -> None:
    with Table(settings, tmp_path, TOWNS, name="towns") as t:
        for question in (
            "does albino have more people than the region north?",  # a row and a group
            "is albino in the north?",  # no comparison: yes or no, not computed
            "did dalmine or albino have more people than osio?",  # three rows
        ):
            with pytest.raises(UnsupportedError):
                t.plan(question)


def test_the_answers_fit_the_kind_the_question_asks_for() -> None:
    """The answer loop's check after the run accepts both kinds of answer."""
    yes = Answer(kind="value", text="Yes", value="Yes")
    more = Answer(kind="value", text="more", value="more")
    assert answer_mismatch("did a score more than b?", yes) is None
    assert answer_mismatch("did a score more or less than b?", more) is None
    assert answer_mismatch("did a score more or less than b?", yes).wanted is Wanted.CHOICE
