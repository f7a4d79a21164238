"""What an answer's chart says: a title naming what was computed (with its filters), axes named
after the result's columns, a bar chart for a grouped total the code did not draw, and whether
there is anything to draw at all (issue 16: untitled model charts, a month axis labelled
`order_date`, a chart filtered to Europe that did not say Europe, an empty chart from -1 to 5).

Pure functions over plotly's JSON (`fig.to_json()` shape, numeric arrays possibly base64 "bdata")
and `TableData`; the page only renders what they return.
"""

from __future__ import annotations

import ast
import base64
import binascii
from collections.abc import Callable, Collection
from dataclasses import replace
from typing import Any, Final, TypeVar

from engine.results import figure_summary
from engine.sql_reading import sql_comparisons, sql_number_comparisons, sql_queries
from engine.types import Answer, TableData

_V = TypeVar("_V")
TITLE_CHARS: Final = 90
BAR_MAX_ROWS: Final = 30  # a grouped total with more groups reads better as a table
_AXES: Final = ("x", "y")
_DATA_KEYS: Final = ("x", "y", "z", "values", "lat", "lon", "r", "labels")
_PLACEHOLDER_TITLES: Final = frozenset({"", "x", "y", "index", "value", "values", "0", "1"})
# `<column>.dt.<attribute>` -> what the axis holds when the code grouped by it
_PERIOD_ATTRIBUTES: Final = {
    "year": "year",
    "quarter": "quarter",
    "month": "month",
    "month_name": "month",
    "week": "week",
    "day": "day",
    "dayofweek": "weekday",
    "weekday": "weekday",
    "day_name": "weekday",
    "hour": "hour",
    "date": "date",
}
_PERIOD_CODES: Final = {"Y": "year", "A": "year", "Q": "quarter", "M": "month", "W": "week"}
_PERIOD_CODES |= {"D": "day", "H": "hour", "YE": "year", "QE": "quarter", "ME": "month"}


def has_points(figure: dict[str, Any] | None) -> bool:
    """True when some trace has something to draw; a chart of no rows, or of no traces, is not
    shown. A trace with none of the usual data keys (an indicator) counts as drawn."""
    traces = [t for t in (figure or {}).get("data") or [] if isinstance(t, dict)]
    return any(_trace_has_points(t) for t in traces)


def _trace_has_points(trace: dict[str, Any]) -> bool:
    lengths = [_length(trace.get(key)) for key in _DATA_KEYS if trace.get(key) is not None]
    known = [n for n in lengths if n is not None]
    return not known or any(n > 0 for n in known)


def presented(answer: Answer, code: str, title: str) -> Answer:
    """The answer as the chat shows it: its chart titled and its axes named, or a bar chart for
    a grouped total when the code drew none. `title` says what was computed (the turn's
    explanation, else its question); the code's text filters are added when it omits them."""
    figure = answer.figure
    if figure is None and not answer.images and answer.table is not None:
        figure = grouped_total_chart(answer.table)
    if figure is None or not has_points(figure):
        return answer
    figure = named_axes(figure, answer.table, code)
    figure = titled(figure, title, code_filters(code))
    text = figure_summary(figure) if answer.kind == "figure" else answer.text
    return replace(answer, figure=figure, text=text)


def titled(figure: dict[str, Any], title: str, filters: list[tuple[str, str]]) -> dict[str, Any]:
    """The figure with a title: its own, or `title`; either way naming every filter value."""
    layout = dict(figure.get("layout") or {})
    text = _title_text(layout.get("title")) or _sentence(title)
    missing = [(c, v) for c, v in filters if v.casefold() not in text.casefold()]
    if missing:
        text += " (" + ", ".join(f"{c} = {v}" for c, v in missing) + ")"
    if not text:
        return figure
    if len(text) > TITLE_CHARS:
        text = text[: TITLE_CHARS - 1] + "…"
    old = layout.get("title")
    layout["title"] = {**(old if isinstance(old, dict) else {}), "text": text}
    return {**figure, "layout": layout}


