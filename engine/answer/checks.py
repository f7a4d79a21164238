"""The checks every draft passes before it runs, whoever wrote it.

`prepared` rewrites what can be fixed without asking (a read of a loaded table's file becomes the
table; a last bare expression becomes `result`); `code_problems` names what cannot (a column no
table has, a read of any other file), so the drafter repairs it without a sandbox run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from engine.code_names import FILE_ACCESS
from engine.columns import unknown_columns
from engine.extraction import code_using_loaded_tables, with_result
from engine.types import TableProfile

FILE_ACCESS_PROBLEM: Final = (
    "the code reads a file, but the data is already loaded: use `df`, the tables by name, or "
    "sql(...); files are not reachable from the sandbox."
)


def prepared(code: str, profiles: Sequence[TableProfile]) -> str:
    """The draft's code with the fixes that need no model: loaded files, a missing `result`."""
    return with_result(code_using_loaded_tables(code, profiles))


def code_problems(code: str, profiles: Sequence[TableProfile]) -> list[str]:
    """What is wrong with the code before it runs: unknown columns, file access."""
    problems = [p.message for p in unknown_columns(code, profiles)]
    if FILE_ACCESS.search(code):
        problems.append(FILE_ACCESS_PROBLEM)
    return problems
