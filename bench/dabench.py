"""DABench-dev (134 questions, 51 tables): the planner, auto, our prompt + repair and a naive prompt.

    .venv/bin/python bench/dabench.py --modes planner,planner-question        # seconds, no LLM
    .venv/bin/python bench/dabench.py --backend local --level easy --limit 20 --deadline 06:25
    .venv/bin/python bench/dabench.py --modes auto,naive --limit 5
    .venv/bin/python bench/dabench.py --modes auto,naive --skip 40 --limit 40  # the next 40

Reads the questions and tables from ../shared/bench/dabench-dev/ (CC BY-NC 4.0: never copied into
this repository). Each table is loaded once with the engine (one Session per table, closed after);
every question starts with no earlier turns, and the modes run back to back on it:

  ours              session.ask(text, backend=--backend): our prompt and repair loop, LLM only
  naive             a short prompt with the table's columns and the text, to the same model; its
                    code run once with session.run (no repair)
  planner           session.ask(text, backend="planner")
  auto              session.ask(text, backend="auto"): the planner, then the LLM (an OpenAI-
                    compatible endpoint when one is configured, else the local model)
  planner-question  the planner on the question sentence alone, without the constraints and the
                    answer format (which it never explains, so `planner` declines them)

`text` is the question, its constraints and its answer format, as every mode but
planner-question gets it. Scoring as that folder's README says: a question is right when every
@name[value] sub-answer matches exactly (numbers compared as numbers, so "0.50" == "0.5"). An
answer with no @name[value] at all is scored by value: its scalar (or 1x1 table) against each
gold sub-answer, numbers rounded to the gold's decimals (at least 2); the report counts how many
right answers were scored that way (`--strict-format`: never, as in the paper). Outcomes as in
bench/evaluation.py: right, wrong (a wrong answer or any error but a decline), declined
(`unsupported`); precision is right / answered.
Records go to bench/data/dabench-<mode>-<timestamp>.jsonl.
"""

from __future__ import annotations

import argparse
import json
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
from engine.config import load_settings  # noqa: E402
from engine.errors import EngineError  # noqa: E402
from engine.llm import LLMConfig, llm_config  # noqa: E402
from engine.session import Session  # noqa: E402
from engine.types import Answer, ErrorInfo, RunResult, Turn  # noqa: E402

DATA = shared_bench("dabench-dev")
OUT = ROOT / "bench" / "data"
ANSWER = re.compile(r"@(\w+)\[([^\]]*)\]")
MODES = ("ours", "naive", "planner", "auto", "vote", "planner-question")
LLM_MODES = frozenset({"ours", "naive", "auto", "vote"})
PLANNER_MODES = frozenset({"planner", "planner-question"})
LEVELS = ("easy", "medium", "hard")


def question_text(q: dict[str, Any]) -> str:
    """The question as the modes get it: task, constraints, and the answer format."""
    return (
        f"{q['question']}\n{q['constraints']}\nAnswer format: {q['format']}\n"
        "Set `result` to a string with the answer in exactly that format."
    )


# --- scoring ---------------------------------------------------------------------------------


def parse_answers(text: str) -> dict[str, str]:
    return {name: value.strip() for name, value in ANSWER.findall(text or "")}


def matches(got: str | None, gold: str) -> bool:
    if got is None:
        return False
    if got.strip().lower() == gold.strip().lower():
        return True
    try:
        return float(got) == float(gold)
    except ValueError:
        return False


def scalar(answer: Answer | None) -> Any:
    """The answer's value, or the cell of a 1x1 table; else None."""
    if answer is None:
        return None
    if answer.value is not None:
        return answer.value
    table = answer.table
    if table is not None and table.row_count == 1 and len(table.columns) == 1:
        return table.rows[0][0]
    return None


def matches_value(value: Any, gold: str) -> bool:
    """A bare value against a gold sub-answer: numbers rounded to the gold's decimals (>= 2)."""
    if value is None or isinstance(value, bool):
        return value is not None and str(value).lower() == gold.strip().lower()
    try:
        number, target = float(value), float(gold)
    except (TypeError, ValueError):
        return str(value).strip().lower() == gold.strip().lower()
    decimals = max(2, len(gold.strip().partition(".")[2]))
    return round(number, decimals) == round(target, decimals)


