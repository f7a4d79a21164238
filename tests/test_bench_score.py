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
