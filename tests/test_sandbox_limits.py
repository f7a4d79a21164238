"""Limits, survival, state isolation across runs, and degraded hosts, on the real sandbox (issue #3).

Denial of service (CPU, memory, fork, threads, output, result size, recursion) must end as the
right error kind with no process left behind; crashes and a killed zygote must not reach the
app; nothing a run changes may reach the next run or the Arrow file.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.sandbox_support import ROOT, descendants, file_hash, load_tables


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    return load_tables(tmp_path_factory.mktemp("limits"))


@pytest.fixture(scope="module")
def sandbox(tables: list[Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from engine.config import load_settings
    from engine.sandbox import Sandbox

    settings = load_settings(
        env={},
        data_dir=str(tmp_path_factory.mktemp("data")),
        sandbox_memory_mb=512,
        sandbox_timeout_s=5.0,
        max_output_bytes=50_000,
        max_result_mb=4,
        sandbox_isolation="full",  # this host has every layer: 'full' must run, not refuse
    )
    with Sandbox(tables, settings) as box:
        yield box


def _no_leftovers(sandbox: Any) -> None:
    deadline = time.monotonic() + 5
    while descendants(sandbox.worker_pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert descendants(sandbox.worker_pid) == set()


DOS: list[tuple[str, str, str]] = [
    ("endless-loop", "while True:\n    pass", "timeout"),
    (
        "ignores-sigterm",
        "import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nwhile True:\n    pass",
        "timeout",
    ),
    ("sleep", "import time\ntime.sleep(60)", "timeout"),
    (
        "busy-threads",
        "import threading\ndef spin():\n    while True:\n        pass\n"
        "for _ in range(4):\n    threading.Thread(target=spin, daemon=True).start()\n"
        "while True:\n    pass",
        "timeout",
    ),
    ("bytearray-bomb", "x = bytearray(8 * 1024**3)", "memory"),
    ("numpy-bomb", "x = np.ones((30_000, 30_000))", "memory"),
    ("list-growth", "x = []\nwhile True:\n    x.append(' ' * 10**7)", "memory"),
    ("pandas-bomb", "x = pd.concat([df] * 100_000)", "memory"),
    ("fork-bomb", "import os\nwhile True:\n    os.fork()", "blocked"),
    ("huge-print", "while True:\n    print('x' * 1000)", "output"),
    ("huge-print-once", "print('y' * 10**7)", "output"),
    (
        "stderr-flood",
        "import sys\nfor _ in range(10**6):\n    sys.stderr.write('z' * 100)",
        "output",
    ),
    ("huge-text-result", "result = 'x' * (20 * 1024**2)", "output"),
    ("huge-table-result", "result = pd.DataFrame(np.zeros((2_000_000, 4)))", "output"),
    (
        "huge-figure-result",
        "result = go.Figure(go.Scatter(x=np.arange(2_000_000), y=np.arange(2_000_000)))",
        "output",
    ),
    ("recursion", "def f(n):\n    return f(n + 1)\nf(0)", "runtime"),
    (
        "deep-recursion-crash",
        "import sys\nsys.setrecursionlimit(10**8)\nx = []\nfor _ in range(200_000):\n    x = [x]\n"
        "result = repr(x)",
        "runtime",
    ),
    ("os-exit", "import os\nos._exit(3)", "runtime"),
    ("sys-exit", "import sys\nsys.exit(0)", "runtime"),
    ("exit-builtin", "exit()", "runtime"),
    ("segfault", "import ctypes\nctypes.string_at(1)", "runtime"),
    ("abort", "import os\nos.abort()", "runtime"),
    ("self-sigkill", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)", "memory"),
    (
        "thread-bomb",
        "import threading, time\nfor _ in range(100_000):\n"
        "    threading.Thread(target=time.sleep, args=(30,), daemon=True).start()",
        "runtime",
    ),
    (
        "catches-base-exception",
        "while True:\n    try:\n        print('x' * 10_000)\n    except BaseException:\n"
        "        pass",
        "output",
    ),
]


@pytest.mark.parametrize("code,kind", [(c, k) for _, c, k in DOS], ids=[n for n, _, _ in DOS])
def test_denial_of_service_is_bounded(sandbox: Any, code: str, kind: str) -> None:
    zygote = sandbox.worker_pid
    # Only the timeout cases wait for the clock; the others end by themselves (slowly when
    # the machine is busy), so they get room.
    run = sandbox.run(code, timeout_s=1.0 if kind == "timeout" else 20)
    assert not run.ok
    assert run.error.kind == kind, run.error
    assert len(run.stdout) <= 60_000
    _no_leftovers(sandbox)
    assert sandbox.worker_pid == zygote  # the zygote survived: no respawn needed
    assert sandbox.run("result = len(df)").answer.value == 5000


def test_timeout_message_says_what_to_do(sandbox: Any) -> None:
    run = sandbox.run("while True:\n    pass", timeout_s=0.5)
    assert "longer than 0.5 s" in run.error.message and "sandbox_timeout_s" in run.error.message


def test_crash_message_says_app_is_safe(sandbox: Any) -> None:
    run = sandbox.run("import ctypes\nctypes.string_at(1)")
    assert "segmentation fault" in run.error.message
    assert "unaffected" in run.error.message


def test_killed_zygote_is_respawned_and_keeps_results(sandbox: Any) -> None:
    assert sandbox.run("result = 'before-kill'").ok
    old = sandbox.worker_pid
    os.kill(old, signal.SIGKILL)
    run = sandbox.run("result = results[-1]")
    assert run.ok, run.error
    assert run.answer.value == "before-kill"
    assert sandbox.worker_pid not in (None, old)


STATE: list[tuple[str, str, str]] = [
    ("df-inplace", "df.drop(df.index, inplace=True)\ndf['x'] = 1", "result = df.shape"),
    ("df-values", "df.loc[:, 'quantity'] = -1", "result = int(df['quantity'].min())"),
    ("table-name", "sales.iloc[0, 0] = 999_999\ndel penguins", "result = len(penguins)"),
    ("set-option", "pd.set_option('display.max_rows', 1)", "result = pd.get_option('display.max_rows')"),
    ("monkeypatch", "pd.DataFrame.sum = lambda *a, **k: 'patched'", "result = str(df[['quantity']].sum().iloc[0])"),
    ("patch-sql", "import engine.sandbox.namespace as n\nn.sql_function = None", "result = sql('select 1 as one')['one'][0]"),
    ("sql-delete", "sql('DELETE FROM sales')", "result = sql('select count(*) AS n FROM sales')['n'][0]"),
    ("sql-update", "sql('UPDATE sales SET quantity = 0')", "result = sql('select sum(quantity) AS q FROM sales')['q'][0]"),
    ("sql-drop", "sql('DROP VIEW sales')\nsql('CREATE TABLE sales AS SELECT 1 AS x')", "result = sql('select count(*) AS n FROM sales')['n'][0]"),
    ("builtins", "import builtins\nbuiltins.len = lambda x: -1", "result = len(df)"),
    ("results-list", "results.clear()\nresults.append('forged')", "result = 'forged' not in [str(r) for r in results]"),
    ("sys-modules", "import sys\nsys.modules['pandas'] = None", "result = type(pd.DataFrame()).__name__"),
    ("numpy-seterr", "np.seterr(all='raise')", "result = float(np.float64(1) / np.float64(0))"),
]  # fmt: skip


@pytest.mark.parametrize(
    "tamper,check", [(t, c) for _, t, c in STATE], ids=[n for n, _, _ in STATE]
)
def test_state_does_not_leak_to_next_run(
    sandbox: Any, tables: list[Any], tamper: str, check: str
) -> None:
    before = {t.arrow_path: file_hash(t.arrow_path) for t in tables}
    sandbox.run("result = 'clean-marker'")
    expected = sandbox.run(check)
    sandbox.run(tamper + "\nresult = 'tampered'")
    after = sandbox.run(check)
    assert after.ok == expected.ok and after.answer == expected.answer, (expected, after)
    assert {t.arrow_path: file_hash(t.arrow_path) for t in tables} == before


def test_app_process_is_unchanged(sandbox: Any) -> None:
    import pandas as pd

    environ, cwd = dict(os.environ), os.getcwd()
    sandbox.run(
        "import os\nos.environ['PATH'] = ''\nos.chdir('/')\npd.set_option('display.width', 3)"
    )
    assert dict(os.environ) == environ and os.getcwd() == cwd
    assert pd.get_option("display.width") != 3


def test_layers_are_all_active_here(sandbox: Any) -> None:
    from engine.sandbox import probe_layers

    layers = sandbox.layers
    assert layers.active == ("process", "namespaces", "rlimits", "landlock", "seccomp")
    assert layers.complete and layers.summary().startswith("isolation: full")
    assert layers.landlock_abi >= 1
    assert probe_layers().to_json()["summary"] == layers.summary()


def test_full_isolation_runs_on_a_complete_host(sandbox: Any) -> None:
    assert sandbox.layers.complete
    assert sandbox.run("result = 1 + 1").answer.value == 2


# A degraded host, made real: this process loads a seccomp filter refusing unshare (as in a
# container without user namespaces) and Landlock (as on a kernel without it). The zygote and
# its children inherit the filter, so the sandbox's own probe meets a degraded kernel.
DEGRADED_HOST = textwrap.dedent(
    """
    import errno, json, sys
    from pathlib import Path
    import pyseccomp as sc
    flt = sc.SyscallFilter(sc.ALLOW)
    flt.add_rule(sc.ERRNO(errno.EPERM), "unshare")
    flt.add_rule(sc.ERRNO(errno.ENOSYS), "landlock_create_ruleset")
    flt.load()
    from engine.config import load_settings
    from engine.sandbox import Sandbox, SandboxTable
    tables = [SandboxTable(**t) for t in json.loads(sys.argv[1])]
    out = {}
    for mode in ("full", "require"):
        settings = load_settings(env={}, data_dir=sys.argv[2], sandbox_isolation=mode)
        with Sandbox(tables, settings) as box:
            run = box.run("result = open('/etc/hostname').read()[:0] + 'ran'")
            out[mode] = {
                "layers": box.layers.to_json(),
                "ok": run.ok,
                "value": run.answer.value if run.answer else None,
                "error": run.error.kind if run.error else None,
                "message": run.error.message if run.error else None,
            }
    print(json.dumps(out))
    """
)


@pytest.mark.slow
def test_degraded_host_refuses_or_reports(tables: list[Any], tmp_path: Path) -> None:
    specs = [
        {"name": t.name, "arrow_path": str(t.arrow_path), "source_name": t.source_name}
        for t in tables
    ]
    proc = subprocess.run(
        [sys.executable, "-c", DEGRADED_HOST, json.dumps(specs), str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    full, require = out["full"], out["require"]
    assert full["ok"] is False and full["error"] == "blocked"
    assert "lacks the sandbox's namespaces, landlock isolation" in full["message"]
    assert "set sandbox_isolation to 'require'" in full["message"]
    assert full["layers"]["namespaces"] is False and full["layers"]["landlock"] is False
    # 'require' runs with the layers the host has, and says which are missing.
    assert require["ok"] is True and require["value"] == "ran"
    assert require["layers"]["seccomp"] is True and require["layers"]["rlimits"] is True
    assert "missing: namespaces, landlock" in require["layers"]["summary"]
    assert any("Landlock" in note for note in require["layers"]["notes"])


class _Stopped(BaseException):
    """Stands in for Streamlit's StopException (a BaseException raised in a progress call)."""


