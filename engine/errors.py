"""One error hierarchy for the engine, one subclass per contract `error.kind`.

Every message says what went wrong and what to do about it. Errors are translated only at the
edges: `engine.cli` turns them into JSON and exit status 1, the pages into `st.error`.
"""

from __future__ import annotations

from typing import Final, Literal

ErrorKind = Literal[
    "input", "blocked", "timeout", "memory", "output", "runtime", "llm", "unsupported"
]
ERROR_KINDS: Final[tuple[str, ...]] = (
    "input",
    "blocked",
    "timeout",
    "memory",
    "output",
    "runtime",
    "llm",
    "unsupported",
)


class EngineError(Exception):
    """Base of every error the engine reports to a person.

    `message` names the problem and the fix; `detail` carries technical text (a trimmed traceback)
    that the UI shows one click away.
    """

    kind: ErrorKind = "runtime"

    def __init__(self, message: str, *, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    def to_info(self):  # -> ErrorInfo (imported lazily: types imports nothing from here)
        from engine.types import ErrorInfo

        return ErrorInfo(kind=self.kind, message=self.message, detail=self.detail)


class InputError(EngineError):
    """A file or argument cannot be used: unreadable, empty, not a table, unknown column."""

    kind = "input"


class BlockedError(EngineError):
    """The sandbox refused something the code tried (a file, a socket, a process)."""

    kind = "blocked"


class RunTimeoutError(EngineError):
    """The code ran past its time limit and was stopped."""

    kind = "timeout"


class MemoryLimitError(EngineError):
    """The code or a table needed more memory than the limit allows."""

    kind = "memory"


class OutputError(EngineError):
    """The code printed or returned more than the caps allow."""

    kind = "output"


class RuntimeFailure(EngineError):
    """The code raised an exception of its own (a bug in generated code, usually)."""

    kind = "runtime"


class LLMError(EngineError):
    """The language model could not be reached or gave no usable code."""

    kind = "llm"


class NoCodeError(LLMError):
    """The model replied without code, twice: the plain prompt may still get a program from it."""


class UnsupportedError(EngineError):
    """The request is outside what this backend or build can do (e.g. the planner declined)."""

    kind = "unsupported"


ERROR_CLASSES: Final[dict[str, type[EngineError]]] = {
    cls.kind: cls
    for cls in (
        InputError,
        BlockedError,
        RunTimeoutError,
        MemoryLimitError,
        OutputError,
        RuntimeFailure,
        LLMError,
        UnsupportedError,
    )
}
