"""The history store on real SQLite files: round trips, restarts, crashes, isolation, threads."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from engine.errors import InputError
from engine.history import SCHEMA_VERSION, HistoryStore
from engine.types import Answer, Attempt, ErrorInfo, RunResult, Table, TableData, Turn

ROOT = Path(__file__).resolve().parent.parent


def table_turn(question: str = "Mean price by region?") -> Turn:
    data = TableData(
        columns=("region", "price", "day", "note"),
        rows=(
            ("Nord", 1.5, date(2024, 1, 2), "élan"),
            ("Süd", None, datetime(2024, 1, 3, 4, 5), None),
            ("東", float("nan"), date(2024, 1, 4), "x"),
        ),
        row_count=3000,
    )
    answer = Answer(kind="table", text="3,000 rows × 4 columns", table=data)
    return Turn(
        question=question,
        code="result = df.groupby('region')['price'].mean()",
        result=RunResult(ok=True, answer=answer, stdout="hi\n", elapsed_ms=12.345),
        backend="planner",
        explanation="Mean of price by region",
        created_at="2026-01-01T00:00:00+00:00",
    )


def figure_turn() -> Turn:
    figure = {
        "data": [{"type": "bar", "x": ["a", "b"], "y": [1, 2]}],
        "layout": {"title": {"text": "Bars"}},
    }
    answer = Answer(kind="figure", text="Bars (bar chart)", figure=figure)
    return Turn(
        question="Plot it",
        code="fig = px.bar(x=['a', 'b'], y=[1, 2])",
        result=RunResult(ok=True, answer=answer),
        backend="openai",
        prompt_tokens=120,
        completion_tokens=30,
        llm_ms=812.5,
    )


def error_turn() -> Turn:
    error = ErrorInfo(
        kind="runtime",
        message="Column 'prise' does not exist. Did you mean 'price'?",
        detail="KeyError: 'prise'",
    )
    attempt = Attempt(code="result = df['prize']", result=RunResult(ok=False, error=error))
    return Turn(
        question="Total prise?",
        code="result = df['prise'].sum()",
        result=RunResult(ok=False, error=error, stdout=""),
        backend="local",
        attempts=(attempt,),
    )


def comparable(turn: Turn) -> dict:
    """What must survive storage: the contract JSON (NaN and dates as JSON gives them)."""
    return turn.to_json()


def csv_table(name: str, path: Path, sheet: str | None = None, fmt: str = "csv") -> Table:
    return Table(name=name, source=str(path), format=fmt, rows=2, columns=("a", "b"), sheet=sheet)


def test_turns_round_trip_with_tables_figures_and_errors(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path)
    sid = store.new_session()
    originals = [table_turn(), figure_turn(), error_turn()]
    saved = [store.add_turn(sid, t) for t in originals]

    assert [t.id for t in saved] == sorted({t.id for t in saved}) and None not in [
        t.id for t in saved
    ]
    loaded = store.turns(sid)
    assert [t.id for t in loaded] == [t.id for t in saved]
    for original, back in zip(saved, loaded, strict=True):
        assert comparable(back) == comparable(original)
    table = loaded[0].result.answer.table
    assert table.columns == ("region", "price", "day", "note")
    assert table.rows[1] == ("Süd", None, "2024-01-03T04:05:00", None)
    assert table.rows[2][1] is None  # NaN is stored as JSON null
    assert table.row_count == 3000 and table.truncated
    assert loaded[1].result.answer.figure["data"][0]["y"] == [1, 2]
    assert loaded[1].completion_tokens == 30
    assert not loaded[2].ok
    assert loaded[2].result.error.kind == "runtime"
    assert "Did you mean 'price'" in loaded[2].result.error.message
    assert loaded[2].attempts[0].code == "result = df['prize']"
    assert loaded[0].created_at == "2026-01-01T00:00:00+00:00"
    assert loaded[1].created_at  # filled in when empty


def test_history_survives_a_restart(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path)
    sid = store.new_session()
    store.add_turn(sid, table_turn())
    store.add_turn(sid, figure_turn())
    store.close()

    reopened = HistoryStore(tmp_path)  # a server restart: a new store on the same directory
    assert [t.question for t in reopened.turns(sid)] == ["Mean price by region?", "Plot it"]
    (info,) = reopened.sessions()
    assert info.id == sid and info.turn_count == 2
    with sqlite3.connect(tmp_path / "history.sqlite") as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def big_turn() -> Turn:
    """A real 5,000-row result (through engine.results): a date, an int and a text column."""
    import pandas as pd

    from engine.results import answer_from_values

    frame = pd.DataFrame(
        {
            "day": pd.date_range("2024-01-01", periods=5000).date,
            "n": range(5000),
            "label": [f"row {i}" for i in range(5000)],
        }
    )
    answer = answer_from_values(frame, None, "", 1000)
    assert len(answer.table.rows) == 1000 and answer.table.arrow.num_rows == 5000
    return Turn(question="every row", code="result = t", result=RunResult(ok=True, answer=answer))


def test_a_whole_result_table_survives_a_restart_with_its_types(tmp_path: Path) -> None:
    import io

    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq
    from openpyxl import load_workbook

    from engine.export import TABLE_FORMATS

    store = HistoryStore(tmp_path)
    sid = store.new_session()
    saved = store.add_turn(sid, big_turn(), max_result_mb=512)
    assert sorted(p.name for p in (tmp_path / "results" / sid).iterdir()) == [f"{saved.id}.parquet"]
    store.close()

    (turn,) = HistoryStore(tmp_path).turns(sid)  # a restart
    table = turn.result.answer.table
    assert table.arrow is not None and table.arrow.num_rows == 5000 == table.row_count
    assert table.arrow.schema.field("day").type == pa.date32()
    assert table.arrow.schema.field("n").type == pa.int64()
    assert table.rows_at([4999]) == [("2037-09-08", 4999, "row 4999")]
    assert table.display_slice(16 << 20).num_rows == 5000
    back = pq.read_table(io.BytesIO(TABLE_FORMATS["parquet"].write(table)))
    assert back.num_rows == 5000 and back.schema == table.arrow.schema
    assert back.column("day").to_pylist()[-1] == date(2037, 9, 8)
    csv = pacsv.read_csv(io.BytesIO(TABLE_FORMATS["csv"].write(table)))
    assert csv.num_rows == 5000 and csv.schema.field("day").type == pa.date32()
    sheet = load_workbook(io.BytesIO(TABLE_FORMATS["xlsx"].write(table)), read_only=True)
    cells = list(sheet["result"].iter_rows(values_only=True))
    assert len(cells) == 5001 and cells[-1][1] == 4999 and cells[-1][0].date() == date(2037, 9, 8)


def test_without_its_parquet_file_a_turn_keeps_its_rows(tmp_path: Path) -> None:
    """The file gone (deleted by hand, or a result over max_result_mb): the kept rows, with
    dates typed again from their ISO text."""
    store = HistoryStore(tmp_path)
    sid = store.new_session()
    gone = store.add_turn(sid, big_turn())
    (tmp_path / "results" / sid / f"{gone.id}.parquet").unlink()
    too_big = store.add_turn(sid, big_turn(), max_result_mb=0)
    assert not list((tmp_path / "results" / sid).iterdir())
    for turn in store.turns(sid):
        table = turn.result.answer.table
        assert table.arrow is None and table.row_count == 5000
        assert table.to_arrow().num_rows == 1000
        assert table.to_arrow().schema.field("day").type == pa.date32()
    assert [t.id for t in store.turns(sid)] == [gone.id, too_big.id]


def test_deleting_turns_removes_their_result_files(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path)
    sid, other = store.new_session(), store.new_session()
    first, second = store.add_turn(sid, big_turn()), store.add_turn(sid, big_turn())
    kept = store.add_turn(other, big_turn())
    folder = tmp_path / "results" / sid
    store.delete_turn(first.id)
    assert sorted(p.name for p in folder.iterdir()) == [f"{second.id}.parquet"]
    store.add_turn(sid, big_turn())
    store.clear(sid)
    assert not list(folder.iterdir())
    store.add_turn(sid, big_turn())
    store.delete_session(sid)
    assert not folder.exists()
    assert (tmp_path / "results" / other / f"{kept.id}.parquet").is_file()  # others stay


def test_a_failed_write_leaves_no_result_file(tmp_path: Path, monkeypatch) -> None:
    """The Parquet file is written before the SQLite row and named inside its transaction:
    a write that fails part-way leaves neither the row nor a file."""
    import engine.history

    store = HistoryStore(tmp_path)
    sid = store.new_session()

    def fail(turn: Turn) -> str:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(engine.history, "_answer_text", fail)
    with pytest.raises(sqlite3.OperationalError):
        store.add_turn(sid, big_turn())
    assert store.turns(sid) == []
    assert not list((tmp_path / "results" / sid).iterdir())


def test_a_history_from_schema_1_is_migrated_and_its_turns_read(tmp_path: Path) -> None:
    import json

    from engine.history_schema import MIGRATIONS

    with sqlite3.connect(tmp_path / "history.sqlite") as con:
        con.executescript(MIGRATIONS[0] + "PRAGMA user_version = 1;")
        con.execute("INSERT INTO sessions VALUES ('s1', 'old', '2025', '2025')")
        data = json.dumps(table_turn().to_json())
        con.execute(
            "INSERT INTO turns (session_id, created_at, ok, data) VALUES ('s1', '2025', 1, ?)",
            (data,),
        )
    store = HistoryStore(tmp_path)
    (turn,) = store.turns("s1")
    assert turn.result.answer.table.arrow is None and turn.result.answer.table.row_count == 3000
    store.add_turn("s1", big_turn())
    assert store.turns("s1")[1].result.answer.table.arrow.num_rows == 5000


_WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from engine.history import HistoryStore
    from engine.types import Answer, RunResult, TableData, Turn

    store = HistoryStore(Path(sys.argv[1]))
    sid = sys.argv[2]
    rows = tuple((i, "x" * 200, i * 0.5) for i in range(1000))  # ~250 KB of JSON per turn
    n = 0
    while True:
        data = TableData(columns=("i", "text", "half"), rows=rows, row_count=10**6)
        answer = Answer(kind="table", text=f"turn {n}", table=data)
        turn = Turn(question=f"question {n}", code=f"result = {n}", result=RunResult(ok=True, answer=answer))
        store.add_turn(sid, turn)
        n += 1
    """
)


