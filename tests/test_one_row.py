"""A count of 1 for "how many …" from code that counts rows goes back once: the number asked for
is most often a value the one matching row holds (issue 13; wtq-train nt-5538, nt-4515)."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.answer.one_row import counted_column, counts_rows, one_row_note
from engine.types import Answer, TableData
from tests.test_unmatched import _ask, _indexed

RACES = """race,year,season,driver,team,laps,points per lap,place
1,2011,2010–11,Kevin Harvick,Richard Childress Racing,250,0.5,3
2,2012,2011–12,Tony Stewart,Stewart-Haas Racing,129*,0.4,1
3,2013,2012–13,Kyle Busch,Joe Gibbs Racing,250,0.5,2
4,2014,2013–14,Kyle Busch,Joe Gibbs Racing,1,0.1,2
"""
QUESTION = "how many laps did tony stewart race in 2012?"
COUNTED = "result = len(df[(df['driver'] == 'Tony Stewart') & (df['year'] == 2012)])"
LOOKED_UP = "result = df.loc[df['driver'] == 'Tony Stewart', 'laps'].iloc[0]"


@pytest.fixture
def races(settings, tmp_path: Path):
    yield from _indexed(settings, tmp_path, "races", RACES)


def _one() -> Answer:
    return Answer("value", "1", value=1)


@pytest.mark.parametrize(
    "code",
    [
        COUNTED,
        "result = df[df['driver'] == 'Tony Stewart'].shape[0]",
        "result = df[df.driver == 'Tony Stewart']['team'].count()",
        "result = df.loc[df.driver == 'Tony Stewart', 'team'].nunique()",
        "result = df[df.driver == 'Tony Stewart'].size",
        "result = sql(\"SELECT COUNT(*) FROM races WHERE driver = 'Tony Stewart'\")",
    ],
)
def test_code_that_counts_rows_counts_rows(code: str) -> None:
    assert counts_rows(code)


@pytest.mark.parametrize(
    "code",
    [
        LOOKED_UP,
        "result = df['laps'].min()",
        "result = df[df.driver == 'Tony Stewart']['laps'].sum()",
        "result = len(",  # does not parse: nothing to read
    ],
)
def test_code_that_reads_values_counts_no_rows(code: str) -> None:
    assert not counts_rows(code)


@pytest.mark.parametrize(
    ("question", "column"),
    [
        (QUESTION, "laps"),  # numbers written as text ("129*")
        ("in 2012, what was the total number of laps?", "laps"),
        ("how many points per lap did kyle busch get?", "points per lap"),
        ("how many races did kyle busch win?", None),  # race numbers the rows: rows are counted
        ("how many years did kyle busch race?", None),  # a year is no amount
        ("how many seasons did kyle busch race?", None),  # nor a season (wtq-train nt-10674)
        ("how many places did kyle busch finish above?", None),  # nor a rank
        ("how many drivers raced in 2013?", None),  # a text column
        ("how many teams are there?", None),
        ("which driver raced the most laps?", None),  # counts nothing
    ],
)
def test_what_the_question_counts_names_a_number_column(races, question, column) -> None:
    profile, _ = races
    found = counted_column(question, [profile])
    assert (found.name if found else None) == column


def test_a_count_of_one_row_is_doubted_only_where_a_number_column_is_counted(races) -> None:
    profile = [races[0]]
    note = one_row_note(QUESTION, COUNTED, _one(), profile)
    assert note is not None and "one row matches" in note and "'laps'" in note
    assert "give the same code again" in note
    assert one_row_note("how many drivers raced in 2012?", COUNTED, _one(), profile) is None
    assert one_row_note(QUESTION, LOOKED_UP, _one(), profile) is None  # read, not counted
    assert one_row_note(QUESTION, COUNTED, Answer("value", "2", value=2), profile) is None
    assert one_row_note(QUESTION, COUNTED, Answer("value", "True", value=True), profile) is None
    assert one_row_note(QUESTION, COUNTED, Answer("text", "1", value="1"), profile) is None


def test_a_count_of_one_as_the_one_cell_of_a_sql_result_is_doubted(races) -> None:
    cell = Answer("table", "1", table=TableData(("count_star()",), ((1,),), row_count=1))
    code = "result = sql(\"SELECT COUNT(*) FROM races WHERE driver = 'Tony Stewart'\")"
    assert one_row_note(QUESTION, code, cell, [races[0]]) is not None


def test_a_count_of_one_row_goes_back_once_and_the_value_looked_up_answers(races) -> None:
    turn, runner, server = _ask(QUESTION, races, RACES, [COUNTED, LOOKED_UP])
    sent = server.requests[1].messages[-1]["content"]
    assert "The result is 1 because the code counts the rows" in sent and "'laps'" in sent
    assert runner.codes == [COUNTED, LOOKED_UP]
    assert turn.ok and turn.result.answer.value == "129*" and len(turn.attempts) == 1


def test_the_same_count_again_keeps_the_one(races) -> None:
    """Counting rows may be what is asked: the same code again stands, with no further round
    trip."""
    turn, runner, server = _ask(QUESTION, races, RACES, [COUNTED] * 3)
    assert turn.ok and turn.result.answer.value == 1
    assert runner.codes == [COUNTED, COUNTED] and len(server.requests) == 3  # one resample


@pytest.mark.parametrize(
    ("question", "code"),
    [
        (QUESTION, LOOKED_UP.replace("Tony Stewart", "Kyle Busch").replace("iloc[0]", "iloc[1]")),
        ("what is in the laps column for 2012?", COUNTED),  # asks for no number
        ("how many times did tony stewart win?", COUNTED),  # counts no number column
        ("how many laps did kyle busch race?", "result = len(df[df['driver'] == 'Kyle Busch'])"),
    ],
)
def test_no_round_trip_for_a_one_read_from_the_table_or_a_larger_count(races, question, code):
    turn, runner, server = _ask(question, races, RACES, [code])
    assert turn.ok and len(server.requests) == 1 and runner.codes == [code]
