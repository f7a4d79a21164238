"""The real signature of a function the code called wrongly, for the repair (issue 13).

A small model misremembers APIs: `stats.anderson_ksamp(..., squared=True)`, `df.sum(axes=0)`.
The TypeError names the function but not what it takes, and the repair guesses again. Read in the
sandbox from the objects the failing code could see, the signature goes into the error's text:
"DataFrame.sum() got an unexpected keyword argument 'axes'; it takes (axis=0, skipna=True, …)".
"""

from __future__ import annotations

import ast
import inspect
import linecache
import re
from types import FrameType, ModuleType, TracebackType
from typing import Any, Final

CALL_ERROR: Final = re.compile(
    r"^([\w.]+)\(\) (?:got an unexpected keyword argument|missing \d+ required|takes \d+)"
)
SENTINEL: Final = re.compile(r"<object object at 0x[0-9a-f]+>")
MAX_CHARS: Final = 400  # a signature with every pandas option is long; its start is what helps


def signature_hint(exc: BaseException, filename: str) -> str:
    """'; it takes (…)' for a TypeError from calling a function wrongly, or ''. Never raises:
    the code's own objects are looked at, and their attributes may raise anything."""
    if not isinstance(exc, TypeError):
        return ""
    try:
        return _hint(exc, filename)
    except Exception:  # noqa: BLE001 - a hint is optional; the error itself must get out
        return ""


def _hint(exc: TypeError, filename: str) -> str:
    m = CALL_ERROR.match(str(exc))
    frame = _code_frame(exc.__traceback__, filename)
    if m is None or frame is None:
        return ""
    names = {**frame.f_globals, **frame.f_locals}
    found = _called(m[1], linecache.getline(filename, frame.f_lineno), names)
    if found is None:
        found = _find(m[1], list(names.values()))
    if found is None:
        return ""
    try:
        text = str(inspect.signature(found))
    except (TypeError, ValueError):  # a builtin without a signature
        return ""
    text = SENTINEL.sub("…", text)  # scipy's defaults: "<object object at 0x7f…>"
    text = text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 1] + "…"
    return f"; it takes {text}"


def _code_frame(tb: TracebackType | None, filename: str) -> FrameType | None:
    """The innermost frame of the code itself (not the library's)."""
    found = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            found = tb.tb_frame
        tb = tb.tb_next
    return found


def _called(qualname: str, line: str, names: dict[str, Any]) -> Any | None:
    """The function the failing line calls as `name.attr(...)` or `name(...)`, looked up in
    the code's names (nothing is evaluated: `df.sum` is DataFrame.sum, not numpy's sum)."""
    try:
        tree = ast.parse(line.strip())
    except SyntaxError:  # one line of a statement on several
        return None
    last = qualname.split(".")[-1]
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == last and func.id in names:
            found.append(names[func.id])
        elif (
            isinstance(func, ast.Attribute)
            and func.attr == last
            and isinstance(func.value, ast.Name)
            and func.value.id in names
        ):
            owner = names[func.value.id]
            holder = owner if isinstance(owner, ModuleType | type) else type(owner)
            found.append(getattr(holder, last, None))
    callables = {id(f): f for f in found if callable(f)}
    return next(iter(callables.values())) if len(callables) == 1 else None


def _find(qualname: str, seen: list[Any]) -> Any | None:
    """The one callable called `qualname` ('anderson_ksamp', 'sum') among the code's names,
    one attribute down from its modules (stats.anderson_ksamp), or a method of the class of one
    of its values (df: DataFrame.sum). None when none, or several different ones, match."""
    first, *rest = qualname.split(".")
    found: dict[int, Any] = {}
    for value in seen:
        if isinstance(value, dict | ModuleType) and getattr(value, "__name__", "") == "builtins":
            continue
        if isinstance(value, ModuleType):
            candidates = [getattr(value, first, None)]
        elif isinstance(value, type):
            candidates = [value, getattr(value, first, None)]
        else:
            candidates = [value, getattr(type(value), first, None)]
        for candidate in candidates:
            target = _walk(candidate, first, rest)
            if target is not None:
                found[id(target)] = target
    return next(iter(found.values())) if len(found) == 1 else None


def _walk(candidate: Any, first: str, rest: list[str]) -> Any | None:
    if candidate is None or getattr(candidate, "__name__", None) != first:
        return None
    for part in rest:
        candidate = getattr(candidate, part, None)
    return candidate if callable(candidate) else None
