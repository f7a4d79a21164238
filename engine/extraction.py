"""Python code out of an LLM reply: fences, prose, several blocks, truncation, or no code (issue 4).

Small local models often wrap code in prose, split it into blocks, end on a bare expression, or
only `print` the answer; `code_from_reply` copes with each, and `with_result` makes the last
expression or printed value the answer so a correct computation is not lost to a missing
`result =`.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from pathlib import PurePath
from typing import Final

from engine.code_names import FILE_READERS, FIRST_TABLE, RESULT
from engine.databases.urls import database_of_source
from engine.identifiers import table_name_from_path
from engine.loading.sniff import (
    EXCEL_EXTENSIONS,
    JSON_EXTENSIONS,
    PARQUET_EXTENSIONS,
    TEXT_EXTENSIONS,
)
from engine.types import TableProfile

_FENCE: Final = re.compile(r"```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n(.*?)(?:```|\Z)", re.DOTALL)
EXPLANATION_CHARS: Final = 240
# Comments that are not a step of the computation: tool directives, and the setup a model
# narrates although the data is loaded ("Load the data", "Assuming df is already loaded",
# "Store the result"): an explanation made of them tells a reader nothing to check. Nor does a
# step that only names the result ("Set the result to the answer", "Display the result",
# "Compute the answer": 51 steps, in 47 of the 1,151 distinct programs in the stop-67
# records); one that says what the result is stays ("Set the result to the total area").
_THE_RESULT: Final = r"(?:the )?(?:final )?(?:result|answer|output)s?"
_NOT_A_STEP: Final = re.compile(
    r"(?i)^(?:import|noqa|type:|todo|fmt:|-\*-|!|(?:let'?s |and )?assum(?:e|ing)\b"
    r"|(?:and )?the data is (?:already )?loaded\b|load(?:s|ing)? (?:the |a )?"
    r"(?:\S+ )?(?:data(?:set|frame)?|tables?|csv|file|df)\b"
    rf"|(?:store|print|return|format) {_THE_RESULT}\b"
    rf"|(?:set|display|show|initiali[sz]e|construct|prepare|determine|compute|calculate) "
    rf"{_THE_RESULT}(?: (?:variable|string|dict(?:ionary)?))?"
    r"(?: to (?:the )?(?:final )?(?:answer|string format))?$)"
)
_THINK: Final = re.compile(r"<think>.*?(?:</think>|\Z)", re.DOTALL | re.IGNORECASE)
_PYTHON_TAGS: Final = ("python", "py", "python3", "")
_TABLE_WORD: Final = re.compile(r"^table[ _-]+")  # the prompt's "Table <name>" heading
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
    if stripped and _is_code(stripped):
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


def explanation_from_code(code: str) -> str:
    """The code's own step comments as one line a non-programmer can check.

    The prompt asks for one comment per step ("# mean price of each region", "# highest
    first"), so the comments say what was computed: "mean price of each region; highest first".
    Code left in a comment is not a step: the local model writes `# df = pd.read_csv(...)  #
    Example loading the data` (13 of the 1,363 final programs in the stop-65 records, on 6
    questions), which read as a line of code in the answer.
    """
    steps = []
    for line in code.splitlines():
        text = line.strip()
        if text.startswith("#"):
            step = text.lstrip("#").strip().rstrip(".")
            if step and not _NOT_A_STEP.match(step) and not _is_code(step):
                steps.append(step)
    line = "; ".join(dict.fromkeys(steps))
    return line if len(line) <= EXPLANATION_CHARS else line[: EXPLANATION_CHARS - 1] + "…"


def code_using_loaded_tables(code: str, profiles: Sequence[TableProfile]) -> str:
    """Replace `pd.read_csv("<a loaded table's file>")` with that table, already in memory.

    Re-reading the file from disk is the local model's most common failure (issue 4): the
    sandbox has no input files, so such code can only fail. `df.csv` is the first table (the
    model wrote `pd.read_csv('OUTPUT_DIR/df.csv')` three times in a row on one DABench question),
    and `table_<name>.csv` is <name> (the prompt heads each table "Table <name>": DABench q418
    read 'table_bitconnect_price.csv', and its repair wrote the same read again).
    With one table loaded (not one in a database), a file of another name is that table too:
    no other data is there to read (DABench q552 read 'table1.csv', q56 'OUTPUT_DIR/table1.csv',
    and their repairs wrote the same read). A URL, an absolute path, a file that is not data,
    a read with several tables loaded, or of a file that the code itself writes first (issue
    14), is left alone.
    """
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return code
    written = files_written(tree)
    only = (
        profiles[0].name
        if len(profiles) == 1 and not database_of_source(profiles[0].source or "")
        else None
    )
    by_file = {}
    if profiles:  # 'df.csv': the model took the first table's name in code for a file's
        by_file[FIRST_TABLE] = profiles[0].name
    for profile in profiles:
        by_file[profile.name.casefold()] = profile.name
        if profile.source:
            by_file[PurePath(profile.source).name.casefold()] = profile.name
    edits: list[Edit] = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in FILE_READERS
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            continue
        file_name = PurePath(node.args[0].value).name
        if node.args[0].value in written:
            continue
        stem = PurePath(file_name).stem.casefold()
        table = (
            by_file.get(file_name.casefold())
            or by_file.get(stem)
            or by_file.get(table_name_from_path(file_name).casefold())
            or by_file.get(_TABLE_WORD.sub("", stem))
            or (only if _made_up_data_file(node.args[0].value) else None)
        )
        if table is not None:
            edits.append((*span(node), f"{table}.copy()"))
    return spliced(code, edits)


_DATA_FILES: Final = TEXT_EXTENSIONS | EXCEL_EXTENSIONS | PARQUET_EXTENSIONS | JSON_EXTENSIONS


def _made_up_data_file(path: str) -> bool:
    """'table1.csv', 'OUTPUT_DIR/data.xlsx': a data file's name, relative (not a URL, not
    /etc/passwd, which the check refuses)."""
    pure = PurePath(path)
    return "://" not in path and not pure.is_absolute() and pure.suffix.lower() in _DATA_FILES


Edit = tuple[
    int, int, int, int, str
]  # a node's lineno, col_offset, end_lineno, end_col_offset; text


def span(node: ast.AST) -> tuple[int, int, int, int]:
    """A node's source span as `ast` gives it, the first four fields of an `Edit`."""
    return (
        node.lineno,
        node.col_offset,
        node.end_lineno or node.lineno,
        node.end_col_offset or node.col_offset,
    )


