"""The connectors against real servers (issue 15): PostgreSQL 15 and Spark Connect, each loaded
with the sample CSVs, compared with DuckDB's answers on the same tables. No mocks.
"""

from __future__ import annotations

import math
import time
from decimal import Decimal
from typing import Any

import pytest

from engine.errors import BlockedError, EngineError, InputError, RuntimeFailure, RunTimeoutError
from tests.db_fixtures import DATASETS, HOSTILE_NOTES
from tests.db_servers import READER
from tests.planner_eval import norm

pytestmark = pytest.mark.slow
BACKENDS = ["postgres", "spark"]


@pytest.fixture(scope="module")
def duck(sample_tables):
    """DuckDB over the same Arrow tables the servers were loaded from: the reference answers."""
    from engine.catalog import connect

    con = connect()
    for t in sample_tables.values():
        con.register(t.name, t.arrow)
    yield con
    con.close()


def _connect(backend: str, request: pytest.FixtureRequest, **options: Any):
    from engine.databases import connect_database

    if backend == "postgres":
        server = request.getfixturevalue("postgres_server")
        return connect_database(server.url(READER), **options)
    server = request.getfixturevalue("spark_server")
    return connect_database(server.url, **options)


@pytest.fixture(scope="module", params=BACKENDS)
def connector(request: pytest.FixtureRequest):
    c = _connect(request.param, request, timeout_s=60)
    yield c
    c.close()


def _rows(table: Any) -> list[tuple]:
    """Rows as comparable tuples (numbers to 9 digits, dates ISO), sorted: a multiset."""
    rows = [tuple(norm(_plain(v)) for v in r.values()) for r in table.to_pylist()]
    return sorted(
        rows, key=lambda r: [(v is None, str(type(v)), v if v is not None else 0) for v in r]
    )


