"""Exports read back by the real readers: pandas/pyarrow for tables, an HTML parser for charts,
and a real Jupyter kernel (nbclient + ipykernel) for the session notebook."""

from __future__ import annotations

import io
import json
import pickle
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from engine.errors import OutputError
from engine.export import (
    EXCEL_MAX_ROWS,
    TABLE_FORMATS,
    figure_html,
    session_bundle,
    session_notebook,
    table_csv,
    table_excel,
    table_parquet,
)
from engine.types import Answer, ErrorInfo, RunResult, TableData, Turn
from engine.values import json_scalar, pandas_frame


def mixed_table() -> pa.Table:
    """Every kind of column a result can have, with the awkward values in them."""
    return pa.table(
        {
            "id": pa.array([1, 2, 3], pa.int64()),
            "count": pa.array([10, None, 30], pa.int64()),
            "price": pa.array([1.5, float("nan"), None], pa.float64()),
            "name": ["Zoë", '東京, "quoted"', None],
            "formula": ["=1+1", "plain", "bell\x07char"],
            "flag": [True, False, True],
            "day": [date(2024, 1, 2), None, date(2024, 3, 4)],
            "at": pa.array(
                [datetime(2024, 1, 2, 3, 4, 5), None, datetime(2024, 12, 31, 23, 59)],
                pa.timestamp("us"),
            ),
            "amount": pa.array([Decimal("1.25"), Decimal("-3.50"), None], pa.decimal128(10, 2)),
            "tags": [["a", "b"], [], None],
            "wait": pa.array([timedelta(seconds=90), None, timedelta(hours=2)]),
        }
    )


def test_csv_round_trips_through_pandas_with_values_and_dtypes() -> None:
    data = table_csv(mixed_table())
    text = data.decode("utf-8")
    assert (
        text.splitlines()[0]
        == '"id","count","price","name","formula","flag","day","at","amount","tags","wait"'
    )
    back = pd.read_csv(io.BytesIO(data), parse_dates=["day", "at"], dtype_backend="numpy_nullable")
    assert back["id"].tolist() == [1, 2, 3] and str(back["id"].dtype) == "Int64"
    assert back["count"].tolist()[0] == 10 and pd.isna(back["count"][1])
    assert back["price"][0] == 1.5 and pd.isna(back["price"][1]) and pd.isna(back["price"][2])
    assert ",nan," not in text  # NaN is a missing cell, as in a spreadsheet
    assert back["name"].tolist()[:2] == ["Zoë", '東京, "quoted"'] and pd.isna(back["name"][2])
    assert back["flag"].tolist() == [True, False, True]
    assert back["day"].tolist()[0] == pd.Timestamp("2024-01-02") and pd.isna(back["day"][1])
    assert back["at"][2] == pd.Timestamp("2024-12-31 23:59")
    assert back["amount"][1] == -3.5
    assert back["tags"][0] == '["a", "b"]'
    assert back["wait"][0] == "0:01:30" and back["wait"][2] == "2:00:00"


def test_parquet_keeps_the_exact_arrow_types() -> None:
    table = mixed_table()
    back = pq.read_table(io.BytesIO(table_parquet(table)))
    assert back.schema.equals(table.schema)
    for name in table.column_names:  # NaN != NaN, so compare price on its own
        if name != "price":
            assert back.column(name).equals(table.column(name)), name
    price = back.column("price").to_pylist()
    assert price[0] == 1.5 and np.isnan(price[1]) and price[2] is None
    frame = pd.read_parquet(io.BytesIO(table_parquet(table)))
    assert str(frame["id"].dtype) == "int64"
    assert np.isnan(frame["price"][1])  # NaN stays NaN in a typed format
    assert frame["day"][0] == date(2024, 1, 2)


