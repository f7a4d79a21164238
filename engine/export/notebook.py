"""A whole session as a Jupyter notebook that re-runs every turn on its own, and as a zip with
the tables beside it (issue 6).

The notebook rebuilds the sandbox's namespace from `data/*.parquet`: `df` (the first table), each
table by name, `sql()`, `pd`, `np`, `px`, `go`, `results`, `OUTPUT_DIR` and `save_table()`. Each
turn starts from fresh copies of the tables, as each sandbox run does, so a turn that edits `df`
in place changes no later one, and in a folder of its own, `outputs/turn-<n>/`, where the files
it writes land (the app's copies are in the zip's `files/turn-<n>/`). A table saved in the app
is made again: by the turn's own save_table(), or by a cell after the turn whose result was
saved with "Save as table" (issue 14).
"""

from __future__ import annotations

import html
import io
import re
import tempfile
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from engine.code_names import FIRST_TABLE
from engine.timing import duration_text, timing_text, total_ms
from engine.types import Backend, Turn

if TYPE_CHECKING:
    from engine.databases.replay import Replay

NOTEBOOK_NAME: Final = "session.ipynb"
DATA_DIR: Final = "data"
FILES_DIR: Final = "files"
# What the notebook imports; their versions here go into the bundle's requirements.txt.
NOTEBOOK_PACKAGES: Final = ("pandas", "numpy", "pyarrow", "duckdb", "plotly")

_SETUP: Final = '''\
# The session's tables and the names the app's sandbox gives generated code: df (the first
# table), each table by name, sql(), pd, np, px, go, results, OUTPUT_DIR and save_table().
import os
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import pyarrow as pa
import pyarrow.parquet as pq

HOME = Path.cwd()  # run this notebook from the folder that holds data/
DATA = HOME / "data"
OUTPUT_DIR = str(HOME / "outputs")  # each turn writes its files into outputs/turn-<n>/
TABLE_NAMES = {names!r}
_arrow = {{name: pq.read_table(DATA / f"{{name}}.parquet") for name in TABLE_NAMES}}


def _frame(table):
    """As in the app (engine/values.py pandas_frame): DATE columns as datetime64 and DECIMAL
    columns as float64, as sql() gives them."""
    for i, field in enumerate(table.schema):
        if pa.types.is_decimal(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.float64()))
    return table.to_pandas(date_as_object=False)


tables = {{name: _frame(table) for name, table in _arrow.items()}}

_con = duckdb.connect(":memory:")
for _name, _table in _arrow.items():
    _con.register(_name, _table)
if TABLE_NAMES and "df" not in _arrow:
    _con.register("df", _arrow[TABLE_NAMES[0]])


def sql(query):
    """DuckDB SQL over the tables (as loaded, never the edited copies); returns a DataFrame."""
    relation = _con.sql(query)
    return relation.df() if relation is not None else pd.DataFrame()


def cannot_answer(reason=""):
    """What the app's code calls when the tables do not hold what the question needs."""
    raise LookupError(f"The tables cannot answer this: {{reason}}")


def save_table(name, frame, replace=False):
    """Keep a DataFrame or Series as a table of this notebook (a session table in the app)."""
    if name in tables and not replace:
        raise ValueError(f"A table named {{name!r}} exists already; pass replace=True.")
    if isinstance(frame, pd.Series):
        frame = frame.to_frame(name=frame.name if frame.name is not None else "value")
    index = frame.index
    if index.nlevels > 1 or any(n is not None for n in index.names) or index.dtype.kind not in "iu":
        frame = frame.rename_axis([n if n is not None else "index" for n in index.names])
        frame = frame.reset_index()
    frame = frame.set_axis([str(c) for c in frame.columns], axis=1)
    _arrow[name] = pa.Table.from_pandas(frame, preserve_index=False)
    tables[name] = _frame(_arrow[name])
    _con.register(name, _arrow[name])


def turn_folder(number):
    """An empty folder for turn `number`'s files (its working directory, as in the app)."""
    folder = HOME / "outputs" / f"turn-{{number}}"
    folder.mkdir(parents=True, exist_ok=True)
    os.chdir(folder)
    return str(folder)


df = tables[TABLE_NAMES[0]].copy() if TABLE_NAMES else None
results = []  # each turn's result, newest last, as `results` in the app
'''


