"""Library calls written in a form the installed libraries do not take, in the form they do.

A small model writes the APIs it was trained on, and three forms recur on the shared benchmarks:
- `mean_squared_error(y, p, squared=False)` for the root mean squared error. scikit-learn 1.6
  removed `squared`; the repair then drops the argument and reports the mean squared error as
  the RMSE (DABench-dev q30 and q70 at stop 52: 131440262.76 for 11464.74, 13.15 for 3.63).
  The same error is `root_mean_squared_error(y, p)`; `squared=True` is the default.
- `series.corr(other).pvalue`, `r, p = series.corr(other)` and `p_value = series.corr(other,
  tail='both')`: pandas' `.corr()` returns the coefficient alone, the code wants scipy's test,
  which also gives the p-value (the error appears 25 times in the records; the third form,
  DABench-dev q452 at stop 55, fails on the keyword, or without one reports the coefficient
  as the p-value). The test is run on the rows where both are present, as
  pandas pairs them, so the coefficient is the one `.corr()` gives.
- `from plotly.express import px` for `import plotly.express as px`, and `go` from
  `plotly.graph_objects` or `plotly.express` (15 import errors in the records).
- `from duckdb import sql`, which hides the sandbox's own `sql()` (DuckDB over the loaded
  tables) behind DuckDB's, on an empty database: "Table with name table_557 does not exist"
  (wtq-train nt-3217, seed 2037). The import is dropped.
Each is rewritten to the call with the same meaning, so the code runs as its author meant
instead of going to a repair that may change what it computes.
"""

from __future__ import annotations

import ast
import re
from typing import Final

from engine.code_names import MODULES, SQL
from engine.extraction import Edit, span, spliced

_ROOTS: Final = {
    "mean_squared_error": "root_mean_squared_error",
    "mean_squared_log_error": "root_mean_squared_log_error",
}
_METRICS: Final = ("sklearn.metrics", "sklearn.metrics._regression")
_TESTS: Final = {"pearson": "pearsonr", "spearman": "spearmanr", "kendall": "kendalltau"}
_SCIPY_IMPORT: Final = "import scipy.stats\n"
# a name that says it holds a p-value: p_value, pvalue, p_val, corr_pval (not p, r or pearson)
_P_VALUE: Final = re.compile(r"(?:^|_)p_?val(?:ue)?s?(?:_|$)", re.IGNORECASE)


def with_library_forms(code: str) -> str:
    """`code` with each of the forms above rewritten; code that does not parse stays."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return code
    edits = [*_root_errors(tree), *_module_aliases(tree), *_hidden_sql(tree)]
    tests = _correlation_tests(tree, code)
    edits.extend(tests)
    written = spliced(code, edits)
    if tests and not _imports_scipy_stats(tree):
        written = _SCIPY_IMPORT + written
    return written


def _root_errors(tree: ast.Module) -> list[Edit]:
    """A metric's `squared=False` as the root metric's call; `squared=True` (the default)
    dropped. Other functions' `squared` (pairwise distances) are not touched."""
    imported = _metrics_names(tree)
    edits: list[Edit] = []
    wanted: dict[ast.ImportFrom, set[str]] = {}
    for node in ast.walk(tree):
        found = _squared(node)
        if found is None:
            continue
        squared, root_wanted = found
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in _ROOTS:
            metric, statement = func.attr, None
        elif isinstance(func, ast.Name) and imported.get(func.id, (None, ""))[1] in _ROOTS:
            statement, metric = imported[func.id]
        else:
            continue
        edits.append(_without(node, squared))
        if not root_wanted:
            continue
        root = _ROOTS[metric]
        if isinstance(func, ast.Attribute):  # the attribute's name is the end of its span
            line, end = func.end_lineno or 0, func.end_col_offset or 0
            edits.append((line, end - len(func.attr), line, end, root))
        else:
            edits.append((*span(func), root))
            if statement is not None:
                wanted.setdefault(statement, set()).add(root)
    for statement, roots in wanted.items():
        missing = sorted(roots - {a.asname or a.name for a in statement.names})
        if missing:  # after the last name, before a trailing comma or bracket
            _, _, line, end = span(statement.names[-1])
            edits.append((line, end, line, end, "".join(f", {name}" for name in missing)))
    return edits


def _squared(node: ast.AST) -> tuple[ast.keyword, bool] | None:
    """A call's `squared=` keyword given as a constant, with whether it asks for the root."""
    if not isinstance(node, ast.Call):
        return None
    keyword = next((k for k in node.keywords if k.arg == "squared"), None)
    if keyword is None or not isinstance(keyword.value, ast.Constant):
        return None
    return keyword, not keyword.value.value


