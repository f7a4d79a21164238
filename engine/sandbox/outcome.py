"""What a run's reply means: a `RunResult`, or the error the child could not report (issue #3).

The reply is untrusted bytes from the confined child, relayed by the zygote: a frame of JSON and
Arrow, decoded here as data only. When there is no reply, the exit status says what happened
(killed by the memory cap, a crash, `os._exit`).
"""

from __future__ import annotations

import signal
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Final

from engine.config import Settings
from engine.errors import (
    EngineError,
    MemoryLimitError,
    OutputError,
    RuntimeFailure,
    RunTimeoutError,
)
from engine.outputs import FileLimits
from engine.results import NO_RESULT_MESSAGE, answer_from_payload
from engine.sandbox import protocol
from engine.sandbox.keep import checked_tables, kept_files
from engine.sandbox.precheck import intents_of
from engine.types import ErrorInfo, RunResult

SIGNAL_NAMES: Final = {
    signal.SIGSEGV: "a segmentation fault",
    signal.SIGBUS: "a bus error",
    signal.SIGABRT: "an abort (often a failed allocation)",
    signal.SIGFPE: "a floating-point exception",
    signal.SIGILL: "an illegal instruction",
}


def result_from_reply(
    code: str,
    done: dict[str, Any],
    reply: bytes,
    *,
    timed_out: bool,
    timeout_s: float,
    settings: Settings,
    files_folder: Path | None = None,
    table_names: Sequence[str] = (),
) -> RunResult:
    """The run's outcome; raises the EngineError for failures the child could not report.

    A run that succeeds keeps its files in `files_folder` (new) and brings back its saved
    tables, checked against `table_names`; a failed run keeps neither (issue 14)."""
    s = settings
    if timed_out:
        raise RunTimeoutError(
            f"The code ran longer than {timeout_s:g} s and was stopped. Aggregate with sql() "
            "or work on fewer rows; or raise sandbox_timeout_s."
        )
    if done.get("overflow"):
        raise _too_large(s)
    if not reply:
        raise _error_from_status(done)
    try:
        run = protocol.RunReply.from_reply(reply)
    except protocol.ProtocolError as exc:
        raise RuntimeFailure(f"The sandbox sent back an unreadable result ({exc}).") from None
    stdout = run.stdout + "".join(f"[note] {n}\n" for n in run.notes)
    if run.error is not None:
        error = replace(run.error, message=_with_intents(code, run.error))
        return RunResult(ok=False, stdout=stdout, error=error)
    payload = run.payload
    assert payload is not None  # a reply without an error has one
    if len(payload.arrow) > s.max_result_mb * 1024 * 1024:
        raise _too_large(s)
    if payload.kind == "none":
        return RunResult(ok=False, stdout=stdout, error=RuntimeFailure(NO_RESULT_MESSAGE).to_info())
    try:
        answer = answer_from_payload(payload, s.max_display_rows)
    except Exception as exc:  # untrusted bytes: pyarrow and its type readers raise anything
        raise RuntimeFailure(f"The sandbox sent back an unreadable result ({exc}).") from None
    tables = checked_tables(run.tables, table_names)
    if sum(t.arrow.nbytes for t in tables) + len(payload.arrow) > s.max_result_mb * 1024 * 1024:
        raise _too_large(s)
    files = ()
    if run.files and files_folder is not None:
        files = kept_files(run.files, files_folder, FileLimits.from_settings(s))
    kept = {f.name for f in files}
    answer = replace(answer, images=tuple(n for n in answer.images if n in kept))
    return RunResult(ok=True, answer=answer, stdout=stdout, files=files, saved_tables=tables)


def _too_large(settings: Settings) -> OutputError:
    return OutputError(
        f"The result is larger than {settings.max_result_mb:,} MB. Return an aggregate or "
        "fewer rows/columns; or raise max_result_mb."
    )


def _with_intents(code: str, error: ErrorInfo) -> str:
    """A refusal's message, led by what the code tried ("This code tries to open a file.")."""
    message = error.message
    if error.kind == "blocked":
        intents = intents_of(code)
        if intents:
            message = f"This code tries to {', '.join(intents)}. {message}"
    return message


def _error_from_status(done: dict[str, Any]) -> EngineError:
    sig = done.get("signal")
    if sig == signal.SIGKILL:
        return MemoryLimitError(
            "The code was killed by the system, most likely for using too much memory. "
            "Aggregate with sql() or work on fewer rows."
        )
    if sig == signal.SIGXCPU:
        return RunTimeoutError(
            "The code used up its CPU time and was stopped. Aggregate with sql() or work on "
            "fewer rows; or raise sandbox_timeout_s."
        )
    if sig is not None:
        what = SIGNAL_NAMES.get(sig, f"signal {sig}")
        return RuntimeFailure(
            f"The code crashed its worker process with {what}. Avoid ctypes and deep "
            "recursion; the app and your data are unaffected."
        )
    return RuntimeFailure(
        f"The code ended its worker process (exit status {done.get('exit_code')}) before "
        "leaving a result; do not call os._exit() or exit(), assign the answer to `result`."
    )
