"""engine/results: every accepted shape becomes one honest `Answer`, from data only (issue #3)."""

from __future__ import annotations

import ast
import datetime as dt
import json
import pickle
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from engine.results import (
    Payload,
    Shape,
    answer_from_payload,
    answer_from_values,
    payload_from_values,
    shape_of,
    table_from_arrow_bytes,
    value_from_payload,
)

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "value,shape",
    [
        (None, Shape.NONE),
        ("text", Shape.TEXT),
        (3, Shape.SCALAR),
        (2.5, Shape.SCALAR),
        (np.int64(4), Shape.SCALAR),
        (np.array(5), Shape.SCALAR),
        (pd.Timestamp("2024-01-02"), Shape.SCALAR),
        (pd.NaT, Shape.SCALAR),
        (Decimal("1.5"), Shape.SCALAR),
        (dt.date(2024, 1, 2), Shape.SCALAR),
        (pd.DataFrame({"a": [1]}), Shape.DATAFRAME),
        (pd.Series([1]), Shape.SERIES),
        (pd.Index([1, 2]), Shape.INDEX),
        (np.arange(3), Shape.ARRAY),
        (pd.Series(["a", "b"]).unique(), Shape.ARRAY),  # ArrowStringArray in pandas 3
        (pd.Categorical(["a"]), Shape.ARRAY),
        ([1, 2], Shape.SEQUENCE),
        ({1, 2}, Shape.SEQUENCE),
        ({"a": 1}, Shape.MAPPING),
        (object(), Shape.OTHER),
    ],
)
def test_shape_of(value: Any, shape: Shape) -> None:
    assert shape_of(value) is shape


def test_figure_shape_and_answer() -> None:
    import plotly.express as px

    fig = px.bar(x=["a", "b"], y=[1, 2], title="Totals")
    assert shape_of(fig) is Shape.FIGURE
    answer = answer_from_values(fig, None, "", 1000)
    assert answer.kind == "figure"
    assert answer.text == "Totals (bar chart)"
    assert answer.figure == json.loads(fig.to_json())


@pytest.mark.parametrize(
    "value,expected",
    [
        (3, 3),
        (np.float64(2.5), 2.5),
        (np.bool_(True), True),
        (float("nan"), None),
        (pd.NaT, None),
        (pd.Timestamp("2024-01-02 03:04"), "2024-01-02T03:04:00"),
        (dt.date(2024, 1, 2), "2024-01-02"),
        (Decimal("1.5"), 1.5),
        (np.array(7), 7),
    ],
)
def test_scalars_become_json_values(value: Any, expected: Any) -> None:
    answer = answer_from_values(value, None, "", 1000)
    assert answer.kind == "value"
    assert answer.value == expected
    json.dumps(answer.to_json())  # always serialisable


def test_text_and_printed_only() -> None:
    assert answer_from_values("line one\nline two", None, "", 10).text == "line one"
    printed = answer_from_values(None, None, "  \nhello\n", 10)
    assert printed.kind == "text" and printed.value == "  \nhello\n" and printed.text == "hello"
    assert answer_from_values(None, None, "  ", 10) is None


def test_table_rows_capped_row_count_true() -> None:
    frame = pd.DataFrame({"n": range(2500), "s": ["x"] * 2500})
    answer = answer_from_values(frame, None, "", 1000)
    assert answer.kind == "table"
    assert answer.table.row_count == 2500 and len(answer.table.rows) == 1000
    assert answer.table.truncated
    assert answer.table.arrow.num_rows == 2500
    assert answer.text == "2,500 rows × 2 columns"


def test_groupby_index_becomes_columns_and_row_number_is_dropped() -> None:
    frame = pd.DataFrame({"g": ["a", "b", "a"], "h": [1, 1, 2], "v": [1, 2, 3]})
    single = answer_from_values(frame.groupby("g")["v"].sum(), None, "", 10)
    assert single.table.columns == ("g", "v")
    assert single.table.rows == (("a", 4), ("b", 2))
    multi = answer_from_values(frame.groupby(["g", "h"]).sum(), None, "", 10)
    assert multi.table.columns == ("g", "h", "v")
    plain = answer_from_values(frame, None, "", 10)
    assert plain.table.columns == ("g", "h", "v")  # RangeIndex not shown