def named_axes(figure: dict[str, Any], table: TableData | None, code: str) -> dict[str, Any]:
    """Axis titles that name what the axis holds: a placeholder (`x`, `index`, `value`) becomes
    the result column with the same values; a date column the code grouped by month is "month".
    """
    traces = [t for t in figure.get("data") or [] if isinstance(t, dict)]
    if not traces or any(t.get("type", "scatter") in ("pie", "table", "sunburst") for t in traces):
        return figure
    layout = dict(figure.get("layout") or {})
    periods = date_periods(code)
    changed = False
    for axis in _AXES:
        key = f"{axis}axis"
        settings = layout.get(key) if isinstance(layout.get(key), dict) else {}
        name = _title_text(settings.get("title"))
        if name.strip() in _PLACEHOLDER_TITLES and table is not None:
            name = _column_with_values(table, _values(traces[0].get(axis))) or name
        name = periods.get(name, name)
        if name and name != _title_text(settings.get("title")):
            old = settings.get("title")
            title = {**(old if isinstance(old, dict) else {}), "text": name}
            layout[key] = {**settings, "title": title}
            changed = True
    return {**figure, "layout": layout} if changed else figure


def grouped_total_chart(table: TableData) -> dict[str, Any] | None:
    """A bar chart for a result of one label column and one number column with a few distinct
    labels (a total by category); None for any other table."""
    if len(table.columns) != 2 or not 2 <= table.row_count <= BAR_MAX_ROWS:
        return None
    if len(table.rows) != table.row_count:
        return None
    columns = list(zip(*table.rows, strict=True))
    kinds = [_kind(values) for values in columns]
    if sorted(kinds) != ["number", "text"]:
        return None
    label, number = (0, 1) if kinds[0] == "text" else (1, 0)
    labels = columns[label]
    if len(set(labels)) != len(labels):
        return None
    return {
        "data": [{"type": "bar", "x": list(labels), "y": list(columns[number]), "name": ""}],
        "layout": {
            "xaxis": {"title": {"text": table.columns[label]}},
            "yaxis": {"title": {"text": table.columns[number]}},
        },
    }


def code_filters(code: str) -> list[tuple[str, str]]:
    """(column, text value) for each `x["column"] == "value"` or `.isin([...])` in the code
    (the values of one `.isin` joined)."""
    return list(
        dict.fromkeys((column, ", ".join(values)) for column, values in compared_values(code))
    )


def compared_values(code: str) -> list[tuple[str, tuple[str, ...]]]:
    """(column, text values) for each comparison of a column with text in the code:
    `x["column"] == "value"` gives one value, `x["column"].isin([...])` its text values, and
    the same in the SQL it runs (`column = 'value'`, `column IN (...)`)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    found = [c for query in sql_queries(tree) for c in sql_comparisons(query)]
    return found + _compared(tree, _text, stripped_too=True)


def compared_numbers(code: str) -> list[tuple[str, float, bool]]:
    """(column, number, in SQL) for each comparison of a column with a number in the code:
    `x["column"] == 3`, `x["column"].isin([1, 2])`, and `column = 3` in the SQL it runs."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    found = [(c, n, True) for query in sql_queries(tree) for c, n in sql_number_comparisons(query)]
    return found + [(c, n, False) for c, numbers in _compared(tree, _number) for n in numbers]


def _compared(
    tree: ast.Module, read: Callable[[ast.AST], _V | None], *, stripped_too: bool = False
) -> list[tuple[str, tuple[_V, ...]]]:
    """(column, values) for each pandas `column == value` and `column.isin([...])` whose values
    `read` reads (a text, a number); with `stripped_too`, a column stripped first counts (a
    text compared with it; a number never equals a text)."""
    column_of = (lambda n: _column_name(_unstripped(n))) if stripped_too else _column_name
    found: list[tuple[str, tuple[_V, ...]]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], ast.Eq):
            left, right = node.left, node.comparators[0]
            for column_side, value_side in ((left, right), (right, left)):
                column, value = column_of(column_side), read(value_side)
                if column and value is not None:
                    found.append((column, (value,)))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            column = column_of(node.func.value)
            if node.func.attr == "isin" and column and node.args:
                values = node.args[0]
                if isinstance(values, ast.List | ast.Tuple | ast.Set):
                    read_values = tuple(v for v in map(read, values.elts) if v is not None)
                    if read_values:
                        found.append((column, read_values))
    return found


