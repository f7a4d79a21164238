"""Months and days in questions (issue 13): "how many games were played in october", "released
in march or april", "the attendance on october 25, 1981".

A month filters the table's one date column, in any year: a DATE column by its month, a text
column of dates as people write them ("Oct 10", "11 September", "Fri., Feb. 28, 1941") by the
month its cells name. A cell that names no month or two makes the code decline, since that row
may or may not be in the month. Answers are compared with pandas written here.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from engine.errors import UnsupportedError
from engine.planner import plan
from engine.planner.dates_said import date_of
from engine.planner.matching import (
    tokenize,
)
from engine.planner.query import read_question
from engine.sandbox.execute import CannotAnswer, cannot_answer
from tests.test_planner_rows import Table

FIXTURES = """Date,Opponent,Venue,Result,Attendance
September 5,Alcorn,Home,L 24–28,5200
September 26,Bethune,Away,W 21–14,4100
October 3,Prairie View,Home,W 28–7,6100
Oct 10,Tennessee,Away,W 51–9,3900
17 October,Valley,Home,L 17–31,5000
"Fri., Nov. 7",Alabama,Away,L 7–17,2800
November 28,Southern,Home,W 30–9,7300
"""

DATED = """day,product,units
2023-03-02,tea,4
2023-04-11,tea,2
2024-03-20,cake,5
2024-05-01,cake,1
2024-03-05,tea,3
"""


def _month_of(cell: str) -> str:
    """The month a cell names, read here without the planner's pattern."""
    words = cell.replace(".", " ").replace(",", " ").lower().split()
    return next(w[:3] for w in words if w[:3] in {"sep", "oct", "nov"})


@pytest.fixture
def fixtures(settings, tmp_path: Path) -> Table:
    table = Table(settings, tmp_path, FIXTURES, name="fixtures")
    yield table
    table.catalog.close()


@pytest.mark.parametrize(
    ("question", "months"),
    [
        ("how many games were played in october?", {"oct"}),
        ("how many games were played in the month of november", {"nov"}),
        ("how many games were played in september or october", {"sep", "oct"}),
        ("how many games were held during november?", {"nov"}),
    ],
)
def test_a_month_counts_the_rows_whose_date_names_it(fixtures: Table, question, months) -> None:
    want = sum(_month_of(d) in months for d in fixtures.frame["Date"])
    assert fixtures.answer(question) == want
    assert "(any year)" in fixtures.plan(question).explanation


def test_a_month_filters_an_aggregate(fixtures: Table) -> None:
    frame = fixtures.frame
    october = frame[[_month_of(d) == "oct" for d in frame["Date"]]]
    assert (
        fixtures.answer("what was the total attendance in october?") == october["Attendance"].sum()
    )


@pytest.mark.parametrize(
    "question",
    [
        "how many games may be played?",  # a verb, not a month
        "how many games were played on october 10?",  # a day without a year: not read
        "how many players scored in october?",  # scoring selects rows; the month does not
    ],
)
def test_what_is_not_a_month_of_the_rows_is_declined(fixtures: Table, question) -> None:
    with pytest.raises(UnsupportedError):
        fixtures.plan(question)


@pytest.mark.parametrize(
    ("cells", "why"),
    [
        ("Date,Team\nMarch 4,A\n1998,B\nMarch 9,C\n", "'1998' name no month"),
        ("Date,Team\nMarch 4,A\n30 Mar – 2 Apr,B\nApril 9,C\n", "'30 Mar – 2 Apr' name no month"),
    ],
)
def test_a_cell_with_no_month_or_two_makes_the_code_decline(
    settings, tmp_path: Path, cells: str, why: str
) -> None:
    with Table(settings, tmp_path, cells, name="events") as t:
        with pytest.raises(CannotAnswer, match=why):
            t.answer("how many events were held in march?")


def test_two_date_columns_ask_which(settings, tmp_path: Path) -> None:
    tours = "Tour,Date Start,Date Finish\nA,January 8,January 20\nB,January 15,February 2\n"
    with Table(settings, tmp_path, tours, name="tours") as t:
        with pytest.raises(UnsupportedError, match="Date Start or Date Finish"):
            t.plan("how many tours took place during january?")


def test_a_month_of_a_date_column_is_in_any_year_also_in_sql(settings, tmp_path: Path) -> None:
    with Table(settings, tmp_path, DATED, name="sales") as t:
        frame = t.frame.assign(day=pd.to_datetime(t.frame["day"]))
        want = int(frame.loc[frame["day"].dt.month == 3, "units"].sum())
        question = "what is the total units sold in march?"
        assert t.answer(question) == want
        big = replace(t.settings, big_table_rows=1)  # the SQL form, as for a big table
        code = plan(question, [t.profile], big, t.indexes).code
        assert "sql(" in code and "month(" in code
        con = duckdb.connect()
        con.register("sales", frame)
        ns = {"pd": pd, "np": np, "sql": lambda q: con.sql(q).df(), "cannot_answer": cannot_answer}
        exec(compile(code, "<planner>", "exec"), ns)
        assert ns["result"] == want


def test_text_dates_are_not_numbers_written_as_text(fixtures: Table) -> None:
    """'17 October' starts with a digit; it is still a date, never the number 17."""
    q = read_question("how many games were played in october", [fixtures.profile])
    assert [c.kind for c in q.table.columns if c.name == "Date"] == ["text"]
    assert q.text_numbers == ()


# --- days ------------------------------------------------------------------------------------

RESULTS = """Week,Date,Opponent,Attendance
1,1981-10-18,Saints,57406
2,1981-10-25,Giants,48410
3,1981-11-01,Browns,78283
"""


@pytest.mark.parametrize(
    ("question", "column"),
    [
        ("what was the attendance on october 25, 1981?", "Attendance"),
        ("who was the opponent on 25th october 1981?", "Opponent"),
    ],
)
def test_a_day_names_its_row(settings, tmp_path: Path, question: str, column: str) -> None:
    with Table(settings, tmp_path, RESULTS, name="season") as t:
        assert t.answer(question) == t.frame.loc[t.frame["Date"] == "1981-10-25", column].item()


def test_the_comma_after_a_day_is_not_part_of_a_number() -> None:
    assert [t.text for t in tokenize("on october 25, 1981 for 1,200 people")] == [
        "on", "october", "25", "1981", "for", "1,200", "people",
    ]  # fmt: skip
    first, after, used = date_of(tokenize("october 25, 1981"), 0)
    assert (first.isoformat(), after.isoformat(), used) == ("1981-10-25", "1981-10-26", 3)


def test_two_years_joined_by_a_dash_after_from_are_a_range(settings, tmp_path: Path) -> None:
    """ "from 1941-1949" reads as "between 1941 and 1949". Where a column is named by the two
    years ("1990–2001") they are that column, not a range: the question stays unread."""
    text = "Year,Title\n1940,Ada\n1941,Bly\n1945,Cole\n1949,Dee\n1950,Eyre\n"
    with Table(settings, tmp_path, text, name="films") as t:
        want = int(t.frame["Year"].between(1941, 1949).sum())
        assert t.answer("how many films were there from 1941-1949?") == want == 3
    text = "Country,1990–2001,2002–2010,Year\nPeru,10,20,2011\nChile,30,40,2011\n"
    with Table(settings, tmp_path, text, name="migrants") as t:
        with pytest.raises(UnsupportedError):
            t.plan("how many migrants came from Peru from 1990-2001?")
