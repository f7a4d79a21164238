"""Database benchmark (issue 15): a grouped aggregate over 10M rows, sent as SQL, result only back.

    .venv/bin/python bench/db.py                    # PostgreSQL and Spark, 10M rows, 3 runs each
    .venv/bin/python bench/db.py --rows 1000000 --only postgres --exact-profile

Starts the test servers of tests/db_servers.py (PostgreSQL 15 on 127.0.0.1, a Spark Connect
server), generates the table inside the database (`generate_series` / `spark.range`, nothing is
downloaded), then, in one run, interleaved, median of --runs:
- the grouped aggregate through Decipher's connector (guard + translation + ADBC/Spark Connect +
  Arrow) vs the same SQL through `psql -c` (wall time of the process, and psql's own \\timing)
  or a plain Spark Connect session; target (issue 15): connector <= 1.3x psql;
- bytes this process received on its connection during the query (`ss -ti` bytes_received:
  what crossed the wire) and the Arrow result size, against the table's size in the database;
- time to list the tables and to profile the big table in place (sampled above 1M rows; with
  --exact-profile also the exact profile, which sets where sampling starts);
- the full product path (phase 2): a `Session` connected to the database, a question the planner
  answers (planner -> sandbox child -> pipe -> supervisor -> guard -> connector -> Arrow ->
  DataFrame), first and then warm, against the connector alone; a join of the big table with a
  small CSV, which brings the first `database_max_rows` rows into the sandbox.
Nothing here is asserted.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.db_servers import OWNER, READER, PostgresServer, SparkConnectServer  # noqa: E402

AGGREGATE = (
    "SELECT region, count(*) AS n, sum(amount) AS total, avg(amount) AS mean "
    "FROM big GROUP BY region ORDER BY region"
)


def received_bytes(port: int) -> int:
    """Bytes this process's TCP connections to 127.0.0.1:`port` have received so far, from the
    kernel's tcp_info (`ss -ti`): what crossed the wire, protocol included."""
    out = subprocess.run(
        ["ss", "-tinpH", "state", "established", f"( dport = :{port} )"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    total, mine = 0, False
    for line in out.splitlines():
        if "users:" in line:
            mine = f"pid={os.getpid()}," in line
        found = re.search(r"bytes_received:(\d+)", line)
        if mine and found:
            total += int(found.group(1))
    return total


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    out = fn()
    return time.perf_counter() - started, out


def median_ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:,.0f}"


QUESTION = "total amount by region"
JOIN = (
    "result = sql('SELECT c.tier, count(*) AS n, sum(b.amount) AS total FROM big b "
    "JOIN tiers c ON b.region = c.region GROUP BY 1 ORDER BY 1')"
)


def bench_session(url: str, port: int, runs: int) -> list[tuple[str, str, str]]:
    """The question through the whole product (Session, planner, sandbox, supervisor), against
    the connector alone running the very SQL the planner wrote."""
    import ast
    import tempfile

    from engine.config import load_settings
    from engine.databases import connect_database
    from engine.session import Session

    out: list[tuple[str, str, str]] = []
    work = Path(tempfile.mkdtemp(prefix="decipher-bench-db-"))
    tiers = work / "tiers.csv"
    tiers.write_text("region,tier\nNorth,a\nSouth,a\nEast,b\nWest,b\nEurope,c\n")
    settings = load_settings(env={}, data_dir=str(work / "data"), backend="planner")
    connector = connect_database(url, timeout_s=600)
    with Session(settings, work_dir=work / "session") as session:
        connect_s, _ = timed(lambda: session.connect_database(url))
        out.append(("Session: connect + list", f"{connect_s * 1000:,.0f}", ""))
        session.warm_up()
        first_s, turn = timed(lambda: session.ask(QUESTION))
        assert turn.ok, turn.result.error
        out.append((f"Session: first '{QUESTION}'", f"{first_s * 1000:,.0f}",
                    "profiles `big` in place, then the planner's SQL through the sandbox"))  # fmt: skip
        call = next(n for n in ast.walk(ast.parse(turn.code)) if isinstance(n, ast.Call))
        planned = ast.literal_eval(call.args[0])  # the planner's sql("...")
        connector.query(planned)
        warm, alone, read = [], [], []
        for _ in range(runs):
            before = received_bytes(port)
            elapsed, turn = timed(lambda: session.ask(QUESTION))
            read.append(received_bytes(port) - before)
            warm.append(elapsed)
            alone.append(timed(lambda: connector.query(planned))[0])
        ratio = statistics.median(warm) / statistics.median(alone)
        out.append((f"Session: '{QUESTION}' again", median_ms(warm),
                    f"{ratio:.2f}x the connector alone on the planner's SQL; "
                    f"{statistics.median(read):,.0f} B received"))  # fmt: skip
        out.append(("connector alone, the planner's SQL", median_ms(alone), ""))
        session.load(tiers)
        session.run("result = 1")  # the sandbox restarts with the new file: not the join's time
        join_s, joined = timed(lambda: session.run(JOIN))
        assert joined.ok, joined.result.error
        note = joined.result.stdout.strip().splitlines()[0][7:70]
        out.append(("Session: join with a CSV", f"{join_s * 1000:,.0f}", note))
    connector.close()
    return out


def bench_postgres(rows: int, runs: int, exact: bool) -> list[tuple[str, str, str]]:
    from engine.databases import connect_database

    out: list[tuple[str, str, str]] = []
    server = PostgresServer(extra_settings={"shared_buffers": "512MB", "max_wal_size": "4GB"})
    try:
        out.append(
            ("PostgreSQL initdb + start", f"{(server.initdb_s + server.start_s) * 1000:,.0f}", "")
        )
        load_s, _ = timed(
            lambda: server.psql(
                f"CREATE TABLE big AS SELECT i AS id, "
                "(ARRAY['North','South','East','West','Europe'])[(i % 5 + 1)::int] AS region, "
                "'customer_' || (i % 50000) AS customer, "
                "CASE WHEN i % 17 = 0 THEN NULL ELSE round(((i * 7919) % 100000) / 100.0, 2)::float8 END AS amount, "
                "DATE '2015-01-01' + (i % 3650)::int AS day "
                f"FROM generate_series(1::bigint, {rows}) AS i;\n"
                "GRANT SELECT ON big TO decipher_reader;\nVACUUM ANALYZE big;",
                role=OWNER,
            )
        )
        size = int(server.psql("SELECT pg_total_relation_size('big');", role=OWNER).strip())
        out.append(
            (
                f"generate {rows:,} rows in the database",
                f"{load_s * 1000:,.0f}",
                f"{size / 1e6:,.0f} MB on disk",
            )
        )

        connector = connect_database(server.url(READER), timeout_s=600)
        connect_s, _ = timed(connector.tables)
        out.append(("connect + list tables (first call)", f"{connect_s * 1000:,.0f}", ""))
        list_s, listed = timed(connector.refresh)
        out.append(("list tables again", f"{list_s * 1000:,.0f}", f"{len(listed)} table(s)"))
        profile_s, profile = timed(lambda: connector.profile("big"))
        out.append(
            ("profile in place (sampled)", f"{profile_s * 1000:,.0f}", profile.notes[-1][:90])
        )
        if exact:
            exact_connector = connect_database(
                server.url(READER), timeout_s=3600, sample_above_rows=10**12
            )
            exact_s, _ = timed(lambda: exact_connector.profile("big"))
            exact_connector.close()
            out.append(
                ("profile in place (exact)", f"{exact_s * 1000:,.0f}", "count(DISTINCT) per column")
            )

        target_sql = connector.query(AGGREGATE).sql  # warm: the guard's imports, the cache
        ours, psql_wall, psql_server, read = [], [], [], []
        for _ in range(runs):
            before = received_bytes(server.port)
            elapsed, result = timed(lambda: connector.query(AGGREGATE))
            read.append(received_bytes(server.port) - before)
            ours.append(elapsed)
            elapsed, text = timed(lambda: server.psql(target_sql + ";", role=READER, timing=True))
            psql_wall.append(elapsed)
            psql_server.append(
                float(text.strip().splitlines()[-1].split()[1].replace(",", "")) / 1000
            )
        ratio = statistics.median(ours) / statistics.median(psql_wall)
        out.append(
            (
                "grouped aggregate: Decipher connector",
                median_ms(ours),
                f"{ratio:.2f}x psql -c (target <= 1.3x)",
            )
        )
        out.append(
            (
                "grouped aggregate: psql -c (wall)",
                median_ms(psql_wall),
                "new process + connect + query",
            )
        )
        out.append(
            (
                "grouped aggregate: psql \\timing",
                median_ms(psql_server),
                "the query alone, as psql sees it",
            )
        )
        out.append((
            "bytes received during the query",
            f"{statistics.median(read):,.0f} B",
            f"Arrow result {result.table.nbytes:,} B, {result.rows} rows; table {size:,} B",
        ))  # fmt: skip
        connector.close()
        out += bench_session(server.url(READER), server.port, runs)
    finally:
        server.stop()
    return out


def bench_spark(rows: int, runs: int, exact: bool) -> list[tuple[str, str, str]]:
    from engine.databases import connect_database

    out: list[tuple[str, str, str]] = []
    server = SparkConnectServer(memory_mb=2048)
    try:
        out.append(("Spark Connect server start", f"{server.start_s * 1000:,.0f}", ""))
        owner = server.session()
        load_s, _ = timed(
            lambda: owner.sql(
                "SELECT id, element_at(array('North','South','East','West','Europe'), "
                "CAST(id % 5 + 1 AS INT)) AS region, concat('customer_', id % 50000) AS customer, "
                "CASE WHEN id % 17 = 0 THEN NULL ELSE round(((id * 7919) % 100000) / 100.0, 2) "
                "END AS amount, date_add(DATE '2015-01-01', CAST(id % 3650 AS INT)) AS day "
                f"FROM range({rows})"
            ).write.saveAsTable("big")
        )
        size = sum(p.stat().st_size for p in server.warehouse.rglob("*") if p.is_file())
        out.append(
            (
                f"generate {rows:,} rows in the database",
                f"{load_s * 1000:,.0f}",
                f"{size / 1e6:,.0f} MB of Parquet",
            )
        )

        connector = connect_database(server.url, timeout_s=600)
        connect_s, _ = timed(connector.tables)
        out.append(("connect + list tables (first call)", f"{connect_s * 1000:,.0f}", ""))
        list_s, listed = timed(connector.refresh)
        out.append(("list tables again", f"{list_s * 1000:,.0f}", f"{len(listed)} table(s)"))
        profile_s, profile = timed(lambda: connector.profile("big"))
        out.append(
            ("profile in place (sampled)", f"{profile_s * 1000:,.0f}", profile.notes[-1][:90])
        )
        if exact:
            exact_connector = connect_database(server.url, timeout_s=3600, sample_above_rows=10**12)
            exact_s, _ = timed(lambda: exact_connector.profile("big"))
            exact_connector.close()
            out.append(
                ("profile in place (exact count, approx distinct)", f"{exact_s * 1000:,.0f}", "")
            )

        target_sql = connector.query(AGGREGATE).sql
        plain = server.session()  # a plain Spark Connect session, Spark's defaults (codegen on)
        ours, raw, read = [], [], []
        for _ in range(runs):
            before = received_bytes(server.port)
            elapsed, result = timed(lambda: connector.query(AGGREGATE))
            read.append(received_bytes(server.port) - before)
            ours.append(elapsed)
            raw.append(timed(lambda: plain.sql(target_sql).toArrow())[0])
        ratio = statistics.median(ours) / statistics.median(raw)
        out.append(
            (
                "grouped aggregate: Decipher connector",
                median_ms(ours),
                f"{ratio:.2f}x a plain session (codegen off vs on)",
            )
        )
        out.append(
            ("grouped aggregate: plain Spark Connect", median_ms(raw), "same SQL, Spark's defaults")
        )
        out.append((
            "bytes received during the query",
            f"{statistics.median(read):,.0f} B",
            f"Arrow result {result.table.nbytes:,} B, {result.rows} rows; table {size:,} B",
        ))  # fmt: skip
        connector.close()
        plain.stop()
        out += bench_session(server.url, server.port, runs)
        owner.stop()
    finally:
        server.stop()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=3, help="runs per timing (median)")
    parser.add_argument("--only", choices=["postgres", "spark"])
    parser.add_argument(
        "--exact-profile", action="store_true", help="also profile without sampling"
    )
    args = parser.parse_args()
    lines = [
        f"{args.rows:,} rows, median of {args.runs}; load average at start: "
        + " ".join(f"{x:.1f}" for x in os.getloadavg()),
        "",
        "| database | measure | ms | note |",
        "|---|---|---|---|",
    ]
    benches = {"PostgreSQL": bench_postgres, "Spark": bench_spark}
    for name, bench in benches.items():
        if args.only and not name.lower().startswith(args.only[:5]):
            continue
        for label, value, note in bench(args.rows, args.runs, args.exact_profile):
            lines.append(f"| {name} | {label} | {value} | {note} |")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