def method_calls(code: str, names: Collection[str]) -> list[ast.Call]:
    """The calls in `code` of a method named in `names` (`x.str.strip()` for "strip"); none
    when the code does not parse (the run reports that)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in names
    ]


def stripped_columns(code: str) -> set[str]:
    """The columns the code strips before comparing (`df["Winner"].str.strip() == "X"`): a
    cell "X " holds "X" as written there."""
    return {
        column
        for call in method_calls(code, _STRIPS)
        if (column := _column_name(_unstripped(call))) is not None
    }


def _unstripped(node: ast.AST) -> ast.AST:
    """`df["Winner"]` for `df["Winner"].str.strip()` (and `.astype(str)`, `.str.lstrip()`): the
    same cells, compared as written. A column put in lower case is left as it is: its cells are
    no longer written as the table holds them."""
    while (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and (
            (node.func.attr in _STRIPS and _is_str_accessor(node.func.value) and not node.args)
            or (node.func.attr == "astype" and [ast.unparse(a) for a in node.args] == ["str"])
        )
    ):
        node = node.func.value.value if node.func.attr in _STRIPS else node.func.value
    return node


_STRIPS: Final = frozenset({"strip", "lstrip", "rstrip"})


def _is_str_accessor(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "str"


def date_periods(code: str) -> dict[str, str]:
    """Date columns the code turns into one period, and that period: `df["order_date"].dt.month`
    -> {"order_date": "month"}. A column turned into two periods (year and month) is left out."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return {}
    seen: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        column, period = _period_of(node)
        if column and period:
            seen.setdefault(column, set()).add(period)
    return {column: next(iter(p)) for column, p in seen.items() if len(p) == 1}


def _period_of(node: ast.AST) -> tuple[str | None, str | None]:
    """(column, period) for `<column>.dt.month`, `.dt.to_period("M")`, `.dt.strftime("%Y-%m")`."""
    call = node if isinstance(node, ast.Call) else None
    attribute = call.func if call is not None else node
    if not isinstance(attribute, ast.Attribute) or not isinstance(attribute.value, ast.Attribute):
        return None, None
    if attribute.value.attr != "dt":
        return None, None
    column = _column_name(attribute.value.value)
    name = attribute.attr
    if call is None:
        return column, _PERIOD_ATTRIBUTES.get(name)
    argument = _text(call.args[0]) if call.args else None
    if name in ("month_name", "day_name"):
        return column, _PERIOD_ATTRIBUTES[name]
    if name == "to_period" and argument:
        return column, _PERIOD_CODES.get(argument.upper())
    if name == "strftime" and argument:
        for pattern, period in (("%d", "day"), ("%m", "month"), ("%b", "month"), ("%Y", "year")):
            if pattern in argument:
                return column, period
    return column, None


def _column_name(node: ast.AST) -> str | None:
    """The column a table expression names: `df["region"]`, `rows.region`, and the same inside
    `pd.to_datetime(...)`."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name) and node.args:
        name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
        return _column_name(node.args[0]) if name == "to_datetime" else None
    if isinstance(node, ast.Subscript):
        return _text(node.slice)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node.attr if node.attr not in ("dt", "str", "index", "columns") else None
    return None


def _number(node: ast.AST) -> float | None:
    """A number constant (`3`, `-2.5`), not a bool."""
    sign = 1.0
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        sign, node = -1.0, node.operand
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return None if isinstance(node.value, bool) else sign * node.value
    return None


def _text(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.strip():
        return node.value
    return None


def _title_text(title: Any) -> str:
    if isinstance(title, dict):
        return str(title.get("text") or "")
    return str(title or "")


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text[:1].upper() + text[1:]


def _kind(values: tuple[Any, ...]) -> str:
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, str) for v in present):
        return "text"
    if present and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return "number"
    return "other"


def _column_with_values(table: TableData, values: list[Any] | None) -> str | None:
    """The result column holding exactly these values, in this order (a chart drawn from
    `s.index` and `s.values` has the axes `x` and `y`)."""
    if not values or len(values) != len(table.rows):
        return None
    for i, name in enumerate(table.columns):
        column = [row[i] for row in table.rows]
        if all(_same(a, b) for a, b in zip(column, values, strict=True)):
            return name
    return None


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)))
    return a == b


def _values(array: Any) -> list[Any] | None:
    """A plotly JSON array as a list: a list as is, a typed "bdata" array decoded."""
    if isinstance(array, list):
        return array
    if isinstance(array, dict) and "bdata" in array and "shape" not in array:
        import numpy as np

        try:
            raw = base64.b64decode(array["bdata"])
            return np.frombuffer(raw, dtype=np.dtype(array.get("dtype", "f8"))).tolist()
        except (binascii.Error, TypeError, ValueError):
            return None
    return None


def _length(array: Any) -> int | None:
    if isinstance(array, list | tuple):
        return len(array)
    if isinstance(array, dict) and "bdata" in array:
        return len(str(array.get("bdata") or ""))  # > 0 when there are values
    return None
