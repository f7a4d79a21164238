"""Databases through the whole product (issue 15): Session, sandbox, planner, history, export and
the command line, against the real PostgreSQL and Spark Connect servers of tests/db_fixtures.py.

One PostgreSQL session for the module holds a loaded `penguins.csv` (so the database's own
`penguins` is listed as `public.penguins`) and a small `managers.csv` to join with; answers are
compared with DuckDB over the same sample files.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from engine.config import load_settings
from engine.session import Session
from tests.conftest import ROOT, SAMPLE_DATA
from tests.db_servers import READER

pytestmark = pytest.mark.slow
MANAGERS = "region,manager\nEast,Ann\nNorth,Bo\nWest,Cy\nEurope,Di\nSouth,Ed\n"
BY_REGION = (
    "SELECT region, round(sum(unit_price), 2) AS total FROM sales GROUP BY region ORDER BY region"
)


@pytest.fixture(scope="module")
def managers_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("managers") / "managers.csv"
    path.write_text(MANAGERS)
    return path


@pytest.fixture(scope="module")
def pg(postgres_server, managers_csv, tmp_path_factory):
    """A session with two files and the test PostgreSQL (as the SELECT-only reader)."""
    work = tmp_path_factory.mktemp("pg-session")
    settings = load_settings(env={}, data_dir=str(work / "data"), backend="planner")
    with Session(settings, work_dir=work / "session") as session:
        session.load(SAMPLE_DATA / "penguins.csv")
        session.load(managers_csv)
        session.connect_database(postgres_server.url(READER))
        yield session


def expected(sql: str) -> list[tuple]:
    """The answer DuckDB gives over the sample file the database was loaded from."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"CREATE VIEW sales AS SELECT * FROM read_csv('{SAMPLE_DATA / 'sales.csv'}')")
    return [tuple(r) for r in con.execute(sql).fetchall()]


def test_tables_are_listed_in_place_with_redacted_sources(pg, postgres_server) -> None:
    names = [t.name for t in pg.tables]
    assert names[:2] == ["penguins", "managers"]  # the files first: `df` is still penguins
    assert set(names[2:]) == {"public.penguins", "seattle_weather", "gapminder", "sales", "notes"}
    sales = pg.table("sales")
    assert sales.source == "postgresql://127.0.0.1/decipher.sales"
    assert sales.format == "PostgreSQL"
    password = postgres_server.passwords[READER]
    assert all(password not in json.dumps(t.to_json()) for t in pg.tables)
    profile = pg.profile("sales")
    assert (profile.rows, profile.source) == (5000, sales.source)
    assert pg.profile("sales").columns is profile.columns  # profiled once, then cached
    assert pg.table("sales").rows == 5000
    assert [p.name for p in pg.profiles()][2:] == names[2:]
    assert pg.profile("public.penguins").rows == 344


def test_a_preview_is_a_capped_select_in_the_database(pg) -> None:
    frame = pg.preview("sales", 7)
    assert len(frame) == 7 and "unit_price" in frame.columns


def test_the_planner_answers_by_pushdown(pg) -> None:
    turn = pg.ask("total unit_price by region")
    assert turn.ok, turn.result.error
    assert turn.backend == "planner" and "sql(" in turn.code and "groupby" not in turn.code
    table = turn.result.answer.table
    got = sorted((r[0], round(r[1], 2)) for r in table.rows)
    assert got == expected(BY_REGION)
    assert turn.result.answer.figure is not None  # the chart of the aggregate
    assert "[note]" not in turn.result.stdout  # nothing was brought in or capped


def test_starter_questions_work_on_a_database_table(pg) -> None:
    from engine.planner import starter_questions

    starters = starter_questions(pg.profile("sales"), 5)
    question = next(q for q in starters if "unit_price" in q)  # only sales has that column
    turn = pg.ask(question)
    assert turn.ok and "sql(" in turn.code, (question, turn.result.error)


def test_a_join_with_a_file_brings_capped_rows_and_says_so(pg) -> None:
    query = (
        "SELECT r.manager, count(*) AS n FROM sales s JOIN managers r ON s.region = r.region "
        "GROUP BY 1 ORDER BY 1"
    )
    whole = pg.run(f"result = sql({query!r})")
    assert whole.ok, whole.result.error
    assert sum(r[1] for r in whole.result.answer.table.rows) == 5000
    assert "joined with all 5,000 rows of sales, brought in from PostgreSQL" in whole.result.stdout
    pg.update_settings(pg.settings.with_overrides(database_max_rows=100))
    try:
        capped = pg.run(f"result = sql({query!r})")
    finally:
        pg.update_settings(pg.settings.with_overrides(database_max_rows=100_000))
    assert capped.ok, capped.result.error
    assert sum(r[1] for r in capped.result.answer.table.rows) == 100
    assert "joined with the first 100 rows of sales from PostgreSQL" in capped.result.stdout


