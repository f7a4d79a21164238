"""Wide tables (issue 14): a 1,000-column profile is complete and agrees with plain DuckDB queries.

Before issue 14 the profile asked for 1,000 count(DISTINCT) in one SELECT, which ran out of memory
(18.8 GiB) on a 20-row table. No timing is asserted here; bench/wide.py measures.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date

import pytest

from engine import profile as profile_module
from engine.identifiers import quote_ident
from engine.loading import tables_from_file
from engine.profile import EXACT_MAX_DISTINCT, TOP_VALUES, profile_table
from tests.conftest import ROOT

COLUMNS = 1000
ROWS = 3000
KINDS = ("int", "float", "low", "key", "day", "flag")


def _expression(i: int) -> str:
    kind = KINDS[i % len(KINDS)]
    expression = {
        "int": f"(hash(range + {i}) % 1000)::BIGINT",  # ~950 values: estimated
        "float": f"round((hash(range * {i + 2}) % 100000) / 100.0, 2)",
        "low": f"'v' || least(range % {8 + i % 5}, 6)",  # 7 values, v6 most frequent, ties below
        "key": f"'id_' || (range + {i})",  # unique: estimated
        "day": f"DATE '2020-01-01' + ((range * {i + 1}) % 50)::INTEGER",  # 50 values: exact
        "flag": f"range % {i % 4 + 2} = 0",
    }[kind]
    if i % 3 == 0:
        expression = f"CASE WHEN (range + {i}) % 9 = 0 THEN NULL ELSE {expression} END"
    return f"{expression} AS {kind}_{i:04d}"


@pytest.fixture(scope="module")
def wide_con():
    """A 1,000-column x 3,000-row table with every kind of column, plus a few awkward ones."""
    from engine.catalog import connect

    con = connect()
    columns = [_expression(i) for i in range(COLUMNS - 3)]
    columns += [
        'NULL::VARCHAR AS "all null"',
        "{'a': range % 2} AS nested",
        '\'x\' || (range % 3) AS "odd ""name"""',
    ]
    con.execute(f"CREATE TABLE wide AS SELECT {', '.join(columns)} FROM range({ROWS})")
    yield con
    con.close()


@pytest.fixture(scope="module", params=["unpivot", "group by each"])
def wide(request, wide_con):
    """The profile, once per way of counting values (one GROUP BY for all, or one per column)."""
    with pytest.MonkeyPatch.context() as patch:
        if request.param == "group by each":
            patch.setattr(profile_module, "UNPIVOT_MAX_ROWS", 0)
        return profile_table(wide_con, "wide")


def _truth(con, column: str) -> dict:
    c = quote_ident(column)
    non_null, distinct = con.execute(
        f"SELECT count({c}), count(DISTINCT {c}) FROM wide"
    ).fetchall()[0]
    top = con.execute(
        f"SELECT {c}, count(*) AS n FROM wide WHERE {c} IS NOT NULL GROUP BY {c} "
        f"ORDER BY n DESC, {c} LIMIT {TOP_VALUES}"
    ).fetchall()
    return {"nulls": ROWS - non_null, "distinct": distinct, "top": tuple(top)}


def test_every_column_is_profiled_in_order(wide, wide_con):
    names = [r[0] for r in wide_con.execute("DESCRIBE wide").fetchall()]
    assert wide.rows == ROWS
    assert [c.name for c in wide.columns] == names and len(names) == COLUMNS
    assert list(wide.sample_rows) == wide_con.execute("SELECT * FROM wide LIMIT 5").fetchall()
    for column in wide.columns:
        if column.null_count < ROWS:
            assert column.examples, column.name


@pytest.mark.parametrize("name", ["low_0002", "low_0008", "low_0014", "day_0004", "day_0010"])
def test_few_values_are_counted_exactly_with_top_values(wide, wide_con, name):
    truth = _truth(wide_con, name)
    column = wide.column(name)
    assert (column.null_count, column.distinct_count) == (truth["nulls"], truth["distinct"])
    assert not column.distinct_approximate
    assert column.top_values == truth["top"]
    assert column.examples == tuple(v for v, _ in truth["top"][:5])


def test_spot_checked_numbers_match_duckdb(wide, wide_con):
    for name in ("int_0000", "float_0001", "float_0007", "int_0996"):
        c = quote_ident(name)
        nulls, lo, hi, mean = wide_con.execute(
            f"SELECT count(*) - count({c}), min({c}), max({c}), avg({c}) FROM wide"
        ).fetchall()[0]
        column = wide.column(name)
        assert (column.null_count, column.min, column.max) == (nulls, lo, hi), name
        assert column.mean == pytest.approx(mean, rel=1e-12), name
        assert column.top_values == ()  # numbers get examples, not top values
        assert column.kind == "number"


def test_many_values_are_estimated_flagged_and_noted(wide, wide_con):
    for name in ("key_0003", "int_0006", "key_0009"):
        truth = _truth(wide_con, name)
        column = wide.column(name)
        assert column.distinct_approximate and truth["distinct"] > EXACT_MAX_DISTINCT
        assert abs(column.distinct_count - truth["distinct"]) <= 0.1 * truth["distinct"], name
        assert column.null_count == truth["nulls"] and column.top_values == ()
    estimated = sum(c.distinct_approximate for c in wide.columns)
    assert estimated and any(f"{estimated:,} of the 1,000 columns" in n for n in wide.notes)


