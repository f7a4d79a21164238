"""Table and column names: valid identifiers, readable, unique."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.identifiers import (
    clean_column_names,
    identifier_from_text,
    quote_ident,
    table_name_from_path,
    unique_name,
)


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("Sales 2024.csv", "sales_2024"),
        ("/x/y/Café Prices (v2).xlsx", "cafe_prices_v2"),
        ("2024.csv", "table_2024"),
        ("class.csv", "class_"),
        ("df.csv", "df_"),
        ("---.csv", "table"),
    ],
)
def test_table_names(path, name):
    assert table_name_from_path(path) == name
    assert name.isidentifier()


def test_table_names_are_unique_case_insensitively():
    assert table_name_from_path("Sales.csv", taken=["SALES", "sales_2"]) == "sales_3"


@pytest.mark.parametrize(
    ("name", "taken", "options", "expected"),
    [
        ("sales", {"SALES"}, {}, "sales_2"),
        ("sales", {"SALES"}, {"ignore_case": False}, "sales"),
        ("a", {"a", "a_2"}, {"ignore_case": False}, "a_3"),
        ("x.csv", {"x.csv", "x-2.csv"}, {"numbered": lambda n: f"x-{n}.csv"}, "x-3.csv"),
    ],
)
def test_unique_name(name, taken, options, expected):
    assert unique_name(name, taken, **options) == expected


def test_column_names_blank_duplicate_whitespace():
    assert clean_column_names(["id", "", None, "id", " a  b ", "ID", "column3"]) == [
        "id",
        "column_2",
        "column_3",
        "id_2",
        "a b",
        "ID_3",
        "column_7",
    ]


@given(st.lists(st.one_of(st.none(), st.text(max_size=12)), max_size=30))
def test_column_names_always_unique_and_non_empty(names):
    cleaned = clean_column_names(names)
    assert len(cleaned) == len(names)
    assert all(c.strip() for c in cleaned)
    assert len({c.lower() for c in cleaned}) == len(cleaned)


@given(st.text(max_size=40))
def test_identifier_from_any_text(text):
    assert identifier_from_text(text).isidentifier()


@pytest.mark.parametrize(
    ("name", "quoted"),
    [("price", '"price"'), ("Store Name", '"Store Name"'), ('a "b"', '"a ""b"""'), ("", '""')],
)
def test_quote_ident_doubles_embedded_quotes(name, quoted):
    assert quote_ident(name) == quoted


def test_quote_ident_round_trips_through_duckdb():
    import duckdb

    name = 'odd "name"; DROP TABLE t --'
    con = duckdb.connect()
    con.execute(f"CREATE TABLE t AS SELECT 1 AS {quote_ident(name)}")
    assert [r[0] for r in con.execute("DESCRIBE t").fetchall()] == [name]
