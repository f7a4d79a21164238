"""The table's order and the rows around a named one (issue 13): "the first" and "the last"
read in the table's order when no date or year column orders the rows, verbs of choosing
("picked after X"), and "besides X" (other than X, not beside it).

Small tables of our own, loaded by the real loader; every answer is checked against pandas
written here."""

from __future__ import annotations

import pytest

from engine.errors import UnsupportedError
from engine.sandbox.execute import CannotAnswer
from tests.test_planner_rows import Table

# A player's career: seasons written "01/02" are no dates or years, so only the order says when.
CAREER = """Season,Team,Country,Goals
01/02,Esteghlal,Iran,3
02/03,Esteghlal,Iran,2
03/04,Al-Sadd,Qatar,6
04/05,Saipa,Iran,4
"""

# Two date columns: terms start in the table's order, births do not.
LEADERS = """Leader,Born,Took office
Ann Barton,1849-01-18,1901-01-01
Bo Deakin,1856-08-03,1903-09-24
Cy Watson,1867-04-09,1904-04-27
Di Reid,1845-02-25,1904-08-18
"""

RANKED = """Rank,Athlete,Country,Time
1,Ann Lee,Canada,1:50.2
2,Bo Chan,Japan,1:51.0
3,Cy Roe,Italy,1:52.9
,Di Fox,Spain,DNF
"""


def test_first_and_last_follow_the_table_order_without_dates(settings, tmp_path) -> None:
    with Table(settings, tmp_path, CAREER, name="career") as t:
        assert t.answer("what was the last team played for?") == t.frame["Team"].iloc[-1]
        assert t.answer("what was the first country?") == t.frame["Country"].iloc[0]
        assert "in the table's order" in t.plan("what was the last team played for?").explanation


def test_table_order_is_used_only_when_every_date_runs_forward_in_it(settings, tmp_path) -> None:
    """Two date columns, so no one of them says when. "Took office" runs forward in the table's
    order, "Born" does not, so the table's order is not the order in time: declined when run."""
    with Table(settings, tmp_path, LEADERS, name="leaders") as t:
        with pytest.raises(CannotAnswer, match="Born does not run in the order of the table"):
            t.answer("who was the first leader?")
    ordered = LEADERS.replace("1845-02-25", "1870-02-25")
    with Table(settings, tmp_path, ordered, name="leaders2") as t:
        assert t.answer("who was the first leader?") == "Ann Barton"
        assert t.answer("who was the last leader?") == "Di Reid"


def test_with_a_place_column_last_is_a_place_not_the_last_row(settings, tmp_path) -> None:
    """In a ranking, "who was last" is the last place: the table's order (a DNF row below the
    places) is not read for it, and a row with no place makes the last place unclear."""
    with Table(settings, tmp_path, RANKED, name="ranked") as t:
        assert "the highest Rank" in t.plan("who was last?").explanation
        with pytest.raises(CannotAnswer, match="some Rank cells are not places"):
            t.answer("who was last?")
    finished = RANKED.replace(",Di Fox,Spain,DNF", "4,Di Fox,Spain,1:53.4")
    with Table(settings, tmp_path, finished, name="finished") as t:
        assert t.answer("who was last?") == "Di Fox"


# A results list: places run forward in the table's order, two Japanese finishers, a tie.
RESULTS = """Rank,Athlete,Nationality,Time
1,Ann Lee,Canada,1:50.2
2,Bo Chan,Japan,1:51.0
3,Cy Roe,Italy,1:52.9
4,Di Fox,Japan,1:53.1
5,Ed Moss,Canada,1:53.8
5,Flo Hart,Canada,1:53.8
"""


def test_first_last_and_top_among_filtered_rows_read_their_places(settings, tmp_path) -> None:
    """ "The first finisher from Japan" is the best place among Japan's rows, not place 1 (which
    is Canada's) and not the table's first row; ties are all named."""
    with Table(settings, tmp_path, RESULTS, name="results") as t:
        japan = t.frame[t.frame["Nationality"] == "Japan"]
        first = japan.loc[japan["Rank"].idxmin(), "Athlete"]
        last = japan.loc[japan["Rank"].idxmax(), "Athlete"]
        assert t.answer("who is the first finisher from japan?") == first == "Bo Chan"
        assert t.answer("who was the last japanese athlete to finish?") == last == "Di Fox"
        assert t.answer("who was the top finisher from italy?") == "Cy Roe"
        assert t.answer("who was the top ranked athlete?") == "Ann Lee"
        tied = t.answer("who was the last finisher from canada?")
        assert list(tied) == ["Ed Moss", "Flo Hart"]
        plan = t.plan("who is the first finisher from japan?")
        assert plan.explanation == (
            "Athlete of the row with the lowest Rank, where Nationality == Japan"
        )


# A season's games with the team's poll rank beside them: the first game is the first row,
# not the best rank.
GAMES = """Date,Opponent,Rank#,Attendance
Sep 2,Akron,12,80000
Sep 9,Boise,8,81000
Sep 16,Cornell,5,79000
"""


def test_first_and_last_by_place_need_places_that_run_in_the_table_order(
    settings, tmp_path
) -> None:
    with Table(settings, tmp_path, GAMES, name="games") as t:
        with pytest.raises(CannotAnswer, match="Rank# does not run in the order of the table"):
            t.answer("what was the first opponent?")
    shuffled = RESULTS.replace("1,Ann Lee,Canada,1:50.2\n", "") + "1,Ann Lee,Canada,1:50.2\n"
    with Table(settings, tmp_path, shuffled, name="shuffled") as t:
        with pytest.raises(CannotAnswer, match="Rank does not run"):
            t.answer("who is the first finisher from canada?")
        assert t.answer("who was the top finisher from canada?") == "Ann Lee"  # a place only


