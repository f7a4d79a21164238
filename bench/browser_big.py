"""The browser journey on a big file (issue #7): upload, ask, chart, export, reload, Data page.

    .venv/bin/python bench/browser_big.py                   # the 10M-row, ~850 MB CSV
    .venv/bin/python bench/browser_big.py --rows 1000000    # a quicker check

A real `streamlit run` (planner backend, its own data directory) and headless Debian Chromium
(/usr/bin/chromium through Playwright), the same harness as tests/test_browser_app.py. The CSV
is bench/load.py's generator (cached in bench/data/). Each step is timed from the user's action
until the page shows its result; the server's process tree (app + sandbox zygote) is sampled for
memory every 0.2 s. It fails loudly (exit 1, a screenshot in test-artifacts/) if a step does not
complete or shows the wrong answer. No timing is asserted.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import re
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load import generate  # noqa: E402 - bench/load.py, the shared CSV generator

from tests.browser_support import AppServer, chromium, screenshot  # noqa: E402

QUESTION = "average amount by region"
STEP_TIMEOUT_MS = (
    int(os.environ.get("BROWSER_BIG_STEP_S", "1200")) * 1000
)  # 1 GB upload, busy machine


def tree_rss_mb(root_pid: int) -> tuple[float, float]:
    """(RSS of the app process, RSS of all its descendants) in MB, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        pid, ppid = int(entry.name), int(fields.get("PPid", "0").strip())
        children.setdefault(ppid, []).append(pid)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0]) / 1024
    below, todo = 0.0, list(children.get(root_pid, []))
    while todo:
        pid = todo.pop()
        below += rss.get(pid, 0.0)
        todo.extend(children.get(pid, []))
    return rss.get(root_pid, 0.0), below


class MemorySampler(threading.Thread):
    """Peak RSS of the app process, and of the app plus its sandbox processes, over the run."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.app_peak, self.total_peak, self.app_last = pid, 0.0, 0.0, 0.0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            app, below = tree_rss_mb(self.pid)
            self.app_peak, self.app_last = max(self.app_peak, app), app
            self.total_peak = max(self.total_peak, app + below)
            self._done.wait(0.2)

    def stop(self) -> None:
        self._done.set()
        self.join()


def idle(page: Any) -> None:
    """Wait until no script run is in progress (typing into a rerunning page can be lost)."""
    page.wait_for_timeout(300)
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden")


def journey(page: Any, path: Path, rows: int, steps: list[tuple[str, float, str]]) -> None:
    """The user's steps, each timed until the page shows the expected result."""
    sidebar = page.get_by_test_id("stSidebar")
    table = path.stem

    def step(name: str, started: float, detail: str = "") -> None:
        steps.append((name, time.perf_counter() - started, detail))
        print(f"  {name:<44} {steps[-1][1]:8.2f} s  {detail}", flush=True)

    started = time.perf_counter()
    sidebar.locator("input[type=file]").set_input_files(str(path))
    sidebar.get_by_text(re.compile(rf"^{table} · {rows:,} rows × 9 columns$")).wait_for()
    step("upload -> table listed (copy + load)", started, f"{path.stat().st_size / 1e6:,.0f} MB")

    idle(page)
    started = time.perf_counter()
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(QUESTION)
    box.press("Enter")
    caption = re.compile(
        r"^offline planner · run [\d,]+ ms · .* · Mean of amount, grouped by region$"
    )
    page.get_by_text(caption).wait_for()
    last = page.get_by_test_id("stChatMessage").last
    last.get_by_test_id("stPlotlyChart").locator(".main-svg").first.wait_for()
    shown = last.get_by_text(caption).inner_text()
    if not last.get_by_text("5 rows × 2 columns").is_visible():
        raise AssertionError("the answer does not show the 5 regions")
    step("first question -> table and chart shown", started, shown.split(" · ")[1])

    started = time.perf_counter()
    with page.expect_download() as info:
        last.get_by_test_id("stDownloadButton").filter(has_text="CSV").click()
    exported = list(csv.reader(io.StringIO(Path(info.value.path()).read_text())))
    if exported[0] != ["region", "amount"] or len(exported) != 6:
        raise AssertionError(f"unexpected CSV export: {exported[:3]}")
    regions = sorted(r[0] for r in exported[1:])
    step("export result as CSV", started, f"{len(exported) - 1} rows: {', '.join(regions)}")

    idle(page)
    started = time.perf_counter()
    box.fill("total amount by grade")
    box.press("Enter")
    grade = re.compile(r"^offline planner · run .* · Total of amount, grouped by grade$")
    page.get_by_text(grade).wait_for()
    answer = page.get_by_test_id("stChatMessage").filter(has_text="Total of amount").last
    answer.get_by_test_id("stPlotlyChart").locator(".main-svg").first.wait_for()
    run_ms = answer.get_by_text(grade).inner_text().split(" · ")[1]
    step("second question -> table and chart shown", started, run_ms)

    started = time.perf_counter()
    url = page.url
    page.reload()
    page.get_by_test_id("stChatInputTextArea").wait_for()
    sidebar.get_by_text(re.compile(rf"^{table} · {rows:,} rows")).wait_for()
    page.get_by_test_id("stChatMessage").filter(has_text=QUESTION).first.wait_for()
    page.get_by_test_id("stPlotlyChart").last.wait_for()
    if page.url != url:
        raise AssertionError(f"reload changed the session: {url} -> {page.url}")
    step("reload -> table and both answers back", started)

    started = time.perf_counter()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Data").click()
    page.get_by_text(re.compile(rf"{rows:,} rows")).first.wait_for()
    page.get_by_test_id("stDataFrame").first.wait_for()
    step("Data page -> profile shown", started)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=10_000_000)
    args = parser.parse_args()
    path = generate(args.rows)
    print(f"bench/browser_big.py  {time.strftime('%Y-%m-%d %H:%M:%S')}  cores {os.cpu_count()}  "
          f"load avg {os.getloadavg()[0]:.1f}  file {path.name} ({path.stat().st_size / 1e6:,.0f} MB)")  # fmt: skip
    steps: list[tuple[str, float, str]] = []
    with tempfile.TemporaryDirectory(prefix="bench-browser-big-") as work:
        server = AppServer(Path(work) / "data")
        sampler = MemorySampler(server.process.pid)
        sampler.start()
        failed = False
        try:
            with chromium() as browser:
                context = browser.new_context(
                    accept_downloads=True, viewport={"width": 1400, "height": 1000}
                )
                page = context.new_page()
                page.set_default_timeout(STEP_TIMEOUT_MS)
                page.goto(server.url)
                page.get_by_test_id("stChatInputTextArea").wait_for()
                try:
                    journey(page, path, args.rows, steps)
                except Exception:
                    failed = True
                    print(f"screenshot: {screenshot(page, 'browser_big-failure')}")
                    print(f"--- streamlit log ---\n{server.output()}")
                    raise
                finally:
                    context.close()
        finally:
            sampler.stop()
            server.stop()
    print(f"\n{'step':<44} {'seconds':>8}")
    for name, seconds, _detail in steps:
        print(f"{name:<44} {seconds:8.2f}")
    print(f"{'peak RSS, app process (MB)':<44} {sampler.app_peak:8,.0f}")
    print(f"{'peak RSS, app + sandbox processes (MB)':<44} {sampler.total_peak:8,.0f}")
    print(f"{'RSS, app process at the end (MB)':<44} {sampler.app_last:8,.0f}")
    print("journey:", "FAILED" if failed else "complete")


if __name__ == "__main__":
    main()