@pytest.mark.slow
def test_a_writer_killed_mid_write_leaves_earlier_turns_readable(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path)
    sid = store.new_session()
    store.add_turn(sid, table_turn("before the crash"))
    for delay_s in (0.0, 0.011, 0.037):  # land at different points of a later write
        target = len(store.turns(sid)) + 8
        child = subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(tmp_path), sid],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stderr=subprocess.PIPE,
        )
        try:
            deadline = time.monotonic() + 60
            while len(store.turns(sid)) < target:
                assert child.poll() is None, child.stderr.read().decode()
                assert time.monotonic() < deadline, "the writer made no progress"
                time.sleep(0.02)
            time.sleep(delay_s)
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait()
            child.stderr.close()
    store.close()

    reopened = HistoryStore(tmp_path)
    with sqlite3.connect(tmp_path / "history.sqlite") as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    turns = reopened.turns(sid)
    assert turns[0].question == "before the crash"
    assert len(turns) >= 25
    written = turns[1:]  # three writers, each counting from 0
    numbers = [int(t.question.split()[1]) for t in written]
    runs = [i for i, n in enumerate(numbers) if n == 0]
    assert len(runs) == 3 and runs[0] == 0
    for start, end in zip(runs, [*runs[1:], len(numbers)], strict=True):
        assert numbers[start:end] == list(range(end - start))
    assert all(t.ok and len(t.result.answer.table.rows) == 1000 for t in written)
    # and the store still takes writes after the crash
    reopened.add_turn(sid, figure_turn())
    assert reopened.turns(sid)[-1].question == "Plot it"


