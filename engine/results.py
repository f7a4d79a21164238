"""Normalise what code left in `result` / `fig` into one `Answer` (issue #3).

Two halves, because the value lives in a sandboxed child and the `Answer` in the app, with one
typed `Payload` between them:

- `payload_from_values` runs where the code ran: it turns the value into data only, a
  `Payload` whose `to_json()` travels as JSON and whose table travels as Arrow IPC stream bytes
  (never pickle: unpickling the child's bytes would run its code in the app).
- `Payload.from_json` reads the child's JSON back, checking every field, and
  `answer_from_payload` validates the Arrow bytes and builds the `Answer`, with rows capped for
  display, the true row count, and the full `pyarrow.Table`.

`answer_from_values` chains both in-process (plain Python, tests, the bench), so the sandbox and
plain `exec` give byte-identical answers.
"""

from __future__ import annotations

import enum
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Final, Literal, get_args

from engine.identifiers import unique_name
from engine.types import Answer, TableData
from engine.values import day_if_midnight, json_scalar, pandas_frame

SUMMARY_CHARS: Final = 200
NO_RESULT_MESSAGE: Final = (
    "The code ran but left no answer: assign it to `result` (a number, text, DataFrame, Series "
    "or plotly figure), or set `fig` for a chart."
)


PayloadKind = Literal["none", "value", "text", "figure", "table"]
PAYLOAD_KINDS: Final[frozenset[str]] = frozenset(get_args(PayloadKind))


@dataclass(frozen=True)
class Payload:
    """What the code left, as data only: made in the sandbox child, read in the app.

    `kind` is "none" when the code left nothing. A table is `arrow`, an Arrow IPC stream that
    travels beside the JSON (a blob of the reply frame), never inside it; `series` says it was a
    Series, so `results[-1]` gives a Series back.
    """

    kind: PayloadKind
    text: str = ""
    value: Any = None  # a JSON scalar, or the printed text
    figure: dict[str, Any] | None = None  # plotly JSON
    series: bool = False
    arrow: bytes = field(default=b"", repr=False)
    images: tuple[str, ...] = ()  # matplotlib figures saved as files of the run (issue 14)

    def to_json(self) -> dict[str, Any]:
        """Everything but `arrow`."""
        return {
            "kind": self.kind,
            "text": self.text,
            "value": self.value,
            "figure": self.figure,
            "series": self.series,
            "images": list(self.images),
        }

    @classmethod
    def from_json(cls, data: Any, arrow: bytes = b"") -> Payload:
        """The payload of an untrusted writer's JSON; ValueError when a field is malformed."""
        if not isinstance(data, dict):
            raise ValueError("payload is not a JSON object")
        kind, figure = data.get("kind"), data.get("figure")
        if kind not in PAYLOAD_KINDS:
            raise ValueError(f"unknown answer kind {kind!r}")
        if figure is not None and not isinstance(figure, dict):
            raise ValueError("figure payload is not a JSON object")
        images = data.get("images") or []
        if not isinstance(images, list) or not all(isinstance(n, str) for n in images):
            raise ValueError("images payload is not a list of file names")
        return cls(
            kind=kind,
            text=str(data.get("text", ""))[: SUMMARY_CHARS * 2],
            value=json_scalar(data.get("value")),
            figure=figure,
            series=data.get("series") is True,
            arrow=bytes(arrow),
            images=tuple(images),
        )


class Shape(enum.Enum):
    """The accepted input shapes (like Streamlit's `dataframe_util.DataFormat`)."""

    NONE = "none"
    SCALAR = "scalar"
    TEXT = "text"
    DATAFRAME = "dataframe"
    SERIES = "series"
    INDEX = "index"
    ARRAY = "array"
    SEQUENCE = "sequence"
    MAPPING = "mapping"
    FIGURE = "figure"
    OTHER = "other"


_SCALAR_TYPES: Final = (bool, int, float, complex, Decimal, datetime, date, time, timedelta, bytes)
_PANDAS_SCALARS: Final = ("Timestamp", "Timedelta", "NaTType", "NAType", "Period", "Interval")


def shape_of(value: Any) -> Shape:
    """Classify a value without importing anything heavy the code has not imported itself."""
    if value is None:
        return Shape.NONE
    if isinstance(value, str):
        return Shape.TEXT
    module = type(value).__module__.split(".")[0]
    name = type(value).__name__
    if module == "pandas":
        if name == "DataFrame":
            return Shape.DATAFRAME
        if name == "Series":
            return Shape.SERIES
        if name.endswith("Index"):
            return Shape.INDEX
        if name.endswith("Array") or name == "Categorical":  # `df[col].unique()` in pandas 3
            return Shape.ARRAY
    if module == "numpy" and name == "ndarray":
        return Shape.SCALAR if value.ndim == 0 else Shape.ARRAY
    if module == "plotly" and hasattr(value, "to_plotly_json"):
        return Shape.FIGURE
    if isinstance(value, _SCALAR_TYPES) or (module == "numpy" and hasattr(value, "item")):
        return Shape.SCALAR
    if module == "pandas" and name in _PANDAS_SCALARS:
        return Shape.SCALAR
    if isinstance(value, dict):
        return Shape.MAPPING
    if isinstance(value, list | tuple | set | frozenset):
        return Shape.SEQUENCE
    return Shape.OTHER


