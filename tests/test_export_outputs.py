"""The exported notebook of a session whose turns wrote files and saved tables (issue 14), re-run
by a real Jupyter kernel (nbclient + ipykernel): the same results, the same files, and the saved
tables made again by the notebook (by the turn's save_table, or by a cell after the turn whose
result was saved with "Save as table"), never shipped as data.
"""

from __future__ import annotations

import io
import pickle
import zipfile
from pathlib import Path

import pytest

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "sales.csv"
CODES = [
    "df.head(12).to_csv('clean.csv', index=False)\n"
    "save_table('region_totals', df.groupby('region', as_index=False)['quantity'].sum())\n"
    "result = len(df)",
    "result = region_totals.sort_values('quantity', ascending=False).head(2)",
    "result = sql('SELECT count(*) AS n, sum(quantity) AS q FROM region_totals')",
    "result = df.groupby('segment')['unit_price'].mean().round(2)",  # saved with the button
    "result = segment_prices.sort_values('unit_price').iloc[0]['segment']",
    "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])\n"
    "open('total.txt', 'w').write(str(int(region_totals['quantity'].sum())))\n"
    "result = int(sql('SELECT sum(unit_price) FROM segment_prices').iloc[0, 0] * 100)",
]


def same(have: object, answer: object) -> None:
    """A notebook result against the app's answer, read the way the app reads a result."""
    from engine.results import answer_from_values

    read = answer_from_values(have, None, "", 1000)
    assert read.kind == answer.kind
    if answer.kind == "table":
        assert read.table.columns == answer.table.columns
        assert read.table.rows == answer.table.rows
    else:
        assert read.value == answer.value


@pytest.mark.slow
def test_a_session_with_files_and_saved_tables_re_runs_from_its_notebook(tmp_path: Path) -> None:
    import nbformat
    from nbclient import NotebookClient

    from engine.config import load_settings
    from engine.history import HistoryStore
    from engine.session import Session

    settings = load_settings(env={}, data_dir=str(tmp_path / "data"))
    with Session(settings, work_dir=tmp_path / "run", history=HistoryStore(tmp_path / "data")) as s:
        s.load(SAMPLE)
        ran = []
        for i, code in enumerate(CODES):
            ran.append(s.run(code, question=f"step {i}"))
            if i == 3:
                s.save_table("segment_prices", ran[-1])
        session_id = s.session_id
    assert all(t.ok for t in ran), [t.result.error for t in ran if not t.ok]

    store = HistoryStore(tmp_path / "data")  # a restart, then the export
    with Session.restore(settings, store, session_id, work_dir=tmp_path / "again") as restored:
        assert [t.name for t in restored.tables] == ["sales", "region_totals", "segment_prices"]
        bundle = restored.export_bundle()

    folder = tmp_path / "unzipped"
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        names = set(archive.namelist())
        archive.extractall(folder)
    assert {"data/sales.parquet", "files/turn-1/clean.csv", "files/turn-6/total.txt"} <= names
    assert "files/turn-6/figure_1.png" in names
    assert not any("region_totals" in n or "segment_prices" in n for n in names)  # re-made

    notebook = nbformat.read(folder / "session.ipynb", as_version=4)
    sources = [c.source for c in notebook.cells if c.cell_type == "code"]
    assert sum("save_table('segment_prices', results[-1], replace=True)" in c for c in sources) == 1
    notebook.cells.append(
        nbformat.v4.new_code_cell(
            'import pickle\nPath("out.pkl").write_bytes(pickle.dumps(results))'
        )
    )
    NotebookClient(
        notebook, timeout=240, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    ).execute()
    got = pickle.loads((folder / "out.pkl").read_bytes())

    assert len(got) == len(ran)
    for have, turn in zip(got, ran, strict=True):
        same(have, turn.result.answer)
    for path in ("turn-1/clean.csv", "turn-6/total.txt"):  # the files, written again alike
        assert (folder / "outputs" / path).read_bytes() == (folder / "files" / path).read_bytes()