def test_top_before_a_verb_or_oldest_is_no_place(settings, tmp_path) -> None:
    """ "The top scoring team" ranks by goals and "the oldest athlete" by age: the place column
    must not answer them."""
    table = "Position,Team,Points,For\n1,Lyon,30,40\n2,Nice,28,55\n3,Metz,20,35\n"
    with Table(settings, tmp_path, table, name="league") as t:
        for question in ("which team was the top scoring team?", "which team was the oldest?"):
            try:
                plan = t.plan(question)
            except UnsupportedError:
                continue
            assert "Position" not in plan.explanation, question


DRAFT = """Pick,Team,Player,Position
1,Oakland,Ann Lee,QB
2,Detroit,Bo Chan,WR
3,Oakland,Cy Roe,OT
"""


@pytest.mark.parametrize("verb", ["picked", "selected", "chosen", "appointed"])
def test_verbs_of_choosing_link_a_named_row_to_its_neighbour(settings, tmp_path, verb) -> None:
    """ "who was picked after Ann Lee" in a draft: the verb says no more than "who was …
    after", so the next row's Player (it was an unknown word before)."""
    with Table(settings, tmp_path, DRAFT, name="draft") as t:
        after = t.frame.index[t.frame["Player"] == "Ann Lee"][0] + 1
        assert t.answer(f"who was {verb} after Ann Lee?") == t.frame["Player"][after]


def test_besides_a_value_is_other_than_it_not_beside_it(settings, tmp_path) -> None:
    """ "what other partner did he have besides Bo Chan": the other values of the value's column
    ("besides" was read as "beside", a neighbour on no side said, and declined)."""
    text = "Year,Partner,Surface\n1968,Bo Chan,Grass\n1969,Ann Lee,Clay\n1970,Bo Chan,Hard\n"
    text += "1971,Cy Roe,Grass\n"
    with Table(settings, tmp_path, text, name="doubles") as t:
        want = sorted(set(t.frame["Partner"]) - {"Bo Chan"})
        assert sorted(t.answer("what other partner did he have besides Bo Chan?")) == want


# Titles written in quotes, as song tables write them.
SONGS = '''No.,Title,Year,Episode title
1,"""Blue Sky""",1979,Kaze no uta
2,"""Lead Me On""",1979,Hoshi no uta
3,"""Turn to Me""",1982,Umi no uta
4,"""Lead Me On"" (remix)",1983,Sora no uta
'''


def test_a_title_in_quotes_names_its_row(settings, tmp_path) -> None:
    """ "what song is before "Lead Me On"": the quoted words are the cell (they were kept for
    `contains` only, and the question declined); after "containing" they still search."""
    with Table(settings, tmp_path, SONGS, name="songs") as t:
        titles = list(t.frame["Title"])
        before = titles[titles.index('"Lead Me On"') - 1]
        assert t.answer('what song is before "lead me on"?') == before
        found = t.answer('which titles contain "lead me on"?')  # the cell, and the remix
        want = t.frame.loc[t.frame["Title"].str.lower().str.contains("lead me on"), "Title"]
        assert sorted(found) == sorted(want) and len(want) == 2


def test_the_rows_noun_after_next_is_asked_not_an_order(settings, tmp_path) -> None:
    """ "the name of the next episode after X": "episode" right after "next" is the rows' noun
    (here the Episode title column), not a column the rows are ordered by."""
    with Table(settings, tmp_path, SONGS, name="songs") as t:
        at = list(t.frame["Title"]).index('"Blue Sky"')
        want = t.frame["Episode title"][at + 1]
        assert t.answer('what was the name of the next episode after "blue sky"?') == want
        with pytest.raises(UnsupportedError):  # "in released order": ordered by a column
            t.plan('which song came after "blue sky" in year order?')


def test_a_question_ending_in_where_is_not_answered_with_rows(settings, tmp_path) -> None:
    with Table(settings, tmp_path, SONGS, name="songs") as t:
        with pytest.raises(UnsupportedError, match="where, when or who"):
            t.plan('in 1979 "lead me on" did not chart where?')


def test_a_header_repeated_in_the_data_is_no_value(settings, tmp_path) -> None:
    """Tables copied from the web repeat their header between sections. "the first prime
    minister" read the repeated cell "Prime Minister" as a value to filter on, and declined."""
    text = (
        "No.,Prime Minister,Party\n1,Edmund Barton,Protectionist\n2,Alfred Deakin,Protectionist\n"
    )
    text += ",Prime Minister,Party\n3,Chris Watson,Labour\n"
    with Table(settings, tmp_path, text, name="ministers") as t:
        assert t.answer("who was the first prime minister?") == t.frame["Prime Minister"][0]


def test_a_place_column_named_with_a_quote_is_quoted_in_the_code(settings, tmp_path) -> None:
    """Column names come from the user's file: the declines' messages quote them as Python
    literals, so "Men's rank" cannot end a string early and break the code."""
    quoted = RESULTS.replace("Rank,", "Men's rank,", 1)
    with Table(settings, tmp_path, quoted, name="results") as t:
        assert t.answer("who is the first finisher from japan?") == "Bo Chan"
        assert t.answer("who finished third?") == "Cy Roe"
