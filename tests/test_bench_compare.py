"""bench/compare.py: runs of the same questions side by side, on record files written here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.compare import common_ids, load_run, main, moves, state


def _write(path: Path, records: list[dict]) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return str(path)


def _record(qid: int, outcome: str, error_kind: str | None = None, level: str = "easy") -> dict:
    return {"id": qid, "outcome": outcome, "error_kind": error_kind, "seconds": 1.0, "level": level}


def test_a_wrong_value_is_told_from_failed_code_and_runs_compare_on_shared_questions(
    tmp_path: Path, capsys
) -> None:
    first = [
        _record(1, "right"),
        _record(2, "wrong"),  # a wrong value
        _record(3, "wrong", "runtime", "hard"),  # code that raised
        _record(4, "declined", "unsupported", "hard"),
    ]
    part_a = _write(tmp_path / "a1.jsonl", first[:2])
    part_b = _write(tmp_path / "a2.jsonl", first[2:])
    later = [
        _record(1, "declined", "unsupported"),
        _record(2, "right"),
        _record(3, "wrong", "runtime", "hard"),
    ]  # cut short before question 4
    second = _write(tmp_path / "b.jsonl", later)
    runs = [load_run(f"{part_a},{part_b}"), load_run(second)]
    assert [state(r) for r in runs[0].values()] == ["right", "wrong value", "failed", "declined"]
    assert common_ids(runs) == [1, 2, 3]
    assert moves(runs[0], runs[1], [1, 2, 3]) == {
        ("right", "declined"): 1,
        ("wrong value", "right"): 1,
        ("failed", "failed"): 1,
    }
    assert main([f"{part_a},{part_b}", second]) == 0
    out = capsys.readouterr().out
    assert "3 questions in all 2 runs" in out
    assert "| a1.jsonl | 3     | 3        | 100.0%   | 1     | 33.3%" in out
    assert "| easy (2) | hard (1) |" in out
    assert "moved: 1 (right -> declined), 2 (wrong value -> right)" in out


def test_a_file_that_is_not_a_record_file_is_named(tmp_path: Path, capsys) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not json\n")
    for bad in (str(notes), str(tmp_path / "missing.jsonl")):
        with pytest.raises(SystemExit) as exited:
            main([bad, bad])
        assert exited.value.code == 2
        assert (
            f"{bad}: not a record file of bench/wtq.py or bench/dabench.py"
            in capsys.readouterr().err
        )
