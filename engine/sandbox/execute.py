"""Running the code inside the confined child: capture prints, classify failures, build the reply.

Compiled under `<turn-N>` so tracebacks keep only the code's own frames (style.md rule 6).
"""

from __future__ import annotations

import errno
import io
import json
import sys
import traceback
from collections.abc import Callable
from typing import Any, Final, NoReturn

from engine.code_names import FIGURE, RESULT
from engine.errors import OutputError, UnsupportedError
from engine.results import payload_from_values
from engine.sandbox.database_link import DatabaseQueryError
from engine.sandbox.folder import FilesOverLimit, RunFolder, TableSaver, save_figures
from engine.sandbox.protocol import RunReply
from engine.sandbox.signatures import signature_hint
from engine.types import ErrorInfo

Finish = Callable[[RunReply], NoReturn]
# EXDEV: Landlock's answer to a link or move of a file from outside the run's folder into it.
BLOCKED_ERRNOS: Final = frozenset(
    {errno.EPERM, errno.EACCES, errno.EROFS, errno.ENETUNREACH, errno.EAFNOSUPPORT, errno.EXDEV}
)
BLOCKED_HINT: Final = (
    "Generated code has no network, other processes or signals to them, and may write files "
    "only into its own folder (its working directory, OUTPUT_DIR); work with the loaded tables "
    "(`df`, each table by name, `sql()`) instead."
)


class CannotAnswer(Exception):
    """Raised by `cannot_answer(reason)`: the code found the tables cannot answer the question."""


def cannot_answer(reason: str = "") -> NoReturn:
    """Say that the tables do not hold what the question needs, instead of guessing."""
    raise CannotAnswer(" ".join(str(reason).split()) or "the tables do not hold what it needs")


class OutputLimitExceeded(BaseException):
    """Raised out of print() once the cap is hit; a BaseException so `except Exception` in the
    code cannot swallow it (and a flag records it even if `except BaseException` does)."""


class OutputCapture(io.TextIOBase):
    """sys.stdout / sys.stderr for the run: keeps at most `limit` bytes."""

    def __init__(self, limit: int, finish: Finish | None = None) -> None:
        self.limit = limit
        self.finish = finish
        self.parts: list[str] = []
        self.size = 0
        self.exceeded = False

    def writable(self) -> bool:
        return True

    def write(self, text: Any) -> int:
        if self.exceeded and self.finish is not None:
            # The code swallowed OutputLimitExceeded and keeps printing: end the run now
            # rather than let it spin until the timeout.
            self.finish(RunReply(error=output_failure(self.limit), stdout=self.text()[:10_000]))
        text = str(text)
        self.size += len(text.encode("utf-8", "replace"))
        if self.size > self.limit:
            self.exceeded = True
            raise OutputLimitExceeded
        self.parts.append(text)
        return len(text)

    def text(self) -> str:
        return "".join(self.parts)


def output_failure(limit: int) -> ErrorInfo:
    return ErrorInfo(
        "output",
        f"The code printed more than {limit:,} bytes. Print a summary (df.head(), "
        "df.describe()) or leave the table in `result` instead.",
    )


def syntax_failure(exc: SyntaxError) -> ErrorInfo:
    """`SyntaxError: <msg> (line N)` with the line and a caret under the offending spot."""
    line = (exc.text or "").rstrip("\n")
    detail = ""
    if line:
        caret = " " * max((exc.offset or 1) - 1, 0) + "^"
        detail = f"line {exc.lineno}:\n    {line}\n    {caret}"
    return ErrorInfo("runtime", f"{type(exc).__name__}: {exc.msg} (line {exc.lineno})", detail)


def failure_from_exception(
    exc: BaseException, filename: str, memory_mb: int, folder: RunFolder | None = None
) -> ErrorInfo:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == filename]
    detail_lines = ["Traceback (your code):"]
    for f in frames:
        detail_lines.append(f"  line {f.lineno}, in {f.name}")
        if f.line:
            detail_lines.append(f"    {f.line}")
    hint = signature_hint(exc, filename)  # "…keyword argument 'axes'; it takes (axis=0, …)"
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip() + hint
    detail_lines.append(text)
    detail = "\n".join(detail_lines)
    where = f" (line {frames[-1].lineno})" if frames else ""
    name = type(exc).__name__
    plain = (f"{name}: {exc}" if str(exc) else name) + hint
    if isinstance(exc, CannotAnswer):
        return ErrorInfo(UnsupportedError.kind, f"The tables cannot answer this: {exc}", detail)
    full = _files_limit(exc, folder)
    if full is not None:
        return ErrorInfo(OutputError.kind, f"{full} ({plain}{where})", detail)
    if isinstance(exc, DatabaseQueryError):  # refused or failed in the database (issue 15)
        return ErrorInfo(exc.kind, f"{exc}{where}", detail)
    if _is_memory(exc):
        return ErrorInfo(
            "memory",
            f"The code ran out of memory ({memory_mb:,} MB allowed beyond the tables): {plain}. "
            "Aggregate with sql() or select fewer columns first, or raise sandbox_memory_mb.",
            detail,
        )
    if _is_blocked(exc):
        return ErrorInfo(
            "blocked", f"The sandbox refused this: {plain}{where}. {BLOCKED_HINT}", detail
        )
    if isinstance(exc, SystemExit):
        plain = f"the code called exit({exc.code!r})"
        return ErrorInfo(
            "runtime", f"{plain}{where}; leave the answer in `result` instead.", detail
        )
    return ErrorInfo("runtime", f"{plain}{where}", detail)