def _plain(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value  # DuckDB sums are HUGEINT


def _duck_rows(duck, sql: str) -> list[tuple]:
    return _rows(duck.sql(sql).to_arrow_table())


def test_lists_the_tables_with_duckdb_types(connector, sample_tables) -> None:
    listed = {t.name: t for t in connector.tables()}
    assert set(listed) == set(sample_tables)
    for name, sample in sample_tables.items():
        assert [(c.name, c.type) for c in listed[name].columns] == sample.columns
        assert listed[name].source.endswith(f".{name}")
        assert "@" not in listed[name].source


@pytest.mark.parametrize("name", DATASETS)
def test_profile_in_place_matches_duckdbs_profile(connector, duck, name: str) -> None:
    from engine.profile import profile_table

    expected = profile_table(duck, name)
    got = connector.profile(name)
    assert got.rows == expected.rows
    assert got.column_names == expected.column_names
    assert got.notes == ()  # small tables: exact, nothing sampled
    for g, e in zip(got.columns, expected.columns, strict=True):
        assert (g.name, g.type, g.null_count, g.distinct_count) == (
            e.name,
            e.type,
            e.null_count,
            e.distinct_count,
        )
        assert norm(g.min) == norm(e.min) and norm(g.max) == norm(e.max), g.name
        if e.mean is not None:
            assert math.isclose(g.mean, e.mean, rel_tol=1e-9), g.name
        assert [(norm(v), n) for v, n in g.top_values] == [(norm(v), n) for v, n in e.top_values]
    assert len(got.sample_rows) == 5


def test_a_big_table_is_profiled_from_a_sample_and_says_so(request, connector, duck) -> None:
    sampling = _connect(connector.dialect, request, sample_above_rows=1000)
    try:
        started = time.perf_counter()
        profile = sampling.profile("sales")
        elapsed = time.perf_counter() - started
    finally:
        sampling.close()
    assert 4000 <= profile.rows <= 6000  # PostgreSQL: the catalog's estimate; Spark: counted
    assert any("sample" in note for note in profile.notes), profile.notes
    assert all(c.distinct_approximate for c in profile.columns)
    region = profile.column("region")
    regions = duck.sql("SELECT DISTINCT region FROM sales WHERE region IS NOT NULL").fetchall()
    assert {v for v, _ in region.top_values} == {r[0] for r in regions}
    assert abs(sum(n for _, n in region.top_values) - profile.rows) < 0.2 * profile.rows
    assert elapsed < 60


def test_the_planners_sql_gives_duckdbs_answers(connector, duck, planner_sql) -> None:
    """Every sql() query the planner writes, translated and run in the database."""
    wrong, ran = [], 0
    for sql in planner_sql:
        if sql.startswith("SUMMARIZE"):
            with pytest.raises(BlockedError):
                connector.query(sql)
            continue
        try:
            result = connector.query(sql)
        except EngineError as exc:
            wrong.append(f"{sql}\n  {type(exc).__name__}: {exc.message}")
            continue
        ran += 1
        if "USING SAMPLE" in sql:  # random rows: same columns, same count when the table is small
            expected = duck.sql(sql).to_arrow_table()
            assert result.table.num_columns == expected.num_columns
            assert result.rows == expected.num_rows
            continue
        got, expected = _rows(result.table), _duck_rows(duck, sql)
        if got != expected and _ties_allowed(sql, result.table, duck):
            continue
        if got != expected:
            wrong.append(f"{sql}\n  ran: {result.sql}\n  got {got[:5]}\n  want {expected[:5]}")
    assert ran >= 100
    assert not wrong, f"{len(wrong)} of {ran} differ:\n" + "\n".join(wrong[:10])


def _ties_allowed(sql: str, got: Any, duck) -> bool:
    """A LIMIT over rows that tie on the ORDER BY key (or with no ORDER BY) may pick other rows:
    then the same number of rows, with the same ORDER BY key values, is the same answer."""
    import sqlglot
    from sqlglot import exp

    tree = sqlglot.parse_one(sql, read="duckdb")
    if tree.args.get("limit") is None:
        return False
    expected = duck.sql(sql).to_arrow_table()
    if got.num_rows != expected.num_rows or got.column_names != expected.column_names:
        return False
    order = tree.args.get("order")
    if order is None:
        return True
    key = order.expressions[0].this
    if not isinstance(key, exp.Column) or key.name not in got.column_names:
        return False
    return [norm(v) for v in got.column(key.name).to_pylist()] == [
        norm(v) for v in expected.column(key.name).to_pylist()
    ]


def test_the_row_cap_returns_the_first_rows_and_says_capped(connector) -> None:
    result = connector.query("SELECT * FROM sales ORDER BY order_id", max_rows=100)
    assert result.rows == 100 and result.capped
    assert result.table.column("order_id").to_pylist() == list(range(1, 101))
    assert "first 100 rows" in result.note
    whole = connector.query("SELECT * FROM penguins", max_rows=344)
    assert whole.rows == 344 and not whole.capped and whole.note == ""


def test_a_slow_legal_query_hits_the_timeout_and_the_connection_goes_on(connector) -> None:
    started = time.perf_counter()
    with pytest.raises(RunTimeoutError) as caught:
        connector.query("SELECT count(*) AS n FROM sales a, sales b, sales c", timeout_s=2)
    assert time.perf_counter() - started < 30
    assert "2 s" in caught.value.message
    assert connector.query("SELECT count(*) AS n FROM sales").table.to_pylist() == [{"n": 5000}]


def test_the_querys_own_error_is_a_runtime_failure_naming_it(connector) -> None:
    with pytest.raises(RuntimeFailure) as caught:
        connector.query("SELECT no_such_column FROM sales")
    assert "no_such_column" in caught.value.message


def test_cells_that_say_drop_table_are_only_data(connector) -> None:
    notes = connector.query("SELECT note FROM notes ORDER BY id").table.column("note").to_pylist()
    assert notes == list(HOSTILE_NOTES)
    assert connector.query("SELECT count(*) AS n FROM sales").table.to_pylist() == [{"n": 5000}]


@pytest.mark.parametrize("text", [*HOSTILE_NOTES, "back\\slash", "new\nline", "tab\t", "$$", "''"])
def test_string_literals_reach_the_server_unchanged(connector, text: str) -> None:
    literal = "'" + text.replace("'", "''") + "'"
    got = connector.query(f"SELECT {literal} AS s").table.column("s").to_pylist()
    assert got == [text]


def test_unknown_tables_and_bad_logins_say_what_to_fix(request, connector) -> None:
    with pytest.raises(InputError) as caught:
        connector.profile("no_such_table")
    assert "no_such_table" in caught.value.message and "sales" in caught.value.message
    from engine.databases import connect_database

    if connector.dialect == "postgres":
        server = request.getfixturevalue("postgres_server")
        bad = connect_database(server.url(READER).replace("@127.0.0.1", "x@127.0.0.1"))
        secret = server.passwords[READER]
    else:
        bad = connect_database("sc://127.0.0.1:9/;token=hunter2-token")
        secret = "hunter2-token"
    with pytest.raises(InputError) as caught:
        bad.tables()
    assert "Could not connect" in caught.value.message
    from urllib.parse import quote

    shown = caught.value.message + str(caught.value.detail) + str(caught.value)
    assert secret not in shown and quote(secret, safe="") not in shown
