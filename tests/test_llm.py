"""The openai-SDK client against a real HTTP server on 127.0.0.1 (tests/fake_openai.py)."""

from __future__ import annotations

import pytest

from engine.config import load_settings
from engine.errors import LLMError
from engine.llm import LLMConfig, complete, llm_config
from engine.llm import client as client_module
from tests.fake_openai import FakeOpenAI, Reply, closed_port_url

MESSAGES = [{"role": "system", "content": "rules"}, {"role": "user", "content": "question"}]


def config_for(base_url: str, **overrides) -> LLMConfig:
    values = {
        "backend": "openai",
        "base_url": base_url,
        "api_key": "sk-test-123",
        "model": "gpt-test",
        "temperature": 0.0,
        "timeout_s": 5.0,
        "max_tokens": 200,
    }
    return LLMConfig(**{**values, **overrides})


@pytest.fixture
def sleeps(monkeypatch) -> list[float]:
    """Record retry waits instead of sleeping (the waits themselves are what we check)."""
    waited: list[float] = []
    monkeypatch.setattr(client_module.time, "sleep", waited.append)
    return waited


def test_plain_reply_and_what_the_client_sent() -> None:
    with FakeOpenAI([Reply("result = 1", prompt_tokens=30, completion_tokens=4)]) as server:
        reply = complete(MESSAGES, config_for(server.base_url))
    assert reply.text == "result = 1"
    assert (reply.prompt_tokens, reply.completion_tokens) == (30, 4)
    assert reply.latency_ms > 0
    (sent,) = server.requests
    assert sent.path == "/v1/chat/completions"
    assert sent.headers["authorization"] == "Bearer sk-test-123"
    assert sent.body["model"] == "gpt-test"
    assert sent.body["messages"] == MESSAGES
    assert sent.body["temperature"] == 0.0
    assert sent.body["max_tokens"] == 200
    assert not sent.body.get("stream")


def test_streaming_delivers_tokens_in_order_with_usage() -> None:
    text = "```python\nresult = df['price'].mean()\n```"
    tokens: list[str] = []
    with FakeOpenAI([Reply(text, prompt_tokens=50, completion_tokens=12)]) as server:
        reply = complete(MESSAGES, config_for(server.base_url), on_token=tokens.append)
    assert len(tokens) > 3
    assert "".join(tokens) == text == reply.text
    assert (reply.prompt_tokens, reply.completion_tokens) == (50, 12)
    assert reply.finish_reason == "stop"
    assert reply.first_token_ms is not None
    sent = server.requests[0].body
    assert sent["stream"] is True
    assert sent["stream_options"] == {"include_usage": True}


@pytest.mark.parametrize("status", [401, 403])
def test_refused_key_says_where_to_fix_it(status: int) -> None:
    with FakeOpenAI([Reply(status=status, error_message="Incorrect API key provided")]) as server:
        with pytest.raises(LLMError) as caught:
            complete(MESSAGES, config_for(server.base_url))
    message = caught.value.message
    assert f"({status}: Incorrect API key provided)" in message
    assert "OPENAI_API_KEY" in message and "Settings" in message
    assert caught.value.kind == "llm"
    assert "sk-test-123" not in message + caught.value.detail
    assert len(server.requests) == 1  # never retried


def test_unknown_model_is_named() -> None:
    reply = Reply(status=404, error_message="The model `gpt-nope` does not exist")
    with FakeOpenAI([reply]) as server:
        with pytest.raises(LLMError) as caught:
            complete(MESSAGES, config_for(server.base_url, model="gpt-nope"))
    assert "'gpt-nope'" in caught.value.message
    assert "model name" in caught.value.message


def test_rate_limit_honours_retry_after_then_succeeds(sleeps: list[float]) -> None:
    replies = [Reply(status=429, headers={"retry-after": "3"}), Reply("result = 2")]
    with FakeOpenAI(replies) as server:
        reply = complete(MESSAGES, config_for(server.base_url))
    assert reply.text == "result = 2"
    assert sleeps == [3.0]
    assert len(server.requests) == 2
    assert server.requests[0].body == server.requests[1].body


def test_rate_limit_backoff_is_bounded_then_explains(sleeps: list[float]) -> None:
    replies = [Reply(status=429, headers={"retry-after": "600"}) for _ in range(6)]
    with FakeOpenAI(replies) as server:
        with pytest.raises(LLMError) as caught:
            complete(MESSAGES, config_for(server.base_url))
    assert all(s <= client_module.RETRY_AFTER_CAP_S for s in sleeps)
    assert sum(sleeps) <= client_module.RETRY_BUDGET_S
    assert len(server.requests) == len(sleeps) + 1 <= client_module.MAX_RETRIES + 1
    assert "rate-limiting" in caught.value.message and "Wait a minute" in caught.value.message