def test_awkward_columns(wide, wide_con):
    assert wide.column("flag_0005").distinct_count == 2
    assert wide.column("flag_0005").top_values == _truth(wide_con, "flag_0005")["top"]
    empty = wide.column("all null")
    assert (empty.null_count, empty.distinct_count, empty.distinct_approximate) == (ROWS, 0, False)
    assert wide.column("nested").top_values == (({"a": 0}, 1500), ({"a": 1}, 1500))
    odd = wide.column('odd "name"')
    assert dict(odd.top_values) == {"x0": 1000, "x1": 1000, "x2": 1000}


def test_narrow_tables_keep_the_exact_profile(con):
    con.execute(
        "CREATE TABLE t AS SELECT range % 500 AS n, 'v' || (range % 450) AS s FROM range(900)"
    )
    profile = profile_table(con, "t")
    assert [c.distinct_count for c in profile.columns] == [500, 450]
    assert not any(c.distinct_approximate for c in profile.columns) and not profile.notes


def _write_wide_csv(path, rows: int = 20) -> None:
    header = ",".join(f"c{i}" for i in range(COLUMNS))
    lines = [header] + [
        ",".join(str((r * 7 + i) % 13) if i % 2 else f"t{(r + i) % 4}" for i in range(COLUMNS))
        for r in range(rows)
    ]
    path.write_text("\n".join(lines) + "\n")


def test_a_1000_column_csv_loads_and_profiles_exactly(con, tmp_path):
    """The issue's case: 1,000 columns x 20 rows, which never finished before."""
    path = tmp_path / "wide.csv"
    _write_wide_csv(path)
    (table,) = tables_from_file(con, path, work_dir=tmp_path)
    profile = profile_table(con, table.name)
    assert len(profile.columns) == COLUMNS and profile.rows == 20
    assert not any(c.distinct_approximate for c in profile.columns) and not profile.notes
    c0, c1 = profile.column("c0"), profile.column("c1")
    assert dict(c0.top_values) == {"t0": 5, "t1": 5, "t2": 5, "t3": 5}
    assert (c1.type, c1.distinct_count, c1.min, c1.max) == ("BIGINT", 13, 0, 12)


def test_cli_profile_json_of_a_wide_csv(tmp_path):
    path = tmp_path / "wide.csv"
    _write_wide_csv(path)
    proc = subprocess.run(
        [sys.executable, "-m", "engine", "profile", "--data", str(path), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DECIPHER_DATA_DIR": str(tmp_path / "data")},
    )
    assert proc.returncode == 0, proc.stderr
    document = json.loads(proc.stdout)  # exactly one JSON object, nothing else on stdout
    assert document["ok"] and document["error"] is None
    (table,) = document["tables"]
    assert (table["name"], table["rows"], len(table["columns"])) == ("wide", 20, COLUMNS)
    assert table["columns"][2]["top_values"][0] == ["t0", 5]


def test_dates_survive_as_dates(wide):
    assert isinstance(wide.column("day_0004").min, date)


def test_text_dates_of_a_wide_csv(con, tmp_path):
    """150 date-like text columns: each format is tried on a sample first, then on every value."""

    def cell(kind: int, r: int) -> str:
        if kind == 0:  # day-first with dots: one format fits
            return f"{r % 28 + 1:02d}.{r % 12 + 1:02d}.2024"
        if kind == 1 or r < 250:  # day equals month: both orders fit
            return f"{r % 12 + 1:02d}/{r % 12 + 1:02d}/2024"
        return f"{13 + r % 10}/01/2024"  # kind 2 past the 200-value sample: day-first only

    path = tmp_path / "dates.csv"
    lines = [",".join(f"d{i}" for i in range(150))]
    lines += [",".join(cell(i % 3, r) for i in range(150)) for r in range(300)]
    path.write_text("\n".join(lines) + "\n")
    (table,) = tables_from_file(con, path, work_dir=tmp_path)
    types = dict(
        con.execute(f"SELECT column_name, column_type FROM (DESCRIBE {table.name})").fetchall()
    )
    assert {types[f"d{i}"] for i in range(0, 150, 3)} == {"DATE"}
    assert {types[f"d{i}"] for i in range(1, 150, 3)} == {"VARCHAR"}
    assert {types[f"d{i}"] for i in range(2, 150, 3)} == {"DATE"}
    day_first = con.execute(f"SELECT d2 FROM {table.name} LIMIT 1 OFFSET 250").fetchall()
    assert day_first == [(date(2024, 1, 13),)]
    kept = [n for n in table.notes if "could be day-first or month-first" in n]
    assert len(kept) == 50


def test_queries_side_by_side_give_the_same_profile(wide_con):
    """Wide tables run their chunk queries on several connections at once (DuckDB's `threads`)."""
    side_by_side = profile_table(wide_con, "wide").to_json()
    wide_con.execute("SET threads = 1")  # one connection, one query after another
    try:
        one_by_one = profile_table(wide_con, "wide").to_json()
    finally:
        wide_con.execute("RESET threads")
    assert int(wide_con.execute("SELECT current_setting('threads')").fetchall()[0][0]) > 1
    assert one_by_one == side_by_side
