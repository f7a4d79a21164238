"""The column check says where the years are when a table has one column per year."""

from __future__ import annotations

import pytest

from engine.year_columns import years_in_names
from tests.test_answer_failures import ask_model

GDP = ("country", "gdpPercap_1952", "gdpPercap_1957", "gdpPercap_1962", "gdpPercap_2007")


def test_a_year_filter_on_a_table_with_one_column_per_year_is_told_where_they_are() -> None:
    said = years_in_names("year", GDP)
    assert said == (
        "The years are in the column names: 'gdpPercap_1952' … 'gdpPercap_2007', one column "
        "per year, and each row holds all the years of one 'country'. Read the year asked from "
        "its own column (df['gdpPercap_1952'] for 1952), with no filter on a 'year' column."
    )


@pytest.mark.parametrize(
    ("missing", "columns"),
    [
        ("country_code", GDP),  # not a year the code looks for
        ("year", ("country", "pop_1990", "pop_2000")),  # two years: perhaps two dates of a row
        ("year", ("country", "pop", "area_km2")),
        ("Date", ("id", "route 2001", "route 2001b", "route 2001c")),  # one number, three times
    ],
)
def test_no_years_in_the_names_says_nothing(missing: str, columns: tuple[str, ...]) -> None:
    assert years_in_names(missing, columns) == ""


def test_the_repair_reads_the_year_from_its_column(session, tmp_path) -> None:
    """On the real sandbox: the draft filters on a 'year' column the wide table lacks; the
    repair is told where the years are (and not to decline), and its code answers."""
    wide = tmp_path / "gdp_wide.csv"
    wide.write_text("country,gdp_1990,gdp_2000,gdp_2010\nA,1.5,2.5,4.0\nB,3.0,1.0,2.0\n")
    session.load(wide)
    bad = (
        "rows = gdp_wide[gdp_wide['year'] == 2000]\n"
        "result = rows.loc[rows['gdp_2000'].idxmax(), 'country']"
    )
    good = "result = gdp_wide.loc[gdp_wide['gdp_2000'].idxmax(), 'country']"
    turn, server = ask_model(session, "which country had the highest gdp in 2000?", [bad, good])
    assert turn.ok and turn.result.answer.value == "A"
    repair = server.requests[1].messages[-1]["content"]
    assert "The years are in the column names: 'gdp_1990' … 'gdp_2010'" in repair
    assert "cannot_answer" not in repair
