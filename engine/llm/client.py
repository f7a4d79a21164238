"""One client path for every backend: the `openai` SDK's chat completions (issue 4).

OpenAI, Azure OpenAI, Ollama, vLLM, LM Studio, the embedded llama.cpp server and the tests' fake
server are all reached here. SDK failures become `LLMError`s that name the problem and the fix;
a caller never sees a traceback. `openai` is imported inside the functions: ~1.5 s at import.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from engine.errors import LLMError
from engine.llm.endpoint import LOOPED, Completion, LLMConfig
from engine.llm.repetition import looping

if TYPE_CHECKING:
    import openai

RETRY_STATUSES: Final = (429, 500, 502, 503, 504)
MAX_RETRIES: Final = 3
RETRY_AFTER_CAP_S: Final = 20.0  # honour Retry-After, but never park a question longer than this
RETRY_BUDGET_S: Final = 45.0  # total sleep across retries of one request


def complete(
    messages: list[dict[str, str]],
    config: LLMConfig,
    on_token: Callable[[str], None] | None = None,
) -> Completion:
    """Send `messages`, return the reply. Streams when `on_token` is given (each text delta);
    a streamed reply caught in a loop is stopped there (engine/llm/repetition.py), its
    `finish_reason` LOOPED.

    429 and 5xx are retried with bounded backoff (Retry-After honoured up to
    RETRY_AFTER_CAP_S); everything else fails at once with an `LLMError`.
    """
    import openai

    slept = 0.0
    for attempt in range(MAX_RETRIES + 1):
        start = time.perf_counter()
        try:
            return _request(messages, config, on_token, start)
        except openai.APIStatusError as exc:
            delay = _retry_delay(exc, attempt)
            if delay is None or slept + delay > RETRY_BUDGET_S or attempt == MAX_RETRIES:
                raise _llm_error(exc, config) from None
            time.sleep(delay)
            slept += delay
        except openai.APIError as exc:
            raise _llm_error(exc, config) from None
    raise AssertionError("unreachable")  # the loop always returns or raises


def _request(
    messages: list[dict[str, str]],
    config: LLMConfig,
    on_token: Callable[[str], None] | None,
    start: float,
) -> Completion:
    client = _client(config.base_url, config.api_key, config.timeout_s)
    args: dict[str, Any] = {
        "model": config.model,
        "messages": messages,
        "temperature": config.temperature,
        "max_tokens": config.max_tokens,
    }
    if config.logprobs:
        args["logprobs"] = True
    if config.seed is not None:
        args["seed"] = config.seed
    if on_token is None:
        reply = client.chat.completions.create(**args)
        text = (reply.choices[0].message.content or "") if reply.choices else ""
        usage = reply.usage
        return Completion(
            text=text,
            prompt_tokens=usage.prompt_tokens if usage else None,
            completion_tokens=usage.completion_tokens if usage else None,
            latency_ms=(time.perf_counter() - start) * 1000,
            finish_reason=reply.choices[0].finish_reason if reply.choices else None,
            logprobs=_logprobs(reply.choices[0].logprobs) if reply.choices else (),
        )
    stream = client.chat.completions.create(
        **args, stream=True, stream_options={"include_usage": True}
    )
    logprobs: list[tuple[str, float]] = []
    prompt_tokens = completion_tokens = None
    finish_reason = None
    first_token_ms = None
    text = ""
    for chunk in stream:
        if chunk.usage is not None:
            prompt_tokens = chunk.usage.prompt_tokens
            completion_tokens = chunk.usage.completion_tokens
        for choice in chunk.choices:
            logprobs += _logprobs(choice.logprobs)
            delta = choice.delta.content if choice.delta else None
            if delta:
                if first_token_ms is None:
                    first_token_ms = (time.perf_counter() - start) * 1000
                text += delta
                on_token(delta)
            if choice.finish_reason:
                finish_reason = choice.finish_reason
        if finish_reason is None and looping(text):
            stream.close()  # the server stops generating for a closed connection
            finish_reason = LOOPED
            break
    return Completion(
        text=text,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        latency_ms=(time.perf_counter() - start) * 1000,
        first_token_ms=first_token_ms,
        finish_reason=finish_reason,
        logprobs=tuple(logprobs),
    )


def _logprobs(found: Any) -> tuple[tuple[str, float], ...]:
    """(token, log probability) pairs of a choice, or none when the server sent none."""
    content = getattr(found, "content", None) or ()
    return tuple((t.token, t.logprob) for t in content)


@functools.lru_cache(maxsize=8)
def _client(base_url: str, api_key: str, timeout_s: float) -> openai.OpenAI:
    """One SDK client per endpoint: keeps its HTTP connection pool between questions.

    SDK retries are off (max_retries=0): `complete` retries itself so the wait stays bounded
    and tests can see every request.
    """
    import openai

    return openai.OpenAI(
        base_url=base_url, api_key=api_key or "not-needed", timeout=timeout_s, max_retries=0
    )


def _retry_delay(exc: openai.APIStatusError, attempt: int) -> float | None:
    """Seconds to wait before retrying, or None when this error is not worth a retry."""
    if exc.status_code not in RETRY_STATUSES or _code(exc) == "insufficient_quota":
        return None
    header = exc.response.headers.get("retry-after") if exc.response is not None else None
    if header is not None:
        try:
            return min(max(float(header), 0.0), RETRY_AFTER_CAP_S)
        except ValueError:
            pass  # an HTTP date: fall back to exponential backoff
    return min(0.5 * 2**attempt, RETRY_AFTER_CAP_S)


def _code(exc: openai.APIStatusError) -> str | None:
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict):
            code = inner.get("code") or inner.get("type")
            return str(code) if code else None
    return None


def _server_message(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])[:300]
    return str(exc.message)[:300]


def _llm_error(exc: openai.APIError, config: LLMConfig) -> LLMError:
    """Translate an SDK error into a plain message that says what to do."""
    import openai

    url = config.base_url
    detail = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, openai.APITimeoutError):
        return LLMError(
            f"The LLM at {url} did not answer within {config.timeout_s:g} s. Try again, raise "
            "llm_timeout_s in Settings, or choose a smaller or faster model.",
            detail=detail,
        )
    if isinstance(exc, openai.APIConnectionError):
        return LLMError(
            f"Cannot connect to the LLM at {url}. Start that server, or fix the base URL in "
            "Settings (or OPENAI_BASE_URL).",
            detail=detail,
        )
    if not isinstance(exc, openai.APIStatusError):
        return LLMError(f"The LLM at {url} failed: {exc}. Try again.", detail=detail)
    status = exc.status_code
    said = _server_message(exc)
    if status in (401, 403):
        return LLMError(
            f"The LLM at {url} refused the API key ({status}: {said}). Check the API key in "
            "Settings or the OPENAI_API_KEY environment variable.",
            detail=detail,
        )
    if status == 404:
        return LLMError(
            f"The LLM at {url} does not know the model {config.model!r} (404: {said}). Check "
            "the model name in Settings (llm_model), and that the base URL ends in /v1.",
            detail=detail,
        )
    if status == 429:
        if _code(exc) == "insufficient_quota":
            return LLMError(
                f"The LLM account at {url} has no quota left (429: {said}). Add credit or use "
                "another key, or switch to the local model.",
                detail=detail,
            )
        return LLMError(
            f"The LLM at {url} is rate-limiting requests (429: {said}) and still was after "
            "retrying. Wait a minute and ask again, or switch to the local model.",
            detail=detail,
        )
    if status >= 500:
        return LLMError(
            f"The LLM server at {url} failed ({status}: {said}) and still did after retrying. "
            "Try again later, or switch backend.",
            detail=detail,
        )
    if status == 400 and "context" in said.lower():
        return LLMError(
            f"The question and table description are too long for the model at {url} "
            f"({said}). Start a new chat, or use a model with a longer context.",
            detail=detail,
        )
    return LLMError(
        f"The LLM at {url} rejected the request ({status}: {said}). Check the model and "
        "endpoint settings.",
        detail=detail,
    )
