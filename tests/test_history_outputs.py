"""Issue 14 in the history store and the session, on real SQLite files and the real sandbox: a
turn's files are kept beside its Parquet file and come back after a restart, never through a
link; tables made from results come back too; schema 2 files migrate.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from engine.errors import InputError
from engine.history import HistoryStore
from engine.outputs import OutputFile
from engine.types import Answer, RunResult, Turn

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "sales.csv"


def turn_with_files(tmp_path: Path, *names: str) -> Turn:
    folder = tmp_path / "session-work" / "files" / "run-1-abc"
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for name in names:
        (folder / name).write_text(f"content of {name}")
        files.append(OutputFile(name, len(f"content of {name}"), "text/csv", str(folder / name)))
    answer = Answer(kind="value", text="1", value=1)
    return Turn("q", "x = 1", RunResult(ok=True, answer=answer, files=tuple(files)))


def test_a_turns_files_are_kept_beside_its_results_and_survive_a_restart(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "data")
    sid = store.new_session()
    source = turn_with_files(tmp_path, "clean.csv", "b.csv")
    kept = store.add_turn(sid, source)
    folder = tmp_path / "data" / "results" / sid / f"{kept.id}.files"
    assert [Path(f.path) for f in kept.result.files] == [folder / "clean.csv", folder / "b.csv"]
    assert (folder / "clean.csv").read_text() == "content of clean.csv"
    stored = store._read("SELECT data, files_dir FROM turns WHERE id = ?", (kept.id,))[0]
    assert stored[1] == f"{kept.id}.files"
    assert all(f["path"] is None for f in json.loads(stored[0])["files"])  # no stale paths

    again = HistoryStore(tmp_path / "data")  # a restart
    (back,) = again.turns(sid)
    assert back.result.files == kept.result.files
    assert back.to_json()["files"][0] == {
        "name": "clean.csv",
        "bytes": len("content of clean.csv"),
        "media_type": "text/csv",
        "path": str(folder / "clean.csv"),
    }


def test_a_gone_or_replaced_file_is_not_offered_and_links_are_never_followed(
    tmp_path: Path,
) -> None:
    store = HistoryStore(tmp_path / "data")
    sid = store.new_session()
    kept = store.add_turn(sid, turn_with_files(tmp_path, "a.csv", "b.csv"))
    folder = Path(kept.result.files[0].path).parent
    (folder / "a.csv").unlink()
    (folder / "b.csv").unlink()
    (folder / "b.csv").symlink_to("/etc/passwd")  # planted by someone with disk access
    (back,) = store.turns(sid)
    assert [f.path for f in back.result.files] == [None, None]


def test_deleting_or_clearing_turns_removes_their_files(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "data")
    sid = store.new_session()
    first = store.add_turn(sid, turn_with_files(tmp_path, "a.csv"))
    second = store.add_turn(sid, turn_with_files(tmp_path, "b.csv"))
    store.delete_turn(first.id)
    assert not Path(first.result.files[0].path).parent.exists()
    assert Path(second.result.files[0].path).exists()
    store.clear(sid)
    assert not Path(second.result.files[0].path).parent.exists()


def test_a_history_from_schema_2_is_migrated(tmp_path: Path) -> None:
    from engine.history_schema import MIGRATIONS, SCHEMA_VERSION

    with sqlite3.connect(tmp_path / "history.sqlite") as con:
        con.executescript(MIGRATIONS[0] + MIGRATIONS[1] + "PRAGMA user_version = 2;")
        con.execute("INSERT INTO sessions VALUES ('s1', 'old', '2025', '2025')")
        old = Turn("q", "result = 1", RunResult(ok=True, answer=Answer("value", "1", value=1)))
        data = {k: v for k, v in old.to_json().items() if k not in ("files", "saved_tables")}
        con.execute(
            "INSERT INTO turns (session_id, created_at, ok, data) VALUES ('s1', '2025', 1, ?)",
            (json.dumps(data),),
        )
    store = HistoryStore(tmp_path)
    (turn,) = store.turns("s1")
    assert turn.result.files == () and turn.result.saved_tables == ()
    assert store.datasets("s1") == []
    with sqlite3.connect(tmp_path / "history.sqlite") as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 5


@pytest.fixture
def session_parts(tmp_path: Path):
    from engine.config import load_settings

    return load_settings(env={}, data_dir=str(tmp_path / "data")), tmp_path


def test_saved_tables_and_files_come_back_after_a_restart(session_parts) -> None:
    from engine.session import Session

    settings, tmp_path = session_parts
    with Session(settings, work_dir=tmp_path / "run", history=HistoryStore(tmp_path / "data")) as s:
        s.load(SAMPLE)
        wrote = s.run(
            "df.head(3).to_csv('top.csv', index=False)\n"
            "save_table('totals', df.groupby('region', as_index=False)['quantity'].sum())\n"
            "result = df.groupby('segment', as_index=False)['quantity'].sum()"
        )
        assert wrote.ok, wrote.result.error
        s.save_table("by_segment", wrote)
        replaced = s.run("save_table('totals', df.head(2), replace=True)\nresult = 1")
        assert replaced.ok, replaced.result.error
        with pytest.raises(InputError, match="exists already"):
            s.save_table("totals", wrote)
        assert s.catalog.table("totals").rows == 2
        sid = s.session_id
        # the sandbox's own copies are gone once the history holds them
        assert not (tmp_path / "run" / "files").exists() or not any(
            (tmp_path / "run" / "files").iterdir()
        )

    store = HistoryStore(tmp_path / "data")
    with Session.restore(settings, store, sid, work_dir=tmp_path / "again") as back:
        assert [t.name for t in back.tables] == ["sales", "totals", "by_segment"]
        assert back.catalog.table("totals").rows == 2 and back.table("by_segment").format == "saved"
        (top,) = back.turns[0].result.files
        assert Path(top.path).read_text().count("\n") == 4
        run = back.run("result = len(totals) * 10 + len(by_segment)")
        assert run.result.answer.value == 2 * 10 + 3
        profiles = {p.name for p in back.profiles()}
        assert {"totals", "by_segment"} <= profiles  # the planner and the prompt know them


def test_a_failed_turn_keeps_no_file_and_saves_no_table(session_parts) -> None:
    from engine.session import Session

    settings, tmp_path = session_parts
    with Session(settings, work_dir=tmp_path / "run") as s:
        s.load(SAMPLE)
        failed = s.run(
            "open('x.csv', 'w').write('a')\nsave_table('never', df)\nresult = df['nope']"
        )
        assert not failed.ok and failed.result.files == () and failed.result.saved_tables == ()
        assert [t.name for t in s.tables] == ["sales"]
        assert not any((tmp_path / "run" / "files").glob("*/x.csv"))
        with pytest.raises(InputError, match="has none"):
            s.save_table("t", failed)
