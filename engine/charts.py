"""The Data page's low-code chart builder: choices -> the same kind of code a backend writes (issue 6).

The code runs through `Session.run` like any answer, so a built chart lands in the history, can be
edited and re-run, and is exported to the notebook with every other turn.
"""

from __future__ import annotations

from typing import Final

CHART_KINDS: Final[dict[str, str]] = {  # label -> plotly.express function
    "bar": "bar",
    "line": "line",
    "scatter": "scatter",
    "histogram": "histogram",
    "box": "box",
}
AGGREGATIONS: Final[tuple[str, ...]] = ("none", "count", "sum", "mean", "median", "min", "max")


def chart_code(
    table: str,
    kind: str,
    x: str,
    y: str | None = None,
    color: str | None = None,
    aggregation: str = "none",
) -> str:
    """Python that draws the chart: optional group-by aggregation, then one plotly.express call.

    `table` is the table's name in the sandbox namespace (every loaded table is a DataFrame there).
    Column names are written with repr(), so any name (spaces, quotes) stays a plain string.
    """
    if kind not in CHART_KINDS:
        raise ValueError(f"unknown chart kind {kind!r}; choose one of {', '.join(CHART_KINDS)}")
    if aggregation not in AGGREGATIONS:
        raise ValueError(f"unknown aggregation {aggregation!r}; choose one of {AGGREGATIONS}")
    if not table.isidentifier():
        raise ValueError(f"table name {table!r} is not a Python identifier")
    lines = ["import plotly.express as px", "", f"data = {table}"]
    keys = [c for c in (x, color) if c]
    title = _title(kind, x, y, color, aggregation)
    if kind in ("histogram", "box") or aggregation == "none":
        pass
    elif aggregation == "count":
        lines.append(
            f"data = data.groupby({keys!r}, dropna=False).size().reset_index(name='count')"
        )
        y = "count"
    elif y:
        lines.append(
            f"data = data.groupby({keys!r}, as_index=False, dropna=False)[{y!r}].{aggregation}()"
        )
    if kind == "line":
        lines.append(f"data = data.sort_values({x!r})")
    args = [f"x={x!r}"]
    if y and kind != "histogram":
        args.append(f"y={y!r}")
    if color:
        args.append(f"color={color!r}")
    args.append(f"title={title!r}")
    lines.append(f"fig = px.{CHART_KINDS[kind]}(data, {', '.join(args)})")
    return "\n".join(lines) + "\n"


def _title(kind: str, x: str, y: str | None, color: str | None, aggregation: str) -> str:
    if kind == "histogram":
        what = f"Distribution of {x}"
    elif aggregation == "count":
        what = f"Count by {x}"
    elif y and aggregation != "none" and kind not in ("box",):
        what = f"{aggregation.capitalize()} of {y} by {x}"
    elif y:
        what = f"{y} by {x}"
    else:
        what = x
    return f"{what}, coloured by {color}" if color else what
