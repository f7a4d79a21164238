"""Who answers a question (issue #5): the planner when it is confident, else the configured LLM.

`auto` (the app's default) tries the planner, then an OpenAI-compatible endpoint if one is
configured, then the embedded local model if it is installed. With neither, the user is told
how to enable one. The answer records which backend wrote the code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from engine.config import Settings
from engine.errors import UnsupportedError
from engine.generate import Progress
from engine.types import Attempt, RunResult, TableProfile, Turn

ENABLE_LLM = (
    "To answer any question, enable a language model: set OPENAI_API_KEY (and OPENAI_BASE_URL "
    "for Ollama, vLLM, LM Studio or a llama.cpp server) or enter them on the Settings page, or "
    "install the embedded local model with `make local-model`."
)

PLANNER_ONLY = (
    "The backend is set to the offline planner only; choose a language model on the Settings "
    "page (or set backend to auto) to answer other questions."
)


def route_question(
    question: str,
    profiles: Sequence[TableProfile],
    *,
    history: Sequence[Turn],
    run: Callable[[str], RunResult],
    settings: Settings,
    backend: str = "auto",
    secrets: Mapping[str, Any] | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> Turn:
    """Plan or generate code for `question`, run it, and return the turn. Raises EngineError for
    a decline with no LLM to fall back on, or a backend that is not set up."""
    notify = on_progress or (lambda _p: None)
    decline: UnsupportedError | None = None
    planner_turn: Turn | None = None
    if backend in ("auto", "planner"):
        from engine.planner import plan

        notify(Progress("plan", "Planning with the offline planner"))
        try:
            draft = plan(question, profiles, settings)
        except UnsupportedError as exc:
            if backend == "planner":  # planner only: the user chose this, say how to widen it
                raise UnsupportedError(
                    f"The planner cannot answer this: {exc.message} {PLANNER_ONLY}",
                    detail=exc.detail,
                ) from exc
            decline = exc
        else:
            notify(Progress("run", draft.explanation or "Running the planned code"))
            result = run(draft.code)
            planner_turn = Turn(
                question=question,
                code=draft.code,
                result=result,
                backend="planner",
                explanation=draft.explanation,
            )
            if result.ok or backend == "planner":
                return planner_turn

    config = _llm_config(backend, settings, secrets)
    if config is None:
        reason = f"The planner cannot answer this: {decline.message} " if decline else ""
        raise UnsupportedError(reason + ENABLE_LLM)
    from engine.generate import answer_with_llm

    turn = answer_with_llm(question, profiles, history, run, config, settings, on_progress)
    if planner_turn is not None:  # the planner's code failed: keep it as the first attempt
        first = Attempt(code=planner_turn.code or "", result=planner_turn.result)
        turn = replace(turn, attempts=(first, *turn.attempts))
    return turn


def _llm_config(backend: str, settings: Settings, secrets: Mapping[str, Any] | None):
    from engine.llm import llm_config

    if backend in ("openai", "local"):
        config = llm_config(settings, backend, secrets=secrets)
        if config is None:
            what = (
                "No OpenAI-compatible endpoint is configured."
                if backend == "openai"
                else "The embedded local model is not installed."
            )
            raise UnsupportedError(f"{what} {ENABLE_LLM}")
        return config
    return llm_config(settings, "openai", secrets=secrets) or llm_config(
        settings, "local", secrets=secrets
    )
