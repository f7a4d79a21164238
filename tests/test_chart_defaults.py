"""The chart builder's first choice (issue 16): a category by a measure, never an id or a year."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.catalog import Catalog
from engine.chart_defaults import ChartDefaults, chart_defaults, is_identifier, is_year
from engine.config import load_settings
from engine.types import ColumnProfile, TableProfile

SAMPLES = Path(__file__).resolve().parent.parent / "sample_data"


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        ("sales.csv", ChartDefaults("region", "unit_price", "mean")),  # not order_id by order_id
        ("gapminder.csv", ChartDefaults("continent", "lifeExp", "mean")),  # not year, not country
        ("penguins.csv", ChartDefaults("species", "bill_length_mm", "mean")),
        ("seattle_weather.csv", ChartDefaults("weather", "precipitation", "mean")),
    ],
)
def test_each_sample_starts_with_a_category_and_a_measure(
    sample: str, expected: ChartDefaults, tmp_path: Path
) -> None:
    catalog = Catalog(load_settings(), tmp_path)
    try:
        (table,) = catalog.load(SAMPLES / sample)
        assert chart_defaults(catalog.profile(table.name)) == expected
    finally:
        catalog.close()


def column(name: str, type_: str = "BIGINT", distinct: int = 100, lo=1, hi=100) -> ColumnProfile:
    return ColumnProfile(name, type_, null_count=0, distinct_count=distinct, min=lo, max=hi)


@pytest.mark.parametrize(
    ("col", "identifier"),
    [
        (column("order_id"), True),
        (column("customerId", distinct=40), True),
        (column("iso_num", distinct=40, hi=894), True),
        (column("row", distinct=100), True),  # unique 1..100: a key whatever its name
        (column("pop", distinct=100, lo=60_011, hi=1_318_683_096), False),  # unique but spread
        (column("paid", "DOUBLE", distinct=50, lo=0.5, hi=99.5), False),
        (column("quantity", distinct=12, hi=12), False),
    ],
)
def test_ids_are_told_from_measures(col: ColumnProfile, identifier: bool) -> None:
    assert is_identifier(col, rows=100) is identifier


def test_years_are_not_measures() -> None:
    assert is_year(column("year", distinct=3, lo=2007, hi=2009))
    assert is_year(column("season", distinct=20, lo=1990, hi=2010))
    assert not is_year(column("body_mass_g", distinct=94, lo=2700, hi=6300))


def test_an_additive_measure_is_summed_and_a_table_of_ids_counts_rows() -> None:
    region = column("region", "VARCHAR", distinct=4, lo="East", hi="West")
    units = column("units_sold", distinct=30, lo=0, hi=90)
    profile = TableProfile("t", "t.csv", 100, (column("id"), region, units))
    assert chart_defaults(profile) == ChartDefaults("region", "units_sold", "sum")
    only_ids = TableProfile("t", "t.csv", 100, (column("id"), region))
    assert chart_defaults(only_ids) == ChartDefaults("region", None, "count")
