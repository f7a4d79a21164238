"""Drafts and drafters: who proposes code for a question, and how it is asked to try again.

A drafter is the planner or an LLM. It never runs code: the loop (engine/answer/loop.py) checks
each draft, runs it, and hands a failure back to the same drafter's `repair`, so every backend
gets the same checks, the same sandbox and the same record of attempts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from engine.answer.progress import Notify, silent
from engine.config import Settings
from engine.types import Backend, RunResult, TableProfile, Turn
from engine.value_index import ValueIndex

FailureKind = Literal["check", "run", "answer"]


@dataclass(frozen=True)
class Context:
    """What every drafter may read about the question's session. `values` holds the text
    values of each table small enough to index, by table name (engine/value_index.py)."""

    profiles: Sequence[TableProfile]
    history: Sequence[Turn]
    settings: Settings
    notify: Notify = silent
    values: Mapping[str, ValueIndex] = field(default_factory=dict)


@dataclass(frozen=True)
class Draft:
    """Code proposed for a question, with what it cost to write.

    `conversation` is the LLM exchange that produced it (empty for the planner): a repair
    continues that conversation, so the drafter itself keeps no state between calls.
    """

    code: str
    backend: Backend
    explanation: str = ""
    confidence: float | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    llm_ms: float = 0.0
    conversation: tuple[dict[str, str], ...] = field(default=(), repr=False)
    sure: float | None = None  # how sure the model was of its code's names and values
    cut: bool = False  # the reply stopped at the token limit: its code may end mid-line
    looped: bool = False  # cut because it repeated itself (engine/llm/repetition.py)
    # why its answer is checked by a second program whatever `sure` says: it repairs an answer
    # of another kind than the question asks for, or code that misread the question (a filter
    # no row can pass: checks.Problem.doubt; engine/answer/opinions.py)
    doubt: str = ""


@dataclass(frozen=True)
class Failure:
    """Why a draft did not answer: a check before running (`check`), the run itself (`run`), or
    an answer of another kind than the question asks for (`answer`)."""

    kind: FailureKind
    message: str
    result: RunResult


class Drafter(Protocol):
    """Proposes code for a question (`draft`) and corrected code after a failure (`repair`).

    `draft` raises UnsupportedError to decline (the next drafter is asked) and LLMError when a
    model cannot be reached; `repair` returns None when the drafter cannot repair.
    """

    backend: Backend
    repairs: bool  # False: a failed draft goes to the next drafter at once

    def draft(self, question: str, context: Context) -> Draft: ...

    def repair(self, draft: Draft, failure: Failure, context: Context) -> Draft | None: ...

    def sampled(self, temperature: float, seed: int) -> Drafter | None:
        """The same drafter sampling at `temperature` with `seed` (another candidate; the same
        seed draws the same program, so a question asked again is answered the same), or None."""
        ...

    def plain(self, context: Context) -> Drafter | None:
        """The same model asked with a plain prompt (a second opinion on an answer it was
        unsure of), or None when there is none for these tables."""
        ...
