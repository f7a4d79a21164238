"""A DATE column reaches generated pandas code as datetime64, as sql() returns it (issue 13).

pyarrow's default gave the code Python `date` objects: `.dt` failed ("Can only use .dt accessor
with datetimelike values", wtq-train nt-11879), `df['Date'] > '1995-07-01'` raised TypeError and
`== '1995-07-04'` matched nothing, while the same table through sql() worked. On the real
sandbox and DuckDB, with a file whose text dates the loader turns into a DATE column.
"""

from __future__ import annotations

from pathlib import Path

import pytest

EPISODES = """Ep,Title,Broadcast Date
1,Birth of a Legend,"April 18, 1995"
2,Mr. Pratt Goes to Sheridan,"May 9, 1995"
3,Bone of Contention,"July 4, 1995"
4,Revenge of the Herd,"July 18, 1995"
5,Fall of a Legend,"July 25, 1995"
6,Knee-High Noon,"August 8, 1995"
"""


@pytest.fixture
def episodes(session, tmp_path: Path):
    path = tmp_path / "episodes.csv"
    path.write_text(EPISODES, encoding="utf-8")
    session.load(path, name="episodes")
    assert session.profiles()[-1].columns[2].type == "DATE"  # the loader read the dates
    return session


def value(session, code: str):
    turn = session.run(code)
    assert turn.ok, turn.result.error
    return turn.result.answer


def test_the_dt_accessor_works(episodes) -> None:
    code = "result = len(episodes[episodes['Broadcast Date'].dt.month == 7])"
    assert value(episodes, code).value == 3


def test_dates_compare_with_iso_text(episodes) -> None:
    later = "result = int((episodes['Broadcast Date'] > '1995-07-10').sum())"
    assert value(episodes, later).value == 3
    same_day = "result = episodes.loc[episodes['Broadcast Date'] == '1995-07-04', 'Title'].iloc[0]"
    assert value(episodes, same_day).value == "Bone of Contention"


def test_pandas_and_sql_see_the_same_kind_of_column(episodes) -> None:
    code = (
        "a = episodes['Broadcast Date'].dtype.kind\n"
        "b = sql('SELECT * FROM episodes')['Broadcast Date'].dtype.kind\n"
        "result = a + b"
    )
    assert value(episodes, code).value == "MM"


def test_dates_show_as_days_not_midnights(episodes) -> None:
    """A datetime with no time of day is shown as its date: one value, or a table's column."""
    latest = value(episodes, "result = episodes['Broadcast Date'].max()")
    assert latest.value == "1995-08-08" and latest.text == "1995-08-08"
    table = value(episodes, "result = episodes[episodes['Ep'] > 4][['Title', 'Broadcast Date']]")
    assert table.table.rows == (
        ("Fall of a Legend", "1995-07-25"),
        ("Knee-High Noon", "1995-08-08"),
    )
    through_sql = value(episodes, "result = sql('SELECT max(\"Broadcast Date\") FROM episodes')")
    assert through_sql.table.rows == (("1995-08-08",),)


def test_a_time_of_day_is_kept(session) -> None:
    code = "result = pd.DataFrame({'at': pd.to_datetime(['2024-01-31 08:30', '2024-02-01 00:00'])})"
    assert value(session, code).table.rows == (
        ("2024-01-31T08:30:00",),
        ("2024-02-01T00:00:00",),
    )


def test_an_earlier_answer_keeps_its_dates(episodes) -> None:
    """`results[-1]`, an earlier table answer, is built the same way as the tables."""
    first = episodes.run("result = episodes[episodes['Ep'] > 4]")
    assert first.ok and first.result.answer.kind == "table"
    code = "result = int(results[-1]['Broadcast Date'].dt.day.sum())"
    assert value(episodes, code).value == 25 + 8
