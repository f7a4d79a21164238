"""Filter values written in another case or spacing than the one cell they name are written as
the cell before the code runs (issue 13), on a real catalog's value index and the real sandbox."""

from __future__ import annotations

import ast
import io
from pathlib import Path

import pandas as pd
import pytest

from engine.answer import Context, answer_question
from engine.answer.llm_drafter import LLMDrafter
from engine.answer.value_spelling import with_values_as_written
from engine.session import Session
from tests.fake_openai import FakeOpenAI, Reply
from tests.test_answer_loop import SETTINGS, Runner, config_for, fenced
from tests.test_unmatched import _indexed

LANDMARKS = """name,built,kind,note
Larned Building,1869,Office,Open source
State Tower Building,1928,Office,open source
"AFC
Champions League",1982,Cup,Gone
Ha-206,1945,Ship,OPEN
Hb-206,1946,Ship,Open
"""


@pytest.fixture
def landmarks(settings, tmp_path: Path):
    yield from _indexed(settings, tmp_path, "landmarks", LANDMARKS)


# names every value the tests compare, as a user would type them
ASKED = (
    "when were larned building, state tower building, afc champions league, ha-206, hb-206, "
    "open source and ha 206 built?"
)


def _fixed(code: str, landmarks, question: str = ASKED) -> str:
    return with_values_as_written(code, landmarks[1], question)


@pytest.mark.parametrize(
    ("code", "written"),
    [
        ("r = df[df['name'] == 'larned building']", "df['name'] == 'Larned Building'"),
        ("r = df[df.name == 'LARNED BUILDING']", "df.name == 'Larned Building'"),
        ("r = df[df['name'] == 'AFC Champions League']", "== 'AFC\\nChampions League'"),
        ("r = df[df['name'].isin(['ha-206', 'Hb-206'])]", "['Ha-206', 'Hb-206']"),
        ("r = df[df['name'].str.strip() == ' larned  building ']", "== 'Larned Building'"),
        ("r = df[df['name'] == 'larned building']; n = 'larned building'", "n = 'Larned Building'"),
        (
            "r = sql(\"SELECT built FROM landmarks WHERE name = 'state tower building'\")",
            "WHERE name = 'State Tower Building'",
        ),
        (
            'r = sql("""SELECT built FROM landmarks WHERE "name" IN (\'afc champions league\')""")',
            "IN ('AFC\nChampions League')",
        ),
    ],
)
def test_a_value_in_another_case_or_spacing_is_written_as_its_one_cell(
    landmarks, code, written
) -> None:
    fixed = _fixed(code, landmarks)
    assert written in fixed, fixed
    assert fixed.startswith("# the filter values as the table writes them: ")
    ast.parse(fixed)


@pytest.mark.parametrize(
    "code",
    [
        "r = df[df['name'] == 'Larned Building']",  # as written
        "r = df[df['note'] == 'open source']",  # a cell is it as written ('Open source' too)
        "r = df[df['note'] == 'OPEN SOURCE']",  # two cells in other case: which one is not known
        "r = df[df['name'] == 'ha 206']",  # other punctuation: perhaps another value
        "r = df[df['name'] == 'larned']",  # a word less: another value
        "r = df[df['kind'] == 'larned building']",  # the cell is in another column
        "r = df[df['name'].str.lower() == 'larned building']",  # compared in lower case
        "r = df[(df['name'] == 'ha-206') | (df['kind'] == 'ha-206')]",  # no such kind
        "r = df[df['name'] == 'larned building'",  # does not parse
    ],
)
def test_no_value_is_written_otherwise_when_the_cell_meant_is_in_doubt(landmarks, code) -> None:
    assert _fixed(code, landmarks) == code


@pytest.mark.parametrize(
    "question",
    [
        "which office was built first?",  # the model chose the value itself
        "when was the larned tower built?",  # the words, but not together
        "when was building larned built?",  # the words, but not in order
    ],
)
def test_a_value_the_question_does_not_name_is_left_as_the_model_wrote_it(
    landmarks, question
) -> None:
    """It may be the wrong value: as written it finds nothing, and that is said."""
    code = "r = df[df['name'] == 'larned building']"
    assert _fixed(code, landmarks, question) == code
    assert "'Larned Building'" in _fixed(code, landmarks, "when was larned building built?")


def test_column_names_and_f_strings_are_not_values(landmarks) -> None:
    code = "r = df[df['name'] == 'larned building']; c = x['larned building']; t = f'{c} larned building'"
    fixed = _fixed(code, landmarks)
    assert "df['name'] == 'Larned Building'" in fixed
    assert "x['larned building']" in fixed and "f'{c} larned building'" in fixed


def test_the_rewritten_code_finds_the_rows_in_the_sandbox(settings, tmp_path: Path, landmarks):
    """Run for real: the value as the model wrote it finds no row; as the cell writes it, it
    finds the row, in pandas and in SQL (a cell with a line break)."""
    path = tmp_path / "landmarks.csv"
    path.write_text(LANDMARKS, encoding="utf-8")
    session = Session(settings)
    try:
        session.load(path)
        pandas_code = "result = int(df.loc[df['name'] == 'larned building', 'built'].iloc[0])"
        assert not session.run_code(pandas_code).ok  # no row: iloc[0] fails
        ran = session.run_code(_fixed(pandas_code, landmarks))
        assert ran.ok and ran.answer.value == 1869, ran
        sql_code = (
            "result = sql(\"SELECT built FROM landmarks WHERE name = 'AFC Champions League'\")"
        )
        assert session.run_code(sql_code).answer.table.to_json()["rows"] == []
        ran = session.run_code(_fixed(sql_code, landmarks))
        assert ran.ok and ran.answer.table.to_json()["rows"] == [[1982]], ran
    finally:
        session.close()


def test_the_answer_says_how_the_value_was_written(landmarks) -> None:
    """Through the answer loop: the model's lower-case value answers in one run, and the one
    line that says what was computed names the cell used."""
    profile, values = landmarks
    runner = Runner()
    runner.frame = pd.read_csv(io.StringIO(LANDMARKS))
    code = "result = int(df.loc[df['name'] == 'larned building', 'built'].iloc[0])"
    with FakeOpenAI([Reply(fenced(code))] * 3) as server:
        context = Context([profile], [], SETTINGS, values=values)
        drafters = [LLMDrafter(config_for(server.base_url))]
        turn = answer_question("when was larned building built?", drafters, runner, context)
    assert turn.ok and turn.result.answer.value == 1869, turn.result
    assert len(runner.codes) == 1 and "'Larned Building'" in runner.codes[0]
    assert "'larned building' as 'Larned Building'" in turn.explanation
