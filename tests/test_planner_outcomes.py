"""Wins, losses and draws counted from a column of results (issue 13): "how many wins" in a
schedule whose Result cells read "W 24–17" or "Loss".

Small tables of our own, loaded by the real loader; every count is checked against pandas
written here, and a cell that is no outcome makes the code decline.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import UnsupportedError
from engine.sandbox.execute import CannotAnswer
from tests.test_planner_rows import Table

SCHEDULE = """Date,Opponent,Site,Result,Attendance
"September 6, 2003",Oklahoma,Home,W 24–17,"45,000"
"September 13, 2003",Texas,Away,L 10–30,"80,102"
"October 4, 2003",Baylor,Home,W 21–14 OT,"38,000"
"October 11, 2003",Kansas,Away,T 7–7,"30,551"
"October 18, 2003",Iowa State,Home,W 35–3,"41,200"
"November 1, 2003",Nebraska,Away,L 13–20,"77,900"
"""

WORDS = """Season,Opponent,Outcome
2001,Lyon,Win
2002,Porto,Draw
2003,Hague,Loss
2004,Oakland,Won
2005,Lyon,Lost
2006,Porto,Loss
"""


def _letters(t: Table, column: str):
    return t.frame[column].str.strip().str[:1].str.upper()


@pytest.mark.parametrize(
    ("question", "letters"),
    [
        ("how many wins were there?", {"W"}),
        ("how many losses were there in the season?", {"L"}),
        ("what was the number of ties?", {"T", "D"}),
        ("how many victories are listed?", {"W"}),
    ],
)
def test_an_outcome_noun_counts_the_rows_with_that_result(settings, tmp_path, question, letters):
    with Table(settings, tmp_path, SCHEDULE, "schedule") as t:
        want = int(_letters(t, "Result").isin(letters).sum())
        assert t.answer(question) == want
        assert "Result is a" in t.plan(question).explanation


def test_an_outcome_with_other_conditions(settings, tmp_path: Path) -> None:
    with Table(settings, tmp_path, SCHEDULE, "schedule") as t:
        october = t.frame["Date"].str.startswith("October")
        want = int((october & (_letters(t, "Result") == "W")).sum())
        assert t.answer("what were the number of wins in the month of october?") == want == 2


def test_outcomes_written_as_words(settings, tmp_path: Path) -> None:
    with Table(settings, tmp_path, WORDS, "words") as t:
        assert t.answer("how many wins were there?") == 2  # Win, Won
        assert t.answer("how many losses were there?") == 3  # Loss, Lost, Loss


def test_a_cell_that_is_no_outcome_declines(settings, tmp_path: Path) -> None:
    text = SCHEDULE + '"November 8, 2003",Missouri,Home,Cancelled,\n'
    with (
        Table(settings, tmp_path, text, "schedule") as t,
        pytest.raises(CannotAnswer, match="Cancelled"),
    ):
        t.answer("how many wins were there?")


def test_a_column_named_for_the_outcome_is_that_column(settings, tmp_path: Path) -> None:
    """A league table's Wins column is what "wins" means, not a results column beside it."""
    text = "Team,Wins,Last result\nLyon,12,W 2–1\nPorto,9,L 0–3\nHague,7,W 1–0\n"
    with Table(settings, tmp_path, text, "league") as t:
        assert t.answer("what is the total of wins?") == 28


def test_no_column_of_results_leaves_the_noun_unread(settings, tmp_path: Path) -> None:
    text = "Date,Opponent,Score\n2003-09-06,Oklahoma,24–17\n2003-09-13,Texas,10–30\n"
    with Table(settings, tmp_path, text, "scores") as t, pytest.raises(UnsupportedError):
        t.plan("how many wins were there?")
