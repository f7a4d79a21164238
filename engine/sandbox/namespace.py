"""What generated code sees: `df`, each table by name, `sql`, `pd`, `np`, `px`, `go`, `results`,
`OUTPUT_DIR` (the run's folder, its working directory) and `save_table`.

Tables arrive in the zygote once, as memory-mapped Arrow IPC files. pandas frames are built in
the zygote lazily, only for tables the code names, and cached there, so every later child gets
them copy-on-write through fork (issue #3: fork costs ~2-3 ms at any table size).
"""

from __future__ import annotations

import ast
import importlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from engine.code_names import (
    DECLINE,
    FILE_READERS,
    FIRST_TABLE,
    MODULES,
    OUTPUT_DIR,
    RESULTS,
    SAVE_TABLE,
    SQL,
)
from engine.sandbox.execute import cannot_answer
from engine.values import pandas_frame

# Names that reach the namespace indirectly: materialise every table when the code uses them.
_DYNAMIC_NAMES: Final = frozenset({"globals", "vars", "locals", "eval", "exec", "dir"})


@dataclass(frozen=True)
class LoadedTable:
    name: str
    source_name: str
    arrow: Any  # pyarrow.Table backed by the memory map
    file: tuple[str, int, int] = ("", 0, 0)  # (path, device, inode): the same file, mapped


def referenced_names(code: str) -> set[str] | None:
    """Identifiers and string constants in the code; None means 'could reach any name'."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):  # modules as written (sklearn.cluster), and aliases
            names.update(a.name for a in node.names)
            names.update(a.asname or a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add(node.module or "")
            names.update(a.asname or a.name for a in node.names)
        elif isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names.add(node.value)
    return None if names & _DYNAMIC_NAMES else names


class TableStore:
    """The zygote's tables: Arrow (mapped) always, pandas frames once some code needs them."""

    def __init__(self, specs: Sequence[dict[str, str]], earlier: TableStore | None = None) -> None:
        """Map each spec's Arrow file; frames built by `earlier` for the very same files (a
        table saved by a run adds one, issue 14) are kept rather than built again."""
        import pyarrow as pa

        self.tables: list[LoadedTable] = []
        for spec in specs:
            source = pa.memory_map(spec["arrow_path"], "r")
            info = os.fstat(source.fileno())
            table = pa.ipc.open_file(source).read_all()
            file = (spec["arrow_path"], info.st_dev, info.st_ino)
            self.tables.append(LoadedTable(spec["name"], spec["source_name"], table, file))
        self._frames: dict[str, Any] = {}
        if earlier is not None:
            before = {(t.name, t.file) for t in earlier.tables}
            for t in self.tables:
                if (t.name, t.file) in before and t.name in earlier._frames:
                    self._frames[t.name] = earlier._frames[t.name]

    def wanted(self, names: set[str] | None) -> list[LoadedTable]:
        if names is None:
            return list(self.tables)
        return [
            t
            for i, t in enumerate(self.tables)
            if t.name in names or (i == 0 and FIRST_TABLE in names)
        ]

    def frame(self, table: LoadedTable) -> Any:
        """The pandas frame for a table, built once (copying, so in-place edits are allowed)."""
        if table.name not in self._frames:
            self._frames[table.name] = pandas_frame(table.arrow)
        return self._frames[table.name]


def namespace_for_run(
    store: TableStore,
    names: set[str] | None,
    earlier: Callable[[], list[Any]] | None,
    notes: list[str],
    duckdb_memory_mb: int,
    *,
    output_dir: str | None = None,
    save_table: Callable[..., None] | None = None,
) -> dict[str, Any]:
    """A fresh globals dict for one run (in the forked child; the zygote imported the modules)."""
    ns: dict[str, Any] = {"__name__": "__main__", "__builtins__": __builtins__}
    ns.update({alias: importlib.import_module(module) for alias, module in MODULES.items()})
    pd = ns["pd"]
    frames: dict[str, Any] = {}
    for table in store.wanted(names):
        frames[table.name] = store.frame(table)
        ns[table.name] = frames[table.name]
    if store.tables and store.tables[0].name in frames:
        ns[FIRST_TABLE] = frames[store.tables[0].name]
    ns[DECLINE] = cannot_answer
    ns[OUTPUT_DIR] = folder = output_dir or os.getcwd()
    if save_table is not None:
        ns[SAVE_TABLE] = save_table
    ns[SQL] = sql_function([(t.name, t.arrow) for t in store.tables], duckdb_memory_mb)
    ns[RESULTS] = earlier() if earlier is not None and (names is None or RESULTS in names) else []
    _install_read_courtesy(pd, store, notes, folder)
    return ns