def test_exhausted_quota_is_not_retried(sleeps: list[float]) -> None:
    reply = Reply(
        status=429, error_code="insufficient_quota", error_message="You exceeded your quota"
    )
    with FakeOpenAI([reply]) as server:
        with pytest.raises(LLMError, match="no quota left"):
            complete(MESSAGES, config_for(server.base_url))
    assert sleeps == [] and len(server.requests) == 1


def test_server_error_is_retried_then_reported(sleeps: list[float]) -> None:
    with FakeOpenAI([Reply(status=502), Reply("result = 3")]) as server:
        assert complete(MESSAGES, config_for(server.base_url)).text == "result = 3"
    with FakeOpenAI([Reply(status=503, error_message="overloaded")] * 4) as server:
        with pytest.raises(LLMError) as caught:
            complete(MESSAGES, config_for(server.base_url))
    assert "(503: overloaded)" in caught.value.message and "Try again later" in caught.value.message
    assert len(sleeps) == 1 + client_module.MAX_RETRIES


def test_slow_reply_becomes_a_timeout_error() -> None:
    with FakeOpenAI([Reply("late", delay_s=1.5)]) as server:
        with pytest.raises(LLMError) as caught:
            complete(MESSAGES, config_for(server.base_url, timeout_s=0.3))
    assert "did not answer within 0.3 s" in caught.value.message
    assert "llm_timeout_s" in caught.value.message


def test_connection_refused_names_the_url() -> None:
    url = closed_port_url()
    with pytest.raises(LLMError) as caught:
        complete(MESSAGES, config_for(url))
    assert f"Cannot connect to the LLM at {url}" in caught.value.message
    assert "Start that server" in caught.value.message


def test_context_overflow_gets_its_own_advice() -> None:
    reply = Reply(status=400, error_message="This model's maximum context length is 8192 tokens")
    with FakeOpenAI([reply]) as server:
        with pytest.raises(LLMError, match="too long for the model"):
            complete(MESSAGES, config_for(server.base_url))


# --- configuration -------------------------------------------------------------------------


def test_nothing_configured_means_no_openai_backend() -> None:
    assert llm_config(load_settings({}), "openai", env={}, secrets={}) is None
    assert llm_config(load_settings({}), "nonsense", env={}) is None


def test_environment_wins_over_secrets_over_settings() -> None:
    settings = load_settings({"DECIPHER_LLM_BASE_URL": "http://settings:1/v1"})
    secrets = {"OPENAI_API_KEY": "sk-secret", "OPENAI_BASE_URL": "http://secrets:2/v1"}
    env = {"OPENAI_API_KEY": "sk-env", "OPENAI_BASE_URL": "http://env:3/v1/"}
    config = llm_config(settings, "openai", env=env, secrets=secrets)
    assert config is not None
    assert (config.api_key, config.base_url) == ("sk-env", "http://env:3/v1")
    config = llm_config(settings, "openai", env={}, secrets=secrets)
    assert (config.api_key, config.base_url) == ("sk-secret", "http://secrets:2/v1")
    config = llm_config(settings, "openai", env={}, secrets={"openai": {"api_key": "sk-s2"}})
    assert (config.api_key, config.base_url) == ("sk-s2", "http://settings:1/v1")
    assert "secrets.toml [openai] api_key" in config.source


def test_key_alone_means_openai_and_url_alone_needs_no_key() -> None:
    settings = load_settings({"DECIPHER_LLM_MODEL": "gpt-x", "DECIPHER_LLM_MAX_TOKENS": "300"})
    config = llm_config(settings, "openai", env={"OPENAI_API_KEY": "sk-1"})
    assert config.base_url == "https://api.openai.com/v1"
    assert (config.model, config.max_tokens, config.backend) == ("gpt-x", 300, "openai")
    config = llm_config(settings, "openai", env={"OPENAI_BASE_URL": "http://127.0.0.1:11434/v1"})
    assert config.api_key == "not-needed"


def test_the_key_never_shows_in_repr() -> None:
    config = llm_config(load_settings({}), "openai", env={"OPENAI_API_KEY": "sk-very-secret"})
    assert "sk-very-secret" not in repr(config)


def test_settings_url_and_key_reach_the_server() -> None:
    """End to end through llm_config: what the user configured is what the server receives."""
    with FakeOpenAI([Reply("ok")]) as server:
        settings = load_settings({"DECIPHER_LLM_MODEL": "llama3"}, llm_base_url=server.base_url)
        config = llm_config(settings, "openai", env={"OPENAI_API_KEY": "sk-e2e"})
        assert complete(MESSAGES, config).text == "ok"
    assert server.requests[0].headers["authorization"] == "Bearer sk-e2e"
    assert server.requests[0].body["model"] == "llama3"


def test_a_stream_that_stalls_midway_is_a_timeout_error() -> None:
    tokens: list[str] = []
    with FakeOpenAI([Reply("x = 1\n" * 40, stall_s=1.5)]) as server:
        with pytest.raises(LLMError, match="did not answer within 0.3 s"):
            complete(MESSAGES, config_for(server.base_url, timeout_s=0.3), on_token=tokens.append)
    assert tokens  # the first half had arrived before the stall
