"""The database guard (issue 15), table-driven: what it lets through (and how it translates it
for PostgreSQL and Spark), and what it refuses, with the words its refusal must say. The same
queries run against real servers in test_database_attacks.py and test_database_connectors.py.
"""

from __future__ import annotations

import pytest

from engine.databases.base import DatabaseColumn, DatabaseTable
from engine.databases.guard import capped_sql, guarded_sql
from engine.errors import BlockedError, UnsupportedError


def _table(schema: str, name: str, default: str, *columns: str) -> DatabaseTable:
    cols = tuple(DatabaseColumn(c, "VARCHAR", "text") for c in columns)
    return DatabaseTable(schema, name, cols, f"x://h/db.{name}", default)


PG = [
    _table("public", "sales", "public", "region", "quantity", "order_date"),
    _table("public", "gapminder", "public", "country", "lifeExp", "year"),
    _table("analytics", "events", "public", "kind"),
]
SPARK = [
    _table("default", "sales", "default", "region", "quantity", "order_date"),
    _table("default", "gapminder", "default", "country", "lifeExp", "year"),
    _table("analytics", "events", "default", "kind"),
]

# DuckDB SQL -> (PostgreSQL text, Spark text)
ACCEPTED = [
    (
        "SELECT region, sum(quantity) AS total FROM sales GROUP BY ALL ORDER BY total DESC",
        'SELECT "region", SUM("quantity") AS "total" FROM "public"."sales" GROUP BY 1 '
        'ORDER BY "total" DESC NULLS LAST',
        "SELECT `region`, SUM(`quantity`) AS `total` FROM `default`.`sales` GROUP BY ALL "
        "ORDER BY `total` DESC",
    ),
    (  # DuckDB ignores identifier case; PostgreSQL's quoted names do not: spelled like the column
        "SELECT country, avg(LIFEEXP) AS LE FROM Gapminder GROUP BY country ORDER BY le",
        'SELECT "country", AVG("lifeExp") AS "LE" FROM "public"."gapminder" GROUP BY "country" '
        'ORDER BY "LE"',
        "SELECT `country`, AVG(`lifeExp`) AS `LE` FROM `default`.`gapminder` GROUP BY `country` "
        "ORDER BY `LE` NULLS LAST",
    ),
    (
        "WITH r AS (SELECT * FROM sales) SELECT count(*) AS n FROM r",
        'WITH "r" AS (SELECT * FROM "public"."sales") SELECT COUNT(*) AS "n" FROM "r"',
        "WITH `r` AS (SELECT * FROM `default`.`sales`) SELECT COUNT(*) AS `n` FROM `r`",
    ),
    (
        "SELECT kind FROM analytics.events UNION ALL SELECT region FROM sales",
        'SELECT "kind" FROM "analytics"."events" UNION ALL SELECT "region" FROM "public"."sales"',
        "SELECT `kind` FROM `analytics`.`events` UNION ALL SELECT `region` FROM `default`.`sales`",
    ),
    (
        "SELECT region FROM sales USING SAMPLE 100 ROWS (reservoir, 42)",
        'SELECT "region" FROM (SELECT * FROM "public"."sales" ORDER BY RANDOM() LIMIT 100) AS "sales"',
        "SELECT `region` FROM (SELECT * FROM `default`.`sales` ORDER BY RAND(42) LIMIT 100) AS `sales`",
    ),
    (
        "SELECT * FROM sales USING SAMPLE 10 PERCENT (bernoulli, 7)",
        'SELECT * FROM "public"."sales" TABLESAMPLE BERNOULLI (10) REPEATABLE (7)',
        "SELECT * FROM `default`.`sales` TABLESAMPLE (10 PERCENT) REPEATABLE (7)",
    ),
    (  # the comment is dropped; the server never sees the text it was given
        "SELECT 1 AS one /* ; DROP TABLE sales */ -- ; DROP TABLE sales",
        'SELECT 1 AS "one"',
        "SELECT 1 AS `one`",
    ),
    (  # dollar quotes, E-strings and quotes become the target's own plain literals
        "SELECT $x$ a $$ b ' c $x$ AS s, E'\\x41' AS e, 'it''s \\ */ --' AS q",
        "SELECT ' a $$ b '' c ' AS \"s\", e'A' AS \"e\", 'it''s \\ */ --' AS \"q\"",
        "SELECT ' a $$ b \\' c ' AS `s`, 'A' AS `e`, 'it\\'s \\\\ */ --' AS `q`",
    ),
    (
        "(SELECT date_part('year', order_date) AS y, now() AS t FROM sales)",
        'SELECT DATE_PART(\'year\', "order_date") AS "y", NOW() AS "t" FROM "public"."sales"',
        "SELECT DATE_PART('year', `order_date`) AS `y`, NOW() AS `t` FROM `default`.`sales`",
    ),
    ("SELECT 1;;", "SELECT 1", "SELECT 1"),
]