def _files_limit(exc: BaseException, folder: RunFolder | None) -> str | None:
    """The files limit a write ran into: EFBIG (RLIMIT_FSIZE, one file) or ENOSPC (the run's
    tmpfs: too many files or bytes), named with its setting."""
    if folder is None or not isinstance(exc, OSError):
        return None
    if exc.errno == errno.EFBIG:
        return folder.limits.file_message(str(exc.filename or ""))
    if exc.errno == errno.ENOSPC:
        return folder.full_reason()
    return None


def _is_memory(exc: BaseException) -> bool:
    return isinstance(exc, MemoryError) or type(exc).__name__ == "OutOfMemoryException"


def _is_blocked(exc: BaseException) -> bool:
    """A refusal by a layer, also when a library wrapped it (urllib's URLError, DuckDB)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in BLOCKED_ERRNOS:
            return True
        name, text = type(current).__name__, str(current)
        if name == "PermissionException":  # DuckDB: external access disabled
            return True
        if "configuration has been locked" in text:  # DuckDB: SET enable_external_access
            return True
        if name == "IOException" and "Permission denied" in text:  # DuckDB meets Landlock
            return True
        if "PermissionError: [Errno" in text:  # re-raised as text, e.g. by a DuckDB Python UDF
            return True
        reason = getattr(current, "reason", None)  # urllib.error.URLError
        nxt = reason if isinstance(reason, BaseException) else None
        current = nxt or current.__cause__
    return False


def run_code(
    code: str,
    turn: int,
    namespace: dict[str, Any],
    *,
    max_output_bytes: int,
    memory_mb: int,
    max_result_bytes: int | None = None,
    finish: Finish | None = None,
    folder: RunFolder | None = None,
    saver: TableSaver | None = None,
) -> RunReply:
    """Execute `code` in `namespace`; return the reply for the supervisor.

    `finish(reply)` sends a reply and ends the process; used when the code defeats the output
    cap by catching its exception. With a `folder`, figures left open are saved into it and
    its files come back with the reply; with a `saver`, so do the tables `save_table` made.
    """
    filename = f"<turn-{turn}>"
    capture = OutputCapture(max_output_bytes, finish)
    failure: ErrorInfo | None = None
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = capture
    try:
        try:
            compiled = compile(code, filename, "exec")
        except SyntaxError as exc:
            failure = syntax_failure(exc)
        else:
            _register_source(filename, code)
            exec(compiled, namespace)  # noqa: S102 - this is the sandbox
    except OutputLimitExceeded:
        pass
    except (Exception, SystemExit, KeyboardInterrupt, GeneratorExit) as exc:  # the code's own
        failure = failure_from_exception(exc, filename, memory_mb, folder)
    finally:
        sys.stdout, sys.stderr = saved
    printed = capture.text()
    if capture.exceeded:
        return RunReply(error=output_failure(max_output_bytes), stdout=printed[:10_000])
    if failure is not None:
        return RunReply(error=failure, stdout=printed)
    notes: list[str] = []
    try:
        images = save_figures(namespace, folder) if folder is not None else []
        files = folder.collect(notes) if folder is not None else []
        payload = payload_from_values(namespace.get(RESULT), namespace.get(FIGURE), printed, images)
    except FilesOverLimit as exc:
        return RunReply(error=ErrorInfo(OutputError.kind, str(exc)), stdout=printed)
    except (MemoryError, OSError) as exc:
        error = failure_from_exception(exc, filename, memory_mb, folder)
        return RunReply(error=error, stdout=printed)
    except Exception as exc:  # an odd value that cannot be turned into data
        error = ErrorInfo(
            "runtime",
            f"The value left in `result` could not be shown ({type(exc).__name__}: {exc}); "
            "leave a number, text, DataFrame, Series or plotly figure in `result`.",
        )
        return RunReply(error=error, stdout=printed)
    tables = tuple(saver.saved.values()) if saver is not None else ()
    size = len(payload.arrow) + len(json.dumps(payload.to_json()))
    size += sum(len(arrow) for _, _, arrow in tables)
    if max_result_bytes is not None and size > max_result_bytes:
        what = "The result and the saved tables come to" if tables else "The result is"
        error = ErrorInfo(
            "output",
            f"{what} {size / 1e6:,.1f} MB, more than the "
            f"{max_result_bytes / 1e6:,.0f} MB allowed. Return an aggregate or fewer "
            "rows/columns; or raise max_result_mb.",
        )
        return RunReply(error=error, stdout=printed)
    return RunReply(
        payload=payload, stdout=printed, notes=tuple(notes), tables=tables, files=tuple(files)
    )


def _register_source(filename: str, code: str) -> None:
    """Let traceback show the code's own lines for `<turn-N>`."""
    import linecache

    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