def test_two_sessions_are_isolated(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path)
    a, b = store.new_session(), store.new_session()
    assert a != b
    store.add_turn(a, table_turn("only in a"))
    store.add_turn(b, figure_turn())
    src = tmp_path / "in" / "shared.csv"
    src.parent.mkdir()
    src.write_text("a,b\n1,2\n")
    rec_a = store.add_dataset(a, csv_table("shared", src), src)
    rec_b = store.add_dataset(b, csv_table("shared", src), src)

    assert [t.question for t in store.turns(a)] == ["only in a"]
    assert [t.question for t in store.turns(b)] == ["Plot it"]
    assert rec_a.stored_path != rec_b.stored_path  # each session keeps its own copy
    assert rec_a.stored_path.parent.name == a and rec_b.stored_path.parent.name == b
    store.clear(a)
    assert store.turns(a) == [] and len(store.turns(b)) == 1
    assert [r.table_name for r in store.datasets(a)] == ["shared"]  # clear keeps the tables


def test_sessions_list_titles_counts_and_tables_newest_first(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path)
    first = store.new_session()
    store.add_turn(
        first,
        table_turn("  What is   the average price per region over the whole year 2024, please?  "),
    )
    store.add_turn(first, figure_turn())
    src = tmp_path / "sales.csv"
    src.write_text("a,b\n1,2\n")
    store.add_dataset(first, csv_table("sales", src), src)
    second = store.new_session("My analysis")
    store.add_turn(second, error_turn())

    infos = store.sessions()
    assert [i.id for i in infos] == [second, first]
    assert infos[0].title == "My analysis"  # an explicit title is kept
    assert infos[1].title.startswith("What is the average price per region")
    assert infos[1].title.endswith("…") and len(infos[1].title) == 60
    assert infos[1].turn_count == 2 and infos[1].tables == ("sales",)
    assert infos[0].turn_count == 1 and infos[0].tables == ()

    store.rename_session(first, "Sales")
    assert [(i.id, i.title) for i in store.sessions()] == [
        (second, "My analysis"),
        (first, "Sales"),
    ]
    store.add_turn(first, figure_turn())
    assert store.sessions()[0].id == first  # a new turn makes it the latest


