"""bench/dabench.py's command line: the questions it is told to run."""

from __future__ import annotations

import argparse

import pytest

from bench.dabench import main, question_ids


def test_ids_name_the_questions_to_run() -> None:
    assert question_ids("268, 644,") == {268, 644}
    with pytest.raises(argparse.ArgumentTypeError, match="'268,x'"):
        question_ids("268,x")


def test_ids_that_are_not_numbers_are_a_usage_error_before_any_model_starts(capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--ids", "268,x"])
    assert stop.value.code == 2
    assert "not a list of question ids: '268,x'" in capsys.readouterr().err