@pytest.mark.parametrize(
    ("query", "postgres", "spark"), ACCEPTED, ids=[a[0][:50] for a in ACCEPTED]
)
def test_accepted_and_translated(query: str, postgres: str, spark: str) -> None:
    assert guarded_sql(query, "postgres", PG) == postgres
    assert guarded_sql(query, "spark", SPARK) == spark


# DuckDB SQL -> words the refusal must contain (both dialects)
REFUSED = [
    ("SELECT 1; DROP TABLE sales", "2 statements"),
    ("SELECT 1; SELECT 2", "2 statements"),
    ("DROP TABLE sales", "this is DROP"),
    ("DELETE FROM sales", "this is DELETE"),
    ("UPDATE sales SET region = 'x'", "this is UPDATE"),
    ("INSERT INTO sales SELECT * FROM sales", "this is INSERT"),
    ("TRUNCATE sales", "TRUNCATE"),
    ("CREATE TABLE x AS SELECT 1", "this is CREATE"),
    ("ALTER TABLE sales ADD COLUMN x INT", "ALTER"),
    ("GRANT SELECT ON sales TO PUBLIC", "GRANT"),
    ("COPY sales TO '/tmp/x.csv'", "this is COPY"),
    ("COPY (SELECT 1) TO PROGRAM 'id'", "this is COPY"),
    ("SET default_transaction_read_only = off", "SET"),
    ("BEGIN", "TRANSACTION"),
    ("EXPLAIN ANALYZE SELECT 1", "EXPLAIN"),
    ("CALL proc()", "CALL"),
    ("VACUUM sales", "VACUUM"),
    ("SUMMARIZE SELECT * FROM sales", "SUMMARIZE"),
    ("VALUES (1)", "VALUES"),
    ("SELECT * INTO copy_of_sales FROM sales", "SELECT ... INTO"),
    ("SELECT * FROM sales FOR UPDATE", "locking clause"),
    ("SELECT * FROM sales FOR SHARE", "locking clause"),
    (
        "WITH d AS (DELETE FROM sales RETURNING *) SELECT * FROM d",
        "each WITH part must be a SELECT",
    ),
    ("WITH i AS (INSERT INTO sales SELECT * FROM sales RETURNING 1) SELECT 1", "each WITH part"),
    ("SELECT pg_read_file('/etc/passwd')", "pg_read_file"),
    ("SELECT pg_read_binary_file('/etc/passwd')", "pg_read_binary_file"),
    ("SELECT * FROM pg_ls_dir('.')", "pg_ls_dir"),
    ("SELECT pg_stat_file('postgresql.conf')", "pg_stat_file"),
    ("SELECT pg_catalog.pg_read_file('/etc/passwd')", "pg_read_file"),
    ("SELECT \"pg_read_file\"('/etc/passwd')", "pg_read_file"),
    ("SELECT lo_import('/etc/passwd')", "lo_import"),
    ("SELECT lo_export(1, '/tmp/x')", "lo_export"),
    ("SELECT lo_from_bytea(0, 'x')", "lo_from_bytea"),
    ("SELECT * FROM dblink('host=evil', 'SELECT 1') AS t(a INT)", "dblink"),
    ("SELECT dblink_exec('host=evil', 'DROP TABLE sales')", "dblink_exec"),
    ("SELECT postgres_fdw_disconnect_all()", "postgres_fdw"),
    ("SELECT pg_sleep(5)", "pg_sleep"),
    ("SELECT pg_sleep_for('5 s')", "pg_sleep_for"),
    ("SELECT set_config('default_transaction_read_only', 'off', false)", "set_config"),
    ("SELECT current_setting('data_directory')", "current_setting"),
    ("SELECT pg_terminate_backend(1)", "pg_terminate_backend"),
    ("SELECT pg_cancel_backend(1)", "pg_cancel_backend"),
    ("SELECT pg_advisory_lock(1)", "pg_advisory_lock"),
    ("SELECT txid_current()", "txid_current"),
    ("SELECT nextval('s')", "nextval"),
    ("SELECT query_to_xml('DROP TABLE sales', true, true, '')", "query_to_xml"),
    ("SELECT ts_stat('DELETE FROM sales')", "ts_stat"),
    ("SELECT reflect('java.lang.Runtime', 'getRuntime')", "reflect"),
    ("SELECT java_method('java.lang.System', 'exit', 0)", "java_method"),
    ("SELECT try_reflect('java.lang.System', 'getenv')", "try_reflect"),
    ("SELECT input_file_name() FROM sales", "input_file_name"),
    ("SELECT * FROM read_files('/etc')", "read_files"),
    ("SELECT from_protobuf(region, 'M', '/etc/passwd') FROM sales", "from_protobuf"),
    ("SELECT xpath_string('<a/>', 'a')", "xpath_string"),
    ("SELECT * FROM read_csv('/etc/passwd')", "read_csv"),
    # functions sqlglot knows (so the allowlist would pass them): only the denylist stops these
    ("SELECT read_csv('/etc/passwd') AS x", "read_csv"),
    ("SELECT read_parquet('/tmp/x.parquet') AS x", "read_parquet"),
    ("SELECT to_file('/tmp/x') AS x", "to_file"),
    ("SELECT ai_generate('drop table sales') AS x", "ai_generate"),
    ("SELECT * FROM read_parquet('/tmp/x.parquet')", "read_parquet"),
    ("SELECT * FROM query('DROP TABLE sales')", "query"),
    ("SELECT getenv('HOME')", "getenv"),
    ("SELECT setseed(0.5)", "setseed"),
    ("SELECT my_udf(region) FROM sales", "my_udf"),
    ("SELECT * FROM pg_catalog.pg_authid", "pg_catalog.pg_authid"),
    ("SELECT * FROM information_schema.tables", "information_schema.tables"),
    ('SELECT * FROM text."/etc/passwd"', "/etc/passwd"),
    ("SELECT * FROM other_db.public.sales", "another catalog"),
    ("SELECT * FROM missing_table", "missing_table"),
    ("SELECT * FROM sales WHERE region = $1", "parameter"),
    ("SELECT * FROM sales WHERE region = ?", "parameter"),
    ("SELECT * FROM csv.`/etc/passwd`", "could not be checked"),
    ("SELECT TRANSFORM(region) USING 'cat' FROM sales", "could not be checked"),
    ("SELECT 'unterminated", "could not be checked"),
    ("", "empty"),
    (";", "empty"),
    ("-- only a comment", "empty"),
]