def test_multiindex_columns_are_joined() -> None:
    frame = pd.DataFrame({"g": ["a", "b"], "v": [1, 2]}).groupby("g").agg({"v": ["min", "max"]})
    answer = answer_from_values(frame, None, "", 10)
    assert answer.table.columns == ("g", "v / min", "v / max")


def test_duplicate_and_blank_column_names_are_made_unique() -> None:
    frame = pd.DataFrame([[1, 2, 3]], columns=["a", "a", ""])
    assert answer_from_values(frame, None, "", 10).table.columns == ("a", "a_2", "column")
    cased = pd.DataFrame([[1, 2, 3, 4]], columns=["a", "A", "a", "a_2"])  # pandas keeps case
    assert answer_from_values(cased, None, "", 10).table.columns == ("a", "A", "a_2", "a_2_2")


@pytest.mark.parametrize(
    "value,columns,rows",
    [
        (pd.Series([1, 2], name="n"), ("n",), ((1,), (2,))),
        (pd.Series([1, 2]), ("value",), ((1,), (2,))),
        (np.arange(2), ("value",), ((0,), (1,))),
        (np.arange(4).reshape(2, 2), ("0", "1"), ((0, 1), (2, 3))),
        ({"a": 1, "b": 2}, ("key", "value"), (("a", 1), ("b", 2))),
        ([3, 4], ("value",), ((3,), (4,))),
        (pd.Index(["x", "y"], name="k"), ("k",), (("x",), ("y",))),
        # pandas 3's `.unique()` on text: the values, not the array's printout
        (pd.Series(["x", "y", "x"]).unique(), ("value",), (("x",), ("y",))),
        (pd.Series([1, None], dtype="Int64").array, ("value",), ((1,), (None,))),
        (
            pd.Series(pd.to_datetime(["2024-01-02"])).unique(),
            ("value",),
            (("2024-01-02",),),  # a datetime at midnight shows as its day
        ),
    ],
)
def test_other_shapes_become_tables(value: Any, columns: tuple[str, ...], rows: Any) -> None:
    answer = answer_from_values(value, None, "", 10)
    assert answer.kind == "table"
    assert answer.table.columns == columns
    assert answer.table.rows == rows


def test_odd_objects_and_columns_become_text() -> None:
    class Thing:
        def __str__(self) -> str:
            return "a thing"

    assert answer_from_values(Thing(), None, "", 10).table.rows == (("a thing",),)
    frame = pd.DataFrame({"mixed": [1, "a", None], "obj": [Thing(), Thing(), None]})
    answer = answer_from_values(frame, None, "", 10)
    assert answer.table.rows == (("1", "a thing"), ("a", "a thing"), (None, None))


def test_interval_and_period_columns_travel_as_text() -> None:
    """pandas' Arrow extension types would make the app run pandas code to read them."""
    import pyarrow as pa

    counts = pd.cut(pd.Series([1, 2, 3, 10]), bins=2).value_counts().sort_index()
    table = table_from_arrow_bytes(payload_from_values(counts, None, "").arrow)
    assert all(not isinstance(f.type, pa.ExtensionType) for f in table.schema)
    assert table.column(0).to_pylist()[0] == "(0.991, 5.5]"
    periods = pd.Series(pd.period_range("2024-01", periods=2, freq="M"), name="m")
    data = payload_from_values(periods, None, "").arrow
    assert table_from_arrow_bytes(data).column("m").to_pylist() == ["2024-01", "2024-02"]


def test_figure_rides_along_with_a_table() -> None:
    import plotly.graph_objects as go

    answer = answer_from_values(pd.DataFrame({"a": [1]}), go.Figure(go.Bar(y=[1])), "", 10)
    assert answer.kind == "table" and answer.figure["data"][0]["type"] == "bar"


def test_value_from_payload_rebuilds_earlier_results() -> None:
    series = pd.Series([1, 2], index=pd.Index(["a", "b"], name="k"), name="v")
    payload = payload_from_values(series, None, "")
    back = value_from_payload(
        Payload.from_json(json.loads(json.dumps(payload.to_json())), payload.arrow)
    )
    assert isinstance(back, pd.Series) and back.to_dict() == {"a": 1, "b": 2}
    frame = pd.DataFrame({"x": [1.5]})
    assert value_from_payload(payload_from_values(frame, None, "")).equals(frame)
    figure = value_from_payload(payload_from_values(None, _figure(), ""))
    assert type(figure).__name__ == "Figure"
    assert value_from_payload(payload_from_values(42, None, "")) == 42


