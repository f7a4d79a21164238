"""A count of 1 for "how many …" from code that counts rows goes back once: the number asked for
is most often a value the one matching row holds (issue 13; wtq-train nt-5538, nt-4515)."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.answer.one_row import counts_rows, one_row_note
from engine.types import Answer, TableData
from tests.test_unmatched import _ask, _indexed

RACES = """year,driver,team,laps
2011,Kevin Harvick,Richard Childress Racing,250
2012,Tony Stewart,Stewart-Haas Racing,129
2013,Kyle Busch,Joe Gibbs Racing,250
2014,Kyle Busch,Joe Gibbs Racing,1
"""
QUESTION = "how many laps did tony stewart race in 2012?"
COUNTED = "result = len(df[(df['driver'] == 'Tony Stewart') & (df['year'] == 2012)])"
LOOKED_UP = "result = int(df.loc[df['driver'] == 'Tony Stewart', 'laps'].iloc[0])"


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
        "result = df[df.driver == 'Tony Stewart']['laps'].count()",
        "result = df.loc[df.driver == 'Tony Stewart', 'team'].nunique()",
        "result = df[df.driver == 'Tony Stewart'].size",
        "result = sql(\"SELECT COUNT(*) FROM races WHERE driver = 'Tony Stewart'\")",
    ],
)
def test_code_that_counts_rows_to_one_is_doubted(code: str) -> None:
    assert counts_rows(code)
    note = one_row_note(code, _one())
    assert note is not None and "one row matches" in note and "give the same code again" in note


@pytest.mark.parametrize(
    ("code", "answer"),
    [
        (LOOKED_UP, _one()),  # a value the table holds: 1 lap is a value, not a count
        ("result = df['laps'].min()", _one()),
        (COUNTED, Answer("value", "2", value=2)),  # two rows: not one row read as a count
        (COUNTED, Answer("value", "True", value=True)),
        (COUNTED, Answer("text", "1", value="1")),
        ("result = len(", _one()),  # does not parse: nothing to read
    ],
)
def test_a_one_that_is_no_count_of_one_row_is_left_alone(code: str, answer: Answer) -> None:
    assert one_row_note(code, answer) is None


def test_a_count_of_one_as_the_one_cell_of_a_sql_result_is_doubted() -> None:
    cell = Answer("table", "1", table=TableData(("count_star()",), ((1,),), row_count=1))
    code = "result = sql(\"SELECT COUNT(*) FROM races WHERE driver = 'Tony Stewart'\")"
    assert one_row_note(code, cell) is not None


def test_a_count_of_one_row_goes_back_once_and_the_value_looked_up_answers(races) -> None:
    turn, runner, server = _ask(QUESTION, races, RACES, [COUNTED, LOOKED_UP])
    sent = server.requests[1].messages[-1]["content"]
    assert "The result is 1 because the code counts the rows" in sent
    assert runner.codes == [COUNTED, LOOKED_UP]
    assert turn.ok and turn.result.answer.value == 129 and len(turn.attempts) == 1


def test_the_same_count_again_keeps_the_one(races) -> None:
    """Counting rows may be what is asked ("how many times did tony stewart win?"): the same
    code again stands, with no further round trip."""
    question = "how many times did tony stewart win?"
    turn, runner, server = _ask(question, races, RACES, [COUNTED] * 3)
    assert turn.ok and turn.result.answer.value == 1
    assert runner.codes == [COUNTED, COUNTED] and len(server.requests) == 3  # one resample


@pytest.mark.parametrize(
    ("question", "code"),
    [
        (QUESTION, LOOKED_UP.replace("Tony Stewart", "Kyle Busch").replace("iloc[0]", "iloc[1]")),
        ("what is in the laps column for 2012?", COUNTED),  # asks for no number
        ("how many times did kyle busch win?", "result = len(df[df['driver'] == 'Kyle Busch'])"),
    ],
)
def test_no_round_trip_for_a_one_read_from_the_table_or_a_larger_count(races, question, code):
    turn, runner, server = _ask(question, races, RACES, [code])
    assert turn.ok and len(server.requests) == 1 and runner.codes == [code]
