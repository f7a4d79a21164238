"""Sandbox benchmark (issues #3 and #7): what a run costs in the sandbox vs plain in-process code.

    .venv/bin/python bench/sandbox.py                     # 1M and 10M rows, 15 runs each
    .venv/bin/python bench/sandbox.py --rows 1000000 --runs 30

For each table size: zygote start-up (spawn, imports, layer probe) and its RSS, then the median
wall time of the same code run (a) through `Sandbox.run` (fork + confine + its own output
folder + exec + result and files back) and (b) by plain `exec` in this process over the same
Arrow file as a pandas frame / DuckDB view. Targets (issue #3): per-run overhead <= 25 ms at 1M rows and <= 50 ms at 10M.
Tables are generated with DuckDB into bench/data/ (git-ignored). Nothing here is asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"

# (label, code). The first is the bare per-run cost; the others touch the table.
CASES = (
    ("trivial (result = 1)", "result = 1"),
    ("df referenced (len(df))", "result = len(df)"),
    ("df groupby-sum", "result = df.groupby('region')['amount'].sum()"),
    (
        "sql() groupby-sum",
        "result = sql('SELECT region, sum(amount) AS amount FROM df GROUP BY 1 ORDER BY 1')",
    ),
    ("df head(1000) table", "result = df.head(1000)"),
    # issue 14: a file written into the run's folder comes back with the answer
    ("writes a 1,000-row CSV file", "df.head(1000).to_csv('top.csv', index=False)\nresult = 1"),
)


def generate(rows: int) -> Path:
    """An Arrow IPC file like a loaded table: ints, floats with NULLs, dates, text, categories."""
    import duckdb
    import pyarrow as pa

    path = DATA / f"sandbox_{rows}.arrow"
    if path.exists():
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    reader = duckdb.sql(
        f"""
        SELECT range AS id,
               (hash(range) % 1000)::INT AS int_col,
               CASE WHEN range % 17 = 0 THEN NULL
                    ELSE round((hash(range * 3) % 100000) / 100.0, 2) END AS amount,
               DATE '2015-01-01' + (range % 3650)::INT AS day,
               'customer_' || (hash(range * 7) % 50000)::VARCHAR AS customer,
               ['North', 'South', 'East', 'West', 'Europe'][(range % 5) + 1] AS region
        FROM range({rows})
        """
    ).to_arrow_reader(1_000_000)
    tmp = path.with_suffix(".tmp")
    with pa.OSFile(str(tmp), "wb") as sink, pa.ipc.new_file(sink, reader.schema) as writer:
        for batch in reader:
            writer.write_batch(batch)
    tmp.rename(path)
    return path


def timed_ms(fn: Callable[[], Any], runs: int) -> tuple[float, float]:
    """(median, best) wall milliseconds; on a shared machine `best` is the uncontended cost."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), min(times)


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="utf-8") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def plain_runner(arrow_path: Path) -> Callable[[str], Any]:
    """`exec` in this process with `df` and `sql` over the same data (frame built once)."""
    import duckdb
    import pandas as pd
    import pyarrow as pa

    table = pa.ipc.open_file(pa.memory_map(str(arrow_path))).read_all()
    frame = table.to_pandas()
    con = duckdb.connect(config={"enable_external_access": False})
    con.register("df", table)

    def sql(query: str) -> Any:
        return con.sql(query).df()

    folder = tempfile.mkdtemp(prefix="decipher-bench-")  # where in-process code writes files

    def run(code: str) -> Any:
        ns = {"df": frame, "sql": sql, "pd": pd}
        here = os.getcwd()
        os.chdir(folder)
        try:
            exec(compile(code, "<bench>", "exec"), ns)  # noqa: S102 - trusted bench code
        finally:
            os.chdir(here)
        return ns.get("result")

    return run


def bench_rows(rows: int, runs: int) -> list[tuple[str, str, str, str]]:
    from engine.config import load_settings
    from engine.results import answer_from_values
    from engine.sandbox import Sandbox, SandboxTable

    path = generate(rows)
    out: list[tuple[str, str, str, str]] = []
    with tempfile.TemporaryDirectory() as work:
        settings = load_settings(env={}, data_dir=work, sandbox_timeout_s=300.0)
        started = time.perf_counter()
        box = Sandbox([SandboxTable("data", path, "data.csv")], settings)
        layers = box.layers  # waits for the zygote: spawn, imports, probe
        startup = (time.perf_counter() - started) * 1000
        with box:
            out.append(("zygote start-up", f"{startup:,.0f}", "", layers.summary()))
            box.run("result = 1")  # maps the tables
            out.append(("zygote RSS, tables mapped", f"{rss_mb(box.worker_pid):,.0f} MB", "", ""))
            started = time.perf_counter()
            first = box.run("result = len(df)")
            first_ms = (time.perf_counter() - started) * 1000
            assert first.ok, first.error
            out.append(("first df run (frame built)", f"{first_ms:,.0f}", "", "once per session"))
            out.append(("zygote RSS, df built", f"{rss_mb(box.worker_pid):,.0f} MB", "", ""))
            plain = plain_runner(path)
            for label, code in CASES:
                check = box.run(code)
                assert check.ok, (label, check.error)
                boxed, boxed_best = timed_ms(lambda code=code: box.run(code), runs)

                def in_process(code: str = code) -> Any:
                    return answer_from_values(plain(code), None, "", 1000)

                raw, raw_best = timed_ms(in_process, runs)
                out.append(
                    (
                        label,
                        f"{boxed:,.1f} / {boxed_best:,.1f}",
                        f"{raw:,.1f} / {raw_best:,.1f}",
                        f"+{boxed - raw:,.1f} / +{boxed_best - raw_best:,.1f} ms",
                    )
                )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="table size (repeatable)")
    parser.add_argument("--runs", type=int, default=15, help="runs per measurement (median)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))  # run as a script from anywhere
    sizes = args.rows or [1_000_000, 10_000_000]
    lines = [
        "Timed rows: median / best of --runs; load average at start: "
        + " ".join(f"{x:.1f}" for x in os.getloadavg()),
        "",
        "| rows | measure | sandbox ms | in-process ms | overhead (median / best) or note |",
        "|---|---|---|---|---|",
    ]
    for rows in sizes:
        for label, boxed, raw, note in bench_rows(rows, args.runs):
            lines.append(f"| {rows:,} | {label} | {boxed} | {raw} | {note} |")
    print("\n".join(lines))  # noqa: T201 - a bench prints its table


if __name__ == "__main__":
    main()