def _is_missing(value: Any) -> bool:
    return type(value).__name__ in ("NaTType", "NAType") or (
        isinstance(value, float) and math.isnan(value)
    )


# -- the child's half -------------------------------------------------------------------------
def payload_from_values(result: Any, fig: Any, printed: str, images: Sequence[str] = ()) -> Payload:
    """The `Payload` for what the code left; its kind is "none" when it left nothing.

    `images` are the matplotlib figures the run saved as files: the chart when nothing else
    is, and shown beside any other answer."""
    payload = _payload(result, fig, printed, bool(images))
    return replace(payload, images=tuple(images)) if images else payload


def _payload(result: Any, fig: Any, printed: str, has_images: bool) -> Payload:
    figure = _figure_json(fig) if shape_of(fig) is Shape.FIGURE else None
    shape = shape_of(result)
    if shape is Shape.NONE:
        if figure is not None:
            return Payload("figure", figure_summary(figure), figure=figure)
        if has_images:
            return Payload("figure", "Matplotlib chart")
        if printed.strip():
            return Payload("text", _one_line(printed), value=printed)
        return Payload("none")
    if shape is Shape.FIGURE:
        figure = _figure_json(result)
        return Payload("figure", figure_summary(figure), figure=figure)
    if shape is Shape.TEXT:
        return Payload("text", _one_line(result), value=result, figure=figure)
    if shape is Shape.SCALAR:
        # NaT is a datetime whose isoformat() is "NaT": missing values are None (JSON null).
        value = None if _is_missing(result) else result
        value = json_scalar(day_if_midnight(value.item() if hasattr(value, "ndim") else value))
        # 15.049999999999999 reads as 15.05; the value keeps every digit
        text = f"{value:.10g}" if isinstance(value, float) else _one_line(str(value))
        return Payload("value", text, value=value, figure=figure)
    table = arrow_from_frame(frame_from_value(result, shape))
    return Payload(
        "table",
        table_summary(table.num_rows, table.num_columns),
        figure=figure,
        series=shape is Shape.SERIES,
        arrow=arrow_bytes(table),
    )


def frame_from_value(value: Any, shape: Shape) -> Any:
    """A DataFrame with string column names and meaningful index levels as columns."""
    import pandas as pd

    if shape is Shape.SERIES:
        frame = value.to_frame(name=value.name if value.name is not None else "value")
    elif shape is Shape.INDEX:
        frame = value.to_frame(index=False)
    elif shape is Shape.ARRAY and type(value).__module__.startswith("pandas"):
        frame = pd.DataFrame({"value": pd.Series(value)})  # one-dimensional, its dtype kept
    elif shape is Shape.ARRAY:
        frame = pd.DataFrame(value if value.ndim == 2 else value.reshape(len(value), -1))
        if frame.shape[1] == 1:
            frame.columns = ["value"]
    elif shape is Shape.MAPPING:
        frame = pd.DataFrame({"key": list(map(str, value)), "value": list(value.values())})
    elif shape is Shape.SEQUENCE:
        frame = pd.DataFrame({"value": list(value)})
    elif shape is Shape.OTHER:
        frame = pd.DataFrame({"value": [str(value)]})
    else:
        frame = value
    if _index_is_meaningful(frame.index):
        names = [n if n is not None else "index" for n in frame.index.names]
        frame = frame.set_axis(frame.index.set_names(names)).reset_index()
    frame = frame.set_axis(_column_names(frame.columns), axis=1)
    return frame


def _index_is_meaningful(index: Any) -> bool:
    """Groupby keys and labels are kept; an unnamed integer row number is dropped."""
    if getattr(index, "nlevels", 1) > 1 or any(n is not None for n in index.names):
        return True
    return index.dtype.kind not in "iu"


def _column_names(columns: Any) -> list[str]:
    """Text names, made unique as pandas sees them: `a` and `A` stay two columns."""
    names: list[str] = []
    taken: set[str] = set()
    for col in columns:
        if isinstance(col, tuple):
            text = " / ".join(str(p) for p in col if str(p) != "")
        else:
            text = str(col)
        name = unique_name(text or "column", taken, ignore_case=False)
        taken.add(name)
        names.append(name)
    return names