def _metrics_names(tree: ast.Module) -> dict[str, tuple[ast.ImportFrom | None, str]]:
    """Names bound by `from sklearn.metrics import …`, each with its statement and the name
    it imports; a `*` import binds every metric, with nothing to add to it."""
    names: dict[str, tuple[ast.ImportFrom | None, str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in _METRICS:
            for alias in node.names:
                if alias.name == "*":
                    names.update({name: (None, name) for name in _ROOTS})
                else:
                    names[alias.asname or alias.name] = (node, alias.name)
    return names


def _without(call: ast.Call, keyword: ast.keyword) -> Edit:
    """The edit that removes `keyword` and the comma that joins it to the call's arguments."""
    arguments = sorted([*call.args, *call.keywords], key=lambda a: (a.lineno, a.col_offset))
    at = arguments.index(keyword)
    start, start_col, end, end_col = span(keyword)
    if at > 0:  # from the end of the argument before it
        _, _, start, start_col = span(arguments[at - 1])
    elif at + 1 < len(arguments):  # to the start of the argument after it
        end, end_col, _, _ = span(arguments[at + 1])
    return (start, start_col, end, end_col, "")


def _correlation_tests(tree: ast.Module, code: str) -> list[Edit]:
    """`a.corr(b).pvalue`, `r, p = a.corr(b)` and `p_value = a.corr(b, tail='both')` as
    scipy's test of the rows both have."""
    edits: list[Edit] = []
    for node in ast.walk(tree):
        named = False
        if isinstance(node, ast.Attribute) and node.attr == "pvalue":
            call = node.value
        elif (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Tuple | ast.List)
            and len(node.targets[0].elts) == 2
        ):
            call = node.value
        elif (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and _P_VALUE.search(node.targets[0].id)
        ):
            call, named = node.value, True
        else:
            continue
        test = _as_test(call, code, named) if isinstance(call, ast.Call) else None
        if test is not None:
            edits.append((*span(call), f"{test}.pvalue" if named else test))
    return edits


def _as_test(call: ast.Call, code: str, named: bool = False) -> str | None:
    """`scipy.stats.pearsonr(...)` for `a.corr(b[, method=…])`, or None for any other call.
    `named`: the result is bound to a p-value's name, so a keyword `.corr()` does not take
    (`tail='both'`) is the author's reach for the test, and dropped."""
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr == "corr" and len(call.args) == 1):
        return None
    if isinstance(call.args[0], ast.Starred):
        return None
    method = "pearson"
    for keyword in call.keywords:
        if keyword.arg == "method" and isinstance(keyword.value, ast.Constant):
            method = keyword.value.value
        elif keyword.arg != "min_periods" and not (named and keyword.arg is not None):
            return None
    first = ast.get_source_segment(code, func.value)
    other = ast.get_source_segment(code, call.args[0])
    if method not in _TESTS or first is None or other is None:
        return None
    pairs = f"pd.concat([{first}, {other}], axis=1).dropna().to_numpy().T"
    return f"scipy.stats.{_TESTS[method]}(*{pairs})"


def _imports_scipy_stats(tree: ast.Module) -> bool:
    """Whether the code binds `scipy.stats` itself (`import scipy.stats` or `import scipy`)."""
    return any(
        isinstance(node, ast.Import)
        and any(a.asname is None and a.name in ("scipy", "scipy.stats") for a in node.names)
        for node in tree.body
    )


def _module_aliases(tree: ast.Module) -> list[Edit]:
    """`from plotly.express import px` (no such name) as `import plotly.express as px`, for
    each of the sandbox's module aliases (`go`, `pd`, `np` too), imported from its package."""
    edits: list[Edit] = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.ImportFrom) and node.module and len(node.names) == 1):
            continue
        (alias,) = node.names
        module = MODULES.get(alias.name)
        if module and alias.asname is None and _same_package(node.module, module):
            edits.append((*span(node), f"import {module} as {alias.name}"))
    return edits


def _hidden_sql(tree: ast.Module) -> list[Edit]:
    """An import that binds `sql` (`from duckdb import sql`), without that name; where it was
    the import's only name, nothing (`pass` inside a block)."""
    edits: list[Edit] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        kept = [a for a in node.names if (a.asname or a.name) != SQL]
        if len(kept) == len(node.names):
            continue
        if kept:
            names = ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in kept)
            text = f"from {'.' * node.level}{node.module or ''} import {names}"
        else:
            text = "" if node in tree.body else "pass"
        edits.append((*span(node), text))
    return edits


def _same_package(written: str, module: str) -> bool:
    return written.split(".")[0] == module.split(".")[0]
