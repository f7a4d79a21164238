"""`results[key] = value` meant as the code's own dict gets one; the earlier answers stay."""

from __future__ import annotations

import pandas as pd
import pytest

from engine.answer.own_results import with_own_results
from tests.conftest import SAMPLE_DATA
from tests.test_answer_failures import ask_model


@pytest.mark.parametrize(
    "code",
    [
        # DABench-dev q432's ending
        "result = '@mse[1.0]'\n# Store the result in the results dictionary\n"
        "results[result] = result\n",
        "results['north'] = 3\nresults['south'] = 4\nresult = results['north']\n",
        "results[f'mean_{name}'] += 1\n",
    ],
)
def test_a_dict_of_its_own_is_given(code: str) -> None:
    assert with_own_results(code) == "results = {}\n" + code


@pytest.mark.parametrize(
    "code",
    [
        "result = results[-1] * 2\n",  # an earlier answer
        "results[0] = 2\n",  # by position: not a dict's key
        "result = len(results)\nresults['a'] = 1\n",  # the earlier answers, measured
        "results = {}\nresults['a'] = 1\n",  # its own already
        "result = results['a']\n",  # read, never stored: left to fail as it would
        "results[",
    ],
)
def test_the_earlier_answers_are_left_alone(code: str) -> None:
    assert with_own_results(code) == code


def test_storing_the_answer_in_results_runs_without_a_repair(session) -> None:
    """On the real sandbox: the draft's last line stores into `results` as a dict; it runs
    with a dict of its own, and no repair is asked."""
    bad = (
        "result = int(df['quantity'].sum())\n"
        "# Store the result in the results dictionary\nresults['total_quantity'] = result"
    )
    turn, server = ask_model(session, "what is the total quantity?", [bad])
    assert turn.ok and len(server.requests) == 1
    total = int(pd.read_csv(SAMPLE_DATA / "sales.csv").quantity.sum())
    assert turn.result.answer.value == total
