"""The default `auto` path: the planner first, then a model, through one loop.

Through `Session` (real catalog, real sandbox, the real SDK against a scripted endpoint) for the
fallback after a decline; through the loop with an in-process runner where the planner's own
code must fail, which a sound planner does not do on purpose.
"""

from __future__ import annotations

import pandas as pd
import pytest

from engine.answer import ENABLE_LLM, PLANNER_ONLY, Context, answer_question, drafters_for
from engine.answer.llm_drafter import LLMDrafter
from engine.answer.planner_drafter import PlannerDrafter
from engine.errors import UnsupportedError
from engine.session import Session
from tests.conftest import SAMPLE_DATA
from tests.fake_openai import FakeOpenAI, Reply
from tests.test_answer_loop import PROFILE, SETTINGS, Runner, config_for, fenced

POEM = "write me a poem about penguins"  # the planner declines it


@pytest.fixture
def endpoint(monkeypatch):
    """A scripted OpenAI-compatible server that `auto` finds through OPENAI_BASE_URL."""
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with FakeOpenAI() as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        yield server


@pytest.fixture
def penguins(settings, tmp_path):
    with Session(settings, work_dir=tmp_path / "work") as session:
        session.load(SAMPLE_DATA / "penguins.csv")
        yield session


def test_auto_answers_with_the_planner_without_asking_the_model(endpoint, penguins) -> None:
    turn = penguins.ask("how many rows", backend="auto")
    assert turn.ok and turn.backend == "planner" and turn.result.answer.value == 344
    assert endpoint.requests == []


def test_auto_falls_back_to_the_model_when_the_planner_declines(endpoint, penguins) -> None:
    endpoint.replies.append(Reply(fenced("result = int(df['species'].nunique())")))
    stages: list[str] = []
    turn = penguins.ask(POEM, backend="auto", on_progress=lambda p: stages.append(p.stage))
    assert turn.ok and turn.backend == "openai" and turn.result.answer.value == 3
    assert turn.attempts == ()  # a decline is not an attempt: no code was written
    assert stages[0] == "plan" and "model" in stages
    (request,) = endpoint.requests
    assert request.messages[-1]["content"].endswith(POEM)


def test_a_planner_decline_with_no_model_says_why_and_how_to_enable_one(penguins) -> None:
    turn = penguins.ask(POEM, backend="planner")
    assert turn.result.error.kind == "unsupported"
    assert turn.result.error.message.startswith("The planner cannot answer this: ")
    assert turn.result.error.message.endswith(PLANNER_ONLY)


def test_auto_without_any_model_names_the_ways_to_enable_one(settings, monkeypatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    context = Context([PROFILE], [], SETTINGS)
    no_local = settings.with_overrides(local_model_path="/nonexistent/model.gguf")
    with pytest.raises(UnsupportedError) as caught:
        answer_question(POEM, drafters_for("auto", no_local, {}), Runner(), context)
    assert "The planner cannot answer this" in caught.value.message
    assert caught.value.message.endswith(ENABLE_LLM)


def test_the_planners_failed_run_is_kept_when_the_model_takes_over() -> None:
    """A stale profile (it lists `price`, the data has `amount`) makes the planner's code fail;
    the model then answers, and the turn keeps the planner's try as its first attempt."""
    runner = Runner()
    runner.frame = pd.DataFrame({"region": ["N", "S", "N"], "amount": [1.0, 2.0, 4.0]})
    with FakeOpenAI([Reply(fenced("result = df.iloc[:, 1].sum()"))]) as server:
        drafters = [PlannerDrafter(), LLMDrafter(config_for(server.base_url))]
        turn = answer_question("total price", drafters, runner, Context([PROFILE], [], SETTINGS))
    assert turn.ok and turn.backend == "openai" and turn.result.answer.value == 7.0
    (planner_try,) = turn.attempts
    assert planner_try.code == runner.codes[0] and "price" in planner_try.code
    assert "KeyError" in planner_try.result.error.message


def test_planner_only_keeps_its_failed_run_as_the_answer() -> None:
    runner = Runner()
    runner.frame = pd.DataFrame({"region": ["N"], "amount": [1.0]})
    turn = answer_question(
        "total price", drafters_for("planner", SETTINGS), runner, Context([PROFILE], [], SETTINGS)
    )
    assert not turn.ok and turn.backend == "planner" and turn.attempts == ()
    assert "KeyError" in turn.result.error.message


def test_a_planner_bug_is_a_decline_not_a_crash(penguins, monkeypatch) -> None:
    """A bug in the planner (bench/wtq.py found one: '1941-1949' read as a year and a month)
    must not escape Session.ask: the question is declined, or passed on to the model."""

    def broken(*_args, **_kwargs):
        raise ValueError("month must be in 1..12")

    monkeypatch.setattr("engine.answer.planner_drafter.plan", broken)
    turn = penguins.ask("how many films from 1941-1949", backend="planner")
    assert turn.result.error.kind == "unsupported"
    assert "planner failed" in turn.result.error.message
