"""A table's profile from DuckDB aggregates: rows; per column type, nulls, distincts, min/max, mean,
most frequent values and examples.

Everything is computed inside DuckDB, without a pandas copy, a chunk of columns per query: one
SELECT of 1,000 `count(DISTINCT)` ran out of memory (18.8 GiB) on a 20-row table, because each
DISTINCT aggregate builds its own hash tables (issue 14).

- Up to `WIDE_COLUMNS` columns: one pass of aggregates (exact distinct counts below
  `APPROX_FROM_ROWS` rows, HyperLogLog from there, and the profile says so), then value counts of
  the text/date columns with at most `TOP_VALUES_MAX_DISTINCT` values. 10M rows take seconds.
- Wider tables: exact DISTINCT aggregates cost ~5x the rest of the profile (measured on 1,000
  columns x 100k rows), so the pass estimates distinct counts (HyperLogLog) and then counts the
  values of every column estimated at most `EXACT_MAX_DISTINCT` values exactly. Only columns with
  many values keep an estimate, flagged `distinct_approximate`, and a note says so.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any, Final

import duckdb

from engine.loading.refine import quote_ident
from engine.types import ColumnProfile, TableProfile, type_family

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
CHUNK_COLUMNS: Final = 50  # columns per query: 50 DISTINCT aggregates took 0.2 s, 400 took 22 s
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
        con, t, described, [i for i in wanted if 0 < stats[i][1] <= limit], rows=rows
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

    `split` asks count+distinct, min+max and avg in three queries: DuckDB computes min/max of
    compressed text much faster alone (1,000 columns x 100k rows: 1.5 s CPU instead of 2.0 s),
    though a 10M-row narrow table takes 25% longer that way, so only wide tables split.
    """
    stats: list[Stats] = []
    for chunk in _chunks(described):
        wanted: list[tuple[int, int, str]] = []  # (column in chunk, field, aggregate)
        for k, (column, ctype) in enumerate(chunk):
            c = quote_ident(column)
            wanted += [
                (k, 0, f"count({c})"),
                (k, 1, f"approx_count_distinct({c})" if estimate else f"count(DISTINCT {c})"),
            ]
            if _orderable(ctype):
                wanted += [(k, 2, f"min({c})"), (k, 3, f"max({c})")]
            if _numeric(ctype):
                wanted.append((k, 4, f"avg({c})"))
        queries = [[w for w in wanted if w[1] in f] for f in ((0, 1), (2, 3), (4,))]
        values: list[list[Any]] = [[None] * 5 for _ in chunk]
        for query in queries if split else [wanted]:
            if not query:
                continue  # no aggregate: SELECT NULL FROM t would return a row per row
            found = con.execute(f"SELECT {', '.join(w[2] for w in query)} FROM {t}").fetchall()
            for (k, field, _), value in zip(query, found[0], strict=True):
                values[k][field] = value
        for non_null, distinct, lo, hi, mean in values:
            stats.append((non_null, min(int(distinct or 0), non_null), lo, hi, mean))
    return stats


def _value_counts(
    con: duckdb.DuckDBPyConnection,
    t: str,
    described: Sequence[tuple[str, str]],
    indices: Iterable[int],
    *,
    rows: int,
) -> dict[int, Counts]:
    """Exact distinct count and the `TOP_VALUES` most frequent values (count, then value order).

    Columns of one type share a query: a small table is unpivoted into one GROUP BY (1,000
    columns x 20 rows: 0.1 s, against ~2 ms per column for one GROUP BY each); from
    `UNPIVOT_MAX_ROWS` rows each column gets its own GROUP BY, joined with UNION ALL.
    """
    counted: dict[int, Counts] = {}
    for chunk in _by_type(described, indices):
        if rows <= UNPIVOT_MAX_ROWS:
            columns = ", ".join(f'{quote_ident(described[i][0])} AS "{i}"' for i in chunk)
            groups = (
                f"SELECT col::INTEGER AS i, val AS v, count(*) AS n FROM (UNPIVOT (SELECT "
                f"{columns} FROM {t}) ON COLUMNS(*) INTO NAME col VALUE val) GROUP BY ALL"
            )
            sql = f"{_ranked('i', f'({groups})')} GROUP BY i"
        else:
            sql = " UNION ALL ".join(
                _ranked(
                    str(i),
                    f"(SELECT {c} AS v, count(*) AS n FROM {t} WHERE {c} IS NOT NULL GROUP BY {c})",
                )
                for i in chunk
                for c in [quote_ident(described[i][0])]
            )
        for i, distinct, top in con.execute(sql).fetchall():
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
        f"(marked ~, within about 10%): exact counts would make profiling a table this wide "
        f"several times slower. Columns with at most {EXACT_MAX_DISTINCT} values are counted exactly."
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
    return not any(k in t for k in ("STRUCT", "MAP", "[]", "LIST", "UNION", "BLOB", "JSON"))


def _short(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_TEXT:
        return value[: MAX_TEXT - 1] + "…"
    return value
