"""The planner's API and behaviour around the case table (issue 5): the draft it returns, its
threshold, starter questions, several tables, awkward column names, big tables, and a subset of
questions answered end to end through the session and the real sandbox."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from engine.errors import UnsupportedError
from tests.conftest import SAMPLE_DATA
from tests.planner_eval import DATASETS, Samples, rows_of


@pytest.fixture(scope="module")
def planner_settings(tmp_path_factory: pytest.TempPathFactory):
    from engine.config import load_settings

    return load_settings(env={}, data_dir=str(tmp_path_factory.mktemp("planner-api-data")))


@pytest.fixture(scope="module")
def samples(planner_settings, tmp_path_factory: pytest.TempPathFactory) -> Samples:
    loaded = Samples(planner_settings, Path(tmp_path_factory.mktemp("planner-api-catalog")))
    yield loaded
    loaded.catalog.close()


def test_a_draft_carries_code_explanation_and_confidence(samples, planner_settings) -> None:
    from engine.planner import plan

    draft = plan("average unit price by region", samples.profiles_for("sales"), planner_settings)
    assert draft.backend == "planner"
    assert draft.explanation == "Mean of unit_price, grouped by region"
    assert 0.75 <= draft.confidence <= 1
    assert 'df.groupby("region")["unit_price"].mean()' in draft.code
    assert "px.bar" in draft.code
    compile(draft.code, "<planner>", "exec")


def test_guessed_statistics_cost_confidence_and_obey_the_threshold(samples, planner_settings):
    from engine.planner import plan

    said = plan("mean body mass by species", samples.profiles_for("penguins"), planner_settings)
    guessed = plan("body mass by species", samples.profiles_for("penguins"), planner_settings)
    assert guessed.confidence < said.confidence
    strict = replace(planner_settings, planner_min_confidence=0.9)
    with pytest.raises(UnsupportedError, match="not confident enough"):
        plan("body mass by species", samples.profiles_for("penguins"), strict)


def test_ambiguous_column_declines_naming_the_candidates(samples, planner_settings) -> None:
    from engine.planner import plan

    with pytest.raises(UnsupportedError) as caught:
        plan("average bill by island", samples.profiles_for("penguins"), planner_settings)
    assert "bill_depth_mm" in caught.value.message and "bill_length_mm" in caught.value.message
    assert caught.value.kind == "unsupported"


@pytest.mark.parametrize("name", DATASETS)
def test_starter_questions_are_answered_and_run(name, samples, planner_settings) -> None:
    from engine.planner import plan, starter_questions

    profile = samples.profiles_for(name)[0]
    questions = starter_questions(profile)
    assert 4 <= len(questions) <= 6
    assert len(set(questions)) == len(questions)
    for question in questions:
        draft = plan(question, [profile], planner_settings)
        ns = samples.execute(draft.code, name)
        assert ns.get("result") is not None, question


def test_several_tables_use_their_own_names(samples, planner_settings) -> None:
    from engine.planner import plan

    draft = plan("median gdpPercap by continent", samples.profiles_for("*"), planner_settings)
    assert "gapminder.groupby" in draft.code and "df" not in draft.code
    result = samples.execute(draft.code, "*")["result"]
    want = samples.catalog.fetch("SELECT continent, median(gdpPercap) FROM gapminder GROUP BY 1")
    assert sorted(rows_of(result)) == sorted(rows_of(want))


def test_awkward_column_names_are_quoted(planner_settings, tmp_path: Path) -> None:
    """Spaces, quotes and capitals in names survive into both pandas and SQL code."""
    from engine.catalog import Catalog
    from engine.planner import plan

    csv = tmp_path / "shop.csv"
    csv.write_text(
        'Unit Price,Store "Name",Region\n10.5,A,North\n20,B,South\n30,A,North\n', encoding="utf-8"
    )
    catalog = Catalog(planner_settings, tmp_path / "catalog")
    table = catalog.load(csv)[0]
    profile = catalog.profile(table.name)
    price = next(c.name for c in profile.columns if "price" in c.name.lower())
    store = next(c.name for c in profile.columns if "store" in c.name.lower())
    region = next(c.name for c in profile.columns if "region" in c.name.lower())
    for rows in (profile.rows, 5_000_000):
        draft = plan(f"total {price} by {region}", [replace(profile, rows=rows)], planner_settings)
        small = Samples.__new__(Samples)
        small.arrow = {table.name: _arrow(catalog, table.name)}
        small._frames = {}
        ns = _run(small, draft.code, table.name)
        assert sorted(rows_of(ns["result"])) == [("North", 40.5), ("South", 20.0)], draft.code
    draft = plan("unique store names", [profile], planner_settings)
    result = _run(small, draft.code, table.name)["result"]
    assert sorted(result) == ["A", "B"], draft.code
    assert store == 'Store "Name"' and '"Store \\"Name\\""' in draft.code
    catalog.close()


def test_a_column_named_like_its_table_still_groups(planner_settings, tmp_path: Path) -> None:
    """Table 'cities' with a column 'city': 'by city' groups; it is not a row noun (once it
    silently answered the overall mean)."""
    from engine.catalog import Catalog
    from engine.planner import plan

    csv = tmp_path / "cities.csv"
    csv.write_text("city,temp_c\nOslo,-3.5\nOslo,-2.0\nRome,8.0\nRome,9.0\n", encoding="utf-8")
    catalog = Catalog(planner_settings, tmp_path / "catalog")
    table = catalog.load(csv)[0]
    small = Samples.__new__(Samples)
    small.arrow = {table.name: _arrow(catalog, table.name)}
    small._frames = {}
    profile = catalog.profile(table.name)
    for rows in (profile.rows, 5_000_000):
        draft = plan("average temp_c by city", [replace(profile, rows=rows)], planner_settings)
        result = _run(small, draft.code, table.name)["result"]
        assert sorted(rows_of(result)) == [("Oslo", -2.75), ("Rome", 8.5)], draft.code
    count = plan("how many cities", [profile], planner_settings)
    assert _run(small, count.code, table.name)["result"] == 2, count.code  # distinct cities
    catalog.close()


def _arrow(catalog, name: str):
    import pyarrow as pa

    return pa.ipc.open_file(pa.memory_map(str(catalog.arrow_file(name)))).read_all()


def _run(samples: Samples, code: str, name: str) -> dict:
    import duckdb
    import numpy as np
    import pandas as pd
    import plotly.express as px

    con = duckdb.connect()
    con.register(name, samples.arrow[name])
    ns = {"pd": pd, "np": np, "px": px, "df": samples.arrow[name].to_pandas()}
    ns["sql"] = lambda query: con.sql(query).df()
    exec(compile(code, "<planner>", "exec"), ns)
    return ns


def test_big_tables_get_sql_from_the_setting(samples, planner_settings) -> None:
    from engine.planner import plan

    profile = samples.profiles_for("sales")
    low = replace(planner_settings, big_table_rows=1000)
    assert "sql(" not in plan("total quantity by region", profile, planner_settings).code
    code = plan("total quantity by region", profile, low).code
    assert 'sql("""' in code and 'GROUP BY "region"' in code and "df" not in code


