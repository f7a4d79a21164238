"""Runs of the same questions side by side: which answers a change won, lost or turned wrong.

    .venv/bin/python bench/compare.py bench/data/dabench-auto-A.jsonl bench/data/dabench-auto-B.jsonl
    .venv/bin/python bench/compare.py --before A-41-80.jsonl,A-81-134.jsonl B.jsonl naive.jsonl

Each argument is a run: one record file of bench/wtq.py or bench/dabench.py, or several joined
by commas (a run made in parts). Only the questions every run has are compared, so a run cut
short by its deadline still compares. Per run: the summary row of the benchmarks
(bench/evaluation.py), then its wrong values apart from its failed code: a failure says so, a
wrong value is the harm. Then, for each later run against the first, how each question moved
(right -> declined, wrong -> right, ...), and the questions that moved, per level when the
records have one (DABench).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.evaluation import (  # noqa: E402
    DECLINED,
    RIGHT,
    SUMMARY_HEADERS,
    print_table,
    summary_cells,
)

Run = dict[Any, dict[str, Any]]  # question id -> record
FAILED, WRONG_VALUE = "failed", "wrong value"
LEVELS = ("easy", "medium", "hard")  # DABench's, in this order


def load_run(spec: str) -> Run:
    """The records of `spec` (paths joined by commas) by question id; a later file wins.
    ValueError names a file that is missing or holds no benchmark records."""
    run: Run = {}
    for path in spec.split(","):
        try:
            for line in Path(path).read_text().splitlines():
                if line.strip():
                    record = json.loads(line)
                    run[record["id"]] = record
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ValueError(
                f"{path}: not a record file of bench/wtq.py or bench/dabench.py ({exc})"
            ) from None
    return run


def run_name(spec: str) -> str:
    """A run as the tables name it: its first file's name."""
    return Path(spec.split(",")[0]).name


def state(record: dict[str, Any]) -> str:
    """right, declined, failed (its code raised, or nothing ran) or wrong value."""
    if record["outcome"] in (RIGHT, DECLINED):
        return record["outcome"]
    return FAILED if record.get("error_kind") else WRONG_VALUE


def common_ids(runs: Sequence[Run]) -> list[Any]:
    """The questions every run has, in the first run's order."""
    return [i for i in runs[0] if all(i in run for run in runs[1:])]


def moves(before: Run, after: Run, ids: Sequence[Any]) -> Counter[tuple[str, str]]:
    """How many questions went from each state to each other one."""
    return Counter((state(before[i]), state(after[i])) for i in ids)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", nargs="+", help="record files; several joined by commas = one run")
    args = parser.parse_args(argv)
    try:
        runs = [load_run(spec) for spec in args.runs]
    except ValueError as exc:
        parser.error(str(exc))
    ids = common_ids(runs)
    if not ids:
        parser.error("the runs share no question")
    print(f"{len(ids)} questions in all {len(runs)} runs\n")
    rows = []
    for spec, run in zip(args.runs, runs, strict=True):
        records = [run[i] for i in ids]
        wrong_values = sum(state(r) == WRONG_VALUE for r in records)
        rows.append([run_name(spec), *summary_cells(records), str(wrong_values)])
    print_table(["run", *SUMMARY_HEADERS, "wrong values"], rows)
    levels = list(dict.fromkeys(r["level"] for r in runs[0].values() if r.get("level")))
    levels.sort(key=lambda level: (LEVELS.index(level) if level in LEVELS else len(LEVELS), level))
    if levels:
        print("\nright answers per level")
        level_rows = []
        for spec, run in zip(args.runs, runs, strict=True):
            counts = [
                sum(run[i]["outcome"] == RIGHT for i in ids if run[i].get("level") == level)
                for level in levels
            ]
            level_rows.append([run_name(spec), *counts])
        asked = [sum(runs[0][i].get("level") == level for i in ids) for level in levels]
        print_table(
            ["run", *(f"{lv} ({n})" for lv, n in zip(levels, asked, strict=True))], level_rows
        )
    for spec, run in zip(args.runs[1:], runs[1:], strict=True):
        moved = moves(runs[0], run, ids)
        print(f"\n{run_name(spec)} against the first run")
        print_table(
            ["first run", "this run", "questions"],
            [[a, b, n] for (a, b), n in sorted(moved.items()) if a != b],
        )
        changed = [i for i in ids if state(runs[0][i]) != state(run[i])]
        print(
            "moved: " + ", ".join(f"{i} ({state(runs[0][i])} -> {state(run[i])})" for i in changed)
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
