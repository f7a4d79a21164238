"""The database wiring that needs no server (issue 15): where a sql() query runs, where URLs come
from, what the prompt and the planner say about a database table, what history keeps."""

from __future__ import annotations

import pytest

from engine.config import load_settings
from engine.databases.base import DatabaseColumn, DatabaseTable
from engine.databases.connections import configured_urls, sql_name
from engine.databases.routing import DatabaseRef, route_query
from engine.errors import BlockedError, RuntimeFailure, UnsupportedError
from engine.types import ColumnProfile, TableProfile

PG = "postgresql://ann@db:5432/shop"
SPARK = "sc://spark:15002"


def ref(name: str, connection: str = PG, schema: str = "public", table: str | None = None):
    columns = (DatabaseColumn("region", "VARCHAR", "text"), DatabaseColumn("price", "DOUBLE", "x"))
    default = "public" if connection == PG else "default"
    found = DatabaseTable(
        schema, table or name.split(".")[-1], columns, f"{connection}.{name}", default
    )
    return DatabaseRef(name, connection, found, "PostgreSQL" if connection == PG else "Spark")


REFS = [ref("orders"), ref("public.penguins", table="penguins"), ref("events", SPARK, "default")]
LOCAL = ["penguins", "managers"]


@pytest.mark.parametrize(
    ("query", "kind", "tables"),
    [
        ("SELECT region, sum(price) FROM orders GROUP BY ALL", "database", ["orders"]),
        ("SELECT * FROM public.penguins", "database", ["public.penguins"]),
        ('SELECT * FROM "public"."orders"', "database", ["orders"]),  # schema.table spelling
        ("SELECT * FROM penguins", "local", []),  # the file, not the database's
        ("SELECT * FROM orders o JOIN managers m USING (region)", "bring", ["orders"]),
        ("SELECT * FROM orders JOIN events USING (region)", "bring", ["orders", "events"]),
        ("WITH orders AS (SELECT 1 AS a) SELECT * FROM orders", "local", []),  # a CTE's name
        ("SELECT 'orders' AS word", "local", []),  # only a word
        ("DROP TABLE orders", "database", ["orders"]),  # the guard refuses it there
    ],
)
def test_where_a_query_runs(query: str, kind: str, tables: list[str]) -> None:
    route = route_query(query, REFS, LOCAL)
    assert (route.kind, [t.name for t in route.tables]) == (kind, tables)


def test_an_unknown_table_beside_a_database_table_is_named() -> None:
    with pytest.raises(RuntimeFailure, match="Table ordrs does not exist"):
        route_query("SELECT * FROM orders JOIN ordrs USING (region)", REFS, LOCAL)


def test_an_unparsable_query_naming_a_database_table_is_blocked() -> None:
    with pytest.raises(BlockedError, match="could not be checked"):
        route_query("SELECT * FROM orders WHERE (", REFS, LOCAL)


def test_urls_come_from_the_environment_secrets_and_the_settings_page() -> None:
    env = {"DECIPHER_DATABASES": f"{PG}\n# a comment\n\n{SPARK}\n"}
    secrets = {"DECIPHER_DATABASES": [SPARK, "sc://other:1"], "decipher_databases_entered": [PG]}
    assert configured_urls(secrets, env) == [PG, SPARK, "sc://other:1"]
    assert configured_urls(None, {}) == []


def test_sql_names_quote_each_part() -> None:
    assert sql_name("sales") == '"sales"'
    assert sql_name("default.sales") == '"default"."sales"'


def profile(source: str, name: str = "orders") -> TableProfile:
    columns = (
        ColumnProfile("region", "VARCHAR", 0, 3, top_values=(("East", 5), ("West", 4))),
        ColumnProfile("price", "DOUBLE", 0, 90, min=1.0, max=9.0, mean=4.0),
    )
    return TableProfile(name, source, 1000, columns)


def test_the_prompt_says_where_a_database_table_lives_and_to_use_sql(settings) -> None:
    from engine.prompt import DATABASE_RULES, system_message

    text = system_message([profile("postgresql://db/shop.orders")], settings)
    assert DATABASE_RULES.format(max_rows=settings.database_max_rows) in text
    assert "It lives in PostgreSQL (postgresql://db/shop.orders): query it only with sql()" in text
    assert "(df)" not in text
    plain = system_message([profile("/data/orders.csv")], settings)
    assert "Table orders (df)" in plain and "PostgreSQL" not in plain  # files: unchanged


def test_the_planner_writes_sql_for_a_database_table_of_any_size(settings) -> None:
    from engine.planner import plan

    small = profile("postgresql://db/shop.orders")
    draft = plan("total price by region", [small], settings)
    assert 'sql("""' in draft.code and 'FROM "orders"' in draft.code
    assert "groupby" in plan("total price by region", [profile("x.csv")], settings).code
    qualified = profile("postgresql://db/shop.public.penguins", name="public.penguins")
    assert 'FROM "public"."penguins"' in plan("total price by region", [qualified], settings).code


def test_the_planner_declines_an_intent_without_sql_for_a_database_table(settings) -> None:
    from engine.planner import plan

    numbers = (
        ColumnProfile("a", "DOUBLE", 0, 90, min=1.0, max=9.0, mean=4.0),
        ColumnProfile("b", "DOUBLE", 0, 90, min=1.0, max=9.0, mean=4.0),
        ColumnProfile("c", "DOUBLE", 0, 90, min=1.0, max=9.0, mean=4.0),
    )
    table = TableProfile("orders", "sc://spark/spark.orders", 1000, numbers)
    with pytest.raises(UnsupportedError, match="orders lives in Spark"):
        plan("correlation matrix", [table], settings)
    assert (
        "corr"
        in plan("correlation matrix", [TableProfile("t", "t.csv", 10, numbers)], settings).code
    )


def test_history_keeps_a_database_by_its_redacted_url(tmp_path) -> None:
    from engine.history import HistoryStore

    with HistoryStore(tmp_path) as store:
        sid = store.new_session()
        store.add_database(sid, "postgresql://ann:s3cret-pw@db:5432/shop")
        store.add_database(sid, "postgresql://ann:other@db:5432/shop")  # the same database
        store.add_database(sid, "sc://spark:15002/;token=t0ken-xyz")
        assert store.databases(sid) == ["postgresql://ann@db:5432/shop", "sc://spark:15002"]
        store.remove_database(sid, "sc://spark:15002")
        assert store.databases(sid) == ["postgresql://ann@db:5432/shop"]
    data = (tmp_path / "history.sqlite").read_bytes() + b"".join(
        p.read_bytes() for p in tmp_path.glob("history.sqlite-*")
    )
    assert b"s3cret-pw" not in data and b"t0ken-xyz" not in data


def test_the_database_settings_are_declared_with_bounds() -> None:
    settings = load_settings(
        env={"DECIPHER_DATABASE_TIMEOUT_S": "5", "DECIPHER_DATABASE_MAX_ROWS": "10"}
    )
    assert (settings.database_timeout_s, settings.database_max_rows) == (5.0, 10)
    with pytest.raises(Exception, match="database_max_rows"):
        load_settings(env={"DECIPHER_DATABASE_MAX_ROWS": "0"})
