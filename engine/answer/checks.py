"""The checks every draft passes before it runs, whoever wrote it.

`prepared` rewrites what can be fixed without asking (a read of a loaded table's file becomes the
table; a last bare expression becomes `result`); `code_problems` names what cannot (a column no
table has, a read of any other file), so the drafter repairs it without a sandbox run. Writing
files is fine (issue 14: they become downloads), and so is reading back a file the code wrote.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from engine.answer.bin_edges import with_lowest_edge_included
from engine.answer.impossible_filters import FIX as IMPOSSIBLE_FIX
from engine.answer.impossible_filters import impossible_filters
from engine.answer.invented_data import replaced_message, replaced_tables, with_loaded_tables
from engine.answer.library_forms import with_library_forms
from engine.answer.normality_verdict import with_normality_read_right
from engine.answer.own_results import with_own_results
from engine.answer.precedence import FIX as PRECEDENCE_FIX
from engine.answer.precedence import unbracketed_conditions, with_bracketed_conditions
from engine.answer.row_labels import rows_by_label
from engine.answer.same_operands import same_operands
from engine.answer.spread_formula import with_named_spread
from engine.answer.value_spelling import with_values_as_written
from engine.answer.whole_series import with_whole_series_calls
from engine.coerced_columns import coerced_columns
from engine.columns import (
    columns_as_stored,
    summed_text_columns,
    unknown_columns,
)
from engine.extraction import (
    code_using_loaded_tables,
    explanation_from_code,
    file_reads,
    files_written,
    with_result,
)
from engine.sql_quoting import sql_with_quoted_columns
from engine.text_order import ordered_number_texts
from engine.types import TableProfile
from engine.value_index import ValueIndex

FILE_ACCESS_PROBLEM: Final = (
    "the code reads a file, but the data is already loaded: use `df`, the tables by name, or "
    "sql(...); no input files are reachable from the sandbox (only files the code writes)."
)
FILE_ACCESS_FOR_USER: Final = (
    "the code reads a file, but the sandbox reaches no input files: the loaded tables are "
    "already there by name."
)

SAME_OPERANDS: Final = (
    "the code {}, whatever the table holds: compute each side from its own rows or column."
)
TEXT_SUM: Final = (
    "adds up the text column {column!r} with .sum(), which joins its texts end to end instead "
    "of adding numbers"
)
TEXT_SUM_FIX: Final = (
    "convert the numbers in it first (e.g. pd.to_numeric(...str.replace(',', ''), "
    "errors='coerce')), or count rows with len() if a count is asked."
)


@dataclass(frozen=True)
class Problem:
    """Something to fix before the code runs, worded for the model's repair and for you."""

    for_model: str
    for_user: str
    declines: bool = False  # its code answers nothing: if a repair keeps it, no answer is given
    # False: not sent back to the model, as its repairs measured worse than a decline; the code
    # runs (its result one click away) and no answer is given (`declines` with it)
    sent_back: bool = True
    # why the repair's answer is checked by a second program (Draft.doubt): its code misread
    # the question, and told how, the small model often writes what passes, not the answer
    doubt: str = ""


def prepared(
    code: str,
    profiles: Sequence[TableProfile],
    question: str = "",
    values: Mapping[str, ValueIndex] | None = None,
) -> str:
    """The draft's code with the fixes that need no model: loaded files, made-up rows standing in
    for a loaded table, a missing `result`, spaced column names unquoted in SQL, column names
    spelt with other punctuation or case, filter values written in another case or spacing than
    the one cell they name (`values`: the tables' text values), a row label looked up among the
    columns, the standard deviation formula the question names, a normality test's p-value read
    backwards, conditions joined with `&` or `|` without their brackets, library calls in a form
    the libraries do not take, ranges cut without their lowest edge, a function of a whole
    column applied cell by cell, a `results` dict of the code's own."""
    code = with_loaded_tables(code_using_loaded_tables(code, profiles), profiles)
    code = with_lowest_edge_included(with_whole_series_calls(with_library_forms(code)))
    code = with_own_results(code)
    code = with_bracketed_conditions(columns_as_stored(code, profiles))
    code = with_normality_read_right(with_named_spread(rows_by_label(code), question), question)
    code = with_result(sql_with_quoted_columns(code, profiles))
    return with_values_as_written(code, values, question) if values else code


def explained(explanation: str, before: str, after: str) -> str:
    """`explanation` with the steps `prepared` wrote into the code as comments (a comparison it
    turned round), so the one line you read says what the code that ran computes."""
    written = set(before.splitlines())
    added = [line for line in after.splitlines() if line not in written]
    step = explanation_from_code("\n".join(added))
    return f"{explanation}; {step}" if explanation and step else explanation or step


def code_problems(code: str, profiles: Sequence[TableProfile]) -> list[Problem]:
    """What is wrong with the code before it runs: unknown columns, file access, arithmetic on
    one value twice, one column filtered on two values at once, conditions joined without
    brackets, the texts of a column added up, a column coerced to numbers that does not hold
    them, numbers in text ordered as text, a table replaced by made-up rows."""
    problems = [Problem(p.message, p.for_user) for p in unknown_columns(code, profiles)]
    if _reads_other_files(code):
        problems.append(Problem(FILE_ACCESS_PROBLEM, FILE_ACCESS_FOR_USER))
    for text in same_operands(code):
        problems.append(Problem(SAME_OPERANDS.format(text), f"The code {text}.", declines=True))
    for text in impossible_filters(code):
        misread = f"its first program {text}"  # its repairs: 2 of 2 wrong unchecked (stop 70)
        problems.append(
            Problem(
                f"the code {text}: {IMPOSSIBLE_FIX}",
                f"The code {text}.",
                declines=True,
                doubt=misread,
            )
        )
    for written in unbracketed_conditions(code):
        fix = PRECEDENCE_FIX.format(written=f"`{written}`")
        problems.append(Problem(fix, fix))
    for column in summed_text_columns(code, profiles):
        text = TEXT_SUM.format(column=column)
        problems.append(
            Problem(f"the code {text}: {TEXT_SUM_FIX}", f"The code {text}.", declines=True)
        )
    for coerced in coerced_columns(code, profiles):
        problems.append(Problem(coerced.for_model, coerced.for_user, declines=True))
    for ordered in ordered_number_texts(code, profiles):  # repaired: 0 right of 5 (stop 66)
        problems.append(
            Problem(ordered.for_model, ordered.for_user, declines=True, sent_back=False)
        )
    for table, line in replaced_tables(code, [p.name for p in profiles]):
        problems.append(Problem(*replaced_message(table, line), declines=True))
    return problems


def _reads_other_files(code: str) -> bool:
    """A read of a file the code does not write itself. Code that does not parse cannot run, so
    it is left to the run, as by the other checks: its SyntaxError is what a repair must fix.
    (A pattern's guess here once sent DABench q144 back as "reads a file" for a read of the
    loaded table's own file, which `prepared` rewrites once the code parses; the fault was an
    unclosed bracket.) The sandbox, not this check, is what keeps files out of reach."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return False
    written = files_written(tree)
    return any(
        not (call.args and isinstance(call.args[0], ast.Constant) and call.args[0].value in written)
        for call in file_reads(tree)
    )