def test_a_capped_pushdown_result_says_so(pg) -> None:
    pg.update_settings(pg.settings.with_overrides(database_max_rows=10))
    try:
        turn = pg.run("result = sql('SELECT order_id FROM sales ORDER BY order_id')")
    finally:
        pg.update_settings(pg.settings.with_overrides(database_max_rows=100_000))
    assert turn.ok and turn.result.answer.table.row_count == 10
    assert "PostgreSQL: showing the first 10 rows" in turn.result.stdout


@pytest.mark.parametrize("code", ["result = sales['unit_price'].sum()", "result = len(sales)"])
def test_a_database_table_used_as_a_dataframe_says_to_use_sql(pg, code: str) -> None:
    turn = pg.run(code)
    assert not turn.ok and turn.result.error.kind == "runtime"
    assert "is the table sales in PostgreSQL, not a DataFrame" in turn.result.error.message
    assert "sql(" in turn.result.error.message
    assert pg.run("result = len(df)").result.answer.value == 344  # df: the first file


def test_the_database_cancels_a_slow_query_at_its_timeout(pg) -> None:
    slow = "result = sql('SELECT count(*) AS n FROM sales a, sales b, sales c')"
    pg.update_settings(pg.settings.with_overrides(database_timeout_s=1.0))
    try:
        started = time.monotonic()
        turn = pg.run(slow)
    finally:
        pg.update_settings(pg.settings.with_overrides(database_timeout_s=30.0))
    assert not turn.ok and turn.result.error.kind == "timeout", turn.result.error
    assert "PostgreSQL cancelled it" in turn.result.error.message
    assert time.monotonic() - started < 20


def test_stop_during_a_database_query_ends_the_run_and_the_session_goes_on(pg) -> None:
    class Stop(Exception):
        pass

    def on_wait(seconds: float) -> None:
        if seconds > 0.5:
            raise Stop

    pg.update_settings(pg.settings.with_overrides(database_timeout_s=3.0))
    try:
        with pytest.raises(Stop):
            pg.run(
                "result = sql('SELECT count(*) AS n FROM sales a, sales b, sales c')",
                on_wait=on_wait,
            )
    finally:
        pg.update_settings(pg.settings.with_overrides(database_timeout_s=30.0))
    time.sleep(3)  # the cancelled query ends in the database at its timeout
    turn = pg.run(f"result = sql({BY_REGION!r})")
    assert turn.ok, turn.result.error


def test_a_restored_session_reconnects_by_its_redacted_url(postgres_server, tmp_path) -> None:
    from engine.history import HistoryStore

    url = postgres_server.url(READER)
    settings = load_settings(env={}, data_dir=str(tmp_path / "data"), backend="planner")
    store = HistoryStore(tmp_path / "data")
    with Session(settings, history=store, work_dir=tmp_path / "one") as first:
        first.load(SAMPLE_DATA / "penguins.csv")
        first.connect_database(url)
        assert first.ask("total unit_price by region").ok
        sid = first.session_id
    (display,) = store.databases(sid)
    assert postgres_server.passwords[READER] not in display and "@127.0.0.1" in display
    secrets = {"DECIPHER_DATABASES": url}
    with Session.restore(settings, store, sid, work_dir=tmp_path / "two", secrets=secrets) as again:
        assert "sales" in [t.name for t in again.tables]
        assert again.run(again.turns[-1].code).ok
    with Session.restore(settings, store, sid, work_dir=tmp_path / "three", secrets={}) as bare:
        (status,) = bare.database_statuses()
        assert status.problem.startswith(f"{display} needs its password")
        assert [t.name for t in bare.tables] == ["penguins"]
        assert bare.run("result = len(penguins)").result.answer.value == 344
    store.close()


