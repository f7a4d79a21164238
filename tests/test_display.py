"""Dates shown as dates (issue 16): `2024-06-17`, not `2024-06-17 00:00:00`; times kept."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pyarrow as pa

from engine.display import dates_as_dates


def test_midnight_only_datetimes_become_dates_and_times_stay() -> None:
    table = pa.table(
        {
            "day": pa.array([datetime(2024, 6, 17), None, datetime(2024, 6, 18)]),
            "at": pa.array([datetime(2024, 6, 17), datetime(2024, 6, 17, 10, 30), None]),
            "utc": pa.array([datetime(2024, 6, 17)], pa.timestamp("us", tz="UTC")).take([0, 0, 0]),
            "none": pa.array([None, None, None], pa.timestamp("us")),
            "n": [1, 2, 3],
        }
    )
    shown = dates_as_dates(table)
    assert shown.schema.field("day").type == pa.date32()
    assert shown.column("day").to_pylist() == [date(2024, 6, 17), None, date(2024, 6, 18)]
    assert shown.schema.field("at").type == pa.timestamp("us")  # a time of day: kept
    assert shown.schema.field("utc").type == table.schema.field("utc").type  # a zone: kept
    assert shown.schema.field("none").type == pa.timestamp("us")
    assert shown.column("n").to_pylist() == [1, 2, 3]


def test_a_frame_from_duckdb_shows_its_date_column_as_dates() -> None:
    import duckdb

    frame = duckdb.sql("SELECT DATE '2024-06-17' AS d, TIMESTAMP '2024-06-17 08:00' AS t").df()
    assert str(frame["d"].dtype).startswith("datetime64")  # what .df() gives
    shown = dates_as_dates(frame)
    assert shown.column("d").to_pylist() == [date(2024, 6, 17)]
    assert shown.column("t").to_pylist() == [datetime(2024, 6, 17, 8, 0)]


def test_a_frame_arrow_cannot_type_is_shown_as_it_is() -> None:
    frame = pd.DataFrame({"mixed": [1, "a", object()]})
    assert dates_as_dates(frame) is frame
