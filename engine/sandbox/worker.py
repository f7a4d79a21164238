"""The zygote: a pre-warmed worker that forks one confined child per run (issue #3).

Started by the supervisor as `python -m engine.sandbox.worker WORK_DIR` with a minimal
environment (no API key, no secrets). It imports the analysis stack once, maps the session's
Arrow tables, and then serves frames on its stdin/stdout (moved to private descriptors so nothing
the code prints at the C level can corrupt the channel):

    {"op": "tables", "tables": [...]}      map tables            -> {"event": "tables"}
    {"op": "results"} + blobs               earlier OK results    (no reply)
    {"op": "run", ...}                      fork a child          -> "started" (pid), "done"
    {"op": "remember"}                      keep the last result for `results`
    {"op": "databases", "tables": [...]}    database tables `sql()` reaches (no reply)
    {"op": "exit"}

Each child writes only into its own folder under `run/` (engine/sandbox/folder.py, issue 14).
matplotlib and scikit-learn are imported here only when some code first names them (about 1 s
and 0.5 s), so the zygote starts as fast as before and later children share them.
While a child runs, its database queries go up as {"event": "database", "sql"} and each
{"op": "database"} frame that answers goes down to it (engine/sandbox/database_link.py).
"""

from __future__ import annotations

import functools
import importlib
import os
import re
import shutil
import signal
import sys
import tempfile
from dataclasses import replace
from typing import Any, Final, NoReturn

from engine.sandbox import protocol
from engine.sandbox.layers import LAYER_NAMES, apply_all, prepare, probe_here

RUN_DIR: Final = "run"  # the mount point of each child's output folder, in the work directory
# Names that mean the code will draw with matplotlib (pandas' .plot/.hist use it too), or
# write a workbook (openpyxl: ~150 ms an import).
_MATPLOTLIB_NAMES: Final = frozenset(
    {"matplotlib", "matplotlib.pyplot", "plt", "pyplot", "plot", "hist", "boxplot", "savefig"}
)
_EXCEL_NAMES: Final = frozenset({"openpyxl", "to_excel", "ExcelWriter"})
_SKLEARN_MODULE: Final = re.compile(r"sklearn(\.[a-z][a-z0-9_]*)*")


def _preload() -> None:
    """Import what generated code reaches for, so each child starts with it (and pyseccomp:
    after Landlock it could not be loaded)."""
    import mimetypes

    mimetypes.init()  # reads /etc/mime.types, which a child cannot (openpyxl's save needs it)
    import duckdb  # noqa: F401 - connection made per child, after fork
    import numpy  # noqa: F401
    import pandas  # noqa: F401
    import plotly.express  # noqa: F401
    import plotly.graph_objects  # noqa: F401
    import plotly.io  # noqa: F401
    import plotly.subplots  # noqa: F401
    import pyarrow  # noqa: F401
    import pyseccomp  # noqa: F401
    import scipy.stats  # noqa: F401
    import statsmodels.api  # noqa: F401

    import engine.results  # noqa: F401
    import engine.sandbox.execute  # noqa: F401
    import engine.sandbox.namespace  # noqa: F401

    # Warm plotly's lazily loaded validators and templates: a cold px.bar in a child took
    # ~300 ms, warmed ~20 ms (issue #3).
    frame = pandas.DataFrame({"a": [1, 2], "b": [3.0, 4.0], "c": ["x", "y"]})
    for chart in (plotly.express.bar, plotly.express.line, plotly.express.scatter):
        chart(frame, x="a", y="b", color="c", title="t").to_json()
    plotly.express.histogram(frame, x="b").to_json()
    plotly.express.pie(frame, names="c", values="b").to_json()
    plotly.express.box(frame, x="c", y="b").to_json()
    plotly.subplots.make_subplots(rows=1, cols=2).to_json()

    # Warm pandas' lazily imported and initialised paths that generated code uses most, so
    # each child does not pay for them again.
    frame.groupby("c")["b"].agg(["sum", "mean", "count"])
    frame.groupby("c", as_index=False)["b"].sum().merge(frame, on="c")
    frame["c"].value_counts()
    frame.pivot_table(index="c", values="b", aggfunc="sum")
    pandas.to_datetime(pandas.Series(["2024-01-31", "2024-02-29"])).dt.to_period("M")
    frame.describe()
    frame.sort_values("b").head(1).to_dict("records")

    # Warm DuckDB's one-time initialisation (the first connect costs ~20 ms, later ones ~11),
    # then close: closing joins its threads, so the zygote forks with one thread only.
    con = duckdb.connect(":memory:", config={"threads": 1})
    con.register("t", pyarrow.table({"g": ["a", "b"], "v": [1.0, 2.0]}))
    con.sql("SELECT g, sum(v) AS v FROM t GROUP BY g ORDER BY g").df()
    con.close()


