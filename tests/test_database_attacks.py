"""Attacks on the database connectors, against real PostgreSQL and Spark Connect (issue 15).

Every forbidden statement and function the guard knows (test_database_guard.REFUSED), several
statements in one string, comment, quoting and escape tricks, SQL that writes to a canary
directory on the server, and cells of data that say "drop table". Each must be refused or stay
harmless; the last test of each server checks that every table's checksum, the server's file
list and the canary directory are as they were. Then each wall is tested alone, the guard
bypassed: the wrapping subquery (both), the read-only session and the SELECT-only role
(PostgreSQL).
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Any

import pytest

from engine.errors import BlockedError, EngineError
from tests.db_fixtures import HOSTILE_NOTES
from tests.db_servers import OWNER, READER
from tests.test_database_guard import REFUSED

pytestmark = pytest.mark.slow
TABLES = ("penguins", "seattle_weather", "gapminder", "sales", "notes")

# Must be refused by the guard, on both servers ({canary} is a directory the server may write).
SMUGGLED = [
    "COPY sales TO '{canary}/copy.csv'",
    "COPY (SELECT 1) TO PROGRAM 'touch {canary}/program'",
    "SELECT lo_export(lo_import('/etc/passwd'), '{canary}/lo')",
    "SELECT * FROM sales; COPY sales TO '{canary}/x.csv'",
    "INSERT OVERWRITE DIRECTORY '{canary}/spark' SELECT * FROM sales",
    "INSERT OVERWRITE LOCAL DIRECTORY '{canary}/local' SELECT * FROM sales",
    "CREATE TABLE evil USING csv LOCATION '{canary}/t' AS SELECT 1",
    "SELECT * FROM sales /* */; DROP TABLE sales --",
    "SELECT 1 --\n; DROP TABLE sales",
    "SELECT 1 /* ; */ ; DROP TABLE sales",
    "SELECT $$ $$; DROP TABLE sales; -- $$",
    "SELECT $a$ $b$ $a$; DROP TABLE sales",
    "SELECT count(*) FROM sales WHERE region = '\\'; DROP TABLE sales; --'",
    "SELECT U&'\\0041'; DROP TABLE sales",
    "BEGIN SELECT 1; DROP TABLE sales; END",
    "WITH x AS (SELECT 1) DELETE FROM sales",
    "SELECT * FROM sales UNION ALL SELECT reflect('java.lang.Runtime', 'getRuntime')",
    "SELECT * FROM (SELECT pg_read_file('/etc/passwd')) AS t",
    "SELECT (SELECT java_method('java.lang.System', 'exit', 0)) AS x",
    "SELECT * FROM sales WHERE region IN (SELECT lo_import('/etc/passwd')::text)",
    "SELECT 1 FROM sales WHERE EXISTS (SELECT dblink_exec('host=x', 'DROP TABLE sales'))",
    "DROP TABLE sales",  # what a model told "drop table sales" by a question or a cell writes
]
# Tricks that are only strings: they run, return their text, and change nothing.
HARMLESS = [
    ("SELECT $outer$ $inner$ DROP TABLE sales $inner$ $outer$ AS s", " $inner$ DROP TABLE sales $inner$ "),
    ("SELECT E'\\'; DROP TABLE sales; --' AS s", "'; DROP TABLE sales; --"),
    ("SELECT 'a''; DROP TABLE sales; --' AS s", "a'; DROP TABLE sales; --"),
    ("SELECT '*/ DROP TABLE sales /*' AS s", "*/ DROP TABLE sales /*"),
    ("SELECT '-- DROP TABLE sales' AS s /* DROP TABLE sales */", "-- DROP TABLE sales"),
]  # fmt: skip


@pytest.fixture(scope="module", params=["postgres", "spark"])
def target(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """A reader's connector, and the server's state before any attack."""
    from engine.databases import connect_database

    if request.param == "postgres":
        server = request.getfixturevalue("postgres_server")
        connector = connect_database(server.url(READER), timeout_s=30)
        canary = server.root / "canary"
    else:
        server = request.getfixturevalue("spark_server")
        connector = connect_database(server.url, timeout_s=30)
        canary = server.root / "canary"
    canary.mkdir(exist_ok=True)
    if request.param == "postgres" and server._as_postgres:
        shutil.chown(canary, "postgres", "postgres")  # writable by the server: a real target
    state = Target(request.param, server, connector, canary)
    state.before = state.snapshot()
    yield state
    connector.close()


class Target:
    def __init__(self, kind: str, server: Any, connector: Any, canary: Path) -> None:
        self.kind, self.server, self.connector, self.canary = kind, server, connector, canary
        self.before: dict[str, Any] = {}

    def checksums(self, tables: tuple[str, ...] = TABLES) -> dict[str, str]:
        if self.kind == "postgres":
            query = " UNION ALL ".join(
                f"SELECT '{t}', md5(string_agg(x::text, ',' ORDER BY x::text)) FROM \"{t}\" x"
                for t in tables
            )
            lines = self.server.admin_sql(query + ";", database="decipher").split()
            return dict(line.split("|") for line in lines)
        spark = self.server.owner
        return {
            t: spark.sql(
                "SELECT md5(concat_ws('|', sort_array(collect_list(to_json(struct(*)))))) AS h "
                f"FROM `{t}`"
            ).collect()[0][0]
            for t in tables
        }

    def snapshot(self) -> dict[str, Any]:
        if self.kind == "postgres":
            objects = self.server.admin_sql(
                "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace;"
                "SELECT count(*) FROM pg_largeobject_metadata;",
                database="decipher",
            ).split()
            files = self.server.data_files()
        else:
            objects = sorted(t.name for t in self.server.owner.catalog.listTables())
            files = self.server.warehouse_files()
        return {"checksums": self.checksums(), "objects": objects, "files": files}


@pytest.mark.parametrize(("query", "words"), REFUSED, ids=[r[0][:50] or "empty" for r in REFUSED])
def test_every_forbidden_statement_and_function_is_refused(target, query: str, words: str) -> None:
    with pytest.raises(BlockedError) as caught:
        target.connector.query(query)
    assert words.lower() in caught.value.message.lower()


@pytest.mark.parametrize("query", SMUGGLED, ids=[q[:50] for q in SMUGGLED])
def test_smuggled_statements_are_refused(target, query: str) -> None:
    with pytest.raises(BlockedError):
        target.connector.query(query.format(canary=target.canary))


@pytest.mark.parametrize(("query", "text"), HARMLESS, ids=[h[0][:50] for h in HARMLESS])
def test_quoting_tricks_stay_strings(target, query: str, text: str) -> None:
    assert target.connector.query(query).table.column("s").to_pylist() == [text]


@pytest.mark.parametrize("cell", HOSTILE_NOTES)
def test_a_cell_that_says_drop_table_is_matched_as_data(target, cell: str) -> None:
    literal = "'" + cell.replace("'", "''") + "'"
    found = target.connector.query(f"SELECT id FROM notes WHERE note = {literal}").table
    assert found.num_rows == 1


def test_after_every_attack_tables_catalog_and_files_are_unchanged(target) -> None:
    """Runs after the attacks above (pytest keeps file order within each server)."""
    after = target.snapshot()
    assert after["checksums"] == target.before["checksums"]
    assert len(after["checksums"]) == len(TABLES) and all(after["checksums"].values())
    assert after["objects"] == target.before["objects"]
    assert after["files"] == target.before["files"], sorted(
        after["files"] ^ target.before["files"]
    )[:20]
    assert list(target.canary.rglob("*")) == []


# Writes aimed at a scratch copy of `notes` (so that a missing wall fails the test, not the rest
# of the suite). {t} is the scratch table, {canary} a directory the server may write.
WRITES = [
    "DROP TABLE {t}",
    "DELETE FROM {t}",
    "UPDATE {t} SET note = 'x'",
    "INSERT INTO {t} (id) VALUES (0)",
    "TRUNCATE {t}",
    "ALTER TABLE {t} ADD COLUMN evil INT",
    "CREATE TABLE {t}_evil AS SELECT 1 AS a",
    "COPY {t} TO '{canary}/raw.csv'",
    "WITH d AS (DELETE FROM {t} RETURNING *) SELECT count(*) FROM d",
]
DB_WRITES = [w for w in WRITES if not w.startswith("COPY")]  # COPY TO a file reads the DB


@pytest.fixture
def scratch(target):
    """A copy of `notes` owned by the owner, its checksum, dropped afterwards."""
    name = f"scratch_{uuid.uuid4().hex[:8]}"
    run = _owner_sql(target)
    run(f"CREATE TABLE {name} AS SELECT * FROM notes")
    before = target.checksums((name,))[name]
    yield name
    assert target.checksums((name,))[name] == before, "a write got through"
    assert not list(target.canary.rglob("*")), "a file was written"
    run(f"DROP TABLE IF EXISTS {name}_evil")
    run(f"DROP TABLE {name}")


def _owner_sql(target):
    if target.kind == "postgres":
        return lambda sql: target.server.psql(sql + ";", role=OWNER)
    return target.server.owner.sql


@pytest.mark.parametrize("statement", WRITES, ids=[w[:40] for w in WRITES])
def test_the_wrapping_subquery_alone_stops_a_write(target, scratch, statement: str) -> None:
    """Guard bypassed, logged in as the owner, read-only lifted (PostgreSQL): the connector's
    runner still refuses, because it sends every statement inside SELECT * FROM (...)."""
    from engine.databases import connect_database

    if target.kind == "postgres":
        connector = connect_database(target.server.url(OWNER))
        connector._connection().cursor().execute("SET default_transaction_read_only = off")
    else:
        connector = connect_database(target.server.url)
    try:
        with pytest.raises(EngineError):
            connector._fetch_raw(statement.format(t=scratch, canary=target.canary))
    finally:
        connector.close()


@pytest.mark.parametrize("target", ["postgres"], indirect=True)  # Spark has no read-only mode
@pytest.mark.parametrize("statement", DB_WRITES, ids=[w[:40] for w in DB_WRITES])
def test_the_read_only_session_alone_stops_a_write_by_the_owner(target, scratch, statement) -> None:
    """Guard and wrapper bypassed, logged in as the tables' owner: the session is read-only."""
    _raw_write_fails(
        target.server.url(OWNER), [], statement.format(t=scratch), "read-only transaction"
    )


