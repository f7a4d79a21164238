"""Wide-table benchmark (issue 14): load and profile 10, 100 and 1,000 columns, one run.

    .venv/bin/python bench/wide.py                       # 10/100/1,000 columns x 100k rows, 1,000 x 20
    .venv/bin/python bench/wide.py --rounds 3 --shapes 1000x20,1000x100000
    .venv/bin/python bench/wide.py --tree /tmp/old --methods decipher --timeout 120   # an older engine

Each measurement runs in a fresh subprocess (so peak RSS is its own), methods alternate within a
round, and the table shows medians:
- `decipher`: Catalog.load (sniff, DuckDB read_csv, fixes, memory budget), then Catalog.profile;
  the Arrow hand-over file (Catalog.arrow_file, written at the first question) is timed after
  the peak is read.
- `duckdb`: the obvious alternative, raw in-memory DuckDB `CREATE TABLE AS read_csv`, then
  `SUMMARIZE` (exact distinct counts are not part of it: approx_unique).
- `pandas`: `pandas.read_csv`, then `describe(include="all")`.
The generated CSVs (ints, floats, low- and high-cardinality text, dates; every third column has
5% NULLs) are cached in bench/data/ (git-ignored). The machine's load average is printed with
the table, since a shared machine makes wall times noisy; profile CPU seconds are less so.
No timing is asserted anywhere: this informs, tests decide correctness.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
SHAPES = ((10, 100_000), (100, 100_000), (1000, 100_000), (1000, 20))
METHODS = ("decipher", "duckdb", "pandas")
KINDS = ("int", "float", "category", "text", "date")
TARGET_S = 3.0  # issue 14: 1,000 columns x 100k rows profiled in at most 3 s
TARGET_SHAPE = (1000, 100_000)


def generate(columns: int, rows: int) -> Path:
    """A CSV of `columns` columns cycling through KINDS, 5% NULLs in every third column."""
    import duckdb

    path = DATA / f"wide_{columns}x{rows}.csv"
    if path.exists():
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    parts = []
    for i in range(columns):
        kind = KINDS[i % len(KINDS)]
        h = f"hash(range + {i * 7919})"
        expression = {
            "int": f"({h} % 100000)::BIGINT",
            "float": f"round(({h} % 1000000) / 100.0, 2)",
            "category": "['north','south','east','west','europe','asia','africa','oceania']"
            f"[({h} % 8)::INTEGER + 1]",
            "text": f"'id_' || ({h} % 50000)::VARCHAR",
            "date": f"DATE '2015-01-01' + ({h} % 3650)::INTEGER",
        }[kind]
        if i % 3 == 0:
            expression = f"CASE WHEN hash(range, {i}) % 20 = 0 THEN NULL ELSE {expression} END"
        parts.append(f"{expression} AS {kind}_{i:04d}")
    tmp = path.with_suffix(".tmp")
    duckdb.sql(
        f"COPY (SELECT {', '.join(parts)} FROM range({rows})) TO '{tmp}' (FORMAT csv, HEADER true)"
    )
    tmp.rename(path)
    return path


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(fn: Any) -> tuple[float, float, Any]:
    """(wall s, CPU s of the whole process, value): DuckDB's threads count in the CPU time."""
    wall, cpu = time.perf_counter(), time.process_time()
    value = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, value


def run_one(method: str, path: Path) -> dict[str, Any]:
    """Load and profile `path` with `method` in THIS process."""
    out: dict[str, Any] = {}
    if method == "decipher":
        from engine.catalog import Catalog
        from engine.config import load_settings

        with tempfile.TemporaryDirectory() as work:
            catalog = Catalog(load_settings(), Path(work))
            out["load_s"], _, tables = _timed(lambda: catalog.load(path))
            name = tables[0].name
            out["profile_s"], out["profile_cpu_s"], profile = _timed(lambda: catalog.profile(name))
            out["peak_mb"] = _peak_mb()
            out["estimated"] = sum(c.distinct_approximate for c in profile.columns)
            out["arrow_s"], _, _ = _timed(lambda: catalog.arrow_file(name))
            catalog.close()
    elif method == "duckdb":
        import duckdb

        con = duckdb.connect(config={"autoinstall_known_extensions": False})
        con.execute("SET enable_progress_bar = false")
        out["load_s"], _, _ = _timed(
            lambda: con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{path}')")
        )
        out["profile_s"], out["profile_cpu_s"], _ = _timed(
            lambda: con.execute("SUMMARIZE t").fetchall()
        )
        out["peak_mb"] = _peak_mb()
    elif method == "pandas":
        import pandas as pd

        out["load_s"], _, frame = _timed(lambda: pd.read_csv(path))
        out["profile_s"], out["profile_cpu_s"], _ = _timed(lambda: frame.describe(include="all"))
        out["peak_mb"] = _peak_mb()
    return out


