"""A static look at the code, only to word error messages kindly (issue #3).

It never refuses anything: the operating-system layers are the boundary, and blocklists are what
failed in PandasAI, LangChain and Vanna. When a run is blocked, `intents_of` names what the code
was trying ("open a network connection") so the person and the repair prompt understand why.
"""

from __future__ import annotations

import ast
from typing import Final

_MODULE_INTENTS: Final[dict[str, str]] = {
    "socket": "open a network connection",
    "http": "open a network connection",
    "urllib": "open a network connection",
    "requests": "open a network connection",
    "httpx": "open a network connection",
    "ftplib": "open a network connection",
    "smtplib": "open a network connection",
    "subprocess": "start another program",
    "pty": "start another program",
    "multiprocessing": "start another process",
    "ctypes": "call native code directly",
    "shutil": "read or write files",
    "pathlib": "read or write files",
    "tempfile": "read or write files",
    "sqlite3": "read or write files",
    "signal": "send signals",
}
_CALL_INTENTS: Final[dict[str, str]] = {
    "open": "read or write files",
    "system": "start another program",
    "popen": "start another program",
    "fork": "start another process",
    "kill": "send signals",
    "execv": "start another program",
    "execve": "start another program",
    "remove": "read or write files",
    "unlink": "read or write files",
    "listdir": "read or write files",
    "scandir": "read or write files",
    "getenv": "read the app's environment (secrets)",
    "environ": "read the app's environment (secrets)",
}


def intents_of(code: str) -> list[str]:
    """What the code appears to try, in plain words, most specific first (may be empty)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    found: list[str] = []

    def add(intent: str) -> None:
        if intent not in found:
            found.append(intent)

    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            modules = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
            )
            for module in modules:
                intent = _MODULE_INTENTS.get(module.split(".")[0])
                if intent:
                    add(intent)
        elif isinstance(node, ast.Attribute | ast.Name):
            name = node.attr if isinstance(node, ast.Attribute) else node.id
            if name in _CALL_INTENTS:
                add(_CALL_INTENTS[name])
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value.strip()
            if text.startswith(("/", "~/", "./", "../")) or text.startswith(
                ("http://", "https://")
            ):
                add(
                    "read or write files"
                    if not text.startswith("http")
                    else "open a network connection"
                )
            lowered = text.lower()
            if any(
                k in lowered for k in ("read_csv(", "read_text(", "copy ", "attach ", "install ")
            ):
                add("use DuckDB's file or extension access")
    return found
