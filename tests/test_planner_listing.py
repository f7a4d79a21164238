"""Questions that ask for a list of the rows' names (issue 13): "name the countries that did
not win any gold medals", "name each of the players for X"; and what stays declined: a column
that only numbers the rows, and an imperative that looks like a statistic word.

Small tables of our own, loaded by the real loader; answers are checked against pandas written
here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import UnsupportedError
from tests.test_planner_rows import Table

MEDALS = """Nation,Gold,Silver,Bronze,Total
Norway,3,1,0,4
Spain,0,2,1,3
Chile,0,0,2,2
Peru,1,0,0,1
Fiji,0,1,0,1
"""

SQUAD = """Boat #,Name,Builder,Laid down
4911,Ha-201,Sasebo,1945-03-01
4912,Ha-202,Sasebo,1945-03-01
4927,Ha-217,Kure,1945-06-10
4928,Ha-218,Kure,1945-07-01
"""


@pytest.fixture
def medals(settings, tmp_path: Path) -> Table:
    with Table(settings, tmp_path, MEDALS, "olympics") as table:
        yield table


@pytest.mark.parametrize(
    "question",
    [
        "name the countries that did not win any gold medals.",
        "which countries won no gold medals?",
        "name each of the nations with no gold medals",
    ],
)
def test_the_verb_before_no_is_the_columns_own(medals: Table, question: str) -> None:
    want = sorted(medals.frame.loc[medals.frame["Gold"] == 0, "Nation"])
    assert sorted(medals.answer(question).tolist()) == want


def test_name_the_plural_lists_the_rows_that_match(medals: Table) -> None:
    want = sorted(medals.frame.loc[medals.frame["Silver"] > 0, "Nation"])
    assert medals.answer("name the nations with more than 0 silver medals").tolist() == want


def test_a_statistic_word_is_not_read_into_a_longer_word(medals: Table) -> None:
    """ "state" is one letter from "stat": no summary statistics for "state a nation …"."""
    with pytest.raises(UnsupportedError):
        medals.plan("state a nation with no bronze medals.")


def test_listing_the_things_a_column_numbers_is_declined(settings, tmp_path: Path) -> None:
    """ "the boats" beside Boat #: their names are meant, not their numbers."""
    with Table(settings, tmp_path, SQUAD, "boats") as t, pytest.raises(UnsupportedError):
        t.plan("list all the boats laid down after may 1945.")


@pytest.mark.parametrize(
    "question",
    [
        "other nation to earn no gold medals besides spain",
        "what is the other nation with no gold medals besides spain?",
    ],
)
def test_other_beside_a_value_left_out_says_nothing_more(medals: Table, question: str) -> None:
    """ "the other X besides Y": the rows without Y; "other" adds no condition of its own."""
    frame = medals.frame
    want = sorted(frame.loc[(frame["Gold"] == 0) & (frame["Nation"] != "Spain"), "Nation"])
    assert sorted(medals.answer(question).tolist()) == want


VOLLEYBALL = """No.,Player,Height,Position
4,Ardo Kreek,203,Middle blocker
5,Kert Toobal,189,Setter
8,Kusti Nolvak,186,Setter
17,Siim Ennemuist,196,Middle blocker
19,Andri Aganits,207,Middle Blocker
20,Rait Rikberg,174, middle blocker
21,Timo Tammemaa,196,Opposite
"""


def test_the_same_value_is_the_same_whatever_its_case(settings, tmp_path: Path) -> None:
    """ "which players played the same position as ardo kreek?": a web table wrote one position
    as "Middle blocker" and "Middle Blocker" (wtq-train nt-9 gave only the first); case and
    outer spaces do not make another value, and numbers still compare exactly."""
    with Table(settings, tmp_path, VOLLEYBALL, "squad") as table:
        same = table.answer("which players played the same position as ardo kreek?")
        assert sorted(same) == ["Andri Aganits", "Rait Rikberg", "Siim Ennemuist"]
        as_tall = table.answer("which player has the same height as siim ennemuist?")
        assert list(as_tall) == ["Timo Tammemaa"]