def test_search_is_case_insensitive_over_question_code_and_answer(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path)
    a, b = store.new_session(), store.new_session()
    t1 = store.add_turn(a, table_turn("Mean PRICE by région?"))
    t2 = store.add_turn(a, figure_turn())
    t3 = store.add_turn(b, error_turn())

    assert [t.id for _, t in store.search("price")] == [t3.id, t1.id]  # t3: its error message
    assert [t.id for _, t in store.search("RÉGION")] == [t1.id]  # Unicode case folding
    assert [t.id for _, t in store.search("px.bar")] == [t2.id]  # code
    assert [t.id for _, t in store.search("bar chart")] == [t2.id]  # answer summary
    assert [(s, t.id) for s, t in store.search("price", session_id=b)] == [(b, t3.id)]
    assert store.search("nothing like this") == []
    assert store.search("   ") == []
    assert store.search("50%") == []  # no LIKE wildcards


def test_delete_turn_clear_and_delete_session(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path)
    sid = store.new_session()
    keep = store.add_turn(sid, table_turn())
    gone = store.add_turn(sid, figure_turn())
    src = tmp_path / "f.csv"
    src.write_text("a,b\n1,2\n")
    record = store.add_dataset(sid, csv_table("f", src), src)

    store.delete_turn(gone.id)
    assert [t.id for t in store.turns(sid)] == [keep.id]
    assert store.search("Plot") == []
    store.clear(sid)
    assert store.turns(sid) == []
    assert record.stored_path.is_file()

    store.delete_session(sid)
    assert store.sessions() == []
    assert store.datasets(sid) == []
    assert not record.stored_path.exists() and not record.stored_path.parent.exists()
    assert src.is_file()  # the user's own file is never touched


