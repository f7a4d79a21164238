"""Run the planner's cases: load the samples, execute planned code in-process, compare answers.

Shared by tests/test_planner_cases.py and bench/planner.py. The in-process executor builds
the sandbox's namespace (df, each table by name, sql() over Arrow in DuckDB, pd, np, px, go)
without its worker, so 300 runs take seconds; a subset also runs through the real sandbox.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from engine.errors import UnsupportedError
from tests.data.planner_cases import D, Expected, F, O, P, S, T, V

ROOT = Path(__file__).resolve().parent.parent
DATASETS = ("penguins", "seattle_weather", "gapminder", "sales")


class Samples:
    """The four sample tables loaded by the real loader, with their profiles and Arrow copies."""

    def __init__(self, settings: Any, work_dir: Path) -> None:
        import pyarrow as pa

        from engine.catalog import Catalog

        self.catalog = Catalog(settings, work_dir)
        for name in DATASETS:
            self.catalog.load(ROOT / "sample_data" / f"{name}.csv")
        self.profiles = {p.name: p for p in self.catalog.profiles()}
        self.indexes = self.catalog.value_indexes()  # as the session hands them to the planner
        self.arrow = {
            name: pa.ipc.open_file(pa.memory_map(str(self.catalog.arrow_file(name)))).read_all()
            for name in DATASETS
        }
        self._frames: dict[str, Any] = {}

    def profiles_for(self, which: str, big: bool = False) -> list[Any]:
        names = DATASETS if which == "*" else (which,)
        found = [self.profiles[n] for n in names]
        return [_as_big(p) for p in found] if big else found

    def frame(self, name: str) -> Any:
        if name not in self._frames:
            self._frames[name] = self.arrow[name].to_pandas()
        return self._frames[name]

    def expected(self, which: str, expected: Expected) -> Any:
        """The independent answer: DuckDB over the loaded table, or pandas over its frame."""
        if isinstance(expected, P):
            return expected.frame(self.frame(DATASETS[0] if which == "*" else which).copy())
        return self.catalog.fetch(expected.sql)

    def execute(self, code: str, which: str) -> dict[str, Any]:
        """Run code in a namespace like the sandbox's and return it (result, fig, ...)."""
        import duckdb
        import numpy as np
        import pandas as pd
        import plotly.express as px
        import plotly.graph_objects as go

        from engine.sandbox.execute import cannot_answer

        names = DATASETS if which == "*" else (which,)
        con = duckdb.connect(":memory:")
        for name in names:
            con.register(name, self.arrow[name])
        con.register("df", self.arrow[names[0]])

        def sql(query: str) -> Any:
            return con.sql(query).df()

        ns: dict[str, Any] = {"pd": pd, "np": np, "px": px, "go": go, "sql": sql}
        ns["cannot_answer"] = cannot_answer
        for name in names:
            ns[name] = self.frame(name).copy()
        ns["df"] = ns[names[0]]
        ns["__code__"] = code
        exec(compile(code, "<planner>", "exec"), ns)
        con.close()
        return ns


def _as_big(profile: Any, rows: int = 5_000_000) -> Any:
    """The profile as if the table had millions of rows (keys stay keys), to get sql() code."""
    columns = tuple(
        replace(c, distinct_count=rows) if c.distinct_count == profile.rows else c
        for c in profile.columns
    )
    return replace(profile, rows=rows, columns=columns)