def _warm_lazy_modules(names: set[str] | None) -> None:
    """Import matplotlib or scikit-learn modules the code names, here in the zygote before
    the fork (once: later children have them). Only these: importing what untrusted code names
    in the unconfined zygote would run arbitrary installed modules' import-time code."""
    if not names:
        return
    warm = []
    if names & _MATPLOTLIB_NAMES and "matplotlib.pyplot" not in sys.modules:
        warm.append(_warm_matplotlib)
    if names & _EXCEL_NAMES and "openpyxl" not in sys.modules:
        warm.append(functools.partial(importlib.import_module, "openpyxl"))
    for name in sorted(n for n in names if _SKLEARN_MODULE.fullmatch(n)):
        if name not in sys.modules:
            warm.append(functools.partial(importlib.import_module, name))
    if warm or ("sklearn" in sys.modules and not _controller_made()):
        warm.append(_warm_threadpool_controller)
    for step in warm:
        try:
            step()
        except Exception:  # a head start only: the child's own import says why it fails
            pass


def _warm_threadpool_controller() -> None:
    """scikit-learn's cached threadpoolctl controller, made here: making it reads
    /proc/self/maps, which a confined child cannot (KMeans failed with PermissionError)."""
    if "sklearn" in sys.modules:
        from sklearn.utils.parallel import _get_threadpool_controller

        _get_threadpool_controller()


def _controller_made() -> bool:
    parallel = sys.modules.get("sklearn.utils.parallel")
    return getattr(parallel, "_threadpool_controller", None) is not None