def _figure() -> Any:
    import plotly.express as px

    return px.line(x=[1, 2], y=[2, 1])


# -- data only: nothing the child sends can run code in the app ---------------------------------
class _Marker:
    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return (open, (self.path, "w"))


def test_pickle_payload_is_refused_and_never_unpickled(tmp_path: Path) -> None:
    marker = tmp_path / "unpickled"
    evil = pickle.dumps(_Marker(str(marker)))
    for kind in ("table", "value", "figure", "text"):
        meta = {"kind": kind, "text": "x", "value": None}
        try:
            answer_from_payload(Payload.from_json(meta, evil), 10)
        except Exception:  # noqa: BLE001 - any refusal is fine; running it is not
            pass
    with pytest.raises(Exception):  # noqa: B017 - pyarrow raises ArrowInvalid (a ValueError)
        table_from_arrow_bytes(evil)
    from engine.sandbox import protocol

    with pytest.raises(protocol.ProtocolError):
        protocol.decode_frame(evil)
    assert not marker.exists()


def test_unknown_kind_and_bad_figure_are_refused() -> None:
    with pytest.raises(ValueError):
        Payload.from_json({"kind": "pickle", "text": ""})
    with pytest.raises(ValueError):
        Payload.from_json({"kind": "figure", "text": "", "figure": "<script>"})


def test_results_and_sandbox_never_import_pickle_or_marshal() -> None:
    files = [ROOT / "engine" / "results.py", *sorted((ROOT / "engine" / "sandbox").glob("*.py"))]
    for path in files:
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            bad = {"pickle", "marshal", "shelve", "dill", "cloudpickle"}
            assert not bad & {n.split(".")[0] for n in names}, (path, names)


def test_float_summaries_are_readable_and_values_exact() -> None:
    from engine.results import payload_from_values

    payload = payload_from_values(0.1 + 0.2, None, "")
    assert payload.text == "0.3" and payload.value == 0.1 + 0.2


def test_a_reply_crosses_the_wire_as_typed_data_and_malformed_ones_are_refused() -> None:
    import os

    from engine.sandbox.protocol import ProtocolError, RunReply, encode_frame, read_all
    from engine.types import ErrorInfo

    payload = payload_from_values(pd.DataFrame({"a": [1, 2]}), _figure(), "")
    sent = RunReply(payload=payload, stdout="hi\n", notes=("a note",))
    read_fd, write_fd = os.pipe()
    sent.write(write_fd)
    os.close(write_fd)
    frame, _ = read_all(read_fd, 1 << 24)
    os.close(read_fd)
    back = RunReply.from_frame(frame)
    assert back == sent and back.payload.series is False
    assert answer_from_payload(back.payload, 10).table.rows == ((1,), (2,))

    def frame_of(header: dict[str, Any]) -> bytes:
        return b"".join(bytes(part) for part in encode_frame(header))

    failed = RunReply.from_frame(frame_of({"ok": False, "error": "boom", "stdout": 3}))
    assert failed.error == ErrorInfo("runtime", "The code failed.") and failed.stdout == "3"
    for header in ({"ok": True}, {"ok": True, "payload": {"kind": "pickle"}}):
        with pytest.raises(ProtocolError):
            RunReply.from_frame(frame_of(header))


def test_table_data_shows_a_slice_and_finds_every_row_it_shows() -> None:
    from engine.types import TableData

    frame = pd.DataFrame({"i": range(5000), "day": pd.date_range("2024-01-01", periods=5000)})
    table = answer_from_values(frame, None, "", 1000).table
    assert len(table.rows) == 1000 and table.display_slice(1 << 30).num_rows == 5000
    small = table.display_slice(table.arrow.nbytes // 10, min_rows=100)
    assert small.num_rows == 500 and small.column("i").to_pylist()[:2] == [0, 1]
    assert table.display_slice(1, min_rows=100).num_rows == 100
    assert table.rows_at([1999, 0, 5000, -1]) == [(1999, "2029-06-22"), table.rows[0]]
    kept = TableData(table.columns, table.rows, table.row_count)  # from history, no Parquet
    assert kept.rows_at([1999, 999]) == [table.rows[999]]
    assert kept.display_slice(1 << 30).num_rows == 1000