def test_excel_round_trips_with_a_result_sheet() -> None:
    from openpyxl import load_workbook

    data = table_excel(mixed_table())
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["result"]
    sheet = book["result"]
    assert sheet["E2"].value == "=1+1" and sheet["E2"].data_type == "s"  # text, not a formula
    assert sheet["E4"].value == "bellchar"  # a control character .xlsx cannot hold is dropped

    back = pd.read_excel(io.BytesIO(data), sheet_name="result")
    assert list(back.columns) == list(mixed_table().column_names)
    assert str(back["id"].dtype) == "int64" and back["id"].tolist() == [1, 2, 3]
    assert back["price"][0] == 1.5 and pd.isna(back["price"][1]) and pd.isna(back["price"][2])
    assert back["name"][0] == "Zoë" and back["name"][1] == '東京, "quoted"'
    assert back["flag"].tolist() == [True, False, True]
    assert back["day"][0] == pd.Timestamp("2024-01-02") and pd.isna(back["day"][1])
    assert str(back["at"].dtype).startswith("datetime64")
    assert back["at"][2] == pd.Timestamp("2024-12-31 23:59")
    assert back["amount"][0] == 1.25
    assert back["tags"][0] == '["a", "b"]'


def test_excel_keeps_the_wall_time_of_time_zone_columns() -> None:
    from openpyxl import load_workbook

    at = pa.array([datetime(2024, 6, 1, 10, 0)], pa.timestamp("us")).cast(
        pa.timestamp("us", tz="UTC")
    )
    table = pa.table({"at": at.cast(pa.timestamp("us", tz="Europe/Paris"))})
    sheet = load_workbook(io.BytesIO(table_excel(table)))["result"]
    assert sheet["A2"].value == datetime(2024, 6, 1, 12, 0)  # what the app shows for Paris


def test_excel_refuses_more_rows_than_a_sheet_holds() -> None:
    too_many = pa.table({"x": pa.array(np.zeros(EXCEL_MAX_ROWS + 1, dtype=np.int8))})
    with pytest.raises(OutputError, match=r"1,048,576 rows.*CSV or Parquet"):
        table_excel(too_many)


def test_table_data_without_arrow_exports_its_rows_with_types_recovered() -> None:
    # A turn read back from history: JSON scalars only, dates as ISO text.
    turn_json = {
        "columns": ["when", "at", "n", "mixed", "label"],
        "rows": [
            ["2024-01-02", "2024-01-02T03:04:05", 1, 1, "a"],
            [None, None, 2.5, "x", None],
        ],
        "row_count": 2,
    }
    data = TableData.from_json(turn_json)
    back = pq.read_table(io.BytesIO(table_parquet(data)))
    assert back.schema.field("when").type == pa.date32()
    assert pa.types.is_timestamp(back.schema.field("at").type)
    assert back.column("n").to_pylist() == [1.0, 2.5]
    assert back.column("mixed").to_pylist() == ["1", "x"]  # mixed kinds become text
    assert back.column("when").to_pylist() == [date(2024, 1, 2), None]
    csv = pd.read_csv(io.BytesIO(table_csv(data)))
    assert csv["label"].tolist()[0] == "a" and pd.isna(csv["label"][1])
    empty = TableData(columns=("a", "b"), rows=(), row_count=0)
    assert pd.read_csv(io.BytesIO(table_csv(empty))).columns.tolist() == ["a", "b"]


def test_table_data_with_arrow_exports_every_row_not_just_the_displayed_ones() -> None:
    full = pa.table({"i": list(range(5000))})
    shown = TableData(
        columns=("i",), rows=tuple((i,) for i in range(1000)), row_count=5000, arrow=full
    )
    assert len(pd.read_csv(io.BytesIO(table_csv(shown)))) == 5000
    with pytest.raises(TypeError, match="pyarrow Table or a TableData"):
        table_csv([[1, 2]])


