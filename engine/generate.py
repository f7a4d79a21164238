"""The LLM answer loop: draft -> check -> run -> repair, bounded (issue 4).

`answer_with_llm` never raises for LLM trouble: an unreachable model or a reply without code
becomes a Turn whose error kind is "llm". Column mistakes are sent back before running (no
sandbox cost); run failures go back with their trimmed traceback, at most
`settings.repair_attempts` times.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from engine.columns import unknown_columns
from engine.config import Settings
from engine.errors import LLMError
from engine.extraction import code_from_reply, code_using_loaded_tables, with_result
from engine.llm import Completion, LLMConfig, complete
from engine.prompt import COLUMN_REPAIR, REPAIR, REPLY_REMINDER, messages_for_question
from engine.types import Attempt, ErrorInfo, RunResult, TableProfile, Turn

ERROR_CHARS: Final = 1500  # traceback sent back for a repair: its tail, where the cause is
_FILE_ACCESS: Final = re.compile(
    r"\b(?:read_csv|read_excel|read_parquet|read_json|read_table|read_feather|open|duckdb\.connect)\s*\("
)
FILE_ACCESS_PROBLEM: Final = (
    "the code reads a file, but the data is already loaded: use `df`, the tables by name, or "
    "sql(...); files are not reachable from the sandbox."
)


@dataclass(frozen=True)
class Progress:
    """What the loop is doing, for a spinner or a streaming view. `token` carries reply text."""

    stage: str  # plan | prompt | model | token | check | run | wait (still running) | repair
    text: str


def answer_with_llm(
    question: str,
    profiles: Sequence[TableProfile],
    history: Sequence[Turn],
    run: Callable[[str], RunResult],
    config: LLMConfig,
    settings: Settings,
    on_progress: Callable[[Progress], None] | None = None,
) -> Turn:
    """Ask the LLM for code, check it, run it with `run` (the sandbox), repair on failure."""
    notify = on_progress or (lambda _p: None)
    messages = messages_for_question(question, profiles, history, settings)
    size = sum(len(m["content"]) for m in messages)
    notify(Progress("prompt", f"{len(messages)} messages, {size:,} characters"))
    usage = _Usage()
    attempts: list[Attempt] = []
    repairs_left = max(0, settings.repair_attempts)
    reminded = False
    code: str | None = None
    while True:
        notify(Progress("model", f"asking {config.model} ({config.backend})"))
        try:
            reply = complete(messages, config, on_token=lambda t: notify(Progress("token", t)))
        except LLMError as exc:
            return _turn(
                question, code, RunResult(ok=False, error=exc.to_info()), config, attempts, usage
            )
        usage.add(reply)
        draft = code_from_reply(reply.text)
        if draft is None:
            if reminded:
                error = LLMError(
                    f"The model ({config.model}) replied without Python code twice. Rephrase the "
                    "question, or choose a stronger model in Settings.",
                    detail=reply.text[-ERROR_CHARS:],
                )
                return _turn(
                    question,
                    code,
                    RunResult(ok=False, error=error.to_info()),
                    config,
                    attempts,
                    usage,
                )
            reminded = True
            notify(Progress("repair", "the reply had no code; asking again"))
            messages += [
                {"role": "assistant", "content": reply.text},
                {"role": "user", "content": REPLY_REMINDER},
            ]
            continue
        code = with_result(code_using_loaded_tables(draft, profiles))
        notify(Progress("check", "checking column names"))
        problems = code_problems(code, profiles)
        if problems and repairs_left > 0:
            message = " ".join(problems)
            attempts.append(Attempt(code, RunResult(ok=False, error=ErrorInfo("input", message))))
            repairs_left -= 1
            notify(Progress("repair", message))
            messages += _repair_messages(code, COLUMN_REPAIR.format(problems=message))
            continue
        notify(Progress("run", "running the code in the sandbox"))
        result = run(code)
        if result.ok or repairs_left == 0:
            return _turn(question, code, result, config, attempts, usage)
        attempts.append(Attempt(code, result))
        repairs_left -= 1
        error_text = error_for_repair(result)
        notify(Progress("repair", result.error.message if result.error else "the code failed"))
        messages += _repair_messages(code, REPAIR.format(error=error_text))


def code_problems(code: str, profiles: Sequence[TableProfile]) -> list[str]:
    """What is wrong with the code before it runs: unknown columns, file access."""
    problems = [p.message for p in unknown_columns(code, profiles)]
    if _FILE_ACCESS.search(code):
        problems.append(FILE_ACCESS_PROBLEM)
    return problems


def error_for_repair(result: RunResult) -> str:
    """The failure as the model should see it: message plus the tail of the trimmed traceback."""
    if result.error is None:
        return "the code failed without an error message"
    text, detail = result.error.message, result.error.detail.rstrip()
    if detail:
        text = detail if text in detail else f"{detail}\n{text}"
    return text if len(text) <= ERROR_CHARS else "...\n" + text[-ERROR_CHARS:]


def _repair_messages(code: str, request: str) -> list[dict[str, str]]:
    return [
        {"role": "assistant", "content": f"```python\n{code}\n```"},
        {"role": "user", "content": request},
    ]


class _Usage:
    """Token and time totals across every request of one question."""

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


def _turn(
    question: str,
    code: str | None,
    result: RunResult,
    config: LLMConfig,
    attempts: list[Attempt],
    usage: _Usage,
) -> Turn:
    return Turn(
        question=question,
        code=code,
        result=result,
        backend=config.backend,
        attempts=tuple(attempts),
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        llm_ms=round(usage.llm_ms, 1),
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
