"""A DECIMAL column reaches generated pandas code as float64, as sql() returns it.

pyarrow's default gives the code Python `Decimal` objects in an object column: `df['price'] * 1.1`
raises TypeError, and `select_dtypes('number')` and `.corr(numeric_only=True)` leave the column
out, while the same table through sql() gives floats. Parquet files written by databases and
Spark keep money as DECIMAL. On the real sandbox and DuckDB, with a real Parquet file.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest


@pytest.fixture
def prices(session, tmp_path: Path):
    path = tmp_path / "prices.parquet"
    duckdb.sql(
        "COPY (SELECT * FROM (VALUES ('tea', 2.50::DECIMAL(18,2), 3), ('cake', 4.25, 1), "
        "('pie', 12345678901234.56::DECIMAL(38,2), 2)) AS v(item, price, qty)) "
        f"TO '{path}' (FORMAT parquet)"
    )
    session.load(path, name="prices")
    assert session.profiles()[-1].columns[1].type.startswith("DECIMAL")  # kept exact in DuckDB
    return session


def value(session, code: str):
    turn = session.run(code)
    assert turn.ok, turn.result.error
    return turn.result.answer.value


def test_arithmetic_on_a_decimal_column_works(prices) -> None:
    assert value(prices, "result = float((prices['price'] * 1.5).iloc[:2].sum())") == 10.125


def test_a_decimal_column_counts_as_a_number(prices) -> None:
    code = "result = ', '.join(prices.select_dtypes('number').columns)"
    assert value(prices, code) == "price, qty"


def test_pandas_and_sql_see_the_same_kind_of_column(prices) -> None:
    code = (
        "a = prices['price'].dtype.kind\n"
        "b = sql('SELECT * FROM prices')['price'].dtype.kind\n"
        "result = a + b"
    )
    assert value(prices, code) == "ff"


@pytest.mark.slow
def test_the_exported_notebook_gives_its_code_the_same_floats(prices, tmp_path: Path) -> None:
    """The notebook re-runs on its own with the tables as the app gives them (a Jupyter kernel)."""
    import io
    import zipfile

    import nbformat
    from nbclient import NotebookClient

    code = "result = float((prices['price'] * 1.5).iloc[:2].sum())"
    assert value(prices, code) == 10.125
    folder = tmp_path / "unzipped"
    with zipfile.ZipFile(io.BytesIO(prices.export_bundle())) as archive:
        archive.extractall(folder)
    notebook = nbformat.read(folder / "session.ipynb", as_version=4)
    notebook.cells.append(
        nbformat.v4.new_code_cell('Path("out.txt").write_text(repr(results[-1]))')
    )
    NotebookClient(
        notebook, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    ).execute()
    assert (folder / "out.txt").read_text() == "10.125"