@pytest.mark.parametrize("fmt", sorted(TABLE_FORMATS))
def test_every_registered_table_format_round_trips(fmt: str) -> None:
    readers = {
        "csv": pd.read_csv,
        "xlsx": lambda b: pd.read_excel(b, sheet_name="result"),
        "parquet": pd.read_parquet,
    }
    frame = pd.DataFrame({"région": ["Nord", "Süd"], "total": [1.25, 2.5]})
    spec = TABLE_FORMATS[fmt]
    data = spec.write(pa.Table.from_pandas(frame, preserve_index=False))
    assert spec.suffix.lstrip(".") == fmt and spec.mime
    pd.testing.assert_frame_equal(readers[fmt](io.BytesIO(data)), frame, check_dtype=False)


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []
        self.inline = 0
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script":
            if found.get("src"):
                self.sources.append(found["src"] or "")
            else:
                self.inline += 1
        if tag == "link" and found.get("href"):
            self.links.append(found["href"] or "")


def test_figure_html_is_self_contained_and_carries_the_data() -> None:
    import plotly.express as px

    frame = pd.DataFrame({"city": ["Zürich", "</script><script>alert(1)</script>"], "n": [3, 7]})
    figure = json.loads(px.bar(frame, x="city", y="n", title="Größe").to_json())
    html = figure_html(figure).decode("utf-8")

    parser = _Scripts()
    parser.feed(html)
    assert parser.sources == [] and parser.links == []  # no CDN: opens offline
    assert parser.inline >= 2
    assert "plotly.js v" in html and len(html) > 3_000_000  # the whole bundle is inside
    assert "Zürich" in html or "Z\\u00fcrich" in html
    assert "Größe" in html or "Gr\\u00f6\\u00dfe" in html
    assert "alert(1)" in html and "</script><script>alert" not in html  # escaped, inert
    y = figure["data"][0]["y"]  # plotly 6+ sends numbers as base64 typed arrays
    assert y["bdata"] in html if isinstance(y, dict) else "[3,7]" in html.replace(" ", "")
    plain = figure_html({"data": [{"type": "scatter", "x": [1, 2], "y": [0.25, 9.5]}]})
    assert b"[0.25,9.5]" in plain.replace(b" ", b"")


# -- the session notebook ------------------------------------------------------------------------
SALES = pd.DataFrame(
    {
        "region": ["Nord", "Süd", "Nord", "Ost", "Süd"],
        "amount": [10.5, 20.0, float("nan"), 7.25, 3.0],
        "day": pd.to_datetime(
            ["2024-01-01", "2024-01-02", "2024-01-02", "2024-02-01", "2024-03-01"]
        ),
        "customer": ["Zoë", "Åsa", None, "李", "Bob"],
        "due": [date(2024, 1, 5), date(2024, 2, 5), date(2024, 2, 5), date(2024, 3, 5), None],
    }
)
REGIONS = pd.DataFrame({"region": ["Nord", "Süd", "Ost"], "manager": ["Zoë", "Ana", "Zoë"]})

# (question, backend, code): run here the way the sandbox runs them, then re-run in a notebook.
SCRIPT: list[tuple[str | None, str | None, str]] = [
    (
        "Total amount by region?",
        "planner",
        'result = df.groupby("region", as_index=False)["amount"].sum()',
    ),
    (
        "Scale in place",
        "openai",
        'df["amount"] = df["amount"] * 100\nresult = float(df["amount"].sum())',
    ),
    (
        "Total amount?",
        "planner",
        'result = float(df["amount"].sum())  # unchanged by the turn before',
    ),
    (
        "Rows per manager",
        "local",
        "result = sql('SELECT r.manager, count(*) AS n FROM sales s JOIN regions r USING (region) "
        "GROUP BY 1 ORDER BY 1')",
    ),
    (
        "Chart the first answer",
        "planner",
        'fig = px.bar(results[0], x="region", y="amount", title="By region")',
    ),
    ("<b>Prise</b> total?", "local", 'result = df["prise"].sum()'),
    ("How many answers so far?", None, "result = len(results)"),
    ("Describe", "openai", 'print("summary below")\nresult = sales[["amount"]].describe()'),
    (
        "Is Zoë a manager?",
        "openai",
        'regions["manager"] = regions["manager"].str.upper()\nresult = bool((regions["manager"] == "ZOË").any())',
    ),
    ("Again, fresh regions?", "planner", 'result = bool((regions["manager"] == "Zoë").any())'),
    # a DATE column (Arrow date32) is datetime64 in the app and in the notebook alike
    (
        "Months due",
        "local",
        'result = sorted(df["due"].dt.month.dropna().astype(int).unique().tolist())',
    ),
]