def test_uploaded_files_are_copied_once_per_session(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "data")
    sid = store.new_session()
    upload = tmp_path / "tmpab12.csv"  # Streamlit's temp name; the user called it "Sales 2024.csv"
    upload.write_bytes("a,b\n1,é\n".encode())
    first = store.add_dataset(
        sid, csv_table("sales_2024", upload), upload, original_name="Sales 2024.csv"
    )
    again = store.add_dataset(
        sid, csv_table("sales_2024_2", upload), upload, original_name="Sales 2024.csv"
    )
    book = tmp_path / "book.xlsx"
    book.write_bytes(b"PK\x03\x04 pretend workbook bytes")
    s1 = store.add_dataset(sid, csv_table("book_north", book, "North", "excel"), book)
    s2 = store.add_dataset(sid, csv_table("book_south", book, "South", "excel"), book)
    other = tmp_path / "other" / "Sales 2024.csv"  # same name, different content
    other.parent.mkdir()
    other.write_text("a,b\n3,4\n")
    clash = store.add_dataset(sid, csv_table("sales_other", other), other)

    folder = tmp_path / "data" / "datasets" / sid
    assert first.stored_path == folder / "Sales 2024.csv"
    assert again.stored_path == first.stored_path
    assert s1.stored_path == s2.stored_path == folder / "book.xlsx"
    assert clash.stored_path == folder / "Sales 2024-2.csv"
    assert sorted(p.name for p in folder.iterdir()) == [
        "Sales 2024-2.csv",
        "Sales 2024.csv",
        "book.xlsx",
    ]
    assert first.stored_path.read_bytes() == upload.read_bytes()
    assert clash.stored_path.read_text() == "a,b\n3,4\n"

    upload.unlink()  # the temp upload is gone after the run; the copy is what restores it
    records = HistoryStore(tmp_path / "data").datasets(sid)
    assert [r.table_name for r in records] == [
        "sales_2024",
        "sales_2024_2",
        "book_north",
        "book_south",
        "sales_other",
    ]
    assert [r.sheet for r in records] == [None, None, "North", "South", None]
    assert records[0].original_name == "Sales 2024.csv" and records[0].added_at
    assert all(r.stored_path.is_file() for r in records)
    assert records[0].size_bytes == len("a,b\n1,é\n".encode())

    store.remove_dataset(sid, "book_north")
    assert (folder / "book.xlsx").is_file()  # still used by book_south
    store.remove_dataset(sid, "book_south")
    assert not (folder / "book.xlsx").exists()


def test_concurrent_writes_from_threads(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path)
    sessions = [store.new_session() for _ in range(2)]
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for n in range(25):
                sid = sessions[worker % 2]
                store.add_turn(sid, table_turn(f"w{worker} n{n}"))
                store.turns(sid)
                store.search(f"w{worker}")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    for index, sid in enumerate(sessions):
        turns = store.turns(sid)
        assert len(turns) == 75
        assert len({t.id for t in turns}) == 75
        for worker in range(index, 6, 2):  # each worker's turns are in its own order
            mine = [t.question for t in turns if t.question.startswith(f"w{worker} ")]
            assert mine == [f"w{worker} n{n}" for n in range(25)]


def test_two_stores_on_one_directory_see_each_others_writes(tmp_path: Path) -> None:
    app, cli = HistoryStore(tmp_path), HistoryStore(tmp_path)  # e.g. the app and `python -m engine`
    sid = app.new_session()
    cli.add_turn(sid, figure_turn())
    app.add_turn(sid, error_turn())
    assert [t.question for t in cli.turns(sid)] == ["Plot it", "Total prise?"]


def test_an_unreadable_turn_comes_back_as_a_failed_turn(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path)
    sid = store.new_session()
    store.add_turn(sid, figure_turn())
    with sqlite3.connect(tmp_path / "history.sqlite") as con:
        con.execute(
            "INSERT INTO turns (session_id, created_at, ok, data) VALUES (?, '', 0, '{\"nope\": 1}')",
            (sid,),
        )
    turns = store.turns(sid)
    assert len(turns) == 2
    assert not turns[1].ok and "cannot read" in turns[1].result.error.message
    assert turns[1].id is not None


def test_a_newer_schema_or_a_broken_file_is_a_clear_error(tmp_path: Path) -> None:
    newer = tmp_path / "newer"
    HistoryStore(newer).close()
    with sqlite3.connect(newer / "history.sqlite") as con:
        con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(InputError, match="newer Decipher.*data_dir"):
        HistoryStore(newer)

    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "history.sqlite").write_bytes(b"this is not a database" * 100)
    with pytest.raises(InputError, match="cannot be opened.*Move the file away"):
        HistoryStore(broken)


def test_session_ids_cannot_escape_the_data_directory(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "data")
    src = tmp_path / "x.csv"
    src.write_text("a\n1\n")
    with pytest.raises(InputError, match="not a session id"):
        store.add_dataset("../../etc", csv_table("x", src), src)
    with pytest.raises(InputError, match="not a session id"):
        store.delete_session("..")