# Spark has no roles here either: the guard and the wrapper are its walls.
@pytest.mark.parametrize("target", ["postgres"], indirect=True)
@pytest.mark.parametrize("statement", WRITES, ids=[w[:40] for w in WRITES])
def test_the_select_only_role_alone_stops_a_write(target, scratch, statement: str) -> None:
    """Guard and wrapper bypassed, read-only switched off by a raw SET: the role still refuses."""
    _raw_write_fails(
        target.server.url(READER),
        ["SET default_transaction_read_only = off"],
        statement.format(t=scratch, canary=target.canary),
        "permission denied|must be owner|must be superuser",
    )


def _raw_write_fails(url: str, setup: list[str], statement: str, match: str) -> None:
    import adbc_driver_manager

    from engine.databases import connect_database

    connector = connect_database(url)
    try:
        cursor = connector._connection().cursor()
        for line in setup:
            cursor.execute(line)
        with pytest.raises(adbc_driver_manager.Error, match=match):
            cursor.execute(statement)
            cursor.fetch_arrow_table()
    finally:
        connector.close()


def test_the_checksum_notices_a_change(target, scratch) -> None:
    """The state checks can fail: one row more changes a table's checksum."""
    before = target.checksums((scratch,))[scratch]
    assert before == target.checksums(("notes",))["notes"]
    run = _owner_sql(target)
    run(f"INSERT INTO {scratch} VALUES (999, '{uuid.uuid4().hex}')")
    assert target.checksums((scratch,))[scratch] != before
    run(
        f"DELETE FROM {scratch} WHERE id = 999"
        if target.kind == "postgres"
        else f"DROP TABLE {scratch}"
    )
    if target.kind == "spark":  # Spark cannot delete from a Parquet table: recreate it
        run(f"CREATE TABLE {scratch} AS SELECT * FROM notes")
