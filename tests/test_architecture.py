"""The layering rules of style.md: engine/ never imports Streamlit, modules stay small, imports
form no cycle, and every import points down the pipeline (issue 12)."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Final

import pytest

from tests.conftest import ROOT

ENGINE_FILES = sorted((ROOT / "engine").rglob("*.py"))


@pytest.mark.parametrize("path", ENGINE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_engine_never_imports_streamlit(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        for name in names:
            assert not name.startswith(("streamlit", "pages")), f"{path.name} imports {name}"


@pytest.mark.parametrize("path", ENGINE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_engine_modules_stay_small(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= 500, f"{path.name} has {lines} lines: split it into a package"


def test_cli_starts_without_heavy_imports():
    """`python -m engine --help` must not import streamlit, openai or plotly (cold start)."""
    code = (
        "import sys, runpy; sys.argv=['engine','--help']\n"
        "try:\n    runpy.run_module('engine', run_name='__main__')\nexcept SystemExit: pass\n"
        "heavy = [m for m in ('streamlit', 'openai', 'plotly') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert "HEAVY []" in proc.stdout, proc.stdout + proc.stderr


# --- the import graph -----------------------------------------------------------------------


def module_name(path: Path) -> str:
    """`engine/planner/query.py` -> `engine.planner.query`; a package is its `__init__.py`."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES: Final = {module_name(p): p for p in ENGINE_FILES}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imported_names(
    nodes: Iterable[ast.AST], module: str, *, type_checking: bool
) -> Iterator[tuple[str, int]]:
    """(dotted name, line) of every import in `nodes` and below them, inside functions too.
    `from a.b import c` gives `a.b.c` (a module, or a name in a.b: `resolve` decides). Imports
    under `if TYPE_CHECKING:` are left out unless `type_checking`."""
    for node in nodes:
        if isinstance(node, ast.If) and _is_type_checking(node) and not type_checking:
            yield from imported_names(node.orelse, module, type_checking=type_checking)
            continue
        if isinstance(node, ast.Import):
            yield from ((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, module)
            yield from ((f"{base}.{alias.name}", node.lineno) for alias in node.names)
        yield from imported_names(ast.iter_child_nodes(node), module, type_checking=type_checking)


def _absolute(node: ast.ImportFrom, module: str) -> str:
    """The module a `from ... import` reads from; relative ones too (ruff TID bans them, but a
    missed edge would hide a cycle)."""
    if not node.level:
        return node.module or ""
    is_package = MODULES.get(module, Path()).name == "__init__.py"
    package = module if is_package else module.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def resolve(name: str, modules: Mapping[str, object] = MODULES) -> str | None:
    """The engine module or package a dotted name lives in (its longest known prefix)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def import_graph(*, type_checking: bool) -> dict[str, dict[str, int]]:
    """module -> {imported engine module: line}. A package's `__init__` runs before its
    submodules, but that implicit edge is not counted (only written imports are)."""
    graph: dict[str, dict[str, int]] = {}
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        edges: dict[str, int] = {}
        for name, line in imported_names(tree.body, module, type_checking=type_checking):
            target = resolve(name)
            if target is not None and target != module:
                edges.setdefault(target, line)
        graph[module] = edges
    return graph


def find_cycles(graph: Mapping[str, Mapping[str, object]]) -> list[list[str]]:
    """At least one cycle per strongly connected group of modules, each as a closed path."""
    cycles: list[list[str]] = []
    state: dict[str, str] = {}  # "open" while on the DFS path, "done" after
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = "open"
        path.append(node)
        for target in sorted(graph.get(node, {})):
            if state.get(target) == "open":
                cycles.append(path[path.index(target) :] + [target])
            elif target not in state:
                visit(target)
        path.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return cycles


def test_engine_has_no_import_cycles():
    """Imports inside functions count too: a lazy import that dodges a cycle is still a cycle.
    `if TYPE_CHECKING:` imports do not: they never run."""
    cycles = find_cycles(import_graph(type_checking=False))
    assert not cycles, "import cycles in engine/:\n" + "\n".join(" -> ".join(c) for c in cycles)


# --- layers ---------------------------------------------------------------------------------

# The pipeline, lowest layer first (load -> profile -> draft -> check -> sandbox -> result ->
# render/export). A module may import its own layer and the layers below it, never one above.
# Names are what sits directly under engine/ (a module or a package); `__init__` is engine/
# itself. A name may be listed before its module exists; a module not listed fails the test.
LAYERS: Final[tuple[tuple[str, ...], ...]] = (
    # what every step shares: boundary types, errors, names (and engine/__init__, a docstring)
    # (outputs: what a run leaves besides its answer, files and saved tables, and their limits)
    (
        "__init__",
        "values",
        "types",
        "errors",
        "identifiers",
        "code_names",
        "model_registry",
        "outputs",
        "timing",
    ),
    # the one settings table
    ("config",),
    # load: a file becomes a DuckDB table, with notes on what was fixed
    ("loading",),
    # profile: what a loaded table holds, and what it would cost in memory
    ("profile", "budget", "summary_rows", "value_index", "chart_defaults"),
    # the session's tables: loads, profiles and budgets each one
    ("catalog", "databases"),
    # result: whatever code left behind becomes one Answer shape (the sandbox returns it), how
    # it is shown (dates as dates), and what its chart says (title, axes, a bar chart for a
    # grouped total, nothing when empty); what the code compares, in pandas or in its SQL, names
    # a chart's filters and is what the checks after a run read
    ("results", "display", "figures", "sql_reading"),
    # draft and check: the offline planner, prompt -> LLM -> code, column and code checks, charts
    (
        "answer_kinds",
        "offered",
        "planner",
        "prompt",
        "extraction",
        "columns",
        "year_columns",
        "coerced_columns",
        "text_order",
        "sql_quoting",
        "llm",
        "charts",
        "followups",
    ),
    # run code in a confined worker
    ("sandbox",),
    # the answer loop: drafters (planner, LLM) -> check -> run -> repair
    ("answer",),
    # keep finished turns; hand them out as files and notebooks
    (
        "history",
        "history_datasets",
        "history_databases",
        "history_schema",
        "result_files",
        "export",
    ),
    # the facade wiring every step for one user session
    ("session", "session_outputs", "session_databases"),
    # the command line
    ("cli", "__main__"),
)
LAYER_OF: Final = {name: level for level, names in enumerate(LAYERS) for name in names}


def layer_name(module: str) -> str:
    """`engine.planner.query` -> `planner`; `engine` -> `__init__`."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def upward_imports(graph: Mapping[str, Mapping[str, int]]) -> list[str]:
    """Each import of a higher layer, as `module (layer) imports target (layer), line N`."""
    found = []
    for module, edges in sorted(graph.items()):
        for target, line in sorted(edges.items()):
            here, there = LAYER_OF[layer_name(module)], LAYER_OF[layer_name(target)]
            if there > here:
                found.append(
                    f"{module} (layer {here}: {layer_name(module)}) imports {target} "
                    f"(layer {there}: {layer_name(target)}), line {line}"
                )
    return found


def test_layers_table_names_each_part_once():
    names = [name for names in LAYERS for name in names]
    assert len(names) == len(set(names))


def test_engine_imports_point_down_the_pipeline():
    """Type-only imports count here: a lower layer should not even name a higher one's types."""
    graph = import_graph(type_checking=True)
    unknown = sorted(m for m in graph if layer_name(m) not in LAYER_OF)
    assert not unknown, f"give these engine modules a layer in LAYERS: {unknown}"
    found = upward_imports(graph)
    assert not found, "imports of a layer above:\n" + "\n".join(found)


# --- the checkers themselves catch what they should -----------------------------------------


def test_find_cycles_reports_the_path():
    graph = {"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}
    assert find_cycles(graph) == [["a", "b", "c", "a"]]
    assert find_cycles({"a": {"b": 1}, "b": {}}) == []


def test_imports_inside_functions_count_and_type_checking_ones_do_not():
    source = (
        "from typing import TYPE_CHECKING\n"
        "import engine.types\n"
        "if TYPE_CHECKING:\n    from engine.session import Session\n"
        "else:\n    from engine.errors import EngineError\n"
        "def f():\n    from engine.planner import plan\n    from engine import config\n"
    )
    body = ast.parse(source).body
    names = [n for n, _ in imported_names(body, "engine.cli", type_checking=False)]
    resolved = [resolve(n) for n in names if n.startswith("engine")]
    assert resolved == ["engine.types", "engine.errors", "engine.planner", "engine.config"]
    typed = [n for n, _ in imported_names(body, "engine.cli", type_checking=True)]
    assert "engine.session.Session" in typed


def test_an_upward_import_is_reported():
    graph = {"engine.types": {"engine.session": 7}, "engine.session": {"engine.types": 3}}
    session = LAYER_OF["session"]
    assert upward_imports(graph) == [
        f"engine.types (layer 0: types) imports engine.session (layer {session}: session), line 7"
    ]


PAGE_FILES = sorted((ROOT / "pages").glob("*.py")) + [ROOT / "streamlit_app.py"]
ENGINE_INTERNALS = ("engine.history", "engine.catalog")  # reached only through Session
# the Session's parts, and the store pages/state.py hands to it: not the pages' interface
HIDDEN_ATTRIBUTES = {"catalog", "history", "work_dir", "store", "history_store"}


def _page_violations(path) -> list[str]:
    """What a page does around the `Session` facade (issue 12), as 'line: what' strings.

    The one exception is `pages/state.py` creating the server's history store in
    `history_store()`, to hand it to `Session`.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    allowed: set[int] = set()
    if path.name == "state.py":
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name == "history_store":
                allowed |= {id(n) for n in ast.walk(node) if isinstance(n, ast.ImportFrom)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in HIDDEN_ATTRIBUTES:
            found.append(f"{node.lineno}: .{node.attr}")
        modules: list[str] = []
        if isinstance(node, ast.Import):
            modules = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and id(node) not in allowed:
            base = node.module or ""
            modules = [base, *(f"{base}.{a.name}" for a in node.names)]
        hits = [m for m in modules if ".".join(m.split(".")[:2]) in ENGINE_INTERNALS]
        if hits:
            found.append(f"{node.lineno}: import {hits[0]}")
    return sorted(found, key=lambda text: int(text.split(":")[0]))


@pytest.mark.parametrize("path", PAGE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_pages_reach_the_engine_only_through_the_session(path):
    assert _page_violations(path) == [], f"{path.name} reaches around Session"


def test_the_page_rule_catches_catalog_history_store_and_work_dir(tmp_path):
    page = tmp_path / "page.py"
    page.write_text(
        "import engine.catalog\n"
        "from engine import history\n"
        "from engine.history import HistoryStore\n"
        "rows = session.catalog.preview('t')\n"
        "path = session.work_dir / 'x'\n"
        "found = state.store().search('x')\n"
        "import engine.history_notes, engine.catalogue\n"
    )
    assert _page_violations(page) == [
        "1: import engine.catalog",
        "2: import engine.history",
        "3: import engine.history",
        "4: .catalog",
        "5: .work_dir",
        "6: .store",
    ]
