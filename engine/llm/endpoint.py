"""Where the LLM is and how to talk to it: `LLMConfig`, resolved from env, secrets and Settings.

Precedence (issue 4): environment (`OPENAI_API_KEY`, `OPENAI_BASE_URL`), then
`.streamlit/secrets.toml` (its parsed contents, passed in by the caller: the engine never imports
streamlit), then the Settings values. The key lives only in `LLMConfig.api_key`, which never
appears in a repr and never reaches the sandbox.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import urlparse

from engine.config import Settings
from engine.types import Backend

OPENAI_URL: Final = "https://api.openai.com/v1"
_LOCAL_HOSTS: Final = ("127.0.0.1", "localhost", "::1", "0.0.0.0")


@dataclass(frozen=True)
class LLMConfig:
    """One endpoint + model + sampling. Frozen and passed per call, never a default argument."""

    backend: str  # openai | local
    base_url: str
    api_key: str = field(repr=False)
    model: str
    temperature: float = 0.0
    timeout_s: float = 120.0
    max_tokens: int = 1024
    source: str = ""  # where base URL and key came from, for the diagnostics panel
    logprobs: bool = False  # ask for each token's probability (the embedded model: issue 13)
    seed: int | None = None  # a sampled program's seed: the same question gets the same program


LOOPED: Final = "looped"  # our finish_reason: the client stopped a reply that repeated itself


@dataclass(frozen=True)
class Completion:
    """One reply, with the usage the server reported (None when it reports none)."""

    text: str
    prompt_tokens: int | None
    completion_tokens: int | None
    latency_ms: float
    first_token_ms: float | None = None
    finish_reason: str | None = None
    logprobs: tuple[tuple[str, float], ...] = ()  # (token, log probability), when asked for


def openai_config(
    settings: Settings,
    env: Mapping[str, str],
    secrets: Mapping[str, Any] | None = None,
) -> LLMConfig | None:
    """The OpenAI-compatible endpoint the user configured, or None when nothing is configured.

    A base URL alone is enough (Ollama, LM Studio and vLLM need no key); a key alone means
    api.openai.com.
    """
    secrets = secrets or {}
    section = secrets.get("openai") if isinstance(secrets.get("openai"), Mapping) else {}
    key, key_from = _first(
        ("environment OPENAI_API_KEY", env.get("OPENAI_API_KEY")),
        ("secrets.toml OPENAI_API_KEY", secrets.get("OPENAI_API_KEY")),
        ("secrets.toml [openai] api_key", section.get("api_key")),
    )
    url, url_from = _first(
        ("environment OPENAI_BASE_URL", env.get("OPENAI_BASE_URL")),
        ("secrets.toml OPENAI_BASE_URL", secrets.get("OPENAI_BASE_URL")),
        ("secrets.toml [openai] base_url", section.get("base_url")),
        (
            f"setting llm_base_url ({settings.sources.get('llm_base_url', 'set')})",
            settings.llm_base_url,
        ),
    )
    if not key and not url:
        return None
    model = settings.llm_model
    if settings.sources.get("llm_model", "default") == "default":
        model = str(secrets.get("OPENAI_MODEL") or section.get("model") or model)
    sources = [f"key: {key_from}" if key else "key: none"]
    sources.append(f"URL: {url_from}" if url else "URL: default (api.openai.com)")
    return LLMConfig(
        backend=Backend.OPENAI,
        base_url=(url or OPENAI_URL).rstrip("/"),
        api_key=key or "not-needed",
        model=model,
        temperature=settings.llm_temperature,
        timeout_s=settings.llm_timeout_s,
        max_tokens=settings.llm_max_tokens,
        source="; ".join(sources),
    )


def is_local_url(url: str) -> bool:
    """True for an endpoint on this machine (no data leaves it)."""
    return (urlparse(url).hostname or "") in _LOCAL_HOSTS


def _first(*candidates: tuple[str, Any]) -> tuple[str, str]:
    for origin, value in candidates:
        if isinstance(value, str) and value.strip():
            return value.strip(), origin
    return "", ""
