"""The supervisor: the app-side half of the sandbox (issue #3).

It starts the zygote with a minimal environment, sends it one request per run, enforces the
wall-clock timeout by killing the child's process group, and turns whatever comes back (or does
not) into a `RunResult`. Nothing the code does raises here: failures are values.
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

from engine.config import Settings
from engine.errors import (
    BlockedError,
    EngineError,
    MemoryLimitError,
    RuntimeFailure,
)
from engine.outputs import FileLimits
from engine.sandbox import protocol
from engine.sandbox.database_link import encode_error, serve_query
from engine.sandbox.execute import syntax_failure
from engine.sandbox.layers import LAYER_NAMES, SandboxLayers, layers_from_flags
from engine.sandbox.outcome import result_from_reply
from engine.types import RunResult

ROOT: Final = Path(__file__).resolve().parents[2]
# The worker sets PR_SET_PDEATHSIG, which fires when the *thread* that forked it ends, not the
# process. Streamlit runs each rerun in a new thread, so a worker forked there died after every
# rerun and each question paid a 2 s restart. Workers are forked from this one thread instead,
# which lives as long as the app.
_SPAWNER: Final = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sandbox-spawner")
START_TIMEOUT_S: Final = 120.0  # importing pandas/plotly/scipy/statsmodels: ~3 s cold here
KILL_GRACE_S: Final = 10.0
HEARTBEAT_S: Final = 0.5  # how often a waiting caller hears that the code still runs
# Only what Python needs; nothing from the app's environment (OPENAI_API_KEY and friends).
# One BLAS/OpenMP thread: their pools do not survive fork.
BASE_ENV: Final = {
    "PATH": "/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONNOUSERSITE": "1",
    "MPLBACKEND": "Agg",  # matplotlib draws into files, never a window
}


@dataclass(frozen=True)
class SandboxTable:
    """A table handed to the sandbox: its name in the namespace and its Arrow IPC file."""

    name: str
    arrow_path: Path
    source_name: str


class WorkerUnavailable(Exception):
    """The zygote could not be started or stopped answering."""


class Sandbox:
    """Runs generated code in confined children of a pre-warmed zygote, one child per run."""

    def __init__(
        self,
        tables: Sequence[SandboxTable],
        settings: Settings,
        *,
        files_dir: Path | None = None,
    ) -> None:
        self._settings = settings
        self._tables = list(tables)
        self._results: list[bytes] = []
        self._turn = 0
        self._lock = threading.RLock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._layers: SandboxLayers | None = None
        self._ready = False
        self._work_dir = tempfile.mkdtemp(prefix="decipher-sandbox-")
        # where a run's files are kept, a new folder per run (issue 14)
        self._files_dir = (
            Path(files_dir) if files_dir is not None else Path(self._work_dir) / "files"
        )
        self._closed = False
        # issue 15: the database tables `sql()` reaches, who answers their queries, how many
        self._database_tables: list[dict[str, str]] = []
        self._database: Callable[[str], Any] | None = None
        self._database_queries = 0
        self._refusal = self._refusal_reason()
        if self._refusal is None:
            self._spawn()  # eager: imports overlap with whatever the app does next

    # -- public --------------------------------------------------------------------------------
    @property
    def layers(self) -> SandboxLayers:
        """The layers each run gets (starts the worker if needed, to ask it)."""
        with self._lock:
            if self._layers is None and self._refusal is None:
                try:
                    self._ensure_ready()
                except WorkerUnavailable as exc:
                    return SandboxLayers(notes=(str(exc),))
                except EngineError:  # refused ('full' on a degraded host): layers are known
                    pass
            if self._layers is not None:
                return self._layers
            return SandboxLayers(notes=(self._refusal.message if self._refusal else "",))

    def run(
        self,
        code: str,
        *,
        timeout_s: float | None = None,
        on_wait: Callable[[float], None] | None = None,
    ) -> RunResult:
        """Run `code` as the next turn. Never raises for anything the code does.

        `on_wait(seconds so far)` is called about every HEARTBEAT_S while the code runs (a
        progress label). Whatever it raises stops the run: the child is killed and the
        exception goes on, which is how Streamlit's Stop button reaches a running child.
        """
        start = time.perf_counter()
        with self._lock:
            self._turn += 1
            try:
                result = self._run(code, timeout_s or self._settings.sandbox_timeout_s, on_wait)
            except EngineError as exc:
                result = RunResult(ok=False, error=exc.to_info())
        return replace(result, elapsed_ms=(time.perf_counter() - start) * 1000)

    def set_tables(self, tables: Sequence[SandboxTable]) -> None:
        """The session's tables changed: a ready zygote maps the new list (keeping the frames
        of tables whose files did not change), another restarts; earlier results are kept."""
        with self._lock:
            self._tables = list(tables)
            if self._ready and self._proc is not None and self._proc.poll() is None:
                try:
                    self._send_tables()
                    return
                except (WorkerUnavailable, RuntimeFailure):
                    pass  # restarted below
            self._stop()
            if self._refusal is None:
                self._spawn()

    def set_databases(
        self, tables: Sequence[dict[str, str]], answer: Callable[[str], Any] | None
    ) -> None:
        """The database tables `sql()` may name (name, database, source), and `answer(query)`
        -> SqlAnswer (engine/databases/routing.py), which the supervisor calls for them."""
        with self._lock:
            if list(tables) == self._database_tables and answer == self._database:
                return
            self._database_tables, self._database = list(tables), answer
            if self._ready and self._proc is not None and self._proc.poll() is None:
                self._send({"op": "databases", "tables": self._database_tables})

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._stop()
            shutil.rmtree(self._work_dir, ignore_errors=True)

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:  # a forgotten sandbox must not leave a worker behind
        if not getattr(self, "_closed", True):
            self.close()

    @property
    def worker_pid(self) -> int | None:
        return self._proc.pid if self._proc is not None and self._proc.poll() is None else None

    # -- the run -------------------------------------------------------------------------------
    def _run(
        self, code: str, timeout_s: float, on_wait: Callable[[float], None] | None
    ) -> RunResult:
        if self._refusal is not None:
            raise self._refusal
        if self._closed:
            raise RuntimeFailure("This sandbox was closed; start a new session to run code.")
        try:
            compile(code, f"<turn-{self._turn}>", "exec")
        except SyntaxError as exc:  # compiling runs nothing: answer without a fork
            return RunResult(ok=False, error=syntax_failure(exc))
        except ValueError as exc:  # e.g. a NUL byte
            raise RuntimeFailure(f"The code cannot be compiled: {exc}.") from None
        for attempt in (1, 2):  # a dead zygote is respawned once
            try:
                return self._run_in_worker(code, timeout_s, on_wait)
            except WorkerUnavailable as exc:
                self._stop()
                if attempt == 2:
                    raise RuntimeFailure(
                        f"The sandbox worker stopped unexpectedly ({exc}); it was restarted. "
                        "Run the code again.",
                    ) from None
                self._spawn()
        raise AssertionError("unreachable")

    def _run_in_worker(
        self, code: str, timeout_s: float, on_wait: Callable[[float], None] | None
    ) -> RunResult:
        self._ensure_ready()
        s = self._settings
        request = {
            "op": "run",
            "code": code,
            "turn": self._turn,
            "memory_mb": s.sandbox_memory_mb,
            "cpu_s": timeout_s * (os.cpu_count() or 1) + 1,
            "max_output_bytes": s.max_output_bytes,
            "max_result_bytes": s.max_result_mb * 1024 * 1024,
            "max_reply_bytes": self._max_reply_bytes(),
            "files": FileLimits.from_settings(s).to_json(),
        }
        self._send(request)
        # Building pandas frames of a 10M-row table takes seconds, once: not the code's time.
        started = self._receive(time.monotonic() + max(START_TIMEOUT_S, timeout_s))
        if started.get("zygote_memory"):
            raise MemoryLimitError(
                "The tables do not fit in memory as pandas DataFrames. Use sql() to aggregate "
                "in DuckDB, or load fewer rows/columns."
            )
        pid = int(started["pid"])
        deadline = time.monotonic() + timeout_s
        self._database_queries = 0
        try:
            while True:  # database queries come first, then the run's reply
                self._wait_readable(pid, deadline, on_wait)
                done, blobs = self._receive_frame(deadline)
                if done.get("event") != "database":
                    break
                deadline += self._answer_database(done, pid, on_wait)
            timed_out = False
        except WorkerUnavailable:
            if self._proc is None or self._proc.poll() is not None:
                raise
            protocol.kill_group(pid)
            done, blobs = self._drain(time.monotonic() + KILL_GRACE_S)
            timed_out = True
        reply = blobs[0] if blobs else b""
        result = result_from_reply(
            code,
            done,
            reply,
            timed_out=timed_out,
            timeout_s=timeout_s,
            settings=self._settings,
            files_folder=self._files_dir / f"run-{self._turn}-{uuid.uuid4().hex[:8]}",
            table_names=[t.name for t in self._tables],
        )
        if result.ok:  # the answer's frame, kept for `results` in later runs (and a respawn)
            self._results.append(protocol.split_reply(reply)[0])
            self._send({"op": "remember"})
        return result

    def _wait_readable(
        self, pid: int, deadline: float, on_wait: Callable[[float], None] | None
    ) -> None:
        """Until the child's reply starts or the deadline passes, calling `on_wait` each
        HEARTBEAT_S; if it raises, the child is killed, its reply drained, and it re-raises."""
        if on_wait is None:
            return
        assert self._proc is not None and self._proc.stdout is not None
        fd, begun = self._proc.stdout.fileno(), time.monotonic()
        while (left := deadline - time.monotonic()) > 0:
            if select.select([fd], [], [], min(HEARTBEAT_S, left))[0]:
                return
            try:
                on_wait(time.monotonic() - begun)
            except BaseException:
                self._abandon_run(pid)
                raise

    def _abandon_run(self, pid: int) -> None:
        """Kill the running child's group and drain its reply, so the next run starts clean."""
        protocol.kill_group(pid)
        try:
            self._drain(time.monotonic() + KILL_GRACE_S)
        except WorkerUnavailable:
            self._stop()  # the next run starts a fresh worker

    def _answer_database(self, request: dict[str, Any], pid: int, on_wait: Any) -> float:
        """Answer one database query of the running child (issue 15); its seconds are returned:
        the run's deadline does not count them (at most 50 queries a run)."""
        begun, self._database_queries = time.monotonic(), self._database_queries + 1
        header, blobs, stopped = serve_query(
            self._database, request, self._database_queries, on_wait
        )
        self._send({"op": "database", **header}, blobs)
        if stopped is not None:
            self._abandon_run(pid)
            raise stopped
        return time.monotonic() - begun

    def _drain(self, deadline: float) -> tuple[dict[str, Any], list[bytes]]:
        """The killed run's last frame; database queries still on their way are refused."""
        while True:
            frame, blobs = self._receive_frame(deadline)
            if frame.get("event") != "database":
                return frame, blobs
            self._send({"op": "database", **encode_error("runtime", "The run was stopped.")[0]})

    def _max_reply_bytes(self) -> int:
        s = self._settings
        return (s.max_result_mb + s.max_files_mb + 64) * 1024 * 1024 + 4 * s.max_output_bytes

    # -- the zygote ----------------------------------------------------------------------------
    def _refusal_reason(self) -> EngineError | None:
        mode = self._settings.sandbox_isolation  # one of config.ISOLATION_MODES (checked there)
        if hasattr(os, "fork") and sys.platform.startswith("linux"):
            return None
        if mode == "reduced" and hasattr(os, "fork"):
            return None
        return BlockedError(
            "Generated code cannot run here: this system offers no process isolation (fork) "
            "for the sandbox. Use Linux, or set sandbox_isolation to 'reduced' where fork exists."
        )

    def _refuse_missing_layers(self, layers: SandboxLayers) -> None:
        """sandbox_isolation='full': stop the worker and refuse every run on a degraded host."""
        missing = [n for n in LAYER_NAMES if n not in layers.active]
        self._refusal = BlockedError(
            f"Generated code was not run: this host lacks the sandbox's {', '.join(missing)} "
            "isolation and sandbox_isolation is 'full'. Run on Linux 5.13 or newer with user "
            "namespaces, Landlock and seccomp enabled, or set sandbox_isolation to 'require' to "
            "run with the layers this host has.",
            detail="; ".join(layers.notes),
        )
        self._stop()
        raise self._refusal

    def _spawn(self) -> None:
        # matplotlib's font cache is built once, in the zygote, and kept with the app's caches
        mpl = self._settings.data_path / "cache" / "matplotlib"
        env = dict(BASE_ENV, HOME=self._work_dir, MPLCONFIGDIR=str(mpl))
        if "TZ" in os.environ:
            env["TZ"] = os.environ["TZ"]
        self._proc = _SPAWNER.submit(self._popen, env).result()
        self._ready = False

    def _popen(self, env: dict[str, str]) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-s", "-m", "engine.sandbox.worker", self._work_dir],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=ROOT,
            env=env,
            close_fds=True,
            start_new_session=True,
        )

    def _ensure_ready(self) -> None:
        if self._proc is None or self._proc.poll() is not None:
            self._stop()
            self._spawn()
        if self._ready:
            return
        ready = self._receive(time.monotonic() + START_TIMEOUT_S)
        layers = ready.get("layers") or {}
        self._layers = layers_from_flags(layers, int(layers.get("landlock_abi", 0)))
        if not self._layers.process:
            raise BlockedError("The sandbox worker reported no process isolation.")
        if self._settings.sandbox_isolation == "full" and not self._layers.complete:
            self._refuse_missing_layers(self._layers)
        # 'require' and 'reduced' run with what the host has; `layers` lists what is missing.
        self._send_tables()
        if self._results:
            self._send({"op": "results"}, self._results)
        if self._database_tables:
            self._send({"op": "databases", "tables": self._database_tables})
        self._ready = True

    def _send_tables(self) -> None:
        specs = [
            {  # absolute: the worker runs in its own empty directory
                "name": t.name,
                "arrow_path": str(Path(t.arrow_path).resolve()),
                "source_name": t.source_name,
            }
            for t in self._tables
        ]
        self._send({"op": "tables", "tables": specs})
        reply = self._receive(time.monotonic() + START_TIMEOUT_S)
        if not reply.get("ok"):
            self._stop()  # the next run starts a fresh worker
            raise RuntimeFailure(
                f"The sandbox could not open the session's tables ({reply.get('message')}). "
                "Load the data again."
            )

    def _send(self, header: dict[str, Any], blobs: Sequence[bytes] = ()) -> None:
        assert self._proc is not None and self._proc.stdin is not None
        try:
            protocol.write_frame(self._proc.stdin.fileno(), header, blobs)
        except OSError as exc:
            raise WorkerUnavailable(f"cannot reach the worker: {exc}") from None

    def _receive(self, deadline: float) -> dict[str, Any]:
        return self._receive_frame(deadline)[0]

    def _receive_frame(self, deadline: float) -> tuple[dict[str, Any], list[bytes]]:
        assert self._proc is not None and self._proc.stdout is not None
        try:
            return protocol.read_frame(
                self._proc.stdout.fileno(), deadline=deadline, max_bytes=self._max_reply_bytes() * 2
            )
        except protocol.DeadlineExceeded:
            raise WorkerUnavailable("no answer before the deadline") from None
        except protocol.ProtocolError as exc:
            raise WorkerUnavailable(str(exc)) from None

    def _stop(self) -> None:
        proc, self._proc = self._proc, None
        self._ready = False
        if proc is None:
            return
        if proc.poll() is None:
            try:
                assert proc.stdin is not None
                protocol.write_frame(proc.stdin.fileno(), {"op": "exit"})
            except OSError:
                pass
            try:
                proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                protocol.kill_group(proc.pid)
                proc.wait(timeout=5)
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                stream.close()
