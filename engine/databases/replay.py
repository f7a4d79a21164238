"""What an exported notebook needs to run a session's database queries again (issue 15).

The notebook has no Decipher: it connects by itself (the redacted URL, the secret from an
environment variable or `getpass`) and runs, for each `sql()` query a turn wrote, the SQL that
ran in the database, translated and guarded here exactly as the app did; a join with a loaded
file brings the same capped rows into the notebook's DuckDB.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from engine.databases.guard import guarded_sql
from engine.databases.routing import route_query
from engine.errors import EngineError

if TYPE_CHECKING:
    from engine.databases.connections import SessionDatabases


@dataclass(frozen=True)
class ReplayDatabase:
    url: str  # redacted
    kind: str  # postgresql | spark
    needs_secret: bool  # the session connected with a password or token


@dataclass(frozen=True)
class Replay:
    """The databases, their tables by session name, and each known query's plan:
    `{"database": i, "sql": "<as run there>"}` or `{"bring": [names]}`."""

    databases: tuple[ReplayDatabase, ...]
    tables: dict[str, tuple[int, str, str]]  # name -> (database index, schema, table)
    queries: dict[str, dict[str, Any]] = field(default_factory=dict)
    max_rows: int = 100_000

    def to_json(self) -> dict[str, Any]:
        return {
            "databases": [
                {"url": d.url, "kind": d.kind, "needs_secret": d.needs_secret}
                for d in self.databases
            ],
            "tables": {k: list(v) for k, v in self.tables.items()},
            "queries": self.queries,
            "max_rows": self.max_rows,
        }


def replay_for(databases: SessionDatabases, codes: Iterable[str], max_rows: int) -> Replay:
    """The notebook's plan for the queries in `codes` (each string constant that names a
    database table and routes to it; others are left to the notebook's own DuckDB)."""
    refs = databases.refs()
    urls = list(databases.urls)
    listed = [
        ReplayDatabase(url, databases.connector(url).url.kind, bool(databases.secret_used(url)))
        for url in urls
    ]
    tables = {r.name: (urls.index(r.connection), r.table.schema, r.table.table) for r in refs}
    words = {r.name.rsplit(".", 1)[-1].lower() for r in refs}
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(words))) + r")\b", re.I)
    local = databases.local_names()
    queries: dict[str, dict[str, Any]] = {}
    for text in _strings(codes):
        if not words or not pattern.search(text) or text in queries:
            continue
        try:
            route = route_query(text, refs, local)
            if route.kind == "database":
                connector = databases.connector(route.tables[0].connection)
                target = guarded_sql(text, connector.dialect, connector.tables())
                queries[text] = {"database": urls.index(route.tables[0].connection), "sql": target}
            elif route.kind == "bring":
                queries[text] = {"bring": [r.name for r in route.tables]}
        except EngineError:
            continue  # refused or broken: the turn failed in the app too
    return Replay(tuple(listed), tables, queries, max_rows)


def _strings(codes: Iterable[str]) -> list[str]:
    """Every string constant of the code (an f-string's parts are not queries on their own)."""
    found: list[str] = []
    for code in codes:
        try:
            tree = ast.parse(code)
        except SyntaxError:
            continue
        skip = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
        found += [
            n.value
            for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in skip
        ]
    return found
