"""Durations written as clock times ("1:49.52", "2:13:00") are compared and ranked in seconds
(issue 13). Small tables of our own, loaded by the real loader; answers checked against pandas
written here."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from engine.errors import UnsupportedError
from engine.planner.dates_said import number_of
from engine.planner.durations import clockish, seconds_of
from engine.planner.matching import (
    tokenize,
)
from engine.types import ColumnProfile
from tests.test_planner_rows import Table

HEAT = """Rank,Athlete,Country,Time
1,Ann Kip,Kenya,1:49.52
2,Bea Rono,United States,1:50.10
3,Cy Tola,United States,1:52.00 PB
4,Di Ware,Peru,1:58.31
5,Ed Lund,Peru,DNF
"""

WALKS = """Year,Competition,Venue,Notes
1999,Universiade,Palma,1:25:23
2001,European Cup,Dudince,1:22:10 PB
2003,World Championships,Paris,1:20:34
2005,World Championships,Helsinki,1:24:42
"""


def _seconds(text: str) -> float | None:
    return None if text == "DNF" else seconds_of(text.removesuffix(" PB"))


@pytest.fixture
def heat(settings, tmp_path: Path) -> Table:
    table = Table(settings, tmp_path, HEAT, name="heat")
    yield table
    table.catalog.close()


def _times(t: Table) -> pd.Series:
    return t.frame["Time"].map(_seconds)


def test_a_duration_in_the_question_is_compared_in_seconds(heat: Table) -> None:
    times = _times(heat)
    assert heat.answer("how many athletes had times of less than 1:51?") == (times < 111).sum()
    assert heat.answer("how many athletes ran under 2 minutes?") == (times < 120).sum()
    assert heat.answer("how many athletes had a time over 110 seconds?") == (times > 110).sum()


@pytest.mark.parametrize(
    ("question", "want"),
    [
        ("who had the best time?", "Ann Kip"),  # the lowest
        ("who had the fastest time?", "Ann Kip"),
        ("who had the slowest time?", "Di Ware"),  # DNF is no time
        ("who had the worst time?", "Di Ware"),
    ],
)
def test_the_best_time_is_the_lowest(heat: Table, question: str, want: str) -> None:
    assert heat.answer(question) == want


def test_time_names_the_one_column_of_durations(settings, tmp_path: Path) -> None:
    """No column is called Time: "time" is Notes, the one column of durations; a record
    mark ("PB") after a time is dropped."""
    with Table(settings, tmp_path, WALKS, name="walks") as t:
        assert t.answer("which competition had the best time?") == "World Championships"
        assert t.answer("which venue had the slowest time?") == "Palma"


@pytest.mark.parametrize(
    "question",
    [
        "what is the longest time?",  # seconds would not read as the cell does: declined
        "what is the average time?",
        "which american had the best time?",  # a people's name picks rows; not read
        "how many athletes had a rank under 1:30?",  # Rank holds no durations
    ],
)
def test_what_durations_cannot_answer_yet_declines(heat: Table, question: str) -> None:
    with pytest.raises(UnsupportedError):
        heat.plan(question)


def test_a_column_with_other_cells_declines_in_the_code(settings, tmp_path: Path) -> None:
    from engine.sandbox.execute import CannotAnswer

    with Table(settings, tmp_path, HEAT.replace("1:58.31", "+1 lap"), name="heat2") as t:
        with pytest.raises(CannotAnswer, match="not (durations|plain numbers)"):
            t.answer("who had the best time?")


def test_clocks_are_read_from_the_words_and_the_cells() -> None:
    assert [number_of(t) for t in tokenize("under 1:55 or 2:13:00")] == [None, 115, None, 7980]
    assert seconds_of("1:49.52") == pytest.approx(109.52)
    assert seconds_of("7:00 PM") is None
    column = ColumnProfile("Time", "VARCHAR", 0, 3, examples=("3:36", "4:59", "1:22"))
    assert clockish(column)
    kickoff = ColumnProfile("Time", "VARCHAR", 0, 3, examples=("7:00 PM", "1:00 PM", "8:30 PM"))
    assert not clockish(kickoff)
