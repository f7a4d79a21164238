"""Load benchmark (issues #2 and #7): a generated CSV into a queryable table, several ways, one run.

    .venv/bin/python bench/load.py                 # 1M rows (~100 MB) and 10M rows (~1 GB), 3 rounds
    .venv/bin/python bench/load.py --rows 1000000 --rounds 5

Every measurement runs in a fresh subprocess (so peak RSS is its own), methods alternate within a
round, and the table shows medians with ratios to `pandas.read_csv`. Generated files are cached in
bench/data/ (git-ignored). No timing is asserted anywhere: this informs, tests decide correctness.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"

METHODS = {
    "decipher load": "our loader (Catalog.load: sniff, DuckDB read_csv into a file DB, fixes)",
    "decipher load+profile": "upload to profile shown (issue #7 target)",
    "duckdb read_csv": "raw DuckDB CREATE TABLE AS read_csv, in memory",
    "duckdb no-order": "raw DuckDB with preserve_insertion_order=false",
    "pyarrow->duckdb": "pyarrow.csv.read_csv, then DuckDB ingests the Arrow table",
    "pandas.read_csv": "pandas.read_csv (default engine)",
}


def generate(rows: int) -> Path:
    """A CSV with ints, floats, dates, timestamps, strings, categories and NULLs."""
    import duckdb

    path = DATA / f"load_{rows}.csv"
    if path.exists():
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    duckdb.sql(
        f"""
        COPY (
          SELECT range AS id,
                 (hash(range) % 1000)::INT AS int_col,
                 CASE WHEN range % 17 = 0 THEN NULL ELSE round((hash(range * 3) % 100000) / 100.0, 2) END AS amount,
                 DATE '2015-01-01' + (range % 3650)::INT AS day,
                 TIMESTAMP '2020-01-01 00:00:00' + to_seconds(range % 31536000) AS ts,
                 'customer_' || (hash(range * 7) % 50000)::VARCHAR AS customer,
                 ['North', 'South', 'East', 'West', 'Europe'][(range % 5) + 1] AS region,
                 CASE WHEN range % 11 = 0 THEN NULL ELSE ['A', 'B', 'C'][(range % 3) + 1] END AS grade,
                 md5(range::VARCHAR)[:12] AS code
          FROM range({rows})
        ) TO '{tmp}' (FORMAT csv, HEADER true)
        """
    )
    tmp.rename(path)
    return path


def run_one(method: str, path: Path) -> dict[str, float]:
    """Load `path` with `method` in THIS process; return wall seconds and peak RSS in MB."""
    started = time.perf_counter()
    rows = 0
    if method.startswith("decipher"):
        from engine.catalog import Catalog
        from engine.config import load_settings

        with tempfile.TemporaryDirectory() as work:
            catalog = Catalog(load_settings(env={}), Path(work))
            (table,) = catalog.load(path)
            rows = table.rows
            if method == "decipher load+profile":
                catalog.profile(table.name)
            catalog.close()
    elif method.startswith("duckdb"):
        import duckdb

        con = duckdb.connect(config={"autoinstall_known_extensions": False})
        if method == "duckdb no-order":
            con.execute("SET preserve_insertion_order = false")
        con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{path}')")
        rows = con.execute("SELECT count(*) FROM t").fetchall()[0][0]
    elif method == "pyarrow->duckdb":
        import duckdb
        import pyarrow.csv as pacsv

        arrow = pacsv.read_csv(path)
        con = duckdb.connect(config={"autoinstall_known_extensions": False})
        con.register("a", arrow)
        con.execute("CREATE TABLE t AS SELECT * FROM a")
        del arrow
        rows = con.execute("SELECT count(*) FROM t").fetchall()[0][0]
    elif method == "pandas.read_csv":
        import pandas as pd

        rows = len(pd.read_csv(path))
    wall = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"wall_s": wall, "peak_mb": peak_mb, "rows": rows}


def measure(method: str, path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--one", method, str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, action="append", help="rows per file (repeatable)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--methods", default=",".join(METHODS), help="comma-separated subset")
    parser.add_argument("--one", nargs=2, metavar=("METHOD", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        sys.path.insert(0, str(ROOT))
        print(json.dumps(run_one(args.one[0], Path(args.one[1]))))
        return
    methods = [m for m in args.methods.split(",") if m]
    print(
        f"{'rows':>11} {'method':<22} {'wall s':>8} {'peak MB':>9} {'x pandas wall':>14} {'x pandas mem':>13}"
    )
    for rows in args.rows or [1_000_000, 10_000_000]:
        path = generate(rows)
        size_mb = path.stat().st_size / 1e6
        results: dict[str, list[dict[str, float]]] = {m: [] for m in methods}
        for _ in range(args.rounds):
            for method in methods:  # alternate: each round runs every method once
                results[method].append(measure(method, path))
        medians = {
            m: {k: statistics.median(r[k] for r in runs) for k in ("wall_s", "peak_mb")}
            for m, runs in results.items()
        }
        base = medians.get("pandas.read_csv")
        for method in methods:
            med = medians[method]
            ratio_w = f"{med['wall_s'] / base['wall_s']:.2f}" if base else "-"
            ratio_m = f"{med['peak_mb'] / base['peak_mb']:.2f}" if base else "-"
            print(
                f"{rows:>11,} {method:<22} {med['wall_s']:>8.2f} {med['peak_mb']:>9.0f} {ratio_w:>14} {ratio_m:>13}"
            )
        print(f"{'':>11} (file {size_mb:,.0f} MB, medians of {args.rounds} rounds)")


if __name__ == "__main__":
    main()