def _arrow_file(frame: pd.DataFrame, path: Path) -> Path:
    """What `Catalog.arrow_file` writes: an Arrow IPC file of the table."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        for batch in table.to_batches(max_chunksize=2):
            writer.write_batch(batch)
    return path


def _answer(result: Any, fig: Any) -> Answer:
    import plotly.graph_objects as go

    if isinstance(result, pd.Series):
        result = result.reset_index()
    if isinstance(result, pd.DataFrame):
        frame = result.reset_index() if not isinstance(result.index, pd.RangeIndex) else result
        arrow = pa.Table.from_pandas(frame, preserve_index=False)
        rows = tuple(tuple(json_scalar(v) for v in row) for row in frame.itertuples(index=False))
        table = TableData(tuple(map(str, frame.columns)), rows, len(frame), arrow)
        return Answer(kind="table", text=f"{len(frame)} rows", table=table)
    if isinstance(result, go.Figure) or (result is None and fig is not None):
        figure = json.loads((result if result is not None else fig).to_json())
        return Answer(kind="figure", text="bar chart", figure=figure)
    return Answer(kind="value", text=str(result), value=json_scalar(result))


def _run_like_the_sandbox() -> tuple[list[Turn], list[Any]]:
    """Each code in a fresh namespace over fresh table copies; `results` holds earlier OK results."""
    import duckdb
    import plotly.express as px
    import plotly.graph_objects as go

    arrow = {
        n: pa.Table.from_pandas(f, preserve_index=False)
        for n, f in [("sales", SALES), ("regions", REGIONS)]
    }
    turns: list[Turn] = []
    results: list[Any] = []
    for question, backend, code in SCRIPT:
        con = duckdb.connect()
        for name, table in arrow.items():
            con.register(name, table)
        frames = {n: pandas_frame(t) for n, t in arrow.items()}
        ns: dict[str, Any] = {"pd": pd, "np": np, "px": px, "go": go, "results": list(results)}
        ns.update(frames, df=frames["sales"], sql=lambda q, con=con: con.sql(q).df())
        try:
            exec(compile(code, "<turn>", "exec"), ns)  # noqa: S102 - the test's own fixed code
        except KeyError as exc:
            error = ErrorInfo(kind="runtime", message=f"Column {exc} does not exist.")
            turns.append(Turn(question, code, RunResult(ok=False, error=error), backend=backend))
            continue
        result, fig = ns.get("result"), ns.get("fig")
        results.append(result if result is not None else fig)
        answer = _answer(result, fig)
        turns.append(
            Turn(question, code, RunResult(ok=True, answer=answer, elapsed_ms=3.2), backend=backend)
        )
    return turns, results


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The bundle exported, unzipped and run top to bottom by a real ipykernel."""
    import nbformat
    from nbclient import NotebookClient

    tmp = tmp_path_factory.mktemp("bundle")
    turns, expected = _run_like_the_sandbox()
    tables = [
        ("sales", _arrow_file(SALES, tmp / "sales.arrow")),
        ("regions", _arrow_file(REGIONS, tmp / "regions.arrow")),
    ]
    bundle = session_bundle(turns, tables)
    folder = tmp / "unzipped"
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        names = sorted(archive.namelist())
        archive.extractall(folder)
    notebook = nbformat.read(folder / "session.ipynb", as_version=4)
    nbformat.validate(notebook)
    # The test's own last cell: hand the notebook's `results` back for comparison.
    notebook.cells.append(
        nbformat.v4.new_code_cell(
            'import pickle\nPath("results.pkl").write_bytes(pickle.dumps(results))'
        )
    )
    client = NotebookClient(
        notebook,
        timeout=180,
        kernel_name="python3",
        resources={"metadata": {"path": str(folder)}},
    )
    client.execute()
    got = pickle.loads((folder / "results.pkl").read_bytes())
    return {"names": names, "notebook": notebook, "turns": turns, "expected": expected, "got": got}


