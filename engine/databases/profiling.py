"""Profile a database table in place with aggregate SQL (issue 15): the same `TableProfile`
that engine/profile.py makes from DuckDB, computed by the database, never by downloading rows.

Below `sample_above_rows` every fact is exact except distinct counts from `APPROX_FROM_ROWS`
(as in engine/profile.py). Above it, the facts come from a seeded `TABLESAMPLE` of about
`SAMPLE_TARGET_ROWS` rows (views: their first rows), counts are scaled to the table, and the
profile's notes and `distinct_approximate` say so. The connector supplies the row count it
trusts (exact, or the catalog's estimate) and, for PostgreSQL, distinct counts from `pg_stats`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from engine.databases.base import DatabaseTable
from engine.profile import (
    APPROX_FROM_ROWS,
    EXAMPLES,
    MAX_TEXT,
    SAMPLE_ROWS,
    TOP_VALUES,
    TOP_VALUES_MAX_DISTINCT,
)
from engine.types import ColumnProfile, TableProfile
from engine.values import type_family

SAMPLE_TARGET_ROWS: Final = 200_000
SEED: Final = 42
Fetch = Callable[[str], Any]  # SQL -> pyarrow.Table, run read-only by the connector


@dataclass(frozen=True)
class ProfileSQL:
    """How one dialect spells what the profile needs."""

    quote: str  # identifier quote: '"' (PostgreSQL) or '`' (Spark)
    approx_distinct: str | None  # approx_count_distinct (Spark); None: count(DISTINCT) on a sample
    sample: Callable[[float], str]  # percent -> TABLESAMPLE clause
    orderable: Callable[[str], bool]  # may min()/max() take this DuckDB type?

    def ident(self, name: str) -> str:
        return self.quote + name.replace(self.quote, self.quote * 2) + self.quote

    def table(self, t: DatabaseTable) -> str:
        return f"{self.ident(t.schema)}.{self.ident(t.table)}"


@dataclass(frozen=True)
class RowCount:
    rows: int
    estimated: bool  # from the catalog, not counted
    how: str = ""  # e.g. "PostgreSQL's estimate (pg_class.reltuples)"


def profile_database_table(
    fetch: Fetch,
    table: DatabaseTable,
    sql: ProfileSQL,
    count: RowCount,
    *,
    sample_above_rows: int,
    distinct_hints: dict[str, int] | None = None,
) -> TableProfile:
    """Profile `table` with a handful of aggregate queries run through `fetch`."""
    rows = count.rows
    full = sql.table(table)
    notes: list[str] = []
    if count.estimated:
        notes.append(f"About {rows:,} rows: {count.how}.")
    sampled = rows >= sample_above_rows
    source = full
    if sampled:
        percent = max(0.01, min(100.0, SAMPLE_TARGET_ROWS * 100.0 / max(rows, 1)))
        if table.kind in ("table", "materialized view", "partitioned table"):
            source = f"{full} {sql.sample(percent)}"
            how = f"a {percent:.3g}% random sample (seed {SEED})"
        else:
            source = f"(SELECT * FROM {full} LIMIT {SAMPLE_TARGET_ROWS}) AS decipher_sample"
            how = f"its first {SAMPLE_TARGET_ROWS:,} rows"
    columns = table.columns
    aggregates = ["count(*)"]
    for c in columns:
        q = sql.ident(c.name)
        if sql.approx_distinct and (sampled or rows >= APPROX_FROM_ROWS):
            distinct = f"{sql.approx_distinct}({q})"
        else:
            distinct = f"count(DISTINCT {q})"
        orderable = sql.orderable(c.type)
        aggregates += [
            f"count({q})",
            distinct,
            f"min({q})" if orderable else "NULL",
            f"max({q})" if orderable else "NULL",
            f"avg({q})" if type_family(c.type) == "number" else "NULL",
        ]
    select = ", ".join(f"{a} AS a{i}" for i, a in enumerate(aggregates))  # unique result names
    values = list(fetch(f"SELECT {select} FROM {source}").to_pylist()[0].values())
    seen = int(values[0] or 0)
    scale = rows / seen if sampled and seen else 1.0
    if sampled:
        notes.append(
            f"Profiled in the database from {how} ({seen:,} rows): null and distinct counts, "
            "min/max, means and top-value counts are estimates."
        )
    profiles = []
    for i, c in enumerate(columns):
        non_null, distinct, lo, hi, mean = values[1 + i * 5 : 6 + i * 5]
        non_null = int(non_null or 0)
        distinct = min(int(distinct or 0), non_null)
        if sampled:
            distinct = _scaled_distinct(
                distinct, non_null, scale, (distinct_hints or {}).get(c.name)
            )
        null_count = round((seen - non_null) * scale) if sampled else rows - non_null
        top: tuple[tuple[Any, int], ...] = ()
        if 0 < distinct <= TOP_VALUES_MAX_DISTINCT and type_family(c.type) != "number":
            top = _top_values(fetch, sql, source, c.name, scale)
        profiles.append(
            ColumnProfile(
                name=c.name,
                type=c.type,
                null_count=max(0, null_count),
                distinct_count=distinct,
                distinct_approximate=sampled or rows >= APPROX_FROM_ROWS,
                min=_short(lo),
                max=_short(hi),
                mean=float(mean) if mean is not None else None,
                top_values=top,
                examples=tuple(v for v, _ in top[:EXAMPLES]) or _examples(fetch, sql, full, c.name),
            )
        )
    sample_rows = fetch(f"SELECT * FROM {full} LIMIT {SAMPLE_ROWS}").to_pylist()
    return TableProfile(
        name=table.name,
        source=table.source,
        rows=rows,
        columns=tuple(profiles),
        sample_rows=tuple(tuple(_short(v) for v in r.values()) for r in sample_rows),
        notes=tuple(notes),
    )


def _scaled_distinct(in_sample: int, non_null: int, scale: float, hint: int | None) -> int:
    """Distinct values in the table, from a sample: the catalog's estimate when there is one;
    a column whose sampled values are nearly all different is taken as a key (scaled up);
    otherwise the sample has seen them all."""
    if hint is not None and hint > 0:
        return hint
    if non_null and in_sample >= 0.9 * non_null:
        return round(in_sample * scale)
    return in_sample


def _top_values(
    fetch: Fetch, sql: ProfileSQL, source: str, column: str, scale: float
) -> tuple[tuple[Any, int], ...]:
    q = sql.ident(column)
    found = fetch(
        f"SELECT {q} AS v, count(*) AS n FROM {source} WHERE {q} IS NOT NULL "
        f"GROUP BY {q} ORDER BY n DESC, {q} LIMIT {TOP_VALUES}"
    ).to_pylist()
    return tuple((_short(r["v"]), round(int(r["n"]) * scale)) for r in found)


def _examples(fetch: Fetch, sql: ProfileSQL, full: str, column: str) -> tuple[Any, ...]:
    q = sql.ident(column)
    found = fetch(
        f"SELECT DISTINCT v FROM (SELECT {q} AS v FROM {full} WHERE {q} IS NOT NULL LIMIT 1000) "
        f"AS decipher_examples LIMIT {EXAMPLES}"
    ).to_pylist()
    return tuple(_short(r["v"]) for r in found)


def _short(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_TEXT:
        return value[: MAX_TEXT - 1] + "…"
    return value
