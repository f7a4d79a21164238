"""A count of 0 (or no rows) from comparing a column with a number no cell holds goes back once,
naming what the column holds (issue 13): on a real catalog's profile, and through the real loop,
sandbox and `openai` SDK against the scripted server.

wtq-train seed 2032 nt-13275 counted `df['Grid'] == 0` for "riders who did not qualify": Grid
runs from 1 to 22 and is empty for them, so the 0 said nothing about the riders.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.answer.nothing_found import nothing_found
from engine.answer.unmatched import unheld_numbers
from engine.types import Answer, RunResult
from tests.test_answer_failures import ask_model, with_table

RIDERS = """Pos,Rider,Grid
1,Ana,1
2,Ben,3
3,Cai,2
Ret,Dan,5
DNQ,Eve,
DNQ,Fay,
"""
QUESTION = "how many riders did not qualify?"


@pytest.fixture
def riders(session, tmp_path: Path):
    return with_table(session, tmp_path, "riders", RIDERS)


def _profiles(session):
    return [p for p in session.profiles() if p.name == "riders"]


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("n = (riders['Grid'] == 0).sum()", "no Grid cell is 0 (its numbers run from 1 to 5"),
        ("n = (riders['Grid'] == 0).sum()", "2 of its cells are empty"),
        ("n = len(riders[riders['Grid'] == 4])", "no Grid cell is 4"),  # in range, not held
        ("n = riders['Grid'].isin([0, 1]).sum()", "no Grid cell is 0"),
        ("n = len(riders[riders.Grid == -1])", "no Grid cell is -1"),
        ('n = sql("SELECT count(*) FROM riders WHERE Grid = 0")', "no Grid cell is 0"),
        # text never equals a number in pandas: the places are written '1', 'Ret', 'DNQ'
        ("n = (riders['Pos'] == 1).sum()", "no Pos cell is 1 (it holds text, such as"),
        ("n = (riders['Pos'] == 1).sum()", "'DNQ'"),
    ],
)
def test_a_number_no_cell_holds_is_named_with_what_the_column_holds(riders, code, words):
    notes = unheld_numbers(code, _profiles(riders))
    assert any(words in note for note in notes), notes


@pytest.mark.parametrize(
    "code",
    [
        "n = (riders['Grid'] == 3).sum()",  # held
        "n = (riders['Grid'] > 9).sum()",  # a range may rightly hold nothing
        "n = (riders['Grid'] != 0).sum()",  # keeps rows
        'n = sql("SELECT count(*) FROM riders WHERE Pos = 1")',  # SQL casts the text
        "n = (pd.to_numeric(riders['Pos'], errors='coerce') == 1).sum()",  # made numbers
        "n = (riders['Rider'] == 'Zed').sum()",  # a text value: unmatched_values' job
        "n = (riders['Speed'] == 0).sum()",  # no such column: the column check's job
    ],
)
def test_numbers_held_or_not_compared_as_equal_say_nothing(riders, code) -> None:
    assert unheld_numbers(code, _profiles(riders)) == []


def test_the_planner_compares_the_numbers_the_question_says(riders) -> None:
    """Its filters come from the question ("how many riders started 4th?"): a 0 is a count."""
    code = "result = int((riders['Grid'] == 4).sum())"
    zero = RunResult(ok=True, answer=Answer(kind="value", text="0", value=0))
    profiles = _profiles(riders)
    found = nothing_found("how many started 4th?", code, zero, profiles, {}, filters_checked=True)
    assert found is None
    note = nothing_found("how many started 4th?", code, zero, profiles, {}, filters_checked=False)
    assert note is not None and "no Grid cell is 4" in note


def test_the_zero_goes_back_and_the_repair_answers(riders) -> None:
    wrong = "result = int((riders['Grid'] == 0).sum())"
    right = "result = int(riders['Grid'].isna().sum())"
    turn, server = ask_model(riders, QUESTION, [wrong, right])
    sent = server.requests[1].messages[-1]["content"]
    assert "no Grid cell is 0 (its numbers run from 1 to 5; 2 of its cells are empty)" in sent
    assert turn.ok and turn.result.answer.value == 2 and turn.code == right


def test_the_zero_kept_after_the_repair_is_declined_with_the_values(riders) -> None:
    wrong = "result = int((riders['Grid'] == 0).sum())"
    turn, server = ask_model(riders, QUESTION, [wrong, wrong, wrong], llm_confirm_below=0.0)
    assert not turn.ok and turn.result.error.kind == "unsupported"
    assert "no Grid cell is 0" in turn.result.error.message
    assert [a.result.answer.value for a in turn.attempts] == [0]  # what was computed stays


def test_no_rows_for_an_example_asked_for_are_declined_when_kept(riders) -> None:
    """A request for one example ("tell me a …"): no rows cannot answer it (wtq-train nt-9093
    kept an empty result after its repair, and it was given as the answer)."""
    wrong = "result = riders[riders['Grid'] == 0]['Rider']"
    turn, server = ask_model(riders, "tell me a rider with no grid place", [wrong, wrong, wrong])
    assert not turn.ok and turn.result.error.kind == "unsupported"
    assert "no Grid cell is 0" in turn.result.error.message
