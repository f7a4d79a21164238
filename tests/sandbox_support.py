"""Shared helpers for the sandbox tests: real tables, a real Sandbox, plain-Python twins.

Not a conftest: only the tests/test_sandbox_*.py modules use these, each with its own
module-scoped Sandbox (the zygote starts once per module, ~2.5 s).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DATA = ROOT / "sample_data"
SECRET = "sk-test-canary-4f1d2b9e"  # a fake key: must never appear in anything the code sees


def load_tables(tmp: Path) -> list[Any]:
    """sales.csv and penguins.csv through the real loader, handed over as Arrow IPC files."""
    from engine.catalog import Catalog
    from engine.config import load_settings
    from engine.sandbox import SandboxTable

    catalog = Catalog(load_settings(env={}, data_dir=str(tmp / "data")), tmp / "catalog")
    try:
        specs = []
        for csv in ("sales.csv", "penguins.csv"):
            (table,) = catalog.load(SAMPLE_DATA / csv)
            arrow = catalog.arrow_file(table.name)
            copy = tmp / f"{table.name}.arrow"  # outlives the catalog
            copy.write_bytes(arrow.read_bytes())
            specs.append(SandboxTable(table.name, copy, csv))
        return specs
    finally:
        catalog.close()


def make_sandbox(tmp: Path, tables: list[Any] | None = None, **overrides: Any) -> Any:
    from engine.config import load_settings
    from engine.sandbox import Sandbox

    settings = load_settings(env={}, data_dir=str(tmp / "data"), **overrides)
    return Sandbox(tables if tables is not None else load_tables(tmp), settings)


@contextlib.contextmanager
def secret_in_environ() -> Iterator[None]:
    """OPENAI_API_KEY set in the app's (this process's) environment while the zygote starts."""
    saved = os.environ.get("OPENAI_API_KEY")
    os.environ["OPENAI_API_KEY"] = SECRET
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("OPENAI_API_KEY", None)
        else:
            os.environ["OPENAI_API_KEY"] = saved


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def descendants(pid: int) -> set[int]:
    """Every live process below `pid`, from /proc (the process table, not the sandbox's word)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z":
            parents[int(entry)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def plain_namespace(tables: list[Any]) -> dict[str, Any]:
    """What the code sees, built in-process without the sandbox (the 'plain Python' twin)."""
    import duckdb
    import numpy as np
    import pandas as pd
    import plotly.express as px
    import plotly.graph_objects as go
    import pyarrow as pa

    from engine.values import pandas_frame

    arrows = {t.name: pa.ipc.open_file(pa.memory_map(str(t.arrow_path))).read_all() for t in tables}
    con = duckdb.connect(config={"enable_external_access": False})
    for name, arrow in arrows.items():
        con.register(name, arrow)
    con.register("df", arrows[tables[0].name])

    def sql(query: str) -> Any:
        rel = con.sql(query)
        return rel.df() if rel is not None else pd.DataFrame()

    ns: dict[str, Any] = {"__name__": "__main__", "pd": pd, "np": np, "px": px, "go": go}
    ns.update({name: pandas_frame(arrow) for name, arrow in arrows.items()})  # as the sandbox
    ns["df"] = ns[tables[0].name]
    ns["sql"] = sql
    ns["results"] = []
    return ns


def plain_answers(codes: list[str], tables: list[Any]) -> dict[str, tuple[Any, str]]:
    """{code: (answer JSON, printed)} from plain `exec` in a fresh Python process.

    Fresh, because importing streamlit (the AppTest tests do, in the pytest process) sets
    plotly's default template to "streamlit", which would change every in-process figure.
    """
    import json
    import subprocess
    import sys

    specs = [
        {"name": t.name, "arrow_path": str(t.arrow_path), "source_name": t.source_name}
        for t in tables
    ]
    proc = subprocess.run(
        [sys.executable, "-m", "tests.sandbox_support"],
        input=json.dumps({"tables": specs, "codes": codes}),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=True,
    )
    return {code: (answer, printed) for code, answer, printed in json.loads(proc.stdout)}


def _plain_answers_main() -> None:
    import json
    import sys

    from engine.sandbox import SandboxTable

    request = json.load(sys.stdin)
    tables = [SandboxTable(**{**t, "arrow_path": Path(t["arrow_path"])}) for t in request["tables"]]
    out = []
    for code in request["codes"]:
        answer, printed = plain_answer(code, tables)
        out.append([code, answer.to_json() if answer is not None else None, printed])
    sys.stdout.write(json.dumps(out))


def plain_answer(code: str, tables: list[Any], max_display_rows: int = 1000) -> tuple[Any, str]:
    """(Answer, printed) of `code` executed by plain `exec` in this process."""
    from engine.results import answer_from_values

    ns = plain_namespace(tables)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<plain>", "exec"), ns)  # noqa: S102 - the trusted twin of a snippet
    printed = out.getvalue()
    return answer_from_values(ns.get("result"), ns.get("fig"), printed, max_display_rows), printed


if __name__ == "__main__":
    _plain_answers_main()
