"""A model's code runs without the tables' summary rows unless it reads them itself (issue 13;
wtq-train nt-61 summed a Total row into "the total amount of senators": 72 for 36)."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from engine.answer import Context, answer_question
from engine.answer.planner_drafter import PlannerDrafter
from engine.answer.summary_free import without_summary_rows
from tests.test_answer_loop import SETTINGS, Runner
from tests.test_unmatched import _ask, _indexed

SENATE = """department,senators,deputies
Alta Verapaz,3,9
Beni,4,9
Chuquisaca,3,9
Total,10,27
"""
SUMMED = "result = int(df['senators'].sum())"


@pytest.fixture
def senate(settings, tmp_path: Path):
    yield from _indexed(settings, tmp_path, "senate", SENATE)


def test_the_summary_row_is_left_out_first_with_a_comment(senate) -> None:
    profile, _ = senate
    code = without_summary_rows(SUMMED, [profile])
    first, *lines = code.splitlines()
    assert first.startswith("# leave out the summary rows, not data: row 4 (department = 'Total')")
    assert lines == ["df = df[df['department'] != 'Total']", "senate = df", SUMMED]


@pytest.mark.parametrize(
    "code",
    [
        "result = int(df.loc[df['department'] == 'Total', 'senators'].iloc[0])",  # reads it
        "result = int(df[df.department != 'Total'].senators.sum())",  # leaves it out itself
        "result = int(df.iloc[:-1]['senators'].sum())",  # by position
        "result = int(df.head(-1)['senators'].sum())",
        "result = int(df.drop(index=3)['senators'].sum())",
        "result = sql('SELECT sum(senators) FROM senate')",  # SQL reads the stored table
        "result = int(df['senators'].sum(",  # does not parse
    ],
)
def test_code_that_reads_or_leaves_out_the_row_itself_is_left_as_written(senate, code) -> None:
    assert without_summary_rows(code, [senate[0]]) == code


def test_a_table_without_summary_rows_is_left_as_written(settings, tmp_path: Path) -> None:
    text = "department,senators\nAlta Verapaz,3\nBeni,4\nChuquisaca,3\n"
    for profile, _ in _indexed(settings, tmp_path, "senate", text):
        assert not profile.summary_rows
        assert without_summary_rows(SUMMED, [profile]) == SUMMED


def test_a_model_sum_leaves_the_total_row_out_and_says_so(senate) -> None:
    turn, runner, server = _ask("what is the total amount of senators?", senate, SENATE, [SUMMED])
    assert turn.ok and turn.result.answer.value == 10  # 20 with the Total row
    assert len(server.requests) == 1 and runner.codes[0].endswith(SUMMED)
    assert turn.code == runner.codes[0]  # the code shown is the code that ran
    assert "leave out the summary rows, not data" in turn.explanation


def test_a_model_that_reads_the_total_row_gets_it(senate) -> None:
    code = "result = int(df.loc[df['department'] == 'Total', 'senators'].iloc[0])"
    turn, runner, _ = _ask("what is the total of senators in the table?", senate, SENATE, [code])
    assert turn.ok and turn.result.answer.value == 10 and runner.codes == [code]


def test_the_planner_code_is_not_rewritten(senate) -> None:
    """The planner leaves summary rows out in its own code: the model's code alone is changed."""
    profile, values = senate
    runner = Runner()
    runner.frame = pd.read_csv(io.StringIO(SENATE))
    context = Context([profile], [], SETTINGS, values=values)
    turn = answer_question("how many deputies does beni have?", [PlannerDrafter()], runner, context)
    assert len(runner.codes) == 1 and "leave out the summary rows" not in runner.codes[0]
    assert turn.code == runner.codes[0] and turn.result.answer.text == "9"