def test_on_wait_hears_a_long_run_and_what_it_raises_stops_the_child(sandbox: Any) -> None:
    heard: list[float] = []
    slow = sandbox.run("import time\ntime.sleep(1.3)\nresult = 'done'", on_wait=heard.append)
    assert slow.ok and slow.answer.value == "done"
    assert len(heard) >= 2 and heard == sorted(heard)  # about every 0.5 s, seconds so far

    def stop_after_a_second(seconds: float) -> None:
        if seconds >= 1:
            raise _Stopped

    started = time.monotonic()
    with pytest.raises(_Stopped):
        sandbox.run("while True:\n    pass", timeout_s=60, on_wait=stop_after_a_second)
    assert time.monotonic() - started < 10  # not the 60 s timeout
    worker = sandbox.worker_pid
    assert worker is not None and descendants(worker) == set()  # the looping child is gone
    after = sandbox.run("result = 42")
    assert after.ok and after.answer.value == 42
    assert sandbox.worker_pid == worker  # the worker survived the stop


def test_the_apps_probe_agrees_with_the_worker_even_with_grpc_threads(sandbox: Any) -> None:
    """A Spark connection's gRPC starts threads in every child forked from the app, and a
    threaded child cannot enter a user namespace: a probe forked from the app said 'no
    namespaces' while the worker had them (found by the full suite). The app's probe runs in a
    fresh interpreter, like the worker, so it agrees; here with gRPC's fork handlers armed."""
    import grpc

    from engine.sandbox import layers, probe

    channel = grpc.insecure_channel("127.0.0.1:1")  # arms gRPC's fork handlers in this process
    try:
        with pytest.raises(grpc.FutureTimeoutError):
            grpc.channel_ready_future(channel).result(timeout=0.2)
        assert "namespaces" not in layers.probe_here().active  # forked from here: threaded
        probe._COMPLETE.clear()
        assert probe.probe_layers().active == sandbox.layers.active
    finally:
        channel.close()


def test_a_probe_that_misses_a_layer_is_not_kept(monkeypatch) -> None:
    """A probe that finds a layer missing is asked again next time (a host can recover: another
    process ended, a limit freed), and says which errno the kernel gave."""
    from engine.sandbox import probe

    monkeypatch.setattr(probe, "_COMPLETE", [])
    with monkeypatch.context() as patch:
        patch.setattr(probe.sys, "executable", "/nonexistent/python")
        broken = probe.probe_layers()
    assert broken.active == () and "could not be probed" in broken.notes[0]
    assert probe.probe_layers().complete  # asked again, not the failed result
