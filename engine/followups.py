"""Follow-ups offered on a selection in a chart or a result table (issue 6, "Exploring").

Pure functions from what the user selected to code (filter to selection, run as is) or to a
question (explain these, which needs a language model). No Streamlit here: the pages pass in the
selection state they got from `on_select`.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import Any, Final

from engine.code_names import FIRST_TABLE

MAX_VALUES_IN_QUESTION: Final = 20


def axis_column(figure: Mapping[str, Any], axis: str, columns: Sequence[str]) -> str | None:
    """The table column an axis shows, read from its title (plotly express titles axes by column)."""
    layout = figure.get("layout") or {}
    title = (layout.get(f"{axis}axis") or {}).get("title") or {}
    text = title.get("text") if isinstance(title, Mapping) else title
    return text if isinstance(text, str) and text in columns else None


def selection_filter_code(
    figure: Mapping[str, Any],
    points: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    table: str = FIRST_TABLE,
) -> str | None:
    """Code keeping the rows of `table` behind the selected points, or None when the chart's axes
    do not name columns of the table. Categories filter with isin(); numbers with their range."""
    conditions = []
    for axis in ("x", "y"):
        column = axis_column(figure, axis, columns)
        values = [p.get(axis) for p in points if p.get(axis) is not None]
        if column is None or not values:
            continue
        if all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in values):
            conditions.append(f"{table}[{column!r}].between({min(values)!r}, {max(values)!r})")
        else:
            unique = sorted({str(v) for v in values})
            conditions.append(f"{table}[{column!r}].astype(str).isin({unique!r})")
        if axis == "x" and not all(isinstance(v, numbers.Real) for v in values):
            break  # a bar chart: the y values are aggregates, not rows
    if not conditions:
        return None
    mask = " & ".join(f"({c})" for c in conditions) if len(conditions) > 1 else conditions[0]
    return f"result = {table}[{mask}]\n"


def rows_filter_code(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    table_columns: Sequence[str],
    table: str = FIRST_TABLE,
) -> str | None:
    """Code keeping the rows of `table` that match the selected result rows on the first result
    column that is also a table column (e.g. the group key of a group-by), or None."""
    for i, column in enumerate(columns):
        if column in table_columns:
            values = sorted({str(r[i]) for r in rows if r[i] is not None})
            if values:
                return f"result = {table}[{table}[{column!r}].astype(str).isin({values!r})]\n"
    return None


def explain_question(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A follow-up question asking why these rows or points stand out."""
    shown = rows[:MAX_VALUES_IN_QUESTION]
    parts = ["; ".join(f"{c}={v}" for c, v in zip(columns, row, strict=False)) for row in shown]
    more = f" (and {len(rows) - len(shown)} more)" if len(rows) > len(shown) else ""
    return "Explain these: " + " | ".join(parts) + more