def sql_function(tables: Sequence[tuple[str, Any]], memory_mb: int) -> Callable[[str], Any]:
    """`sql(query) -> DataFrame` over the session's tables, DuckDB's own I/O switched off.

    The connection is made on first use, in the confined child: DuckDB starts threads, which
    then inherit Landlock and seccomp (both apply only to the calling thread and its later
    threads; a connection made before confinement would leave its threads unconfined, and its
    Python UDFs run on them). DuckDB's reads of the child's own cgroup files at connect are
    allowed one by one (`confine.cgroup_limit_files`). Cost: ~20 ms per run that calls sql().
    """
    state: dict[str, Any] = {}

    def connection() -> Any:
        """The run's DuckDB connection, made on first use (rows a database sent join it too)."""
        if "con" not in state:
            state["con"] = _locked_connection(tables, memory_mb)
        return state["con"]

    def sql(query: str) -> Any:
        """Run DuckDB SQL over the loaded tables and return a pandas DataFrame."""
        if not isinstance(query, str):
            raise TypeError("sql() takes the query as a string, e.g. sql('SELECT * FROM df')")
        con = state.get("con")
        if con is None:
            con = state["con"] = _locked_connection(tables, memory_mb)
        import pandas as pd

        rel = con.sql(query)  # DDL runs at once and gives None; a SELECT gives a relation
        return rel.df() if rel is not None else pd.DataFrame()

    sql.connection = connection  # type: ignore[attr-defined]  # engine/sandbox/database_link.py
    return sql


def _locked_connection(tables: Sequence[tuple[str, Any]], memory_mb: int) -> Any:
    import duckdb

    con = duckdb.connect(
        ":memory:",
        config={
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "memory_limit": f"{max(64, memory_mb // 2)}MB",
            "threads": max(1, min(4, os.cpu_count() or 1)),
        },
    )
    seen = set()
    for name, arrow in tables:
        con.register(name, arrow)
        seen.add(name)
    if tables and FIRST_TABLE not in seen:
        con.register(FIRST_TABLE, tables[0][1])
    con.execute("SET enable_progress_bar = false")  # it would draw on stdout
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con


def _written(path: str | os.PathLike[str], folder: str) -> bool:
    """A file the code wrote into its own folder: read as it is (issue 14)."""
    full = os.path.abspath(path)
    return full.startswith(os.path.join(folder, "")) and os.path.lexists(full)


def _install_read_courtesy(pd: Any, store: TableStore, notes: list[str], folder: str) -> None:
    """`pd.read_csv('<uploaded file name>')` returns the loaded table instead of failing.

    Small models write this habitually; the child's pandas module is its own copy (fork), so
    the patch never reaches the zygote or a later run.
    """
    by_name: dict[str, LoadedTable] = {}
    for table in store.tables:
        by_name[table.source_name.lower()] = table
        by_name.setdefault(Path(table.source_name).stem.lower(), table)
        by_name.setdefault(table.name.lower(), table)

    def wrap(reader_name: str) -> Callable[..., Any]:
        original = getattr(pd, reader_name)

        def reader(path: Any = None, *args: Any, **kwargs: Any) -> Any:
            if isinstance(path, str | os.PathLike) and not _written(path, folder):
                base = Path(os.fspath(path)).name.lower()
                table = by_name.get(base) or by_name.get(Path(base).stem)
                if table is not None:
                    notes.append(
                        f"pd.{reader_name}({os.fspath(path)!r}) returned the table already loaded "
                        f"as `{table.name}` (the sandbox reads no files but its own; use `df` "
                        f"or `{table.name}`)."
                    )
                    return store.frame(table).copy()
            return original(path, *args, **kwargs)

        reader.__doc__ = original.__doc__
        reader.__wrapped__ = original  # type: ignore[attr-defined]
        return reader

    for reader_name in FILE_READERS:
        if hasattr(pd, reader_name):
            setattr(pd, reader_name, wrap(reader_name))
