"""Python code out of an LLM reply: fences, prose, several blocks, truncation, or no code (issue 4).

Small local models often wrap code in prose, split it into blocks, end on a bare expression, or
only `print` the answer; `code_from_reply` copes with each, and `with_result` makes the last
expression or printed value the answer so a correct computation is not lost to a missing
`result =`.
"""

from __future__ import annotations

import ast
import re
from typing import Final

_FENCE: Final = re.compile(r"```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n(.*?)(?:```|\Z)", re.DOTALL)
_THINK: Final = re.compile(r"<think>.*?(?:</think>|\Z)", re.DOTALL | re.IGNORECASE)
_PYTHON_TAGS: Final = ("python", "py", "python3", "")
_CODE_NODES: Final = (
    ast.Assign,
    ast.AugAssign,
    ast.AnnAssign,
    ast.Import,
    ast.ImportFrom,
    ast.Call,
)


def code_from_reply(text: str) -> str | None:
    """The Python code in `text`, or None when the reply holds no code.

    Prefers ```python blocks; joins several when they only make sense together; accepts an
    unclosed fence (reply cut by max_tokens); turns a lone ```sql block into `result = sql(...)`;
    accepts a fence-less reply only when it parses as Python that does something.
    """
    text = _THINK.sub("", text or "")
    blocks = [(tag.lower(), body.strip("\n")) for tag, body in _FENCE.findall(text)]
    python = [body for tag, body in blocks if tag in _PYTHON_TAGS and body.strip()]
    if python:
        return _pick(python)
    sql_blocks = [body for tag, body in blocks if tag == "sql" and body.strip()]
    if sql_blocks:
        query = sql_blocks[-1].strip().rstrip(";").replace('"""', "'''")
        return f'result = sql("""\n{query}\n""")'
    stripped = text.strip()
    if stripped and _parses(stripped) and _does_something(stripped):
        return stripped
    return None


def with_result(code: str) -> str:
    """Make sure the code leaves its answer in `result`.

    When nothing assigns `result`, the last bare expression becomes `result = <expr>`, or a last
    `print(x)` also sets `result = x`. Code that does not parse is returned unchanged (the
    sandbox reports the SyntaxError with its line, and the repair loop sends it back).
    """
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return code
    if not tree.body or _assigns_result(tree):
        return code
    last = tree.body[-1]
    lines = code.splitlines()
    if not isinstance(last, ast.Expr) or last.end_lineno is None:
        return code
    start, end = last.lineno - 1, last.end_lineno
    segment = "\n".join(lines[start:end])
    value = last.value
    if (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id == "print"
        and len(value.args) == 1
        and not value.keywords
    ):
        inner = ast.get_source_segment(code, value.args[0])
        if inner is None:
            return code
        return "\n".join([*lines[:end], f"result = {inner}", *lines[end:]])
    if (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id == "print"
    ):
        return code
    expression = ast.get_source_segment(code, value)
    if expression is None or last.col_offset != 0:
        return code
    replaced = segment.replace(expression, f"result = {expression}", 1)
    return "\n".join([*lines[:start], replaced, *lines[end:]])


def _pick(blocks: list[str]) -> str:
    """One program from several blocks: all joined if that parses, else the last that parses."""
    if len(blocks) == 1:
        return blocks[0]
    joined = "\n\n".join(blocks)
    if _parses(joined) and not _repeats_definitions(blocks):
        return joined
    for block in reversed(blocks):
        if _parses(block) and _does_something(block):
            return block
    return blocks[-1]


def _repeats_definitions(blocks: list[str]) -> bool:
    """True when later blocks redo the first one (a model's 'corrected version' pattern):
    several blocks set `result`, or a later block repeats half the first one's lines."""
    if sum("result" in block and "=" in block for block in blocks) > 1:
        return True
    first = [ln.strip() for ln in blocks[0].splitlines() if ln.strip()]
    needed = max(1, (len(first) + 1) // 2)
    return any(sum(line in block for line in first) >= needed for block in blocks[1:])


def _parses(code: str) -> bool:
    try:
        ast.parse(code)
    except SyntaxError:
        return False
    return True


def _does_something(code: str) -> bool:
    """Prose like 'Hello' parses as a name; require an assignment, import or call."""
    return any(isinstance(node, _CODE_NODES) for node in ast.walk(ast.parse(code)))


def _assigns_result(tree: ast.Module) -> bool:
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            for name in ast.walk(target):
                if isinstance(name, ast.Name) and name.id == "result":
                    return True
    return False
