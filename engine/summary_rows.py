"""Summary rows: a "Total", "All", "Average" or "Career" row, or a blank-labelled row of sums.

Report-like tables (sports records, medal tables, budgets) often end with a row that sums the
others. Counted as data it wins every "which year had the most …" and doubles every total
(issue 13). Such a row is found when a table is profiled, among its first and last rows:
- a "Total" label (any text cell) is enough;
- a weaker label ("All", "Average", "Career", "Overall") needs every number in the row to be
  the sum or the mean of the other rows' (so a team called "All" is data);
- a row with no labels needs its numbers to be sums.
The profile names it; the prompt tells the model to leave it out, with the filter that does.
"""

from __future__ import annotations

import math
import re
from typing import Any, Final

import duckdb

from engine.identifiers import quote_ident
from engine.types import SummaryRow
from engine.values import type_family

MAX_ROWS: Final = 100_000  # summary rows live in report-sized tables; big ones are not scanned
EDGE_ROWS: Final = 2  # candidates: the last two rows and the first one
_STRONG: Final = re.compile(r"^(?:grand )?totals?(?: \(.*\))?$|^sum$|^overall totals?$")
_WEAK: Final = re.compile(r"^(?:all|overall|average|avg|mean|career|combined|aggregate)$")
_NOISE: Final = re.compile(r"[\s:.*†‡#\[\]\d]+$")  # "Total:", "Total[3]", "Totals*"
SUM_TOLERANCE: Final = 1e-6
MEAN_TOLERANCE: Final = 0.05  # of the column's range: published averages are rounded


def summary_rows(con: duckdb.DuckDBPyConnection, name: str) -> tuple[SummaryRow, ...]:
    """The summary rows of table `name` (none for tables over MAX_ROWS or under 3 rows)."""
    t = quote_ident(name)
    described = con.execute(f"DESCRIBE {t}").fetchall()
    columns = [c for c, *_ in described]
    if "rowid" in (c.lower() for c in columns):
        return ()  # a column named rowid hides the row number
    rows = con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
    if not 3 <= rows <= MAX_ROWS:
        return ()
    texts = [c for c, ctype, *_ in described if type_family(ctype) == "text"]
    numbers = [c for c, ctype, *_ in described if type_family(ctype) == "number"]
    edges = con.execute(  # rowid is the row's place in a loaded table (never updated)
        f"SELECT rowid, * FROM {t} WHERE rowid < 1 OR rowid >= {rows - EDGE_ROWS} ORDER BY rowid"
    ).fetchall()
    found = []
    for position, *cells in edges:
        values = dict(zip(columns, cells, strict=True))
        row = _judge(con, t, position, values, texts, numbers)
        if row is not None:
            found.append(row)
    return tuple(found)


def _judge(
    con: duckdb.DuckDBPyConnection,
    t: str,
    position: int,
    values: dict[str, Any],
    texts: list[str],
    numbers: list[str],
) -> SummaryRow | None:
    labels = {c: values[c] for c in texts if isinstance(values[c], str) and values[c].strip()}
    strong = next((c for c, v in labels.items() if _STRONG.match(_clean(v))), None)
    weak = next((c for c, v in labels.items() if _WEAK.match(_clean(v))), None)
    if strong is None and weak is None and labels:
        return None
    present = [c for c in numbers if _finite(values[c])]
    sums, means = _evidence(con, t, position, values, present)
    if strong is not None:
        why = _reason(sums, "sum") if sums else "it is labelled as a total"
        return SummaryRow(position, strong, labels[strong], why)
    if weak is not None and present and len(sums) + len(means) == len(present):
        why = _reason(sums, "sum") if sums else _reason(means, "mean")
        return SummaryRow(position, weak, labels[weak], why)
    if not labels and sums and len(sums) >= min(2, len(present)):
        return SummaryRow(position, None, None, "it has no label and " + _reason(sums, "sum"))
    return None


def _evidence(
    con: duckdb.DuckDBPyConnection,
    t: str,
    position: int,
    values: dict[str, Any],
    present: list[str],
) -> tuple[list[str], list[str]]:
    """The numeric columns whose value in this row is the sum, or the mean, of the others."""
    if not present:
        return [], []
    aggregates = ", ".join(
        f"sum({c}), avg({c}), count({c}), max({c}) - min({c})" for c in map(quote_ident, present)
    )
    found = con.execute(f"SELECT {aggregates} FROM {t} WHERE rowid <> {position}").fetchall()[0]
    sums, means = [], []
    for i, column in enumerate(present):
        value = float(values[column])
        total, mean, n, spread = found[4 * i : 4 * i + 4]
        if n < 2 or total is None:
            continue
        if value != 0 and math.isclose(value, float(total), rel_tol=SUM_TOLERANCE, abs_tol=0.5):
            sums.append(column)
        elif spread and abs(value - float(mean)) <= MEAN_TOLERANCE * float(spread):
            means.append(column)
    return sums, means


def _reason(columns: list[str], what: str) -> str:
    verb = "is the" if len(columns) == 1 else "are the"
    return f"its {', '.join(columns)} {verb} {what}{'' if len(columns) == 1 else 's'} of the other rows"


def _clean(text: str) -> str:
    return _NOISE.sub("", " ".join(text.lower().split()))


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