@pytest.mark.slow
def test_bundle_holds_the_notebook_and_the_tables_as_parquet(
    executed: dict[str, Any], tmp_path: Path
) -> None:
    assert executed["names"] == [
        "data/regions.parquet",
        "data/sales.parquet",
        "requirements.txt",
        "session.ipynb",
    ]


def figure_facts(fig: Any) -> tuple[Any, ...]:
    """What a figure shows, without its template: importing streamlit in the same pytest process
    (AppTest) swaps plotly's default template, so colours differ between processes."""
    doc = json.loads(fig.to_json())
    traces = [(t.get("type"), t.get("x"), t.get("y"), t.get("name")) for t in doc["data"]]
    layout = doc["layout"]
    axes = [layout.get(axis, {}).get("title") for axis in ("xaxis", "yaxis")]
    return traces, axes, layout.get("title"), layout.get("barmode")


@pytest.mark.slow
def test_exported_notebook_reproduces_every_turn(executed: dict[str, Any]) -> None:
    import plotly.graph_objects as go

    expected, got = executed["expected"], executed["got"]
    assert len(got) == len(expected) == 10  # the failed turn is not re-run
    for want, have in zip(expected, got, strict=True):
        if isinstance(want, pd.DataFrame):
            pd.testing.assert_frame_equal(have, want)
        elif isinstance(want, go.Figure):
            assert figure_facts(have) == figure_facts(want)
        else:
            assert have == want
    assert got[2] == pytest.approx(40.75)  # in-place edits of turn 2 did not leak into turn 3
    assert got[5] == 5  # len(results) counted only the successful turns before it
    assert got[7] is True and got[8] is True  # regions was fresh again after being upper-cased
    assert got[9] == [1, 2, 3]


@pytest.mark.slow
def test_exported_notebook_cells_show_the_answers(executed: dict[str, Any]) -> None:
    cells = executed["notebook"].cells
    code_cells = [c for c in cells if c.cell_type == "code"]
    assert len(code_cells) == 1 + 10 + 1  # setup, successful turns, the test's own cell
    for cell in code_cells:
        assert all(o.output_type != "error" for o in cell.outputs)
    turn_cells = code_cells[1:-1]
    assert 'df = sales = tables["sales"].copy()' in turn_cells[0].source.replace("'", '"')
    assert "regions" not in turn_cells[0].source  # only the tables the code names
    bundles = [o.get("data", {}) for o in turn_cells[4].outputs]
    assert any("application/vnd.plotly.v1+json" in b for b in bundles)  # the chart is displayed
    assert any(o.get("text") == "summary below\n" for o in turn_cells[6].outputs)
    assert any(
        o.output_type == "execute_result" and o["data"]["text/plain"] == "40.75"
        for o in turn_cells[2].outputs
    )


@pytest.mark.slow
def test_failed_turns_are_markdown_with_their_error(executed: dict[str, Any]) -> None:
    markdown = [c.source for c in executed["notebook"].cells if c.cell_type == "markdown"]
    assert markdown[0].startswith("# Decipher session")
    failed = markdown[6]
    assert failed.startswith("### 6. &lt;b&gt;Prise&lt;/b&gt; total?")  # shown as text, not HTML
    assert "**This turn failed (runtime):** Column 'prise' does not exist." in failed
    assert '```python\nresult = df["prise"].sum()\n```' in failed
    assert "*Answered by the offline planner in 3 ms.*" in markdown[1]
    assert "**Answer:** 3 rows" in markdown[1]
    assert "code you ran" in markdown[7]