def spliced(code: str, edits: Sequence[Edit]) -> str:
    """`code` with each edit's source span (as `ast` gives it, columns in UTF-8 bytes) replaced
    by its text; the spans must not overlap."""
    if not edits:
        return code
    lines = code.splitlines(keepends=True)
    for start, col, end, end_col, text in sorted(edits, reverse=True):
        head = lines[start - 1].encode()[:col].decode()
        tail = lines[end - 1].encode()[end_col:].decode()
        lines[start - 1 : end] = [f"{head}{text}{tail}"]
    return "".join(lines)


def within(where: tuple[int, int, int, int], edits: Sequence[Edit]) -> bool:
    """Whether the span `where` lies inside one of `edits`' spans: `ast.walk` meets an outer
    node first, so a rewrite that takes its inner nodes with it skips them by this."""
    start, end = where[:2], where[2:]
    return any((a, b) <= start and end <= (c, d) for a, b, c, d, _ in edits)


def keyword_added(call: ast.Call, keyword: str) -> Edit | None:
    """The edit that adds `keyword` (`"ddof=0"`) to `call`: after its last argument (a trailing
    comma may follow it), or inside its empty brackets; None when `ast` gives no position."""
    arguments = [*call.args, *call.keywords]
    if arguments:
        last = max(arguments, key=lambda a: (a.end_lineno or 0, a.end_col_offset or 0))
        row, column, text = last.end_lineno, last.end_col_offset, f", {keyword}"
    else:  # before the closing bracket
        row, column, text = call.end_lineno, (call.end_col_offset or 1) - 1, keyword
    return (row, column, row, column, text) if row is not None and column is not None else None


def called_name(func: ast.expr) -> str | None:
    """The name a call is made by: `to_numeric` for `pd.to_numeric(...)` and for a bare
    `to_numeric(...)`; None for a call of anything else (a subscript, a call's result)."""
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else None


def file_reads(tree: ast.AST) -> list[ast.Call]:
    """Calls that read a file: pandas readers, `open` without a write mode, duckdb.connect."""
    reads = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = called_name(func)
        if name in FILE_READERS or (name == "connect" and _called_on(func, "duckdb")):
            reads.append(node)
        elif name == "open" and not _writes(node):
            reads.append(node)
    return reads


def files_written(tree: ast.AST) -> set[str]:
    """Text constants the code passes to anything but a read (`to_csv("x.csv")`, `open("x",
    "w")`, `savefig`): files it writes into its folder, which it may read back."""
    reads = {id(n) for n in file_reads(tree)}
    return {
        arg.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and id(node) not in reads
        for arg in [*node.args, *(k.value for k in node.keywords)]
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
    }


def _writes(call: ast.Call) -> bool:
    mode = call.args[1] if len(call.args) > 1 else None
    mode = mode or next((k.value for k in call.keywords if k.arg == "mode"), None)
    return isinstance(mode, ast.Constant) and any(c in str(mode.value) for c in "wax+")


def _called_on(func: ast.expr, module: str) -> bool:
    return isinstance(func, ast.Attribute) and getattr(func.value, "id", None) == module


def _pick(blocks: list[str]) -> str:
    """One program from several blocks: all joined if that parses, else the last that parses."""
    if len(blocks) == 1:
        return blocks[0]
    joined = "\n\n".join(blocks)
    if _parses(joined) and not _repeats_definitions(blocks):
        return joined
    for block in reversed(blocks):
        if _is_code(block):
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


def _is_code(text: str) -> bool:
    """`text` parses as Python that does something: an assignment, import or call (prose like
    'Hello' parses as a name)."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return False
    return any(isinstance(node, _CODE_NODES) for node in ast.walk(tree))


def _assigns_result(tree: ast.Module) -> bool:
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            for name in ast.walk(target):
                if isinstance(name, ast.Name) and name.id == RESULT:
                    return True
    return False