def session_notebook(
    turns: Sequence[Turn],
    tables: Sequence[tuple[str, Path]],
    databases: Replay | None = None,
    saves: Sequence[tuple[str, Turn]] = (),
) -> Any:
    """An nbformat v4 notebook: a setup cell, then per turn a markdown cell and, when the turn
    succeeded, a code cell with its code. Failed turns are markdown only, with their error.
    With `databases` (issue 15), a second cell connects again and runs their SQL there.
    `saves` are tables saved from a turn's result ("Save as table"): a cell after that turn
    makes each again; tables its code saved are made by the code itself."""
    import nbformat.v4 as nbf

    from engine.export.notebook_databases import database_cell, database_intro

    names = [name for name, _ in tables]
    made = [t.name for turn in turns if turn.ok for t in turn.result.saved_tables]
    made += [name for name, _ in saves]
    cells = [
        nbf.new_markdown_cell(_intro(names) + (database_intro(databases) if databases else "")),
        nbf.new_code_cell(_SETUP.format(names=names).rstrip()),
    ]
    if databases is not None:
        cells.append(nbf.new_code_cell(database_cell(databases)))
    for number, turn in enumerate(turns, start=1):
        cells.append(nbf.new_markdown_cell(_turn_markdown(number, turn)))
        if turn.ok and turn.code:
            cells.append(nbf.new_code_cell(_turn_code(turn.code, names, number, made)))
            for name in (name for name, origin in saves if origin is turn):
                cells.append(nbf.new_code_cell(_save_cell(name)))
    notebook = nbf.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


def session_bundle(
    turns: Sequence[Turn],
    tables: Sequence[tuple[str, Path]],
    databases: Replay | None = None,
    saves: Sequence[tuple[str, Turn]] = (),
) -> bytes:
    """A zip: `session.ipynb`, `data/<table>.parquet` for each (name, Arrow IPC file) pair,
    `files/turn-<n>/` with the files each turn wrote, and a `requirements.txt` with the
    versions that produced the results. Database tables are not in it: the notebook queries
    them where they are (no secret is written)."""
    import nbformat

    from engine.export.notebook_databases import database_packages

    extra = database_packages(databases) if databases is not None else []
    sink = io.BytesIO()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        notebook = session_notebook(turns, tables, databases, saves)
        bundle.writestr(NOTEBOOK_NAME, nbformat.writes(notebook))
        bundle.writestr("requirements.txt", _requirements(extra))
        _add_turn_files(bundle, turns)
        with tempfile.TemporaryDirectory(prefix="decipher-export-") as tmp:
            for name, arrow_path in tables:
                parquet = Path(tmp) / f"{name}.parquet"
                _parquet_from_arrow_file(Path(arrow_path), parquet)
                # Parquet is compressed already: stored, not deflated again.
                bundle.write(
                    parquet, f"{DATA_DIR}/{name}.parquet", compress_type=zipfile.ZIP_STORED
                )
                parquet.unlink()
    return sink.getvalue()


def _add_turn_files(bundle: zipfile.ZipFile, turns: Sequence[Turn]) -> None:
    """Each turn's kept files as `files/turn-<n>/<name>` (names are safe already; a file no
    longer kept is left out)."""
    from engine.errors import InputError
    from engine.export.files import file_bytes

    for number, turn in enumerate(turns, start=1):
        for item in turn.result.files:
            try:
                data = file_bytes(item)
            except InputError:
                continue
            bundle.writestr(f"{FILES_DIR}/turn-{number}/{item.name}", data)


