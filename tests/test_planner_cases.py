"""The planner's table of question -> expected-answer cases (issue 5), run in-process.

Each case plans the question over the real loaded sample tables, executes the code in a
namespace like the sandbox's, and compares with an answer computed independently (DuckDB SQL or
pandas written here, not by the planner). Declines must decline, with the right words. Every
answerable case runs twice: as a small table (pandas code) and with the profile claiming five
million rows, so the sql() code for big tables is checked against the same answers.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.data.planner_cases import CASES, D
from tests.data.planner_holdout import FRESH, HOLDOUT
from tests.planner_eval import Samples, run_case


@pytest.fixture(scope="module")
def planner_settings(tmp_path_factory: pytest.TempPathFactory):
    from engine.config import load_settings

    return load_settings(env={}, data_dir=str(tmp_path_factory.mktemp("planner-data")))


@pytest.fixture(scope="module")
def samples(planner_settings, tmp_path_factory: pytest.TempPathFactory) -> Samples:
    loaded = Samples(planner_settings, Path(tmp_path_factory.mktemp("planner-catalog")))
    yield loaded
    loaded.catalog.close()


def _id(case: tuple) -> str:
    which, question, _ = case
    return f"{which}:{question[:60]}"


def test_the_suite_is_big_enough() -> None:
    declines = [c for c in CASES if isinstance(c[2], D)]
    assert len(CASES) >= 150
    assert len(declines) >= 25


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_planner_case(case, samples: Samples, planner_settings) -> None:
    which, question, expected = case
    outcome = run_case(samples, planner_settings, which, question, expected)
    assert outcome.correct, outcome.detail


# Summaries of big tables come from DuckDB's SUMMARIZE, a different (richer) shape: checked below.
ANSWERABLE = [c for c in CASES if not isinstance(c[2], D) and not c[1].startswith("describe")]


@pytest.mark.parametrize("case", ANSWERABLE, ids=[_id(c) for c in ANSWERABLE])
def test_planner_case_as_big_table(case, samples: Samples, planner_settings) -> None:
    which, question, expected = case
    outcome = run_case(samples, planner_settings, which, question, expected, big=True)
    assert outcome.correct, outcome.detail


def test_big_table_summary_uses_duckdb(samples: Samples, planner_settings) -> None:
    from engine.planner import plan

    draft = plan("describe unit price", samples.profiles_for("sales", big=True), planner_settings)
    assert "SUMMARIZE" in draft.code
    result = samples.execute(draft.code, "sales")["result"]
    row = result.iloc[0]
    assert row["column_name"] == "unit_price"
    assert float(row["max"]) == max(
        v for (v,) in samples.catalog.fetch("SELECT unit_price FROM sales")
    )


@pytest.mark.parametrize("case", HOLDOUT + FRESH, ids=[_id(c) for c in HOLDOUT + FRESH])
def test_held_out_questions_are_never_answered_wrongly(case, samples, planner_settings) -> None:
    """Held-out questions may be declined (coverage), but an answer must be right (precision)."""
    which, question, expected = case
    outcome = run_case(samples, planner_settings, which, question, expected)
    assert outcome.correct or not outcome.answered, outcome.detail
