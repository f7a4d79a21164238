"""A turn's time in words (issue 16): the model's and the run's, in the notebook and on the page."""

from __future__ import annotations

import pytest

from engine.export import session_notebook
from engine.timing import duration_text, timing_text, total_ms
from engine.types import Answer, Attempt, ErrorInfo, RunResult, Turn


@pytest.mark.parametrize(
    ("ms", "text"),
    [
        (0.4, "0 ms"),
        (151.2, "151 ms"),
        (2_449, "2.4 s"),
        (9_960, "10 s"),
        (148_300, "148 s"),
        (185_000, "3 min 5 s"),
        (240_000, "4 min"),
    ],
)
def test_durations_read_in_the_unit_of_their_size(ms: float, text: str) -> None:
    assert duration_text(ms) == text


def model_turn() -> Turn:
    """A local model's answer: 148 s of drafting (two drafts), one failed run, one good run."""
    failed = RunResult(ok=False, error=ErrorInfo("runtime", "boom"), elapsed_ms=40.0)
    return Turn(
        "revenue by region",
        "result = 1",
        RunResult(ok=True, answer=Answer("value", "1", value=1), elapsed_ms=151.0),
        backend="local",
        attempts=(Attempt("result = x", failed),),
        llm_ms=148_000.0,
    )


def test_the_time_of_a_model_answer_is_the_model_and_the_runs() -> None:
    turn = model_turn()
    assert total_ms(turn) == 148_191.0
    assert timing_text(turn) == "model 148 s, run 191 ms"
    again = Turn.from_json(turn.to_json())  # a turn from the history says the same
    assert timing_text(again) == "model 148 s, run 191 ms"


def test_the_notebook_states_the_whole_answer_time() -> None:
    cells = session_notebook([model_turn()], []).cells
    line = next(c.source for c in cells if c.source.startswith("### 1."))
    assert "*Answered by the local model in 148 s (model 148 s, run 191 ms) after 1 repair.*" in (
        line
    )
    assert "151 ms" not in line


def test_a_turn_without_a_model_states_its_run() -> None:
    turn = Turn("q", "result = 3", RunResult(ok=True, answer=Answer("value", "3"), elapsed_ms=3))
    assert timing_text(turn) == "run 3 ms"
    no_code = Turn("q", None, RunResult(ok=False, error=ErrorInfo("llm", "down")), llm_ms=2_000)
    assert timing_text(no_code) == "model 2.0 s"


def test_the_page_caption_states_both_times() -> None:
    from pages.widgets import turn_caption

    assert turn_caption(model_turn()).startswith("local model · model 148 s, run 191 ms · ")
