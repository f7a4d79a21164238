"""A function of a whole column applied cell by cell: `df['Fare'].apply(z_score)`.

`Series.apply(f)` calls `f` on each cell. A function the code defines to take the mean or the
standard deviation of its argument (`(data - np.mean(data)) / np.std(data)`) then sees one
number at a time: its mean is the number and its spread 0, so every z-score is missing and
DABench-dev q180 counted 0 outliers in each class (3, 7 and 14). What was meant is the function
of the column, so `column.apply(f)` becomes `f(column)`. Only for a column taken by name
(`x['Fare']`, not a group's, whose `apply` hands over each group) and a function of the code's
own whose first argument goes into a mean, median, variance or standard deviation.
"""

from __future__ import annotations

import ast
from typing import Final

from engine.extraction import Edit, called_name, span, spliced, within

# statistics of a whole column: of one number, its mean is itself and its spread 0
_WHOLE: Final = frozenset({"mean", "median", "std", "var", "nanmean", "nanstd", "zscore"})
_GROUPED: Final = frozenset({"groupby", "resample", "rolling", "expanding"})


def with_whole_series_calls(code: str) -> str:
    """`code` with each `column.apply(f)` of such a function written `f(column)`; code that
    does not parse stays."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return code
    whole = _functions_of_columns(tree)
    if not whole:
        return code
    edits: list[Edit] = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "apply"
            and len(node.args) == 1
            and not node.keywords
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id in whole
            and _one_column(node.func.value)
            and not within(span(node), edits)  # taken with the apply it is inside
        ):
            column = ast.get_source_segment(code, node.func.value) or ast.unparse(node.func.value)
            edits.append((*span(node), f"{node.args[0].id}({column})"))
    return spliced(code, edits)


def _functions_of_columns(tree: ast.Module) -> set[str]:
    """The functions `tree` defines whose first argument goes into a whole-column statistic:
    `np.std(data)`, `data.mean()`, `stats.zscore(data)`."""
    found = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef) or not node.args.args:
            continue
        argument = node.args.args[0].arg
        for call in ast.walk(node):
            if not isinstance(call, ast.Call) or called_name(call.func) not in _WHOLE:
                continue
            func = call.func
            on_it = isinstance(func, ast.Attribute) and _names(func.value, argument)
            if on_it or any(_names(a, argument) for a in call.args[:1]):
                found.add(node.name)
                break
    return found


def _names(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _one_column(node: ast.AST) -> bool:
    """`x['Fare']` (x anything but a grouping): one column, whose `apply` goes cell by cell."""
    if not (isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant)):
        return False
    if not isinstance(node.slice.value, str):
        return False
    base = node.value
    return not any(
        isinstance(n, ast.Call) and called_name(n.func) in _GROUPED for n in ast.walk(base)
    )
