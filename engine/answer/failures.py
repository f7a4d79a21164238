"""Which explanation a failed turn shows (issue 16).

A turn that fails after repairs used to show its last raw exception ("KeyError: 'discount'
(line 1)") while the column check had already written "column 'discount' does not exist in
table orders. Its columns are: …" under "Earlier attempts". A failed turn now shows the clearest
plain explanation any of its tries produced; the exception and its traceback stay in the detail,
one click away on the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Final

from engine.answer.emptiness import is_empty
from engine.answer.error_meanings import error_meaning
from engine.errors import InputError, UnsupportedError
from engine.types import ErrorInfo, RunResult

RAW_KINDS: Final = frozenset({"runtime"})  # the code's own exception, in Python's words
# Clearest first: a check that names the missing column or file, then an honest decline or an
# answer of the wrong kind, then a result that came back empty (its note says which values exist).
_CHECK, _DECLINE, _EMPTY = 0, 1, 2


@dataclass(frozen=True)
class Try:
    """One try's outcome, and what the checks said about its code even when it ran anyway
    (out of repairs, the sandbox has the last word)."""

    result: RunResult
    problems: tuple[str, ...] = ()


def failed_turn_error(tries: Sequence[Try]) -> ErrorInfo | None:
    """The error a failed turn shows: the last try's, unless that is a raw exception and an
    earlier or the same try explained itself in plain words, or the exception is one whose
    usual meaning is known (engine/answer/error_meanings.py). None when the last try answered.

    The kind stays the last try's (the contract reports what happened); the raw message and its
    traceback move to the detail.
    """
    if not tries or tries[-1].result.ok:
        return None
    final = tries[-1].result.error or ErrorInfo("runtime", "the code failed")
    if final.kind not in RAW_KINDS:  # a sentence already (a check's may start lower-case)
        return replace(final, message=_sentence(final.message))
    explained = [
        (rank, -i, text) for i, tried in enumerate(tries) for rank, text in _explanations(tried)
    ]
    raw = f"{final.message}\n\n{final.detail}" if final.detail else final.message
    if explained:
        _, _, text = min(explained)  # the clearest kind; of those, the newest
    elif (meaning := error_meaning(final.message)) is not None:
        text = f"the code failed: {meaning}"
    else:
        return final
    return replace(final, message=_sentence(text), detail=f"The last attempt failed with {raw}")


def _explanations(tried: Try) -> list[tuple[int, str]]:
    """The plain explanations one try produced, each with its rank (lower is clearer)."""
    found = [(_CHECK, " ".join(tried.problems))] if tried.problems else []
    result, error = tried.result, tried.result.error
    if result.ok and is_empty(result.answer) and result.answer is not None:
        found.append((_EMPTY, result.answer.text))
    elif error is not None and error.kind == InputError.kind:
        found.append((_CHECK, error.message))
    elif error is not None and error.kind == UnsupportedError.kind:
        found.append((_DECLINE, error.message))
    return found


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] if text else text