@pytest.mark.parametrize(("query", "words"), REFUSED, ids=[r[0][:50] or "empty" for r in REFUSED])
@pytest.mark.parametrize("dialect", ["postgres", "spark"])
def test_refused(query: str, words: str, dialect: str) -> None:
    with pytest.raises(BlockedError) as caught:
        guarded_sql(query, dialect, PG if dialect == "postgres" else SPARK)
    assert words.lower() in caught.value.message.lower()


def test_a_sample_over_a_join_is_declined_not_mistranslated() -> None:
    with pytest.raises(UnsupportedError):
        guarded_sql("SELECT * FROM sales, gapminder USING SAMPLE 5 ROWS", "postgres", PG)


def test_the_row_cap_wraps_the_guarded_query() -> None:
    assert capped_sql("SELECT 1", 11) == "SELECT * FROM (SELECT 1) AS decipher_result LIMIT 11"


def test_every_query_the_planner_writes_passes_and_translates(planner_sql: list[str]) -> None:
    """The planner's sql() queries over the samples (engine/planner/sqlgen.py), both dialects."""
    tables = [
        _table("public", n, "public", "x")
        for n in ("penguins", "seattle_weather", "gapminder", "sales")
    ]
    refused = []
    for query in planner_sql:
        for dialect in ("postgres", "spark"):
            try:
                guarded_sql(query, dialect, tables)
            except BlockedError as exc:
                refused.append((dialect, query.split()[0], exc.message))
    # SUMMARIZE is DuckDB's own statement: refused, the planner's pandas path answers instead
    assert all(kind == "SUMMARIZE" for _, kind, _ in refused), refused
    assert len(planner_sql) >= 100
