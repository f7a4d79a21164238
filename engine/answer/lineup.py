"""Which drafters answer, in which order, for each `backend` setting.

`auto` (the app's default): the planner, then an OpenAI-compatible endpoint if one is configured,
else the embedded local model if it is installed. A drafter that cannot be provided is replaced
by an UnsupportedError saying how to enable one; the loop words it after the planner's decline.
Models are set up only when reached: the local model's server starts after the planner declines.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from engine.answer.drafts import Drafter
from engine.answer.llm_drafter import LLMDrafter
from engine.answer.planner_drafter import PlannerDrafter
from engine.config import Settings
from engine.errors import UnsupportedError
from engine.llm import LLMConfig, llm_config
from engine.types import Backend

ENABLE_LLM: Final = (
    "To answer any question, enable a language model: set OPENAI_API_KEY (and OPENAI_BASE_URL "
    "for Ollama, vLLM, LM Studio or a llama.cpp server) or enter them on the Settings page, or "
    "install the embedded local model with `make local-model`."
)
PLANNER_ONLY: Final = (
    "The backend is set to the offline planner only; choose a language model on the Settings "
    "page (or set backend to auto) to answer other questions."
)
NOT_SET_UP: Final = {
    Backend.OPENAI: "No OpenAI-compatible endpoint is configured.",
    Backend.LOCAL: "The embedded local model is not installed.",
}


def drafters_for(
    backend: Backend | str, settings: Settings, secrets: Mapping[str, Any] | None = None
) -> Iterator[Drafter]:
    """The drafters `backend` names, each built when the loop reaches it."""
    backend = Backend(backend)
    if backend in (Backend.AUTO, Backend.PLANNER):
        yield PlannerDrafter()
    if backend is Backend.PLANNER:
        raise UnsupportedError(PLANNER_ONLY)
    config = _model(backend, settings, secrets)
    if config is None:
        raise UnsupportedError(ENABLE_LLM)
    yield LLMDrafter(config)


def _model(
    backend: Backend, settings: Settings, secrets: Mapping[str, Any] | None
) -> LLMConfig | None:
    if backend is Backend.AUTO:
        return llm_config(settings, Backend.OPENAI, secrets=secrets) or llm_config(
            settings, Backend.LOCAL, secrets=secrets
        )
    config = llm_config(settings, backend, secrets=secrets)
    if config is None:
        raise UnsupportedError(f"{NOT_SET_UP[backend]} {ENABLE_LLM}")
    return config