def measure(method: str, path: Path, tree: Path, timeout: float) -> dict[str, Any]:
    """`run_one` in a fresh subprocess importing the engine from `tree`; errors become a row."""
    try:
        proc = subprocess.run(
            [sys.executable, __file__, "--one", method, str(path), "--tree", str(tree)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"not done in {timeout:.0f} s"}
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["exit " + str(proc.returncode)])[-1]
        return {"error": last[:60]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _median(runs: list[dict[str, Any]], key: str) -> float | None:
    values = [r[key] for r in runs if r.get(key) is not None]
    return statistics.median(values) if values else None


def _cell(value: float | None, fmt: str, width: int) -> str:
    return f"{value:{width}{fmt}}" if value is not None else f"{'-':>{width}}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument(
        "--shapes",
        default=",".join(f"{c}x{r}" for c, r in SHAPES),
        help="comma-separated COLUMNSxROWS",
    )
    parser.add_argument("--methods", default=",".join(METHODS), help="comma-separated subset")
    parser.add_argument("--tree", type=Path, default=ROOT, help="Decipher checkout to measure")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per measurement")
    parser.add_argument("--one", nargs=2, metavar=("METHOD", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        sys.path.insert(0, str(args.tree.resolve()))
        print(json.dumps(run_one(args.one[0], Path(args.one[1]))))
        return

    shapes = [tuple(int(n) for n in s.split("x")) for s in args.shapes.split(",") if s]
    methods = [m for m in args.methods.split(",") if m]
    started = os.getloadavg()
    print(f"{os.cpu_count()} CPUs, load average {started[0]:.2f} {started[1]:.2f} {started[2]:.2f}")
    print(f"engine from {args.tree}; medians of {args.rounds} round(s)\n")
    print(
        f"{'columns x rows':>16} {'method':<9} {'load s':>8} {'profile s':>10} {'(CPU s)':>8} "
        f"{'total s':>8} {'peak MB':>8}  notes"
    )
    verdict: tuple[float, float] | None = None
    for columns, rows in shapes:
        path = generate(columns, rows)
        results: dict[str, list[dict[str, Any]]] = {m: [] for m in methods}
        for _ in range(args.rounds):
            for method in methods:  # alternate: each round runs every method once
                results[method].append(measure(method, path, args.tree, args.timeout))
        for method in methods:
            runs = [r for r in results[method] if "error" not in r]
            load, profile = _median(runs, "load_s"), _median(runs, "profile_s")
            total = load + profile if load is not None and profile is not None else None
            notes = [r["error"] for r in results[method] if "error" in r][:1]
            if method == "decipher" and runs:
                notes.append(f"arrow hand-over {_median(runs, 'arrow_s'):.2f} s")
                estimated = _median(runs, "estimated")
                if estimated:
                    notes.append(f"{estimated:.0f} distincts estimated")
                if (columns, rows) == TARGET_SHAPE and profile is not None:
                    verdict = (profile, _median(runs, "profile_cpu_s"))
            print(
                f"{f'{columns:,} x {rows:,}':>16} {method:<9} {_cell(load, '.2f', 8)} "
                f"{_cell(profile, '.2f', 10)} {_cell(_median(runs, 'profile_cpu_s'), '.2f', 8)} "
                f"{_cell(total, '.2f', 8)} {_cell(_median(runs, 'peak_mb'), ',.0f', 8)}  "
                f"{'; '.join(notes)}"
            )
        print(f"{'':>16} (file {path.stat().st_size / 1e6:,.1f} MB)")
    ended = os.getloadavg()
    print(f"\nload average at the end {ended[0]:.2f} {ended[1]:.2f} {ended[2]:.2f}")
    if verdict is not None:
        wall, cpu = verdict
        met = "meets" if wall <= TARGET_S else "misses"
        print(
            f"target (issue 14): 1,000 columns x 100k rows profiled in <= {TARGET_S:.0f} s: "
            f"{wall:.2f} s ({cpu:.2f} s CPU), {met} it"
            + (" at this load; its CPU time fits" if wall > TARGET_S >= cpu else "")
        )


if __name__ == "__main__":
    main()
