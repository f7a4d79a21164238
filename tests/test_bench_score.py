"""bench/dabench.py's scoring: the answer shown is what is scored, printed parts fill gaps."""

from __future__ import annotations

from bench import dabench
from engine.types import Answer, RunResult

QUESTION = {"gold": [["outlier_countries", "Kuwait, Saudi Arabia"], ["n", "2"]]}


def test_the_answer_shown_wins_over_what_the_code_printed() -> None:
    """DABench-dev q254: the code printed its raw list, the engine wrote the format's list."""
    shown = "@outlier_countries[Kuwait, Saudi Arabia]"
    result = RunResult(
        ok=True,
        answer=Answer("text", shown, value=shown),
        stdout="@outlier_countries[['Kuwait', 'Saudi Arabia']]\n@n[2]\n",
    )
    assert dabench.score(QUESTION, result) == (2, 2, "format")


def test_a_record_keeps_what_each_earlier_try_computed() -> None:
    """A repair's record says what it was sent back from: the first try's answer, cut."""
    from bench.evaluation import attempt_answers, attempt_errors
    from engine.types import Attempt, ErrorInfo, Turn

    counted = Attempt("result = 1", RunResult(ok=True, answer=Answer("value", "1", value=1)))
    failed = Attempt("x", RunResult(ok=False, error=ErrorInfo("runtime", "NameError: x")))
    long = Attempt("y", RunResult(ok=True, answer=Answer("text", "a" * 500, value="a" * 500)))
    turn = Turn(
        "how many laps?", "result = 129", RunResult(ok=True), attempts=(counted, failed, long)
    )
    assert attempt_answers(turn) == ["1", None, "a" * 300]
    assert attempt_errors(turn) == [None, "NameError: x", None]
