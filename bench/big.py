"""Big-table benchmark (issue #7): upload -> profile -> answers -> sandbox -> first page, one run.

    .venv/bin/python bench/big.py                        # 1M and 10M rows, 1 round
    .venv/bin/python bench/big.py --rows 1000000 --rounds 3

For each size, three fresh subprocesses per round (methods alternate within a round):
- `decipher`: Session.load + profiles (upload to profile shown), the Arrow hand-over export,
  the first question (zygote start + table mapping + run), later planner answers (or, until the
  planner lands, `Session.run` of the `sql()` GROUP BY it would write), sandbox per-run costs,
  zygote memory, and an LLM answer against tests/fake_openai.py (instant replies) whose
  non-model time is the ask's wall time minus the client's measured request time.
- `duckdb`: raw in-memory DuckDB, CREATE TABLE AS read_csv, then the same GROUP BYs.
- `pandas`: pandas.read_csv, then the same groupbys on the frame.
Then the Streamlit app's cold start (`streamlit run` until GET / is 200 and /_stcore/health is
ok, and until the first element renders in headless Chromium when Playwright is available) and
the engine's import time. Medians across rounds; ratios are to pandas. The CSV generator is
bench/load.py's (files cached in bench/data/). No timing is asserted anywhere.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load import generate  # noqa: E402 - bench/load.py, the shared CSV generator

# (question, SQL over `df`, pandas on a frame): the aggregations a planner writes as sql().
QUESTIONS: list[tuple[str, str, Callable[[Any], Any]]] = [
    (
        "average amount by region",
        "SELECT region, avg(amount) AS amount FROM df GROUP BY region ORDER BY amount DESC",
        lambda f: f.groupby("region")["amount"].mean().sort_values(ascending=False),
    ),
    (
        "total amount by grade",
        "SELECT grade, sum(amount) AS amount FROM df GROUP BY grade ORDER BY amount DESC",
        lambda f: f.groupby("grade")["amount"].sum().sort_values(ascending=False),
    ),
    (
        "number of rows by region",
        "SELECT region, count(*) AS n FROM df GROUP BY region ORDER BY n DESC",
        lambda f: f.groupby("region").size().sort_values(ascending=False),
    ),
    (
        "maximum amount by region",
        "SELECT region, max(amount) AS amount FROM df GROUP BY region ORDER BY amount DESC",
        lambda f: f.groupby("region")["amount"].max().sort_values(ascending=False),
    ),
    (
        "average amount by grade",
        "SELECT grade, avg(amount) AS amount FROM df GROUP BY grade ORDER BY amount DESC",
        lambda f: f.groupby("grade")["amount"].mean().sort_values(ascending=False),
    ),
]
RENDERED = '[data-testid="stMainBlockContainer"] [data-testid="stElementContainer"]'
REPEATS = 2  # each later question runs this many times: "median of several after the first"
SANDBOX_RUNS = 7
LLM_ASKS = 5
LLM_CODE = (
    "result = sql('SELECT region, avg(amount) AS average_amount FROM df "
    "GROUP BY region ORDER BY average_amount DESC')"
)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _med(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def proc_memory_mb(pid: int) -> dict[str, float]:
    """VmRSS, VmHWM (peak) and RssAnon from /proc/PID/status, Pss from smaps_rollup (shared
    pages split between the zygote and its children)."""
    out: dict[str, float] = {}
    for file, keys in (("status", ("VmRSS", "VmHWM", "RssAnon")), ("smaps_rollup", ("Pss",))):
        try:
            text = Path(f"/proc/{pid}/{file}").read_text()
        except OSError:
            continue
        for line in text.splitlines():
            key, _, rest = line.partition(":")
            if key in keys:
                out[key] = int(rest.split()[0]) / 1024
    return out


# -- the measurements, each in its own process -------------------------------------------------
def run_pandas(path: Path) -> dict[str, Any]:
    import pandas as pd

    load_s, frame = _timed(lambda: pd.read_csv(path))
    out: dict[str, Any] = {"load_s": load_s, "load_peak_mb": _peak_mb(), "rows": len(frame)}
    out["first_answer_s"], _ = _timed(lambda: QUESTIONS[0][2](frame))
    later = [_timed(lambda q=q: q[2](frame))[0] for _ in range(REPEATS) for q in QUESTIONS[1:]]
    out["answer_s"] = _med(later)
    return out


def run_duckdb(path: Path) -> dict[str, Any]:
    import duckdb

    con = duckdb.connect(config={"autoinstall_known_extensions": False})
    con.execute("SET enable_progress_bar = false")
    load_s, _ = _timed(lambda: con.execute(f"CREATE TABLE df AS SELECT * FROM read_csv('{path}')"))
    out: dict[str, Any] = {"load_s": load_s, "load_peak_mb": _peak_mb()}
    import pandas  # noqa: F401 - .df() imports it on first use; the sandbox has it preloaded

    out["rows"] = con.execute("SELECT count(*) FROM df").fetchall()[0][0]
    out["first_answer_s"], _ = _timed(lambda: con.sql(QUESTIONS[0][1]).df())
    later = [
        _timed(lambda q=q: con.sql(q[1]).df())[0] for _ in range(REPEATS) for q in QUESTIONS[1:]
    ]
    out["answer_s"] = _med(later)
    return out


def _planner_available() -> bool:
    try:
        from engine.planner import plan  # noqa: F401
    except ImportError:
        return False
    return True


def run_decipher(path: Path) -> dict[str, Any]:
    from engine.config import load_settings
    from engine.session import Session

    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-big-") as work:
        session = Session(load_settings(env={}), work_dir=Path(work))
        out["load_only_s"], (table,) = _timed(lambda: session.load(path))
        out["profile_s"], _ = _timed(session.profiles)
        out["load_s"] = out["load_only_s"] + out["profile_s"]
        out["load_peak_mb"] = _peak_mb()
        out["rows"] = table.rows
        out["arrow_export_s"], arrow = _timed(lambda: session.catalog.arrow_file(table.name))
        out["arrow_mb"] = arrow.stat().st_size / 1e6
        _answers(session, out)
        _sandbox_costs(session, out)
        _llm_answers(session, out)
        out["app_rss_mb"] = proc_memory_mb(os.getpid()).get("VmRSS")
        out["app_peak_mb"] = _peak_mb()
        session.close()
    return out


def _answer(session: Any, question: str, sql: str, planner: bool) -> tuple[float, str]:
    """One answer, timed end to end; returns (seconds, who answered)."""
    started = time.perf_counter()
    if planner:
        try:
            turn = session.ask(question, backend="planner")
        except Exception as exc:  # the planner is being written as this runs: report, go on
            print(f"planner crashed on {question!r}: {exc!r}", file=sys.stderr)
            seconds, _ = _answer(session, question, sql, planner=False)
            return seconds, f"run (planner crashed: {type(exc).__name__})"
        if turn.ok and turn.backend == "planner":
            style = "sql()" if "sql(" in (turn.code or "") else "pandas"
            return time.perf_counter() - started, f"planner ({style} code)"
        declined = time.perf_counter() - started
        print(f"planner did not answer {question!r}: {turn.result.error}", file=sys.stderr)
        seconds, _ = _answer(session, question, sql, planner=False)
        return declined + seconds, "run (planner declined)"
    turn = session.run(f"result = sql({sql!r})", question=question)
    if not turn.ok:
        raise RuntimeError(f"run failed for {question!r}: {turn.result.error}")
    return time.perf_counter() - started, "run"


def _answers(session: Any, out: dict[str, Any]) -> None:
    planner = _planner_available()
    first_s, who = _answer(session, QUESTIONS[0][0], QUESTIONS[0][1], planner)
    out["first_question_s"] = first_s  # zygote start + table mapping + run (export timed apart)
    out["answered_by"] = who
    out["zygote_mapped"] = proc_memory_mb(session.sandbox.worker_pid or 0)
    later = [
        _answer(session, q, sql, planner)
        for _ in range(REPEATS)
        for q, sql, _pandas in QUESTIONS[1:]
    ]
    out["answer_s"] = _med([s for s, _ in later])
    out["answered_by_later"] = sorted({w for _, w in later})
    # The alternative: the sql() GROUP BY a planner should write above big_table_rows.
    out["answer_sql_s"] = _med(
        [_answer(session, q, sql, planner=False)[0] for q, sql, _pandas in QUESTIONS[1:]]
    )


def _runs(session: Any, code: str, n: int) -> list[float]:
    times = []
    for _ in range(n):
        seconds, turn = _timed(lambda: session.run(code))
        if not turn.ok:
            raise RuntimeError(f"sandbox run failed for {code!r}: {turn.result.error}")
        times.append(seconds)
    return times


def _sandbox_costs(session: Any, out: dict[str, Any]) -> None:
    out["run_trivial_s"] = _med(_runs(session, "result = 1", SANDBOX_RUNS))
    out["run_sql_s"] = _med(
        _runs(session, "result = sql('SELECT avg(amount) AS a FROM df')", SANDBOX_RUNS)
    )
    (out["run_df_first_s"],) = _runs(session, "result = df['amount'].mean()", 1)
    out["zygote_with_df"] = proc_memory_mb(session.sandbox.worker_pid or 0)
    out["run_df_s"] = _med(_runs(session, "result = df['amount'].mean()", SANDBOX_RUNS))


def _llm_answers(session: Any, out: dict[str, Any]) -> None:
    from engine.prompt import messages_for_question
    from tests.fake_openai import FakeOpenAI, Reply

    reply = Reply(f"```python\n{LLM_CODE}\n```")
    with FakeOpenAI([reply] * (LLM_ASKS + 1)) as server:
        os.environ["OPENAI_BASE_URL"] = server.base_url
        os.environ["OPENAI_API_KEY"] = "bench-key"
        rows = []
        for _ in range(LLM_ASKS + 1):
            seconds, turn = _timed(
                lambda: session.ask("average amount by region?", backend="openai")
            )
            if not turn.ok:
                raise RuntimeError(f"LLM answer failed: {turn.result.error}")
            model_s = (turn.llm_ms or 0) / 1000
            rows.append((seconds, seconds - model_s, model_s, turn.result.elapsed_ms / 1000))
    out["llm_first_nonmodel_s"] = rows[0][1]  # includes `import openai` (~1.5 s, once)
    later = rows[1:]
    out["llm_total_s"] = _med([r[0] for r in later])
    out["llm_nonmodel_s"] = _med([r[1] for r in later])
    out["llm_model_s"] = _med([r[2] for r in later])
    out["llm_sandbox_s"] = _med([r[3] for r in later])
    prompts = [
        _timed(
            lambda: messages_for_question(
                "average amount by region?", session.profiles(), session.turns, session.settings
            )
        )[0]
        for _ in range(LLM_ASKS)
    ]
    out["llm_prompt_s"] = _med(prompts)


RUNNERS: dict[str, Callable[[Path], dict[str, Any]]] = {
    "decipher": run_decipher,
    "duckdb": run_duckdb,
    "pandas": run_pandas,
}


# -- the first page -------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status, response.read(200).decode(errors="replace")
    except (OSError, ValueError):
        return 0, ""


def first_page() -> dict[str, Any]:
    """`streamlit run` cold start: until GET / is 200, /_stcore/health is ok, and the first
    element renders in headless Chromium (launched before the clock starts)."""
    if not (ROOT / "streamlit_app.py").exists():
        return {"pending": "streamlit_app.py does not exist yet"}
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return _first_page(None)
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        return _first_page(None)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=["--no-sandbox"])
        try:
            return _first_page(browser.new_page())
        finally:
            browser.close()


def _first_page(page: Any) -> dict[str, Any]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless",
           "true", "--server.port", str(port), "--browser.gatherUsageStats", "false"]  # fmt: skip
    env = dict(os.environ, DECIPHER_DATA_DIR=tempfile.mkdtemp(prefix="bench-big-app-"))
    out: dict[str, Any] = {}
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = started + 60
        while time.perf_counter() < deadline and ("root_s" not in out or "health_s" not in out):
            if "root_s" not in out and _get(base + "/")[0] == 200:
                out["root_s"] = time.perf_counter() - started
            if "health_s" not in out and _get(base + "/_stcore/health")[1].strip() == "ok":
                out["health_s"] = time.perf_counter() - started
            time.sleep(0.02)
        if page is None:
            out["render_note"] = "no playwright or /usr/bin/chromium: health only"
        else:
            out["render_s"], out["render_note"] = _first_render(page, base, started)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    return out


def _first_render(page: Any, url: str, started: float) -> tuple[float | None, str]:
    """Seconds until the app's script has drawn its first element in the main area."""
    from playwright.sync_api import Error

    try:
        page.goto(url)
        page.wait_for_selector(RENDERED, timeout=60_000)
        seconds = time.perf_counter() - started
        if page.query_selector('[data-testid="stException"]'):
            return seconds, "the page shows an exception"
        return seconds, ""
    except Error as exc:
        return None, f"no element rendered: {str(exc).splitlines()[0]}"


