"""bench/dabench.py and bench/wtq.py --ids: the questions they are told to run."""

from __future__ import annotations

import argparse

import pytest

from bench import dabench, wtq


def test_ids_name_the_questions_to_run() -> None:
    assert dabench.question_ids("268, 644,") == {268, 644}
    assert wtq.question_ids("nt-12, nt-7") == {"nt-12", "nt-7"}
    with pytest.raises(argparse.ArgumentTypeError, match="'268,x'"):
        dabench.question_ids("268,x")
    with pytest.raises(argparse.ArgumentTypeError, match="12, x"):
        wtq.question_ids("nt-1,12,x")


@pytest.mark.parametrize(
    ("main", "ids", "said"),
    [
        (dabench.main, "268,x", "not a list of question ids: '268,x'"),
        (wtq.main, "nt-1,x", "not question ids (nt-1234): x"),
    ],
)
def test_ids_that_are_not_ids_are_a_usage_error_before_any_model_starts(
    main, ids: str, said: str, capsys
) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--ids", ids])
    assert stop.value.code == 2
    assert said in capsys.readouterr().err
