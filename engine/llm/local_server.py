"""The embedded model's server: one llama.cpp child process per engine process, reused (issue 4).

The server runs in a child process (`engine.llm.serve`) rather than in-process so a llama.cpp
crash cannot take the app down, and so it can be stopped cleanly. The child exits when our end of
its stdin pipe closes, including when this process dies.
"""

from __future__ import annotations

import atexit
import json
import os
import selectors
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final

from engine.config import Settings
from engine.errors import LLMError
from engine.llm.model_files import model_to_serve, runtime_installed

CONTEXT_TOKENS: Final = 8192  # schema + history + repairs; KV cache ~230 MB for the 1.5B
START_TIMEOUT_S: Final = (
    180.0  # loading 1.1 GB with mmap off took ~3 s here; generous for slow disks
)
STOP_TIMEOUT_S: Final = 10.0


@dataclass
class LocalServer:
    """A running llama.cpp child serving `model_path` at `address` (http://127.0.0.1:PORT).

    `model_path` names the model (its file name for chunks joined in memory, issue 16)."""

    model_path: Path
    address: str
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def base_url(self) -> str:
        return self.address + "/v1"

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        """Close the child's stdin (it exits by itself), then make sure it is gone."""
        if self.process.stdin is not None and not self.process.stdin.closed:
            self.process.stdin.close()
        try:
            self.process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(STOP_TIMEOUT_S)
        if self.process.stdout is not None:
            self.process.stdout.close()


_LOCK: Final = threading.Lock()
_SERVERS: dict[tuple[str, str, str], LocalServer] = {}  # by model choice: one per model


def local_server(settings: Settings) -> LocalServer:
    """The process-wide server for the configured model, started on first use.

    Raises LLMError when the model or runtime is missing or the server does not come up.
    """
    if not runtime_installed():
        raise LLMError(
            "The local model runtime (xllamacpp) is not installed. Install it with "
            "`.venv/bin/pip install -r requirements-local.txt`, or use an OpenAI-compatible endpoint."
        )
    key = (settings.local_model_path, settings.local_model, str(settings.data_path))
    with _LOCK:
        server = _SERVERS.get(key)
        if server is not None and server.alive():
            return server
        if server is not None:
            server.stop()  # it died: start a fresh one
        # Verified (hashed) once per start, about 2 s for 1.1 GB; an in-memory join is freed
        # here once the child has loaded it (issue 16).
        with model_to_serve(settings) as model:
            server = start_server(
                model.path,
                settings.data_path / "logs",
                name=model.name,
                pass_fds=() if model.fd is None else (model.fd,),
            )
        _SERVERS[key] = server
        return server


def stop_local_servers() -> None:
    """Stop every server this process started (atexit, and tests)."""
    with _LOCK:
        for server in _SERVERS.values():
            server.stop()
        _SERVERS.clear()


atexit.register(stop_local_servers)


def start_server(
    model_path: Path,
    log_dir: Path,
    threads: int | None = None,
    *,
    name: Path | None = None,
    pass_fds: tuple[int, ...] = (),
) -> LocalServer:
    """Start a llama.cpp child for `model_path` and wait until it listens (`pass_fds`: the
    in-memory model file the child opens; `name`: what the model is called)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / "llama-server.log"
    threads = threads or max(1, os.cpu_count() or 1)
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "engine.llm.serve",
                str(model_path),
                str(CONTEXT_TOKENS),
                str(threads),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            cwd=str(Path(__file__).resolve().parents[2]),
            env={k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")},
            pass_fds=pass_fds,
        )
    assert process.stdout is not None
    line = _read_line(process.stdout, START_TIMEOUT_S)
    if line is None or process.poll() is not None:
        process.kill()
        process.wait()
        tail = _tail(log_path)
        raise LLMError(
            f"The local model server did not start (model {(name or model_path).name}). "
            f"See {log_path}; "
            "check free memory, or set local_model_path to another GGUF.",
            detail=tail,
        )
    address = json.loads(line)["address"]
    return LocalServer(
        model_path=name or model_path, address=address, process=process, log_path=log_path
    )


def _read_line(stream: IO[bytes], timeout_s: float) -> str | None:
    """One line from the child's stdout, or None on timeout or EOF."""
    selector = selectors.DefaultSelector()
    selector.register(stream, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout_s
    buffer = b""
    try:
        while b"\n" not in buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not selector.select(remaining):
                return None
            chunk = os.read(stream.fileno(), 4096)
            if not chunk:
                return None
            buffer += chunk
    finally:
        selector.close()
    return buffer.split(b"\n", 1)[0].decode()


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""