SANDBOX_CASES = [
    ("how many orders", "SELECT count(*) FROM sales"),
    ("total quantity by region", "SELECT region, sum(quantity) FROM sales GROUP BY 1"),
    (
        "average discount for Small Business",
        "SELECT avg(discount) FROM sales WHERE segment = 'Small Business'",
    ),  # fmt: skip
    (
        "monthly orders in Europe",
        "SELECT date_trunc('month', order_date), count(*) FROM sales WHERE region = 'Europe' "
        "GROUP BY 1",
    ),  # fmt: skip
    (
        "which product has the highest total quantity",
        "SELECT product FROM sales GROUP BY 1 ORDER BY sum(quantity) DESC LIMIT 1",
    ),  # fmt: skip
    (
        "share of orders by segment",
        "SELECT segment, round(count(*) * 100.0 / sum(count(*)) OVER (), 2) FROM sales "
        "WHERE segment IS NOT NULL GROUP BY 1",
    ),  # fmt: skip
    (
        "how many orders since 2024-06-01",
        "SELECT count(*) FROM sales WHERE order_date >= '2024-06-01'",
    ),  # fmt: skip
]


def test_planned_code_runs_in_the_real_sandbox(session) -> None:
    """The answer loop hands planned code to the sandbox; the answers match DuckDB's."""
    for question, sql in SANDBOX_CASES:
        turn = session.ask(question, backend="planner")
        assert turn.ok, (question, turn.result.error, turn.code)
        assert turn.backend == "planner" and turn.explanation
        answer = turn.result.answer
        want = session.catalog.fetch(sql)
        if answer.table is None:  # a value, or text for a name
            value = answer.value if answer.value is not None else answer.text
            assert rows_of(value) == rows_of(want), (question, answer)
        else:
            got = [tuple(r) for r in answer.table.to_json()["rows"]]
            assert sorted(rows_of(got)) == sorted(rows_of(want)), question
    chart = session.ask("distribution of unit price", backend="planner")
    assert chart.ok and chart.result.answer.figure is not None


