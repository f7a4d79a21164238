"""A table's profile from DuckDB aggregates: rows; per column type, nulls, distincts, min/max, mean,
most frequent values and examples.

Everything is computed inside DuckDB, without a pandas copy, a chunk of columns per query: one
SELECT of 1,000 `count(DISTINCT)` ran out of memory (18.8 GiB) on a 20-row table, because each
DISTINCT aggregate builds its own hash tables (issue 14).

- Up to `WIDE_COLUMNS` columns: one pass of aggregates (exact distinct counts below
  `APPROX_FROM_ROWS` rows, HyperLogLog from there, and the profile says so), then value counts of
  the text/date columns with at most `TOP_VALUES_MAX_DISTINCT` values. 10M rows take seconds.
- Wider tables: exact counts of every column would double the profile's time (1,000 columns x
  100k rows: 2.8 s CPU for a GROUP BY per column, 5.3 s for count(DISTINCT), against 2.0 s for
  the whole profile), so distinct counts are estimated (HyperLogLog) with the other aggregates,
  then every column estimated at most `EXACT_MAX_DISTINCT` values is counted exactly. Only
  columns with many values keep an estimate, flagged `distinct_approximate`, and a note says so.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any, Final

import duckdb

from engine.identifiers import quote_ident
from engine.types import ColumnProfile, TableProfile
from engine.values import is_nested, type_family

APPROX_FROM_ROWS: Final = 1_000_000
TOP_VALUES_MAX_DISTINCT: Final = 200  # columns with more distinct values get examples only
TOP_VALUES: Final = 20
EXAMPLES: Final = 5
EXAMPLES_FROM_ROWS: Final = 1000  # examples are distinct values among the first non-null ones
HEAD_ROWS: Final = 100  # wide tables take examples from these first rows, if they have enough
SAMPLE_ROWS: Final = 5
MAX_TEXT: Final = 80  # characters kept of a text min/max/example
WIDE_COLUMNS: Final = 100  # more columns: estimated distincts, exact counts of the small ones
EXACT_MAX_DISTINCT: Final = 2 * TOP_VALUES_MAX_DISTINCT  # HyperLogLog errs by up to ~10%
CHUNK_COLUMNS: Final = 50  # per query: 50 DISTINCT aggregates took 0.2 s on 20 rows, 400 took 22 s
UNPIVOT_MAX_ROWS: Final = 20_000  # up to here, one GROUP BY over many columns beats one each

Stats = tuple[int, int, Any, Any, Any]  # non-null count, distinct count, min, max, mean
Counts = tuple[int, tuple[tuple[Any, int], ...]]  # exact distinct count, most frequent values


def profile_table(
    con: duckdb.DuckDBPyConnection, name: str, *, source: str = "", notes: tuple[str, ...] = ()
) -> TableProfile:
    """Profile table `name` of `con`: a few scans, a handful of queries per 50 columns."""
    t = quote_ident(name)
    described = [(str(r[0]), str(r[1])) for r in con.execute(f"DESCRIBE {t}").fetchall()]
    rows = con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
    wide = len(described) > WIDE_COLUMNS
    approximate = rows >= APPROX_FROM_ROWS
    stats = _aggregates(con, t, described, estimate=approximate or wide, split=wide)

    if wide:  # exact counts for every column with few values, numbers included
        limit, wanted = EXACT_MAX_DISTINCT, range(len(described))
    else:
        limit = TOP_VALUES_MAX_DISTINCT
        wanted = [i for i, (_, ctype) in enumerate(described) if not _numeric(ctype)]
    counted = _value_counts(
        con, t, described, [i for i in wanted if 0 < stats[i][1] <= limit], rows=rows, parallel=wide
    )

    columns: list[ColumnProfile] = []
    for i, (column, ctype) in enumerate(described):
        non_null, distinct, lo, hi, mean = stats[i]
        estimated = approximate or (wide and non_null > 0)
        top: tuple[tuple[Any, int], ...] = ()
        if i in counted:
            exact, top = counted[i]
            if wide:
                distinct, estimated = exact, False
            if _numeric(ctype) or distinct > TOP_VALUES_MAX_DISTINCT:
                top = ()
        columns.append(
            ColumnProfile(
                name=column,
                type=ctype,
                null_count=rows - non_null,
                distinct_count=distinct,
                distinct_approximate=estimated,
                min=_short(lo),
                max=_short(hi),
                mean=float(mean) if mean is not None else None,
                top_values=top,
                examples=tuple(v for v, _ in top[:EXAMPLES]),
            )
        )
    # A wide table's first rows give its sample and most examples: touching 1,000 compressed
    # columns costs ~0.25 s however few rows are read, so they are read once.
    head = con.execute(f"SELECT * FROM {t} LIMIT {HEAD_ROWS if wide else SAMPLE_ROWS}").fetchall()
    for i, column in enumerate(columns):
        if column.examples or not stats[i][0]:
            continue
        examples = _first_distinct(row[i] for row in head) if wide else ()
        if not wide or len(examples) < min(EXAMPLES, column.distinct_count):
            examples = _examples(con, t, column.name)  # narrow, or sparse in the first rows
        columns[i] = replace(column, examples=examples)

    guessed = sum(c.distinct_approximate for c in columns)
    if wide and guessed:
        notes = (*notes, _wide_note(guessed, len(columns)))
    sample = tuple(tuple(_short(v) for v in row) for row in head[:SAMPLE_ROWS])
    return TableProfile(
        name=name, source=source, rows=rows, columns=tuple(columns), sample_rows=sample, notes=notes
    )


def _aggregates(
    con: duckdb.DuckDBPyConnection,
    t: str,
    described: Sequence[tuple[str, str]],
    *,
    estimate: bool,
    split: bool,
) -> list[Stats]:
    """count, distinct, min, max, avg per column, `CHUNK_COLUMNS` columns per query.

    `split` (wide tables) asks count+distinct, min+max and avg in three queries, run side by
    side: DuckDB computes min/max of compressed text much faster alone (1,000 columns x 100k
    rows: 1.5 s CPU instead of 2.0 s), though a 10M-row narrow table takes 25% longer that way.
    """
    wanted: list[tuple[int, int, str]] = []  # (column, field, aggregate)
    for k, (column, ctype) in enumerate(described):
        c = quote_ident(column)
        wanted += [
            (k, 0, f"count({c})"),
            (k, 1, f"approx_count_distinct({c})" if estimate else f"count(DISTINCT {c})"),
        ]
        if _orderable(ctype):
            wanted += [(k, 2, f"min({c})"), (k, 3, f"max({c})")]
        if _numeric(ctype):
            wanted.append((k, 4, f"avg({c})"))
    chunks: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for w in wanted:
        chunks[w[0] // CHUNK_COLUMNS].append(w)
    fields = ((0, 1), (2, 3), (4,)) if split else ((0, 1, 2, 3, 4),)
    queries = [  # a query of no aggregate (SELECT NULL FROM t) would return a row per row
        query
        for chunk in chunks.values()
        for f in fields
        if (query := [w for w in chunk if w[1] in f])
    ]
    values: list[list[Any]] = [[None] * 5 for _ in described]
    sqls = [f"SELECT {', '.join(w[2] for w in query)} FROM {t}" for query in queries]
    for query, found in zip(queries, _fetch_all(con, t, sqls, parallel=split), strict=True):
        for (k, field, _), value in zip(query, found[0], strict=True):
            values[k][field] = value
    return [
        (non_null, min(int(distinct or 0), non_null), lo, hi, mean)
        for non_null, distinct, lo, hi, mean in values
    ]


def _fetch_all(
    con: duckdb.DuckDBPyConnection, t: str, sqls: Sequence[str], *, parallel: bool
) -> list[list[tuple[Any, ...]]]:
    """The rows of each query, run on up to DuckDB's `threads` connections at once if `parallel`.

    A table under 122,880 rows is one row group, which DuckDB scans with one thread, so a wide
    table's chunk queries used one core: side by side on 2 busy cores they took 2.9 s instead of
    3.3 s (median of 8 pairs), 1.2 s instead of 1.9 s when the other core was free.
    """
    lanes = [con]
    if parallel:
        threads = int(con.execute("SELECT current_setting('threads')").fetchall()[0][0])
        while len(lanes) < min(threads, len(sqls)) and (cursor := _cursor(con, t)) is not None:
            lanes.append(cursor)
    if len(lanes) == 1:
        return [con.execute(sql).fetchall() for sql in sqls]
    found: list[list[tuple[Any, ...]]] = [[] for _ in sqls]
    todo = iter(range(len(sqls)))
    lock = threading.Lock()

    def drain(lane: duckdb.DuckDBPyConnection) -> None:
        while (i := _next(todo, lock)) is not None:
            found[i] = lane.execute(sqls[i]).fetchall()

    try:
        with ThreadPoolExecutor(len(lanes)) as pool:
            for future in [pool.submit(drain, lane) for lane in lanes]:
                future.result()  # re-raises a query's error here
    finally:
        for cursor in lanes[1:]:
            cursor.close()
    return found


def _next(todo: Iterator[int], lock: threading.Lock) -> int | None:
    with lock:
        return next(todo, None)


def _cursor(con: duckdb.DuckDBPyConnection, t: str) -> duckdb.DuckDBPyConnection | None:
    """Another connection to `con`'s database, set up the same way, or None if it cannot see `t`."""
    (database, schema), *_ = con.execute("SELECT current_database(), current_schema()").fetchall()
    cursor = con.cursor()
    try:
        cursor.execute("SET enable_progress_bar = false")  # per connection; stdout may be JSON
        cursor.execute(f"USE {quote_ident(database)}.{quote_ident(schema)}")
        cursor.execute(f"SELECT * FROM {t} LIMIT 0").fetchall()
    except duckdb.Error:
        cursor.close()
        return None
    return cursor