def norm(value: Any) -> Any:
    """One cell as a comparable Python value: numbers to 9 significant digits, dates as ISO."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        try:
            value = value.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        if isinstance(value, float) and math.isnan(value):
            return None
        return float(f"{float(value):.9g}")
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if type(value).__name__ in ("NaTType", "NAType"):
        return None
    if isinstance(value, str) and value.endswith("T00:00:00") and len(value) == 19:
        return value[:10]  # a midnight timestamp that went through JSON
    return value


def rows_of(obj: Any) -> list[tuple[Any, ...]]:
    """Any answer as rows of normalised cells (an index that carries data becomes columns)."""
    import pandas as pd

    if isinstance(obj, pd.Series):
        obj = obj.to_frame() if _plain_index(obj) else obj.reset_index()
    if isinstance(obj, pd.DataFrame):
        if not _plain_index(obj):
            obj = obj.reset_index()
        return [tuple(norm(v) for v in row) for row in obj.itertuples(index=False)]
    if isinstance(obj, list | tuple):
        return [tuple(norm(v) for v in row) for row in obj]
    return [(norm(obj),)]


def _plain_index(obj: Any) -> bool:
    """Row positions (kept from the table after a filter), not data: a nameless integer index."""
    index = obj.index
    return index.nlevels == 1 and index.name is None and index.dtype.kind in "iu"


def values_of(obj: Any) -> list[Any]:
    import pandas as pd

    if isinstance(obj, pd.DataFrame):
        return [norm(v) for v in obj.iloc[:, 0]] if obj.shape[1] == 1 else []
    if isinstance(obj, pd.Series):
        return [norm(v) for v in obj]
    if isinstance(obj, list | tuple):
        return [norm(v[0] if isinstance(v, tuple) else v) for v in obj]
    return [norm(obj)]


def _sorted(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return sorted(rows, key=repr)


def check(ns: dict[str, Any], expected: Expected, want: Any) -> str | None:
    """None when the executed answer matches; else what differs."""
    result = ns.get("result")
    if isinstance(expected, F):
        return _check_figure(ns, expected)
    if isinstance(expected, S):
        got = rows_of(result)
        return None if got == rows_of(want) else f"got {got!r}, want {rows_of(want)!r}"
    if isinstance(expected, T | P):
        got, exp = _sorted(rows_of(result)), _sorted(rows_of(want))
        return None if got == exp else f"got {got[:6]!r}..., want {exp[:6]!r}..."
    if isinstance(expected, V):
        got, exp = sorted(values_of(result), key=repr), sorted(values_of(want), key=repr)
        return None if got == exp else f"got {got[:8]!r}, want {exp[:8]!r}"
    if isinstance(expected, O):
        got = [norm(v) for v in result[expected.column]]
        exp = [norm(row[0]) for row in want][: len(got) or None]
        return None if got == exp else f"got {got[:8]!r}, want {exp[:8]!r}"
    return f"cannot check {expected!r}"


def _check_figure(ns: dict[str, Any], expected: F) -> str | None:
    import plotly.graph_objects as go

    fig = ns.get("fig") if isinstance(ns.get("fig"), go.Figure) else ns.get("result")
    if not isinstance(fig, go.Figure) or not fig.data:
        return f"no figure, result is {type(ns.get('result')).__name__}"
    kinds = {trace.type.removesuffix("gl") for trace in fig.data}  # scattergl: > 1,000 points
    if expected.trace == "histogram" and "bar" in kinds and "sql(" in ns.get("__code__", ""):
        kinds.add("histogram")  # big tables: bins counted by DuckDB, drawn as bars
    if expected.trace not in kinds:
        return f"trace types {kinds}, want {expected.trace}"
    if expected.trace == "pie":
        return None if fig.data[0].labels is not None else "pie without labels"
    if fig.layout.xaxis.title.text != expected.x:
        return f"x axis {fig.layout.xaxis.title.text!r}, want {expected.x!r}"
    if expected.y and fig.layout.yaxis.title.text != expected.y:
        return f"y axis {fig.layout.yaxis.title.text!r}, want {expected.y!r}"
    if expected.color and len(fig.data) < 2:
        return "one trace, want one per colour"
    return None


@dataclass(frozen=True)
class Outcome:
    """One case's result: answered or declined, and whether that was right."""

    answered: bool
    correct: bool
    detail: str
    plan_ms: float
    confidence: float | None = None


def run_case(
    samples: Samples,
    settings: Any,
    which: str,
    question: str,
    expected: Expected,
    big: bool = False,
) -> Outcome:
    import time

    from engine.planner import plan
    from engine.sandbox.execute import CannotAnswer

    profiles = samples.profiles_for(which, big)
    # Big tables get no value index in a session; here they keep the small table's, so the
    # cases that need one check the code written for a big table too.
    indexes = getattr(samples, "indexes", {})
    started = time.perf_counter()
    try:
        draft = plan(question, profiles, settings, values=indexes)
    except UnsupportedError as exc:
        ms = (time.perf_counter() - started) * 1000
        if not isinstance(expected, D):
            return Outcome(False, False, f"declined: {exc.message}", ms)
        ok = expected.words.lower() in exc.message.lower()
        return Outcome(False, ok, f"declined: {exc.message}", ms)
    ms = (time.perf_counter() - started) * 1000
    if isinstance(expected, D):
        return Outcome(True, False, f"answered instead of declining:\n{draft.code}", ms)
    try:
        ns = samples.execute(draft.code, which)
    except CannotAnswer as exc:  # the code found the table cannot answer: an honest decline
        return Outcome(False, isinstance(expected, D), f"declined by the code: {exc}", ms)
    except Exception as exc:  # noqa: BLE001 - any failure of generated code is a wrong answer
        return Outcome(True, False, f"{type(exc).__name__}: {exc}\n{draft.code}", ms)
    want = None if isinstance(expected, F) else samples.expected(which, expected)
    problem = check(ns, expected, want)
    detail = f"{problem}\n{draft.code}" if problem else draft.explanation
    return Outcome(True, problem is None, detail, ms, draft.confidence)


def summary(outcomes: Sequence[tuple[Expected, Outcome]]) -> dict[str, float]:
    answerable = [o for e, o in outcomes if not isinstance(e, D)]
    declines = [o for e, o in outcomes if isinstance(e, D)]
    answered = [o for _, o in outcomes if o.answered]
    return {
        "cases": len(outcomes),
        "coverage": sum(o.answered for o in answerable) / max(1, len(answerable)),
        "precision": sum(o.correct for o in answered) / max(1, len(answered)),
        "declines_correct": sum(not o.answered for o in declines) / max(1, len(declines)),
    }
