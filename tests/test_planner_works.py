"""Lists of works (issue 13): in a table with one Title column, "song", "film", "game" … name
its rows, read as that column; a noun a cell holds stays data. And two ways an equality filter
on a text value would give a wrong answer, now declined: a comparison before a number that
starts a cell value ("more than 3 acts" beside "3 acts"), and a value other cells hold with a
note in brackets ("Epic" beside "Epic (076685)").

Small tables of our own, loaded by the real loader; answers are checked against pandas written
here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import UnsupportedError
from tests.test_planner_rows import Table

SINGLES = """Year,Title,Label,Format
1996,Broke,Sub Pop,7-inch
1998,Heart Cooks Brain,Up Records,7-inch
2004,Float On,Epic,CD
2007,Dashboard,Epic,CD
"""

RELEASES = """Year,Title,Label,Format
2001,First Light,Epic,Video
2003,Night Songs,Sub Pop,CD
2005,Open Sky,Epic (076685),Video
"""

OPERAS = """Title,Acts
Aa,3 acts
Bb,5 acts
Cc,4 acts
Dd,3 acts
"""


@pytest.fixture
def singles(settings, tmp_path: Path) -> Table:
    with Table(settings, tmp_path, SINGLES, "discography") as table:
        yield table


def test_a_work_noun_names_the_title_column(singles: Table) -> None:
    frame = singles.frame
    assert singles.answer("what is the last song listed?") == frame["Title"].iloc[-1]
    assert singles.answer("what is the track before dashboard?") == "Float On"
    epic = frame[frame["Label"] == "Epic"]
    first = epic.loc[epic["Year"] == epic["Year"].min(), "Title"].iloc[0]
    assert singles.answer("what was the first single on the epic label?") == first


def test_a_work_noun_that_a_cell_holds_is_not_the_title(settings, tmp_path: Path) -> None:
    """ "Video" is a Format here: "how many videos" must not count titles."""
    with Table(settings, tmp_path, RELEASES.replace(",Epic (076685),", ",Epic,"), "shop") as t:
        with pytest.raises(UnsupportedError):
            t.plan("what is the last video listed?")


def test_two_title_columns_leave_the_noun_unread(settings, tmp_path: Path) -> None:
    text = "English title,Russian title,Year\nDawn,Rassvet,1990\nDusk,Sumerki,1991\n"
    with Table(settings, tmp_path, text, "catalogue") as t, pytest.raises(UnsupportedError):
        t.plan("what is the last film listed?")


@pytest.mark.parametrize(
    "question", ["which title has more than 3 acts?", "which title has at least 4 acts?"]
)
def test_a_comparison_before_a_text_value_declines(settings, tmp_path, question) -> None:
    with Table(settings, tmp_path, OPERAS, "repertoire") as operas:
        with pytest.raises(UnsupportedError, match="not a number or a date"):
            operas.plan(question)


def test_equal_to_a_value_other_cells_hold_among_words_declines(settings, tmp_path) -> None:
    with Table(settings, tmp_path, RELEASES, "shop") as shop:
        with pytest.raises(UnsupportedError, match="with a note in other cells"):
            shop.plan("what was the first title released on the epic label?")
        # the value alone in its column: answered
        assert shop.answer("what was the first title released on the sub pop label?") == (
            "Night Songs"
        )


def test_a_value_named_without_its_country_code_is_not_inside_itself(settings, tmp_path):
    """ "Ann Lee (PHI)" is found by "ann lee": that cell is the value, not another one."""
    text = "Rider,Time\nAnn Lee (PHI),64:58:57\nBo Chan (MAS),65:01:10\n"
    with Table(settings, tmp_path, text, "tour") as tour:
        assert tour.answer("what was ann lee's time?") == "64:58:57"
