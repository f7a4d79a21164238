"""The layering rules of style.md: engine/ never imports Streamlit, and modules stay small."""

from __future__ import annotations

import ast
import subprocess
import sys

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