def engine_import_s() -> float:
    code = "import time; t=time.perf_counter(); import engine.session, engine.catalog; print(time.perf_counter()-t)"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip())


# -- orchestration -------------------------------------------------------------------------------
def measure(method: str, path: Path) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, __file__, "--one", method, str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=3600,
    )
    if proc.returncode != 0:
        tail = (proc.stderr or "").strip().splitlines()[-3:]
        return {"failed": " | ".join(tail) or f"exit {proc.returncode}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def medians(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Per key: the median of numbers, the first value otherwise (nested dicts likewise)."""
    merged: dict[str, Any] = {}
    for key in {k for r in runs for k in r}:
        values = [r[key] for r in runs if key in r]
        if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            merged[key] = statistics.median(values)
        elif all(isinstance(v, dict) for v in values):
            merged[key] = medians(values)
        else:
            merged[key] = values[0]
    return merged


# (label, key in each method's result, format); "a.b" reaches into a nested dict; a key
# missing from duckdb/pandas prints "-". Numbers 1-5 are issue #7's figures.
TABLE: list[tuple[str, str, str]] = [
    ("1 upload->profile s (others: read_csv alone)", "load_s", ".2f"),
    ("    of which load s", "load_only_s", ".2f"),
    ("    of which profile s", "profile_s", ".2f"),
    ("1 peak RSS during upload->profile MB", "load_peak_mb", ",.0f"),
    ("1 Arrow hand-over export s (paid by question 1)", "arrow_export_s", ".2f"),
    ("    Arrow file MB", "arrow_mb", ",.0f"),
    ("2 first question s (zygote start+map+run)", "first_question_s", ".3f"),
    ("2 later answers, median s", "answer_s", ".3f"),
    ("2 later answers as Session.run(sql GROUP BY) s", "answer_sql_s", ".3f"),
    ("3 LLM ask total s (fake server, median)", "llm_total_s", ".3f"),
    ("3   model time (client request) s", "llm_model_s", ".3f"),
    ("3   non-model time s (total - model)", "llm_nonmodel_s", ".3f"),
    ("3     of which prompt building s", "llm_prompt_s", ".4f"),
    ("3     of which sandbox run s", "llm_sandbox_s", ".3f"),
    ("3   first LLM ask non-model s (imports openai)", "llm_first_nonmodel_s", ".3f"),
    ("4 sandbox run `result = 1` s", "run_trivial_s", ".3f"),
    ("4 sandbox run sql('SELECT avg(amount) ..') s", "run_sql_s", ".3f"),
    ("4 sandbox first run using df (frame built) s", "run_df_first_s", ".3f"),
    ("4 sandbox later run using df s", "run_df_s", ".3f"),
    ("4 zygote, tables mapped: VmRSS MB", "zygote_mapped.VmRSS", ",.0f"),
    ("4   RssAnon MB", "zygote_mapped.RssAnon", ",.0f"),
    ("4   Pss MB", "zygote_mapped.Pss", ",.0f"),
    ("4 zygote, df frame built: VmRSS MB", "zygote_with_df.VmRSS", ",.0f"),
    ("4   RssAnon MB", "zygote_with_df.RssAnon", ",.0f"),
    ("4   Pss MB", "zygote_with_df.Pss", ",.0f"),
    ("4   VmHWM (peak RSS) MB", "zygote_with_df.VmHWM", ",.0f"),
    ("  app process RSS at the end MB", "app_rss_mb", ",.0f"),
]


def _get_key(result: dict[str, Any], key: str) -> Any:
    for part in key.split("."):
        result = result.get(part) if isinstance(result, dict) else None  # type: ignore[assignment]
    return result


def _f(value: Any, fmt: str) -> str:
    return format(value, fmt) if isinstance(value, int | float) else "-"


def print_table(
    rows: int, size_mb: float, res: dict[str, dict[str, Any]], rounds: int, load: str
) -> None:
    print(f"\n{rows:,} rows (CSV {size_mb:,.0f} MB), medians of {rounds} round(s), load avg {load}")
    for name, result in res.items():
        if "failed" in result:
            print(f"  !! {name} failed: {result['failed']}")
    d = res["decipher"]
    print(f"  answers by: {d.get('answered_by')} (first), {d.get('answered_by_later')} (later)")
    print(f"  {'figure':<48} {'decipher':>9} {'duckdb':>9} {'pandas':>9} {'x pandas':>9}")
    for label, key, fmt in TABLE:
        values = [_get_key(res[m], key) for m in ("decipher", "duckdb", "pandas")]
        if key == "first_question_s":  # the baselines' first GROUP BY
            values[1:] = [res[m].get("first_answer_s") for m in ("duckdb", "pandas")]
        base, mine = values[2], values[0]
        ratio = f"{mine / base:.2f}" if isinstance(mine, int | float) and base else "-"
        cells = " ".join(f"{_f(v, fmt):>9}" for v in values)
        print(f"  {label:<48} {cells} {ratio:>9}")


def _times(value: Any, factor: float) -> Any:
    return value * factor if isinstance(value, int | float) else None


def _verdict(value: Any, limit: float) -> bool | None:
    return value <= limit if isinstance(value, int | float) else None


def summary(
    res: dict[str, dict[str, Any]], rows: int, page: dict[str, Any], import_s: float
) -> None:
    d, p = res["decipher"], res["pandas"]
    dl, pl, dm, pm = (
        d.get("load_s"),
        p.get("load_s"),
        d.get("load_peak_mb"),
        p.get("load_peak_mb"),
    )
    ok_numbers = all(isinstance(v, int | float) for v in (dl, pl, dm, pm))
    render = page.get("render_s")
    first = render if isinstance(render, float) else None
    checks = [
        ("upload->profile time <= pandas.read_csv",
         f"{dl:.1f} s vs {pl:.1f} s ({dl / pl:.2f}x)" if ok_numbers else "-",
         _verdict(dl / pl, 1.0) if ok_numbers else None),
        ("upload->profile peak <= 0.5x pandas",
         f"{dm:,.0f} MB vs {pm:,.0f} MB ({dm / pm:.2f}x)" if ok_numbers else "-",
         _verdict(dm / pm, 0.5) if ok_numbers else None),
        (f"planner answer median < 0.5 s ({d.get('answered_by_later')})",
         f"{_f(d.get('answer_s'), '.3f')} s", _verdict(d.get("answer_s"), 0.5)),
        ("LLM non-model time < 0.3 s", f"{_f(d.get('llm_nonmodel_s'), '.3f')} s",
         _verdict(d.get("llm_nonmodel_s"), 0.3)),
        ("sandbox per-run < 50 ms", f"{_f(_times(d.get('run_trivial_s'), 1000), '.0f')} ms",
         _verdict(d.get("run_trivial_s"), 0.05)),
        ("zygote memory reported",
         f"Pss {_f(_get_key(d, 'zygote_mapped.Pss'), ',.0f')} MB mapped, "
         f"{_f(_get_key(d, 'zygote_with_df.Pss'), ',.0f')} MB with df", None),
        ("first page < 3 s (cold start to first element)",
         page.get("pending") or f"{_f(first, '.2f')} s (health ok {_f(page.get('health_s'), '.2f')} s)",
         _verdict(first, 3.0)),
    ]  # fmt: skip
    print(f"\nSummary against issue #7 at {rows:,} rows (engine import {import_s:.2f} s):")
    for target, measured, ok in checks:
        verdict = {True: "met", False: "NOT met", None: "-"}[ok]
        print(f"  {target:<52} {measured:<40} {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, action="append", help="rows per file (repeatable)")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--no-page", action="store_true", help="skip the Streamlit cold start")
    parser.add_argument("--one", nargs=2, metavar=("METHOD", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(RUNNERS[args.one[0]](Path(args.one[1])), default=str))
        return
    print(f"bench/big.py  {time.strftime('%Y-%m-%d %H:%M:%S')}  cores {os.cpu_count()}  "
          f"planner {'present' if _planner_available() else 'absent: Session.run(sql GROUP BY) instead'}")  # fmt: skip
    results: dict[int, dict[str, dict[str, Any]]] = {}
    for rows in args.rows or [1_000_000, 10_000_000]:
        path = generate(rows)
        before = os.getloadavg()[0]
        runs: dict[str, list[dict[str, Any]]] = {m: [] for m in RUNNERS}
        for _ in range(args.rounds):
            for method in RUNNERS:  # alternate: every method once per round
                runs[method].append(measure(method, path))
        results[rows] = {m: medians(r) for m, r in runs.items()}
        load = f"{before:.1f} -> {os.getloadavg()[0]:.1f}"
        print_table(rows, path.stat().st_size / 1e6, results[rows], args.rounds, load)
    pages = [] if args.no_page else [first_page() for _ in range(args.rounds)]
    page = medians(pages) if pages else {"pending": "skipped (--no-page)"}
    import_s = statistics.median(engine_import_s() for _ in range(3))
    shown = {k: round(v, 2) if isinstance(v, float) else v for k, v in page.items()}
    print(f"\n5 first page (streamlit run, headless): {shown}")
    print(f"5 engine import (engine.session, engine.catalog): {import_s:.2f} s")
    summary(results[max(results)], max(results), page, import_s)


if __name__ == "__main__":
    main()