def _warm_matplotlib() -> None:
    """pyplot with the Agg backend, its fonts and pandas' plotting loaded (~1 s, once)."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas

    ax = pandas.DataFrame({"a": [1, 2]}).plot(title="t")
    ax.figure.savefig(io.BytesIO(), format="png")
    plt.close("all")


class Zygote:
    def __init__(self, ctrl_in: int, ctrl_out: int, run_root: str) -> None:
        self.ctrl_in = ctrl_in
        self.ctrl_out = ctrl_out
        self.run_root = run_root
        self.store: Any = None
        self.results: list[bytes] = []
        self.pending: bytes | None = None
        self.database_tables: list[dict[str, str]] = []  # issue 15: tables of databases
        self.link: Any = None  # the running child's DatabaseLink, when there are such tables
        self.layers = probe_here()
        self.prepared = prepare()

    def serve(self) -> None:
        protocol.write_frame(
            self.ctrl_out,
            {"event": "ready", "pid": os.getpid(), "layers": self.layers.to_json()},
        )
        while True:
            try:
                header, blobs = protocol.read_frame(self.ctrl_in)
            except protocol.ProtocolError:
                return  # the supervisor went away
            op = header.get("op")
            if op == "exit":
                return
            if op == "tables":
                self._load_tables(header["tables"])
            elif op == "results":
                self.results = list(blobs)
            elif op == "databases":
                self.database_tables = list(header.get("tables") or [])
            elif op == "remember" and self.pending is not None:
                self.results.append(self.pending)
                self.pending = None
            elif op == "run":
                self._run(header)

    def _load_tables(self, specs: list[dict[str, str]]) -> None:
        from engine.sandbox.namespace import TableStore

        try:
            self.store = TableStore(specs, self.store)
            reply: dict[str, Any] = {"event": "tables", "ok": True}
        except (OSError, ValueError, MemoryError) as exc:
            reply = {"event": "tables", "ok": False, "message": f"{type(exc).__name__}: {exc}"}
        protocol.write_frame(self.ctrl_out, reply)

    def _run(self, request: dict[str, Any]) -> None:
        from engine.sandbox.namespace import referenced_names

        self.pending = None
        names = referenced_names(request["code"])
        try:  # build frames here, once: later children share them copy-on-write
            for table in self.store.wanted(names):
                self.store.frame(table)
        except MemoryError:
            protocol.write_frame(self.ctrl_out, {"event": "done", "zygote_memory": True})
            return
        _warm_lazy_modules(names)
        read_fd, write_fd = os.pipe()
        self.link = _database_link(self.database_tables)
        pid = os.fork()
        if pid == 0:
            self._child(request, names, read_fd, write_fd)
        os.close(write_fd)
        protocol.write_frame(self.ctrl_out, {"event": "started", "pid": pid})
        data, overflow = self._read_reply(read_fd, request["max_reply_bytes"])
        if overflow:
            protocol.kill_group(pid)
        os.close(read_fd)
        if self.link is not None:
            self.link.close_parent()
        _, status = os.waitpid(pid, 0)
        from engine.sandbox.folder import disk_folder

        if os.path.lexists(leftover := disk_folder(self.run_root, pid)):  # no mount namespace
            shutil.rmtree(leftover, ignore_errors=True)
        reply = {
            "event": "done",
            "overflow": overflow,
            "exit_code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
            "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
        }
        protocol.write_frame(self.ctrl_out, reply, [data])
        self.pending = None
        if data and not overflow:  # only the answer's frame: never the files or saved tables
            try:
                self.pending = protocol.split_reply(data)[0]
            except protocol.ProtocolError:
                pass

    def _read_reply(self, read_fd: int, max_bytes: int) -> tuple[bytes, bool]:
        """The child's reply; with database tables, its queries are relayed meanwhile."""
        if self.link is None:
            return protocol.read_all(read_fd, max_bytes)
        self.link.parent_side()
        return self.link.relay_until_reply(read_fd, max_bytes, self.ctrl_in, self.ctrl_out)

    def _child(self, request: dict[str, Any], names: Any, read_fd: int, write_fd: int) -> None:
        """Never returns: confine, run, write the reply frame, `_exit`."""
        code = 1
        try:
            for fd in (read_fd, self.ctrl_in, self.ctrl_out):
                os.close(fd)
            if self.link is not None:
                self.link.child_side()
            os.setpgid(0, 0)
            _die_with_parent()
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            try:
                reply = self._confined_run(request, names, write_fd)
            except Exception as exc:  # the sandbox's own bug, reported rather than exit(1)
                from engine.types import ErrorInfo

                text = f"{type(exc).__name__}: {exc}"
                error = ErrorInfo("runtime", f"The sandbox could not prepare the run ({text}).")
                reply = protocol.RunReply(error=error)
            reply.send(write_fd)
            code = 0
        finally:
            os._exit(code)

    def _confined_run(
        self, request: dict[str, Any], names: Any, write_fd: int
    ) -> protocol.RunReply:
        from engine.outputs import FileLimits
        from engine.results import value_from_payload
        from engine.sandbox.execute import run_code
        from engine.sandbox.folder import RunFolder, TableSaver
        from engine.sandbox.namespace import namespace_for_run
        from engine.types import ErrorInfo

        folder = RunFolder(self.run_root, FileLimits.from_json(request["files"]))
        flags = apply_all(
            memory_mb=request["memory_mb"],
            cpu_s=request["cpu_s"],
            prepared=self.prepared,
            folder=folder,
        )
        missing = [n for n in LAYER_NAMES if self.layers.to_json()[n] and not flags.get(n)]
        if missing:  # fail closed: a layer the probe found did not take effect now
            error = ErrorInfo(
                "blocked",
                f"The sandbox could not apply its {', '.join(missing)} isolation, so the code "
                "was not run. Run it again; if this repeats, restart the app.",
            )
            return protocol.RunReply(error=error)

        def earlier() -> list[Any]:
            values = []
            for frame in self.results:
                try:
                    payload = protocol.RunReply.from_frame(frame).payload
                    value = value_from_payload(payload) if payload is not None else None
                except Exception:  # keep positions stable: results[-1] is still the last turn
                    value = None
                values.append(value)
            return values

        notes: list[str] = []
        saver = TableSaver(t.name for t in self.store.tables)
        ns = namespace_for_run(
            self.store,
            names,
            earlier,
            notes,
            request["memory_mb"],
            output_dir=folder.out,
            save_table=saver,
        )
        if self.link is not None:
            from engine.sandbox.database_link import add_database_names

            add_database_names(ns, self.database_tables, self.link, notes)
        reply = run_code(
            request["code"],
            request["turn"],
            ns,
            max_output_bytes=request["max_output_bytes"],
            memory_mb=request["memory_mb"],
            max_result_bytes=request.get("max_result_bytes"),
            finish=functools.partial(_finish, write_fd),
            folder=folder,
            saver=saver,
        )
        return replace(reply, notes=(*notes, *reply.notes))


def _database_link(tables: list[dict[str, str]]) -> Any:
    """A run's pipes to the supervisor for database queries; None without database tables."""
    if not tables:
        return None
    from engine.sandbox.database_link import DatabaseLink

    return DatabaseLink()


def _finish(write_fd: int, reply: protocol.RunReply) -> NoReturn:
    """Send the reply and end the child at once (no cleanup code of the run may follow)."""
    reply.send(write_fd)
    os._exit(0)


def _die_with_parent() -> None:
    """PR_SET_PDEATHSIG: a worker never outlives the process that started it."""
    import ctypes

    ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)


def main() -> None:
    _die_with_parent()
    ctrl_in, ctrl_out = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1):
        os.dup2(devnull, fd)
    os.close(devnull)
    os.chdir(sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp())  # a private directory
    os.makedirs(RUN_DIR, mode=0o700, exist_ok=True)
    _preload()
    Zygote(ctrl_in, ctrl_out, os.path.abspath(RUN_DIR)).serve()


if __name__ == "__main__":
    main()