def _parquet_from_arrow_file(source: Path, target: Path) -> None:
    """Arrow IPC (file or stream format) to Parquet, one record batch at a time."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    with pa.memory_map(str(source), "r") as mapped:
        try:
            reader: Any = pa.ipc.open_file(mapped)
            batches = (reader.get_batch(i) for i in range(reader.num_record_batches))
        except pa.ArrowInvalid:
            mapped.seek(0)
            reader = pa.ipc.open_stream(mapped)
            batches = iter(reader)
        with pq.ParquetWriter(str(target), reader.schema) as writer:
            for batch in batches:
                writer.write_batch(batch)


def _intro(names: Sequence[str]) -> str:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    listed = ", ".join(f"`{n}`" for n in names) or "none"
    return (
        f"# Decipher session\n\nExported {stamp}. Tables: {listed} (in `{DATA_DIR}/`).\n\n"
        "Run all cells from the unzipped folder (`pip install -r requirements.txt` first if "
        "needed). Each turn's code is exactly what the planner or the model wrote; it starts "
        "from fresh copies of the tables, as in the app."
    )


def _turn_markdown(number: int, turn: Turn) -> str:
    """Question, who answered and how, and the answer's summary or the error, as plain text
    (HTML in questions or data is escaped, never rendered)."""
    title = _plain(turn.question) if turn.question else "Code run"
    lines = [f"### {number}. {title}", ""]
    known = turn.backend in tuple(Backend)  # a turn of code the user ran has no backend
    source = f"the {Backend(turn.backend).label}" if known else "code you ran"
    timing = _timing(turn)
    repairs = len(turn.attempts)
    after = f" after {repairs} repair{'s' * (repairs != 1)}" if repairs else ""
    verb = "Answered" if turn.ok else "Tried"
    lines.append(
        f"*{verb} by {source}{timing}{after}.*"
        + (f" {_plain(turn.explanation)}" if turn.explanation else "")
    )
    if turn.ok:
        if turn.result.answer is not None and turn.result.answer.text:
            lines += ["", f"**Answer:** {_plain(turn.result.answer.text)}"]
        return "\n".join(lines)
    error = turn.result.error
    message = _plain(error.message) if error else "The turn failed."
    kind = f" ({error.kind})" if error else ""
    lines += ["", f"**This turn failed{kind}:** {message}"]
    if turn.code:
        fence = "`" * max(3, _longest_backtick_run(turn.code) + 1)
        lines += [
            "",
            "The code it ran, kept for reference (not run):",
            "",
            f"{fence}python",
            turn.code.rstrip(),
            fence,
        ]
    return "\n".join(lines)


def _timing(turn: Turn) -> str:
    """' in 148 s (model 148 s, run 151 ms)': the whole answer's time, then its parts (issue 16:
    the run's 151 ms alone read as the answer's time)."""
    if not total_ms(turn):
        return ""
    whole = f" in {duration_text(total_ms(turn))}"
    return f"{whole} ({timing_text(turn)})" if turn.llm_ms else whole


def _turn_code(code: str, names: Sequence[str], number: int = 1, saved: Sequence[str] = ()) -> str:
    """The turn's code between a prologue (fresh tables, no leftover result, its own folder)
    and an epilogue (remember the result for later turns, back to the notebook's folder, show
    it). A saved table is handed over once it exists."""
    prologue = []
    if names:
        first, used = names[0], _names_used(code, names)
        aliases = " = ".join(
            [FIRST_TABLE, first] if first.isidentifier() and first != FIRST_TABLE else [FIRST_TABLE]
        )
        prologue.append(f"{aliases} = tables[{first!r}].copy()")
        prologue += [f"{n} = tables[{n!r}].copy()" for n in used if n != first and n.isidentifier()]
    later = [n for n in dict.fromkeys(saved) if n not in names and n.isidentifier()]
    prologue += [
        f"{n} = tables[{n!r}].copy() if {n!r} in tables else None" for n in _names_used(code, later)
    ]
    prologue.append("result = fig = None")
    prologue.append(f"OUTPUT_DIR = turn_folder({number})")
    epilogue = [
        "results.append(result if result is not None else fig)",
        "os.chdir(HOME)",
        "if fig is not None and fig is not result:",
        "    display(fig)",
        "result",
    ]
    return "\n".join([*prologue, "", code.strip("\n"), "", *epilogue])


def _save_cell(name: str) -> str:
    """The cell that saves the turn's result as a table, as "Save as table" did in the app."""
    return (
        f"# Saved in the app with 'Save as table'\nsave_table({name!r}, results[-1], replace=True)"
    )


def _names_used(code: str, names: Sequence[str]) -> list[str]:
    """Tables the code names (the sandbox likewise hands over only those)."""
    return [n for n in names if re.search(rf"\b{re.escape(n)}\b", code)]


def _plain(text: str) -> str:
    return html.escape(" ".join(text.split()), quote=False)


def _longest_backtick_run(text: str) -> int:
    return max((len(m) for m in re.findall(r"`+", text)), default=0)


def _requirements(extra: Sequence[str] = ()) -> str:
    lines = []
    for package in (*NOTEBOOK_PACKAGES, *extra):
        try:
            lines.append(f"{package}=={metadata.version(package)}")
        except metadata.PackageNotFoundError:
            lines.append(package)
    return "\n".join(lines) + "\n"