def _value_counts(
    con: duckdb.DuckDBPyConnection,
    t: str,
    described: Sequence[tuple[str, str]],
    indices: Iterable[int],
    *,
    rows: int,
    parallel: bool,
) -> dict[int, Counts]:
    """Exact distinct count and the `TOP_VALUES` most frequent values (count, then value order).

    Columns of one type share a query: a small table is unpivoted into one GROUP BY (1,000
    columns x 20 rows: 0.1 s, against ~2 ms per column for one GROUP BY each); from
    `UNPIVOT_MAX_ROWS` rows each column gets its own GROUP BY, joined with UNION ALL.
    """
    sqls: list[str] = []
    for chunk in _by_type(described, indices):
        if rows <= UNPIVOT_MAX_ROWS:
            columns = ", ".join(f'{quote_ident(described[i][0])} AS "{i}"' for i in chunk)
            groups = (
                f"SELECT col::INTEGER AS i, val AS v, count(*) AS n FROM (UNPIVOT (SELECT "
                f"{columns} FROM {t}) ON COLUMNS(*) INTO NAME col VALUE val) GROUP BY ALL"
            )
            sqls.append(f"{_ranked('i', f'({groups})')} GROUP BY i")
        else:
            sqls.append(
                " UNION ALL ".join(
                    _ranked(
                        str(i),
                        f"(SELECT {c} AS v, count(*) AS n FROM {t} WHERE {c} IS NOT NULL "
                        f"GROUP BY {c})",
                    )
                    for i in chunk
                    for c in [quote_ident(described[i][0])]
                )
            )
    counted: dict[int, Counts] = {}
    for found in _fetch_all(con, t, sqls, parallel=parallel):
        for i, distinct, top in found:
            counted[i] = (int(distinct), tuple((_short(x["v"]), int(x["n"])) for x in top or ()))
    return counted