def test_a_decline_reaches_the_user_as_unsupported(session) -> None:
    turn = session.ask("why did sales drop in March", backend="planner")
    assert not turn.ok
    assert turn.result.error.kind == "unsupported"


def test_the_sample_files_exist() -> None:
    for name in DATASETS:
        assert (SAMPLE_DATA / f"{name}.csv").is_file()


def test_timestamp_ranges_keep_the_last_day(planner_settings, tmp_path: Path) -> None:
    """A day of a TIMESTAMP column runs until midnight, in both pandas and SQL code."""
    from engine.catalog import Catalog
    from engine.planner import plan

    csv = tmp_path / "events.csv"
    stamps = ["2024-01-01 09:00:00", "2024-01-02 23:30:00", "2024-01-03 00:00:00", "2024-02-01"]
    csv.write_text("event_id,at,kind\n" + "".join(
        f"{i},{s},{'a' if i % 2 else 'b'}\n" for i, s in enumerate(stamps)
    ), encoding="utf-8")  # fmt: skip
    catalog = Catalog(planner_settings, tmp_path / "catalog")
    table = catalog.load(csv)[0]
    profile = catalog.profile(table.name)
    assert profile.column("at").type.startswith("TIMESTAMP")
    small = Samples.__new__(Samples)
    small.arrow = {table.name: _arrow(catalog, table.name)}
    small._frames = {}
    for question, want in [
        ("how many events between 2024-01-01 and 2024-01-02", 2),
        ("how many events on 2024-01-02", 1),
        ("how many events in January 2024", 3),
        ("how many events before 2024-01-03", 2),
    ]:
        for rows in (profile.rows, 5_000_000):
            draft = plan(question, [replace(profile, rows=rows)], planner_settings)
            assert _run(small, draft.code, table.name)["result"] == want, (question, draft.code)
    catalog.close()


def test_big_table_histogram_counts_every_row_once(samples, planner_settings) -> None:
    """DuckDB bins the values; every non-missing value lands in exactly one of the bins."""
    from engine.planner import plan

    for name, question, column in [
        ("sales", "distribution of unit price", "unit_price"),
        ("penguins", "histogram of body mass", "body_mass_g"),
    ]:
        draft = plan(question, samples.profiles_for(name, big=True), planner_settings)
        ns = samples.execute(draft.code, name)
        bins = ns["bins"]
        [(count, low, high)] = samples.catalog.fetch(
            f"SELECT count({column}), min({column}), max({column}) FROM {name}"
        )
        assert int(bins["count"].sum()) == count
        assert len(bins) <= 40 and bins[column].min() > low and bins[column].max() < high
