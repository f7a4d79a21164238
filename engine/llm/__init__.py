"""The LLM path (issue 4): one `openai`-SDK client for any OpenAI-compatible endpoint, and an
embedded local model served by llama.cpp on 127.0.0.1 through that same client.

Public API: `LLMConfig`, `llm_config`, `local_model_available`, `Completion`, `complete`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Final

from engine.config import Settings
from engine.llm.client import complete
from engine.llm.endpoint import LOOPED, Completion, LLMConfig, openai_config
from engine.llm.model_files import model_available, runtime_installed
from engine.types import Backend

__all__ = [
    "LOOPED",
    "Completion",
    "LLMConfig",
    "complete",
    "llm_config",
    "local_model_available",
]

LOCAL_MAX_TOKENS: Final = (
    640  # code replies are 50-300 tokens; at 5-9 tokens/s 640 caps a reply at ~2 min
)
LOCAL_MIN_TIMEOUT_S: Final = 300.0  # a first question waits 20-35 s for its first token on 2 cores


def local_model_available(settings: Settings) -> bool:
    """True when the local backend can run: xllamacpp and a GGUF (chunks, cache or user path)."""
    return runtime_installed() and model_available(settings)


def llm_config(
    settings: Settings,
    backend: str,
    env: Mapping[str, str] | None = None,
    secrets: Mapping[str, Any] | None = None,
) -> LLMConfig | None:
    """The config for `backend` ('openai' or 'local'), or None when it is not set up.

    For 'local' this starts (or reuses, process-wide) the embedded llama.cpp server, which takes a
    few seconds the first time; it raises LLMError when the installed model fails to start.
    """
    if backend == Backend.OPENAI:
        return openai_config(settings, os.environ if env is None else env, secrets)
    if backend != Backend.LOCAL:
        return None
    if not local_model_available(settings):
        return None
    from engine.llm.local_server import local_server

    server = local_server(settings)
    return LLMConfig(
        backend=Backend.LOCAL,
        base_url=server.base_url,
        api_key="local",
        model=server.model_path.stem,
        temperature=0.0,
        timeout_s=max(settings.llm_timeout_s, LOCAL_MIN_TIMEOUT_S),
        max_tokens=min(settings.llm_max_tokens, LOCAL_MAX_TOKENS),
        source=f"embedded llama.cpp serving {server.model_path}",
        logprobs=True,  # how sure it was of its code's names and values (answer/confidence.py)
    )