def test_the_exported_notebook_connects_again_and_reruns_the_sql(pg, postgres_server, tmp_path):
    import nbformat
    from nbclient import NotebookClient

    pg.clear_turns()
    pushdown = pg.ask("total unit_price by region")
    join = pg.run(
        "result = sql('SELECT r.manager, count(*) AS n FROM sales s JOIN managers r "
        "ON s.region = r.region GROUP BY 1 ORDER BY 1')"
    )
    assert pushdown.ok and join.ok
    bundle = pg.export_bundle()
    password = postgres_server.passwords[READER]
    folder = tmp_path / "bundle"
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        for name in archive.namelist():
            assert password.encode() not in archive.read(name), name
        assert not [n for n in archive.namelist() if "sales" in n]  # never downloaded
        archive.extractall(folder)
    notebook = nbformat.read(folder / "session.ipynb", as_version=4)
    notebook.cells.append(
        nbformat.v4.new_code_cell(
            "import json; print(json.dumps([r.to_dict('split') for r in results], default=str))"
        )
    )
    os.environ["DECIPHER_DB_PASSWORD_1"] = password
    try:
        NotebookClient(
            notebook, timeout=120, resources={"metadata": {"path": str(folder)}}
        ).execute()
    finally:
        del os.environ["DECIPHER_DB_PASSWORD_1"]
    printed = json.loads(notebook.cells[-1].outputs[0]["text"])
    assert sorted((r[0], round(r[1], 2)) for r in printed[0]["data"]) == expected(BY_REGION)
    assert printed[1]["data"] == [list(r) for r in join.result.answer.table.rows]


# -- Spark, and the command line ---------------------------------------------------------------
def engine(*args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DECIPHER_DATA_DIR": str(Path(os.environ.get("TMPDIR", "/tmp")) / "decipher-cli-db"),
    }
    return subprocess.run(
        [sys.executable, "-m", "engine", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def test_cli_ask_answers_from_spark(spark_server) -> None:
    proc = engine(
        "ask",
        "--db",
        spark_server.url,
        "--backend",
        "planner",
        "--json",
        "total unit_price by region",
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (turn,) = [json.loads(line) for line in proc.stdout.splitlines()]
    assert {"ok", "backend", "code", "answer", "stdout", "error", "elapsed_ms"} <= turn.keys()
    assert turn["ok"] and turn["backend"] == "planner" and "sql(" in turn["code"]
    rows = turn["answer"]["table"]["rows"]
    assert sorted((r[0], round(r[1], 2)) for r in rows) == expected(BY_REGION)


def test_cli_profile_lists_database_tables_with_redacted_sources(postgres_server) -> None:
    proc = engine("profile", "--db", postgres_server.url(READER), "--json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (doc,) = [json.loads(line) for line in proc.stdout.splitlines()]
    assert doc["ok"] and doc["error"] is None
    by_name = {t["name"]: t for t in doc["tables"]}
    assert by_name["sales"]["source"] == "postgresql://127.0.0.1/decipher.sales"
    assert by_name["sales"]["rows"] == 5000
    assert {c["name"] for c in by_name["sales"]["columns"]} >= {"region", "unit_price"}
    for secret in (postgres_server.passwords[READER], READER):
        assert secret not in proc.stdout and secret not in proc.stderr


def test_cli_a_wrong_password_is_a_handled_error_without_the_password(postgres_server) -> None:
    wrong = postgres_server.url(READER).replace("%40", "%41", 1)
    proc = engine("profile", "--db", wrong, "--json")
    assert proc.returncode == 1
    (doc,) = [json.loads(line) for line in proc.stdout.splitlines()]
    assert doc["error"]["kind"] == "input" and "Could not connect" in doc["error"]["message"]
    assert "p%41ss" not in proc.stdout + proc.stderr and "pAss" not in proc.stdout


def test_spark_pushdown_and_a_join_across_two_databases(pg, spark_server) -> None:
    from engine.databases import parse_database_url
    from engine.databases.connections import sql_name

    pg.connect_database(spark_server.url)
    try:
        spark = [t.name for t in pg.tables if t.source.startswith("sc://")]
        assert "default.sales" in spark  # `sales` is PostgreSQL's, connected first
        table = sql_name("default.sales")  # "default"."sales": default is an SQL keyword
        turn = pg.run(f"result = sql('SELECT count(*) AS n FROM {table}')")
        assert turn.ok and turn.result.answer.table.rows == ((5000,),), turn.result.error
        both = pg.run(
            f"result = sql('SELECT count(*) AS n FROM sales p JOIN {table} s USING (order_id)')"
        )
        assert both.ok and both.result.answer.table.rows == ((5000,),), both.result.error
        assert "brought in from Spark" in both.result.stdout
        assert "brought in from PostgreSQL" in both.result.stdout
    finally:
        pg.disconnect_database(parse_database_url(spark_server.url).display)
