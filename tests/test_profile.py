"""Profiles computed by DuckDB on real tables: counts, ranges, top values, approximation on big tables."""

from __future__ import annotations

from datetime import date

import pytest

from engine.loading import tables_from_file
from engine.profile import APPROX_FROM_ROWS, profile_table
from engine.types import TableProfile
from tests.conftest import SAMPLE_DATA


@pytest.fixture
def penguins(con, tmp_path) -> TableProfile:
    tables_from_file(con, SAMPLE_DATA / "penguins.csv", work_dir=tmp_path)
    return profile_table(con, "penguins", source="penguins.csv")


def test_penguins_profile_matches_the_data(penguins):
    assert penguins.rows == 344
    species = penguins.column("species")
    assert species.type == "VARCHAR"
    assert species.distinct_count == 3
    assert dict(species.top_values) == {"Adelie": 152, "Gentoo": 124, "Chinstrap": 68}
    mass = penguins.column("body_mass_g")
    assert (mass.null_count, mass.min, mass.max) == (2, 2700, 6300)
    assert mass.mean == pytest.approx(4201.754, abs=0.01)
    assert mass.kind == "number" and species.kind == "text"
    assert penguins.column("sex").null_count == 11
    assert len(penguins.sample_rows) == 5


def test_dates_have_ranges(con, tmp_path):
    tables_from_file(con, SAMPLE_DATA / "seattle_weather.csv", work_dir=tmp_path)
    profile = profile_table(con, "seattle_weather")
    d = profile.column("date")
    assert (d.type, d.kind, d.min, d.max) == ("DATE", "date", date(2012, 1, 1), date(2015, 12, 31))


def test_profile_json_round_trip(penguins):
    assert TableProfile.from_json(penguins.to_json()).to_json() == penguins.to_json()


def test_big_tables_use_approximate_distincts(con):
    con.execute(
        f"CREATE TABLE big AS SELECT range AS id, range % 10 AS grp, 'v' || (range % 3) AS label "
        f"FROM range({APPROX_FROM_ROWS})"
    )
    profile = profile_table(con, "big")
    ident = profile.column("id")
    assert ident.distinct_approximate
    assert abs(ident.distinct_count - APPROX_FROM_ROWS) / APPROX_FROM_ROWS < 0.1
    assert dict(profile.column("label").top_values) == {"v0": 333334, "v1": 333333, "v2": 333333}


def test_long_text_is_shortened_and_nested_types_survive(con):
    con.execute(
        "CREATE TABLE t AS SELECT repeat('x', 500) AS long_text, {'a': 1} AS s, [1, 2] AS l"
    )
    profile = profile_table(con, "t")
    assert len(profile.column("long_text").min) == 80
    assert profile.column("s").min is None  # not orderable: no min/max, but still profiled
    assert profile.column("l").distinct_count == 1


def test_fixed_size_array_columns_are_profiled_as_nested_not_numbers(con) -> None:
    """INTEGER[2] counted as a number made avg() fail and the whole profile crash."""
    from engine.profile import profile_table

    con.execute(
        "CREATE TABLE arrays AS SELECT [i, i + 1]::INTEGER[2] AS pair, i FROM range(5) r(i)"
    )
    pair, i = profile_table(con, "arrays").columns
    assert (pair.kind, pair.mean, pair.min) == ("other", None, None)
    assert (i.kind, i.mean) == ("number", 2.0)