def score(q: dict[str, Any], result: RunResult, strict: bool = False) -> tuple[int, int, str]:
    """(sub-answers right, sub-answers total, how: 'format' or 'value'); `strict`: the paper's
    scoring, @name[value] answers only."""
    text = ""
    if result.answer is not None:
        value = result.answer.value
        text = f"{value if isinstance(value, str) else ''}\n{result.answer.text}"
    # the answer shown wins; what the code printed counts for the parts it does not have (a
    # print of the raw list would otherwise override the answer the engine wrote the format in)
    answers = {**parse_answers(result.stdout), **parse_answers(text)}
    total = len(q["gold"])
    if answers or strict or not result.ok:
        return sum(matches(answers.get(name), gold) for name, gold in q["gold"]), total, "format"
    value = scalar(result.answer)  # one value: right only when the question has one sub-answer
    return sum(matches_value(value, gold) for _, gold in q["gold"]), total, "value"


# --- asking ----------------------------------------------------------------------------------


def ask(
    session: Session, mode: str, q: dict[str, Any], backend: str, config: LLMConfig | None
) -> Turn:
    session.clear_turns()  # each question on its own: earlier turns would enter the prompt
    if mode == "naive":
        assert config is not None
        return naive_turn(session, question_text(q), q["file_name"], config)
    if mode == "planner-question":
        return session.ask(q["question"], backend="planner")
    if mode == "vote":
        return ask_with_votes(session, question_text(q))
    return session.ask(question_text(q), backend=backend if mode == "ours" else mode)


def failed_turn(kind: str, message: str) -> Turn:
    return Turn(
        question=None, code=None, result=RunResult(ok=False, error=ErrorInfo(kind, message))
    )


def record(
    q: dict[str, Any], mode: str, turn: Turn, seconds: float, strict: bool
) -> dict[str, Any]:
    result = turn.result
    right, total, how = score(q, result, strict)
    answer = result.answer
    return {
        "id": q["id"],
        "level": q["level"],
        "mode": mode,
        "question": q["question"],
        "gold": q["gold"],
        "answer": (answer.value if answer is not None and answer.value is not None else None),
        "answer_text": answer.text if answer is not None else None,
        "stdout": result.stdout[-2000:],
        "right": right,
        "total": total,
        "scored_by": how,
        "outcome": outcome(result, right == total),
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
        "tokens": (turn.prompt_tokens, turn.completion_tokens),
        "seconds": round(seconds, 3),
    }


def answers(file_name, table_questions, modes, settings, backend, config, load_failures):
    """(mode, question, turn, seconds) for every question on one table, mode by mode."""
    session = Session(settings)
    try:
        try:
            session.load(DATA / "tables" / file_name)
        except EngineError as exc:
            load_failures.append((file_name, len(table_questions), exc.message))
            for mode in modes:
                for q in table_questions:
                    yield mode, q, failed_turn("load", exc.message), 0.0
            return
        for mode in modes:
            for q in table_questions:
                started = time.perf_counter()
                try:
                    turn = ask(session, mode, q, backend, config)
                except Exception:  # the bench goes on; the record says why
                    turn = failed_turn("crash", traceback.format_exc()[-800:])
                yield mode, q, turn, time.perf_counter() - started
    finally:
        session.close()


# --- the run ---------------------------------------------------------------------------------