def _ranked(i: str, groups: str) -> str:
    """One row per column: its index, number of groups, and the top groups, as ORDER BY n DESC, v."""
    return (
        f"SELECT {i} AS i, count(*) AS distinct_count, "
        f"list({{'v': v, 'n': n}} ORDER BY n DESC, v)[1:{TOP_VALUES}] AS top FROM {groups}"
    )


def _first_distinct(values: Iterable[Any]) -> tuple[Any, ...]:
    """The first `EXAMPLES` distinct non-null values, in order (NaN counts once, as in DuckDB)."""
    seen: set[Any] = set()
    found: list[Any] = []
    for value in values:
        if value is None:
            continue
        if isinstance(value, dict | list):  # STRUCT, MAP, LIST: unhashable, compare their text
            key: Any = ("repr", repr(value))
        else:
            key = ("nan",) if value != value else value  # NaN != NaN, yet DISTINCT keeps one
        if key not in seen:
            seen.add(key)
            found.append(_short(value))
            if len(found) == EXAMPLES:
                break
    return tuple(found)


def _examples(con: duckdb.DuckDBPyConnection, t: str, column: str) -> tuple[Any, ...]:
    c = quote_ident(column)
    found = con.execute(
        f"SELECT DISTINCT {c} FROM (SELECT {c} FROM {t} WHERE {c} IS NOT NULL "
        f"LIMIT {EXAMPLES_FROM_ROWS}) LIMIT {EXAMPLES}"
    ).fetchall()
    return tuple(_short(r[0]) for r in found)


def _wide_note(guessed: int, total: int) -> str:
    return (
        f"Distinct counts of {guessed:,} of the {total:,} columns are HyperLogLog estimates "
        f"(marked ~, within about 10%): exact counts would double the time to profile a table "
        f"this wide. Columns with at most {EXACT_MAX_DISTINCT} values are counted exactly."
    )


def _chunks(described: Sequence[tuple[str, str]]) -> list[Sequence[tuple[str, str]]]:
    return [described[k : k + CHUNK_COLUMNS] for k in range(0, len(described), CHUNK_COLUMNS)]


def _by_type(described: Sequence[tuple[str, str]], indices: Iterable[int]) -> list[list[int]]:
    """Column indices grouped by DuckDB type (UNPIVOT and UNION ALL need one type), chunked."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i in indices:
        groups[described[i][1]].append(i)
    return [
        group[k : k + CHUNK_COLUMNS]
        for group in groups.values()
        for k in range(0, len(group), CHUNK_COLUMNS)
    ]


def _numeric(ctype: str) -> bool:
    return type_family(ctype) == "number"


def _orderable(ctype: str) -> bool:
    t = ctype.upper()
    return not is_nested(t) and not any(k in t for k in ("BLOB", "JSON"))


def _short(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_TEXT:
        return value[: MAX_TEXT - 1] + "…"
    return value
