"""The Session facade on real parts: catalog, sandbox, planner, history."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest

from engine.errors import InputError
from engine.history import HistoryStore
from engine.session import Session
from tests.conftest import MESSY, SAMPLE_DATA


@pytest.fixture
def stored(settings, tmp_path: Path):
    history = HistoryStore(tmp_path / "data")
    with Session(settings, work_dir=tmp_path / "work", history=history) as session:
        yield session, history


def test_a_bad_file_keeps_the_tables_already_loaded(session) -> None:
    bad = next(p for p in MESSY.iterdir() if p.name.startswith("empty"))
    with pytest.raises(InputError):
        session.load(bad)
    assert [t.name for t in session.tables] == ["sales"]
    assert session.run("result = len(sales)").result.ok


def test_ask_with_the_planner_records_backend_and_explanation(session) -> None:
    turn = session.ask("how many rows", backend="planner")
    assert turn.ok and turn.backend == "planner" and turn.explanation
    assert turn.result.answer.value == 5000
    assert session.turns == [turn]


def test_empty_question_and_no_tables_are_plain_input_errors(settings, tmp_path, session) -> None:
    assert session.ask("   ").result.error.kind == "input"
    with Session(settings, work_dir=tmp_path / "empty") as empty:
        turn = empty.ask("how many rows")
    assert turn.result.error.kind == "input" and "Upload" in turn.result.error.message


def test_a_decline_without_a_model_says_how_to_enable_one(settings, tmp_path) -> None:
    with Session(settings.with_overrides(backend="planner"), work_dir=tmp_path / "w") as s:
        s.load(SAMPLE_DATA / "penguins.csv")
        turn = s.ask("write me a poem about penguins")
    assert not turn.ok and turn.result.error.kind == "unsupported"
    assert "Settings" in turn.result.error.message


def test_dropping_a_table_removes_it_from_code_and_history(stored, settings, tmp_path) -> None:
    session, history = stored
    session.load(SAMPLE_DATA / "sales.csv")
    session.load(SAMPLE_DATA / "penguins.csv")
    assert session.run("result = len(penguins)").result.answer.value == 344
    session.drop_table("penguins")
    assert [t.name for t in session.tables] == ["sales"]
    assert not session.run("result = len(penguins)").ok  # the sandbox no longer has it
    assert [d.table_name for d in history.datasets(session.session_id)] == ["sales"]
    with Session.restore(settings, history, session.session_id, work_dir=tmp_path / "r") as back:
        assert [t.name for t in back.tables] == ["sales"]
        assert len(back.turns) == 2


def test_two_uploads_with_one_name_stay_two_tables_also_after_restore(
    stored, settings, tmp_path
) -> None:
    """Two different `data.csv` from two folders (the same size, so nothing but the bytes tells
    them apart): each table keeps its own file and rows, in the session and after a restart.
    Issue 12: the pages wrote both to `uploads/data.csv`, so the first table's file became the
    second upload."""
    session, history = stored
    first, second = b"a\n100\n", b"a\n1\n2\n"
    for content in (first, second):
        session.load_upload(io.BytesIO(content), "data.csv", size=len(content))
    assert [(t.name, t.rows) for t in session.tables] == [("data", 1), ("data_2", 2)]
    assert [Path(t.source).name for t in session.tables] == ["data.csv", "data.csv"]
    assert [Path(t.source).read_bytes() for t in session.tables] == [first, second]
    assert [d.original_name for d in history.datasets(session.session_id)] == ["data.csv"] * 2
    with Session.restore(settings, history, session.session_id, work_dir=tmp_path / "r") as back:
        assert [(t.name, t.rows) for t in back.tables] == [("data", 1), ("data_2", 2)]
        assert back.preview("data")["a"].tolist() == [100]
        assert back.preview("data_2")["a"].tolist() == [1, 2]


def test_an_upload_stays_in_the_work_directory_and_a_refused_one_leaves_nothing(session) -> None:
    uploads = session.work_dir / "uploads"
    (table,) = session.load_upload(io.BytesIO(b"x\n1\n"), "../../../evil.csv")
    assert table.name == "evil"
    assert Path(table.source).parent.parent == uploads and ".." not in Path(table.source).parts
    with pytest.raises(InputError, match="only .* MB are free .* Free some disk space"):
        session.load_upload(io.BytesIO(b"x\n1\n"), "huge.csv", size=1 << 60)
    with pytest.raises(InputError):
        session.load_upload(io.BytesIO(b""), "empty.csv")
    assert [t.name for t in session.tables] == ["sales", "evil"]
    assert [p.name for p in uploads.rglob("*") if p.is_file()] == ["evil.csv"]


def test_pages_list_and_search_stored_sessions_through_the_session(settings, tmp_path) -> None:
    history = HistoryStore(tmp_path / "data")
    with (
        Session(settings, work_dir=tmp_path / "a", history=history) as one,
        Session(settings, work_dir=tmp_path / "b", history=history) as two,
    ):
        one.run("result = 1", question="Mean PRICE")  # no table: a failed turn, still stored
        two.run("result = 2", question="mean price again")
        assert [i.id for i in one.stored_sessions()] == [two.session_id, one.session_id]
        assert [sid for sid, _ in one.search_history("price")] == [one.session_id]
        found = one.search_history("price", every_session=True)
        assert [(sid, t.question) for sid, t in found] == [
            (two.session_id, "mean price again"),
            (one.session_id, "Mean PRICE"),
        ]
        assert Session.is_stored(history, one.session_id)
        assert not Session.is_stored(history, "0123abcd")
    with Session(settings, work_dir=tmp_path / "c") as alone:  # no history store
        assert alone.stored_sessions() == [] and alone.search_history("x", every_session=True) == []


def test_runs_never_change_the_stored_table(session) -> None:
    session.run("df['quantity'] = 0\nsales.drop(sales.index, inplace=True)\nresult = 1")
    assert session.run("result = int(df['quantity'].sum())").result.answer.value > 0
    assert session.catalog.fetch("SELECT count(*) FROM sales")[0][0] == 5000


def test_new_sandbox_limits_apply_without_reloading_tables(session) -> None:
    session.warm_up()
    loaded = session.tables
    session.update_settings(session.settings.with_overrides(sandbox_timeout_s=1.0))
    assert session.tables == loaded
    assert session.run("import time\ntime.sleep(5)\nresult = 1").result.error.kind == "timeout"


def test_the_worker_outlives_the_thread_that_started_it(session) -> None:
    """Streamlit runs each rerun in a new thread. PR_SET_PDEATHSIG fires when the forking
    *thread* ends, so a worker forked by a rerun's thread died with it and every question
    paid a restart (~2 s): the same worker must answer runs from later threads."""
    import threading

    pids: list[int | None] = []

    def ask() -> None:
        assert session.run("result = 1").result.ok
        pids.append(session.sandbox.worker_pid)

    for _ in range(3):
        thread = threading.Thread(target=ask)
        thread.start()
        thread.join()
    assert len(pids) == 3 and pids[0] is not None
    assert pids == [pids[0]] * 3


def test_a_long_run_reports_its_time_and_a_stop_kills_it(settings, tmp_path, monkeypatch):
    """Session.ask → the real SDK → a local fake endpoint → code that loops. The run reports
    Progress('wait', '1 s') while it runs; an exception from that callback (Streamlit's Stop
    button raises StopException there) ends the run long before its time limit."""
    from tests.fake_openai import FakeOpenAI, Reply

    class Stopped(BaseException):
        pass

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    loop = "```python\nwhile True:\n    pass\n```"
    with FakeOpenAI([Reply(loop)]) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        with Session(settings.with_overrides(sandbox_timeout_s=60), work_dir=tmp_path) as s:
            s.load(SAMPLE_DATA / "penguins.csv")
            stages: list[tuple[str, str]] = []

            def progress(event) -> None:
                stages.append((event.stage, event.text))
                if event.stage == "wait" and event.text == "2 s":
                    raise Stopped

            started = time.monotonic()
            with pytest.raises(Stopped):
                s.ask("loop forever", backend="openai", on_progress=progress)
            assert time.monotonic() - started < 20
            waits = [text for stage, text in stages if stage == "wait"]
            assert "1 s" in waits and waits[-1] == "2 s"  # about every 0.5 s until the stop
            assert s.turns == []  # a stopped question leaves no turn
            assert s.run("result = len(df)").result.answer.value == 344  # the sandbox still works


SCORES = b"name,score\nada,3\nbob,5\ncy,4\n"


def _title(history: HistoryStore, session_id: str) -> str:
    return next(i.title for i in history.sessions() if i.id == session_id)


def test_the_first_own_table_replaces_the_untouched_starting_sample(
    stored, settings, tmp_path
) -> None:
    """Issue 16: after an upload the sample stayed `df`, answered the starters and named the
    session. Nothing used the sample yet, so it leaves; the upload is `df` and the title."""
    session, history = stored
    session.load(SAMPLE_DATA / "penguins.csv", stand_in=True)
    assert "Average bill_length_mm by species" in session.starter_questions()
    session.load_upload(io.BytesIO(SCORES), "scores.csv", size=len(SCORES))
    assert [t.name for t in session.tables] == ["scores"]
    assert session.run("result = len(df)").result.answer.value == 3
    assert "Most common name" in session.starter_questions()
    assert [d.table_name for d in history.datasets(session.session_id)] == ["scores"]
    assert _title(history, session.session_id) == "scores"
    with Session.restore(settings, history, session.session_id, work_dir=tmp_path / "r") as back:
        assert [t.name for t in back.tables] == ["scores"]


def test_a_sample_that_turns_used_stays_but_the_new_table_is_df(stored, settings, tmp_path) -> None:
    """A turn used the sample, so it stays (its turns re-run by its name), after the upload:
    `df` is the upload, also after a restart, and the session is named after it, not after the
    sample's first question. A second upload joins after the first one."""
    session, history = stored
    session.load(SAMPLE_DATA / "penguins.csv", stand_in=True)
    assert session.run("result = len(df)", question="how many penguins").ok
    assert _title(history, session.session_id) == "how many penguins"
    session.load_upload(io.BytesIO(SCORES), "scores.csv", size=len(SCORES))
    assert [t.name for t in session.tables] == ["scores", "penguins"]
    assert session.run("result = len(df)").result.answer.value == 3
    assert session.run("result = len(penguins)").result.answer.value == 344
    assert _title(history, session.session_id) == "scores"
    session.load_upload(io.BytesIO(b"k\n1\n"), "more.csv")
    assert [t.name for t in session.tables] == ["scores", "penguins", "more"]
    assert _title(history, session.session_id) == "scores"
    with Session.restore(settings, history, session.session_id, work_dir=tmp_path / "r") as back:
        assert [t.name for t in back.tables] == ["scores", "penguins", "more"]
        assert back.run("result = len(df)").result.answer.value == 3
        back.load_upload(io.BytesIO(b"k\n1\n2\n"), "late.csv")  # the sample is still a stand-in
        assert back.tables[0].name == "scores"


def test_only_a_session_nobody_named_is_named_after_its_table(stored, settings, tmp_path) -> None:
    """The title follows the main table only where no one chose it: a renamed session keeps
    its name. Tables loaded without a starting sample (the CLI's `--data a --data b`) keep
    their order: the first one stays `df`."""
    session, history = stored
    with Session(settings, work_dir=tmp_path / "named", history=history) as named:
        history.rename_session(named.session_id, "My analysis")
        named.load_upload(io.BytesIO(SCORES), "scores.csv")
        assert _title(history, named.session_id) == "My analysis"
    session.load_upload(io.BytesIO(SCORES), "scores.csv")
    session.load(SAMPLE_DATA / "penguins.csv")
    assert [t.name for t in session.tables] == ["scores", "penguins"]
    assert _title(history, session.session_id) == "scores"