def test_notebook_code_cells_start_fresh_and_keep_backticks_safe() -> None:
    code = 'result = "```"  # a fence inside code'
    failed = Turn("q", code, RunResult(ok=False, error=ErrorInfo("runtime", "boom")))
    ok = Turn(None, "result = len(df)", RunResult(ok=True, answer=Answer("value", "3", value=3)))
    notebook = session_notebook([failed, ok], [("t", Path("unused.arrow"))])
    sources = [c.source for c in notebook.cells]
    assert "````python\n" + code + "\n````" in sources[2]
    assert sources[3].startswith("### 2. Code run")
    assert sources[4].splitlines()[:2] == ["df = t = tables['t'].copy()", "result = fig = None"]
    assert notebook.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.slow
def test_a_real_session_restored_after_a_restart_exports_a_notebook_that_reproduces_it(
    tmp_path: Path,
) -> None:
    """The whole path: sandbox runs -> history -> restart -> restore -> bundle -> kernel."""
    import nbformat
    from nbclient import NotebookClient

    from engine.config import load_settings
    from engine.history import HistoryStore
    from engine.session import Session

    sample = Path(__file__).resolve().parent.parent / "sample_data" / "sales.csv"
    settings = load_settings(env={}, data_dir=str(tmp_path / "data"))
    codes = [
        "result = df.groupby('region', as_index=False)['quantity'].sum()",
        "df['quantity'] = 0\nresult = int(df['quantity'].sum())",
        "result = int(sales['quantity'].sum())",
        "result = sql('SELECT category, round(avg(unit_price), 2) AS avg_price FROM sales "
        "GROUP BY 1 ORDER BY 1')",
        "result = df['no_such_column'].sum()",
        "result = len(results)",
    ]
    with Session(settings, work_dir=tmp_path / "run", history=HistoryStore(tmp_path / "data")) as s:
        s.load(sample)
        ran = [s.run(code, question=f"step {i}") for i, code in enumerate(codes)]
        session_id = s.session_id
    assert [t.ok for t in ran] == [True, True, True, True, False, True]

    store = HistoryStore(tmp_path / "data")  # the restart
    with Session.restore(settings, store, session_id, work_dir=tmp_path / "again") as restored:
        assert [t.name for t in restored.tables] == ["sales"]
        assert [t.to_json() for t in restored.turns] == [t.to_json() for t in ran]
        bundle = restored.export_bundle()

    folder = tmp_path / "unzipped"
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        archive.extractall(folder)
    notebook = nbformat.read(folder / "session.ipynb", as_version=4)
    notebook.cells.append(
        nbformat.v4.new_code_cell(
            'import pickle\nPath("out.pkl").write_bytes(pickle.dumps(results))'
        )
    )
    NotebookClient(
        notebook, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    ).execute()
    got = pickle.loads((folder / "out.pkl").read_bytes())

    answers = [t.result.answer for t in ran if t.ok]
    assert len(got) == len(answers) == 5
    for have, answer in zip(got, answers, strict=True):
        if answer.kind == "table":
            rows = tuple(tuple(json_scalar(v) for v in row) for row in have.itertuples(index=False))
            assert tuple(have.columns) == answer.table.columns
            assert rows == answer.table.rows
        else:
            assert have == answer.value
    assert got[1] == 0 and got[2] > 0  # the sandbox and the notebook agree: no leak
    assert got[4] == 4


def test_the_notebook_defines_every_name_the_sandbox_gives_code() -> None:
    """engine/code_names.py is the one list; the notebook's set-up must define each name."""
    import ast

    from engine.code_names import (
        DECLINE,
        FIRST_TABLE,
        MODULES,
        OUTPUT_DIR,
        RESULTS,
        SAVE_TABLE,
        SQL,
    )
    from engine.export.notebook import _SETUP

    tree = ast.parse(_SETUP.format(names=["t"]))
    defined = {
        a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
    }
    defined |= {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    defined |= {
        t.id
        for n in ast.walk(tree)
        if isinstance(n, ast.Assign)
        for t in n.targets
        if isinstance(t, ast.Name)
    }
    assert {FIRST_TABLE, SQL, RESULTS, DECLINE, OUTPUT_DIR, SAVE_TABLE, *MODULES} <= defined
