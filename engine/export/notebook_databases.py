"""The exported notebook's database cell (issue 15): connect again, run again, never download.

The cell holds each database's redacted URL and asks for its password or token when a query
first needs it (`DECIPHER_DB_PASSWORD_<n>` in the environment, else `getpass`), so the zip never
holds a secret. `sql()` is redefined: a query the session ran in a database runs the same
translated SQL there (read-only session, same row cap); a join with a file brings the same
capped rows into the notebook's DuckDB; any other query stays in DuckDB as before.
"""

from __future__ import annotations

import json
from typing import Final

from engine.databases.replay import Replay

PACKAGES: Final = {"postgresql": ("adbc-driver-postgresql",), "spark": ("pyspark-client",)}

_CELL: Final = '''\
# Database tables stay in their databases (issue 15): sql() runs there what the app ran.
# Each database's password or token is asked for once (or set DECIPHER_DB_PASSWORD_<n>).
import getpass
import json
import os
from urllib.parse import quote, urlsplit

import pyarrow as pa
import pyarrow.compute as pc

_REPLAY = json.loads({replay!r})
DATABASES = _REPLAY["databases"]  # redacted URLs: no password or token is kept here
DATABASE_TABLES = _REPLAY["tables"]  # name -> [database, schema, table]
DATABASE_QUERIES = _REPLAY["queries"]  # each query of the session -> where and how it ran
MAX_ROWS = _REPLAY["max_rows"]  # the rows one database query may bring back, as in the app
_connections = {{}}
_local_sql = globals().get("_local_sql", sql)  # the setup cell's sql(), even if run twice


def _secret(i):
    name = f"DECIPHER_DB_PASSWORD_{{i + 1}}"
    if not DATABASES[i]["needs_secret"]:
        return ""
    return os.environ.get(name) or getpass.getpass(
        f"Password or token for {{DATABASES[i]['url']}} (or set {{name}}): "
    )


def _connect(i):
    if i in _connections:
        return _connections[i]
    url, secret = DATABASES[i]["url"], _secret(i)
    if DATABASES[i]["kind"] == "postgresql":
        import adbc_driver_postgresql.dbapi as adbc

        parts = urlsplit(url)
        login = parts.username or ""
        if secret:
            login += ":" + quote(secret, safe="")
        options = quote("-c default_transaction_read_only=on", safe="")
        query = "&".join(filter(None, [parts.query, "options=" + options]))
        netloc = f"{{login}}@{{parts.hostname}}:{{parts.port}}" if login else parts.netloc
        _connections[i] = adbc.connect(f"postgresql://{{netloc}}{{parts.path}}?{{query}}", autocommit=True)
    else:
        from pyspark.sql import SparkSession

        remote = url + (("/" if "/" not in url[5:] else "") + f";token={{secret}}" if secret else "")
        _connections[i] = SparkSession.builder.remote(remote).create()
    return _connections[i]


def _plain(table):
    """PostgreSQL numerics arrive as an extension type: numbers (others: text), as in the app."""
    columns = []
    for field, column in zip(table.schema, table.columns):
        if isinstance(field.type, pa.BaseExtensionType):
            storage = pa.chunked_array([c.storage for c in column.chunks], type=field.type.storage_type)
            numeric = (field.metadata or {{}}).get(b"POSTGRESQL:type") == b"numeric"
            column = pc.cast(storage, pa.float64() if numeric else pa.string())
        columns.append(column)
    return pa.table(columns, names=table.column_names)


def _fetch(i, query, what):
    """The first MAX_ROWS rows of a query run in database i (one more row tells it was capped)."""
    wrapped = f"SELECT * FROM ({{query}}) AS decipher_query LIMIT {{MAX_ROWS + 1}}"
    connection = _connect(i)
    if DATABASES[i]["kind"] == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(wrapped)
            table = _plain(cursor.fetch_arrow_table())
    else:
        table = connection.sql(wrapped).toArrow()
    if table.num_rows > MAX_ROWS:
        print(f"[note] {{what}}: only the first {{MAX_ROWS:,}} rows came back.")
        table = table.slice(0, MAX_ROWS)
    return table


def _quoted(i, schema, table):
    q = '"' if DATABASES[i]["kind"] == "postgresql" else "`"
    return ".".join(q + part.replace(q, q + q) + q for part in (schema, table))


def sql(query):
    """DuckDB SQL over the files' tables; a query the session ran in a database runs there."""
    plan = DATABASE_QUERIES.get(query)
    if plan is None:
        return _local_sql(query)
    if "database" in plan:
        return _con.from_arrow(_fetch(plan["database"], plan["sql"], "the query")).df()
    for n, name in enumerate(plan["bring"]):
        i, schema, table = DATABASE_TABLES[name]
        _con.register(f"__database_{{n}}", _fetch(i, "SELECT * FROM " + _quoted(i, schema, table), name))
        for view in {{name, f"{{schema}}.{{table}}"}}:
            if "." in view:
                _con.execute(f'CREATE SCHEMA IF NOT EXISTS "{{view.split(".")[0]}}"')
            target = ".".join(f'"{{part}}"' for part in view.split(".", 1))
            _con.execute(f"CREATE OR REPLACE VIEW {{target}} AS SELECT * FROM __database_{{n}}")
    return _local_sql(query)
'''


def database_cell(replay: Replay) -> str:
    """The code cell that reconnects and redefines `sql()` (after the setup cell)."""
    return _CELL.format(replay=json.dumps(replay.to_json(), ensure_ascii=False)).rstrip()


def database_intro(replay: Replay) -> str:
    """A line for the notebook's introduction: which databases, and how the secret is asked."""
    listed = ", ".join(
        f"`{d.url}`" + (f" (password: `DECIPHER_DB_PASSWORD_{i}`)" if d.needs_secret else "")
        for i, d in enumerate(replay.databases, start=1)
    )
    return (
        f"\n\nDatabase tables stay where they are: {listed}. Their queries run there again; "
        "the password or token comes from the environment variable named, or is asked for."
    )


def database_packages(replay: Replay) -> list[str]:
    """What the notebook needs to reach its databases, for requirements.txt."""
    found: list[str] = []
    for database in replay.databases:
        found += [p for p in PACKAGES.get(database.kind, ()) if p not in found]
    return found