def question_ids(text: str) -> set[int]:
    """`--ids 268,644`: the ids, or a usage error that names the one that is not a number."""
    try:
        return {int(part) for part in text.split(",") if part.strip()}
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of question ids: {text!r}") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--backend", choices=["local", "openai"], default="local", help="for ours and naive"
    )
    parser.add_argument("--level", action="append", choices=LEVELS, help="default: all levels")
    parser.add_argument("--limit", type=int, default=0, help="at most this many questions")
    parser.add_argument(
        "--skip", type=int, default=0, help="leave out the first N questions (before --limit)"
    )
    parser.add_argument(
        "--modes", default="ours,naive", help=f"comma-separated: {', '.join(MODES)}"
    )
    parser.add_argument(
        "--ids",
        type=question_ids,
        help="comma-separated question ids: only these (e.g. to rerun what a change touches)",
    )
    parser.add_argument("--deadline", help="HH:MM UTC: start no new table after this")
    parser.add_argument("--run-timeout", type=float, default=60.0, help="sandbox limit, seconds")
    parser.add_argument(
        "--strict-format",
        action="store_true",
        help="score @name[value] answers only (the paper's scoring; no scoring by value)",
    )
    parser.add_argument("--show", type=int, default=25, help="wrong answers listed per LLM mode")
    args = parser.parse_args(argv)

    modes = [m for m in args.modes.split(",") if m]
    unknown = [m for m in modes if m not in MODES]
    if unknown:
        print(f"unknown mode(s) {unknown}; choose from {', '.join(MODES)}")
        return 2
    settings = load_settings(sandbox_timeout_s=args.run_timeout)
    config = None
    if {"ours", "naive"} & set(modes):
        config = llm_config(settings, args.backend)
        if config is None:
            print(
                f"backend {args.backend} is not configured (local: install requirements-local.txt)"
            )
            return 2
    levels = args.level or list(LEVELS)
    questions = [json.loads(line) for line in (DATA / "questions.jsonl").open() if line.strip()]
    questions = [q for q in questions if q["level"] in levels]
    if args.ids:
        questions = [q for q in questions if q["id"] in args.ids]
    questions = questions[args.skip :]
    if args.limit:
        questions = questions[: args.limit]
    by_table: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for q in questions:
        by_table[q["file_name"]].append(q)
    deadline = deadline_at(args.deadline)
    print(
        f"DABench dev: {len(questions)} questions ({', '.join(levels)}) over {len(by_table)} "
        f"tables; modes {', '.join(modes)}; sandbox timeout {settings.sandbox_timeout_s:g} s"
        + (f"; ours/naive: {config.model} ({config.backend})" if config else "")
        + (f"; deadline {deadline:%Y-%m-%d %H:%M} UTC" if deadline else "")
    )

    when = stamp()
    files = record_files(OUT, "dabench", modes, when)
    rows: dict[str, list[dict[str, Any]]] = {m: [] for m in modes}
    load_failures: list[tuple[str, int, str]] = []
    try:
        for file_name, table_questions in by_table.items():
            if past(deadline):
                print(f"deadline reached: stopped after {len(rows[modes[0]])} questions")
                break
            found = answers(
                file_name, table_questions, modes, settings, args.backend, config, load_failures
            )
            for mode, q, turn, seconds in found:
                row = record(q, mode, turn, seconds, args.strict_format)
                rows[mode].append(row)
                write_record(files[mode], row)
                mark = row["outcome"]
                if row["outcome"] == WRONG and row["error_kind"]:
                    mark = f"error {row['error_kind']}: {one_line(row['error'], 60)}"
                print(
                    f"  q{q['id']:>4} {q['level']:<6} {mode:<16} {row['right']}/{row['total']} "
                    f"{seconds:6.1f} s repairs={row['repairs']} {mark}",
                    flush=True,
                )
    finally:
        for out in files.values():
            out.close()
    report(modes, rows, levels, load_failures, args.show)
    print("\nrecords: " + ", ".join(str(OUT / f"dabench-{m}-{when}.jsonl") for m in modes))
    return 0


def report(modes, rows, levels, load_failures, show: int) -> None:
    """Per level and overall, per mode: coverage, precision, accuracy, sub-answers, seconds."""
    print("\n## DABench dev: per level and mode\n")
    table = []
    for level in [*levels, "all"]:
        for mode in modes:
            group = [r for r in rows[mode] if level in ("all", r["level"])]
            subs = f"{sum(r['right'] for r in group)}/{sum(r['total'] for r in group)}"
            table.append((level, mode, *summary_cells(group), subs))
    print_table(("level", "mode", *SUMMARY_HEADERS, "sub-answers right"), table)
    for mode in modes:
        found = rows[mode]
        backends = Counter(r["backend"] or "no code" for r in found if r["outcome"] != DECLINED)
        errors = Counter(
            r["error_kind"] for r in found if r["outcome"] == WRONG and r["error_kind"]
        )
        by_value = sum(r["outcome"] == RIGHT and r["scored_by"] == "value" for r in found)
        print(
            f"\n{mode}: answered by {dict(backends) or '-'}; errors by kind {dict(errors) or '-'}; "
            f"right by value (no @name[] format) {by_value}; repairs {sum(r['repairs'] for r in found)}"
        )
    if load_failures:
        count = sum(n for _, n, _ in load_failures)
        print(f"\n{len(load_failures)} tables did not load ({count} questions counted as errors):")
        for file_name, n, why in load_failures:
            print(f"  {file_name} ({n} questions): {one_line(why, 200)}")
    for mode in modes:
        wrong = [r for r in rows[mode] if r["outcome"] == WRONG]
        cap = len(wrong) if mode in PLANNER_MODES else show
        more = f" (first {cap})" if len(wrong) > cap else ""
        print(f"\n## {mode}: {len(wrong)} wrong{more}\n")
        for r in wrong[:cap]:
            got = r["answer"] if r["answer"] is not None else r["answer_text"]
            print(f"- q{r['id']} ({r['level']}): {one_line(r['question'], 200)}")
            print(f"  gold {r['gold']}  got {one_line(str(got), 200)} ({r['right']}/{r['total']})")
            if why := reason(r):
                print(f"  {why}")


if __name__ == "__main__":
    raise SystemExit(main())
