"""An LLM (any OpenAI-compatible endpoint, or the embedded local model) as a drafter.

The prompt is built by engine/prompt.py; the reply's code is pulled out by engine/extraction.py.
A reply without code gets one reminder. A repair continues the draft's own conversation: the
failed code as the assistant's turn, then the failure (column check or trimmed traceback).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from engine.answer.confidence import literal_confidence
from engine.answer.drafts import Context, Draft, Failure
from engine.answer.error_meanings import error_meaning
from engine.answer.progress import Progress
from engine.databases.urls import database_of_source
from engine.errors import NoCodeError
from engine.extraction import code_from_reply, explanation_from_code
from engine.llm import LOOPED, Completion, LLMConfig, complete
from engine.prompt import (
    ANSWER_REPAIR,
    COLUMN_REPAIR,
    CUT_REPAIR,
    LOOP_REPAIR,
    REPAIR,
    REPLY_REMINDER,
    messages_for_question,
    plain_messages,
)
from engine.types import Backend, RunResult

ERROR_CHARS: Final = 1500  # traceback sent back for a repair: its tail, where the cause is

Messages = list[dict[str, str]]


class LLMDrafter:
    """Drafts and repairs code with the model of `config`."""

    repairs = True

    def __init__(self, config: LLMConfig) -> None:
        self.config = config
        self.backend = Backend(config.backend)

    def draft(self, question: str, context: Context) -> Draft:
        messages = messages_for_question(
            question, context.profiles, context.history, context.settings, context.values
        )
        size = sum(len(m["content"]) for m in messages)
        context.notify(Progress("prompt", f"{len(messages)} messages, {size:,} characters"))
        return self._ask(messages, context)

    def repair(self, draft: Draft, failure: Failure, context: Context) -> Draft | None:
        if failure.kind == "check":
            request = COLUMN_REPAIR.format(problems=failure.message)
        elif failure.kind == "answer":
            request = ANSWER_REPAIR.format(problem=failure.message)
        elif draft.looped:
            request = LOOP_REPAIR.format(error=error_for_repair(failure.result))
        elif draft.cut:  # the same request would be cut at the same place
            limit = self.config.max_tokens
            request = CUT_REPAIR.format(limit=limit, error=error_for_repair(failure.result))
        else:
            request = REPAIR.format(error=error_for_repair(failure.result))
        messages = [
            *draft.conversation,
            {"role": "assistant", "content": f"```python\n{draft.code}\n```"},
            {"role": "user", "content": request},
        ]
        return self._ask(messages, context)

    def sampled(self, temperature: float, seed: int) -> LLMDrafter:
        return type(self)(replace(self.config, temperature=temperature, seed=seed))

    def plain(self, context: Context) -> LLMDrafter | None:
        """None for tables that stay in a database: the plain prompt says nothing of sql()."""
        if any(database_of_source(p.source) for p in context.profiles):
            return None
        return PlainLLMDrafter(self.config)

    def _ask(self, messages: Messages, context: Context) -> Draft:
        """One reply with code (one reminder if it has none); LLMError if none comes."""
        usage = _Usage()
        reply = self._complete(messages, context, usage)
        code = code_from_reply(reply.text)
        if code is None:
            context.notify(Progress("repair", "the reply had no code; asking again"))
            messages = [
                *messages,
                {"role": "assistant", "content": reply.text},
                {"role": "user", "content": REPLY_REMINDER},
            ]
            reply = self._complete(messages, context, usage)
            code = code_from_reply(reply.text)
        if code is None:
            raise NoCodeError(
                f"The model ({self.config.model}) replied without Python code twice. Rephrase "
                "the question, or choose a stronger model in Settings.",
                detail=reply.text[-ERROR_CHARS:],
            )
        return Draft(
            code=code,
            backend=self.backend,
            explanation=explanation_from_code(code),
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
            llm_ms=usage.llm_ms,
            conversation=tuple(messages),
            sure=literal_confidence(reply.logprobs) if reply.logprobs else None,
            cut=reply.finish_reason in ("length", LOOPED),
            looped=reply.finish_reason == LOOPED,
        )

    def _complete(self, messages: Messages, context: Context, usage: _Usage) -> Completion:
        notify, config = context.notify, self.config
        notify(Progress("model", f"asking {config.model} ({config.backend})"))
        reply = complete(messages, config, on_token=lambda t: notify(Progress("token", t)))
        usage.add(reply)
        return reply


class PlainLLMDrafter(LLMDrafter):
    """The same model with the plain prompt (engine/prompt.py::plain_messages)."""

    def draft(self, question: str, context: Context) -> Draft:
        values = context.values if context.settings.send_sample_rows else None
        return self._ask(plain_messages(question, context.profiles, values), context)

    def plain(self, context: Context) -> None:
        return None


class _Usage:
    """Token and time totals of the requests behind one draft (None: the server said nothing)."""

    def __init__(self) -> None:
        self.prompt_tokens: int | None = None
        self.completion_tokens: int | None = None
        self.llm_ms = 0.0

    def add(self, reply: Completion) -> None:
        self.llm_ms += reply.latency_ms
        if reply.prompt_tokens is not None:
            self.prompt_tokens = (self.prompt_tokens or 0) + reply.prompt_tokens
        if reply.completion_tokens is not None:
            self.completion_tokens = (self.completion_tokens or 0) + reply.completion_tokens


def error_for_repair(result: RunResult) -> str:
    """The failure as the model should see it: message plus the tail of the trimmed traceback,
    and what such an exception usually means (engine/answer/error_meanings.py)."""
    if result.error is None:
        return "the code failed without an error message"
    text, detail = result.error.message, result.error.detail.rstrip()
    if detail:
        text = detail if text in detail else f"{detail}\n{text}"
    text = text if len(text) <= ERROR_CHARS else "...\n" + text[-ERROR_CHARS:]
    meaning = error_meaning(result.error.message)
    return f"{text}\nThis usually means {meaning}" if meaning else text