def arrow_from_frame(frame: Any) -> Any:
    """A schema-metadata-free Arrow table; columns Arrow cannot type become text."""
    import pyarrow as pa

    arrays = []
    for name in frame.columns:
        col = frame[name]
        try:
            array = pa.array(col, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError):
            array = None
        # pandas' Interval/Period become Arrow extension types whose readers run pandas code
        # in the app: send their text instead ("(0.5, 1.2]", "2024-01").
        if array is None or _has_extension_type(array.type):
            array = pa.array([None if _is_na(v) else str(v) for v in col], pa.string())
        arrays.append(_days_if_midnight(array))
    return pa.Table.from_arrays(arrays, names=list(frame.columns))


def _days_if_midnight(array: Any) -> Any:
    """A timestamp column with no time of day in any row as dates (`day_if_midnight`)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not pa.types.is_timestamp(array.type) or array.type.tz is not None:
        return array
    if array.null_count == len(array):
        return array
    midnight = pc.all(pc.equal(pc.floor_temporal(array, unit="day"), array)).as_py()
    return array.cast(pa.date32()) if midnight else array


def _has_extension_type(data_type: Any) -> bool:
    import pyarrow as pa

    if pa.types.is_dictionary(data_type):
        return _has_extension_type(data_type.value_type)
    return isinstance(data_type, pa.ExtensionType)


def _is_na(value: Any) -> bool:
    return value is None or _is_missing(value)


def arrow_bytes(table: Any) -> bytes:
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def _figure_json(fig: Any) -> dict[str, Any]:
    """Plotly JSON through plotly's own encoder (numpy arrays, dates, NaN become JSON)."""
    return json.loads(fig.to_json())


def figure_summary(figure: dict[str, Any]) -> str:
    title = (figure.get("layout") or {}).get("title") or {}
    text = title.get("text") if isinstance(title, dict) else str(title)
    kinds = sorted({str(t.get("type", "scatter")) for t in figure.get("data") or []})
    chart = f"{' + '.join(kinds) or 'empty'} chart"
    return _one_line(f"{text} ({chart})" if text else chart.capitalize())


def table_summary(rows: int, columns: int) -> str:
    return f"{rows:,} row{'s' * (rows != 1)} × {columns} column{'s' * (columns != 1)}"


def _one_line(text: str) -> str:
    line = next((ln.strip() for ln in str(text).splitlines() if ln.strip()), "")
    return line if len(line) <= SUMMARY_CHARS else line[: SUMMARY_CHARS - 1] + "…"


# -- the app's half ---------------------------------------------------------------------------
def table_from_arrow_bytes(data: bytes) -> Any:
    """Read and fully validate Arrow IPC bytes from an untrusted writer."""
    import pyarrow as pa

    table = pa.ipc.open_stream(pa.py_buffer(data)).read_all()
    table.validate(full=True)
    return table


def answer_from_payload(payload: Payload, max_display_rows: int) -> Answer:
    """The `Answer` for a payload; raises ValueError if its table is malformed."""
    kind, text, figure, images = payload.kind, payload.text, payload.figure, payload.images
    if kind == "table":
        table = table_from_arrow_bytes(payload.arrow)
        rows = table.slice(0, max_display_rows).to_pylist()
        table_data = TableData(
            columns=tuple(table.column_names),
            rows=tuple(tuple(json_scalar(r[c]) for c in table.column_names) for r in rows),
            row_count=table.num_rows,
            arrow=table,
        )
        return Answer(kind="table", text=text, table=table_data, figure=figure, images=images)
    if kind == "figure":
        return Answer(kind="figure", text=text, figure=figure, images=images)
    if kind in ("value", "text"):
        return Answer(kind=kind, text=text, value=payload.value, figure=figure, images=images)
    raise ValueError(f"a payload of kind {kind!r} is no answer")


def value_from_payload(payload: Payload) -> Any:
    """An earlier turn's result as the code would use it (`results[-1]`): frame, figure, value."""
    if payload.kind == "table":
        frame = pandas_frame(table_from_arrow_bytes(payload.arrow))
        if payload.series and frame.shape[1] >= 1:
            return (
                frame.set_index(list(frame.columns[:-1])).iloc[:, 0]
                if frame.shape[1] > 1
                else frame.iloc[:, 0]
            )
        return frame
    if payload.kind == "figure" and payload.figure is not None:
        import plotly.graph_objects as go

        return go.Figure(payload.figure)
    return payload.value


def answer_from_values(result: Any, fig: Any, printed: str, max_display_rows: int) -> Answer | None:
    """Plain in-process normalisation (tests, bench); None when the code left nothing."""
    payload = payload_from_values(result, fig, printed)
    if payload.kind == "none":
        return None
    return answer_from_payload(payload, max_display_rows)
