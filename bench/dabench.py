"""DABench-dev: our prompt + repair loop vs a naive single-shot prompt, same model, same questions.

Reads the questions and tables from ../shared/bench/dabench-dev/ (CC BY-NC 4.0: never copied into
this repository), asks each question with the chosen backend in both modes back to back, runs the
code, and scores as that folder's README says: a question is right when every @name[value]
sub-answer matches exactly (numbers compared as numbers, so "0.50" == "0.5").

    .venv/bin/python bench/dabench.py --backend local --level easy --limit 20 --deadline 06:25

Code runs through the engine's sandbox when `Session.run` works; until it does, through a plain
child process per run (no isolation: a bench-only stand-in, said in the output).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
import traceback
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.answer import Context, answer_question  # noqa: E402
from engine.answer.llm_drafter import LLMDrafter  # noqa: E402
from engine.catalog import Catalog  # noqa: E402
from engine.config import Settings, load_settings  # noqa: E402
from engine.errors import EngineError  # noqa: E402
from engine.extraction import code_from_reply  # noqa: E402
from engine.llm import LLMConfig, complete, llm_config  # noqa: E402
from engine.types import Answer, ErrorInfo, RunResult  # noqa: E402

DATA = ROOT.parent / "shared" / "bench" / "dabench-dev"
ANSWER = re.compile(r"@(\w+)\[([^\]]*)\]")

NAIVE_SYSTEM = "You are a Python data analyst. Answer with Python code in a ```python block."
NAIVE_USER = (
    "A pandas DataFrame `df` holds the table from {file_name}, with columns: {columns}.\n{question}"
)


def question_text(q: dict[str, Any]) -> str:
    """The question as both modes get it: task, constraints, and the answer format."""
    return (
        f"{q['question']}\n{q['constraints']}\nAnswer format: {q['format']}\n"
        "Set `result` to a string with the answer in exactly that format."
    )


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


def score(q: dict[str, Any], result: RunResult) -> tuple[int, int]:
    """(sub-answers right, sub-answers total) from the result value, its text and stdout."""
    text = ""
    if result.answer is not None:
        value = result.answer.value
        text = f"{value if isinstance(value, str) else ''}\n{result.answer.text}"
    answers = parse_answers(f"{text}\n{result.stdout}")
    right = sum(matches(answers.get(name), gold) for name, gold in q["gold"])
    return right, len(q["gold"])


# --- running code ---------------------------------------------------------------------------

_CHILD = r"""
import contextlib, io, json, sys, traceback
import duckdb, numpy as np, pandas as pd
path, name, code = sys.argv[1], sys.argv[2], sys.stdin.read()
df = pd.read_parquet(path)
con = duckdb.connect()
con.register(name, df)
ns = {"df": df, name: df, "pd": pd, "np": np, "results": [], "sql": lambda q: con.sql(q).df()}
if "px." in code or "go." in code:
    import plotly.express as px, plotly.graph_objects as go
    ns.update(px=px, go=go)
out = io.StringIO()
try:
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<turn-1>", "exec"), ns)
    reply = {"ok": True, "result": str(ns.get("result"))[:5000]}
except SyntaxError as exc:
    line = (exc.text or "").rstrip()
    caret = " " * max((exc.offset or 1) - 1, 0) + "^"
    detail = f"line {exc.lineno}:\n{line}\n{caret}\nSyntaxError: {exc.msg}"
    reply = {"ok": False, "error": f"SyntaxError: {exc.msg} (line {exc.lineno})", "detail": detail}
except Exception as exc:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == "<turn-1>"]
    detail = "".join(traceback.format_list(frames)) + f"{type(exc).__name__}: {exc}"
    reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:2000], "detail": detail[-3000:]}
reply["stdout"] = out.getvalue()[-5000:]
sys.__stdout__.write("\n@@JSON@@" + json.dumps(reply))
"""


def child_runner(
    parquet: Path, name: str, source: Path, timeout_s: float
) -> Callable[[str], RunResult]:
    """Bench-only stand-in for the sandbox: one plain child process per run, no isolation.

    It runs in a folder holding the original file under its own name, so code that re-reads
    the file (the naive prompt's habit) still works: the comparison then measures the prompt and
    the repair loop, not only the sandbox refusing file access.
    """
    cwd = parquet.parent / f"cwd-{parquet.stem}"
    cwd.mkdir(exist_ok=True)
    link = cwd / source.name
    if not link.exists():
        link.symlink_to(source)

    def run(code: str) -> RunResult:
        start = time.perf_counter()
        try:
            proc = subprocess.run(
                [sys.executable, "-c", _CHILD, str(parquet), name],
                input=code,
                capture_output=True,
                text=True,
                timeout=timeout_s,
                cwd=cwd,
            )
        except subprocess.TimeoutExpired:
            return RunResult(ok=False, error=ErrorInfo("timeout", f"ran past {timeout_s:g} s"))
        ms = (time.perf_counter() - start) * 1000
        if "@@JSON@@" not in proc.stdout:
            return RunResult(
                ok=False,
                error=ErrorInfo("runtime", proc.stderr[-1500:] or "crashed"),
                elapsed_ms=ms,
            )
        reply = json.loads(proc.stdout.rsplit("@@JSON@@", 1)[1])
        if not reply["ok"]:
            error = ErrorInfo("runtime", reply["error"], reply["detail"])
            return RunResult(ok=False, stdout=reply["stdout"], error=error, elapsed_ms=ms)
        answer = Answer("value", reply["result"][:300], value=reply["result"])
        return RunResult(ok=True, answer=answer, stdout=reply["stdout"], elapsed_ms=ms)

    return run


def session_runner(path: Path, settings: Settings, work_dir: Path):
    """The engine's own sandboxed run path (`Session.run`), when it is wired up; else None."""
    try:
        from engine.session import Session

        session = Session(settings, work_dir=work_dir)
        session.load(path)
        probe = session.run("result = 1")
    except (ImportError, EngineError, AttributeError):
        return None
    if not probe.result.ok:
        session.close()
        return None
    return session


def _session_run(session: Any, code: str) -> RunResult:
    return session.run(code).result


# --- the two modes --------------------------------------------------------------------------


def ask_ours(
    question: str, catalog: Catalog, run, config: LLMConfig, settings: Settings
) -> dict[str, Any]:
    context = Context(catalog.profiles(), [], settings)
    turn = answer_question(question, [LLMDrafter(config)], run, context)
    return {
        "result": turn.result,
        "code": turn.code,
        "repairs": len(turn.attempts),
        "llm_ms": turn.llm_ms,
        "tokens": (turn.prompt_tokens, turn.completion_tokens),
    }


def ask_naive(
    q: dict[str, Any], question: str, catalog: Catalog, run, config: LLMConfig
) -> dict[str, Any]:
    profile = catalog.profiles()[0]
    user = NAIVE_USER.format(
        file_name=q["file_name"], columns=", ".join(profile.column_names), question=question
    )
    messages = [{"role": "system", "content": NAIVE_SYSTEM}, {"role": "user", "content": user}]
    try:
        reply = complete(messages, config)
    except EngineError as exc:
        return {
            "result": RunResult(ok=False, error=exc.to_info()),
            "code": None,
            "repairs": 0,
            "llm_ms": None,
            "tokens": (None, None),
        }
    code = code_from_reply(reply.text)
    result = (
        run(code) if code else RunResult(ok=False, error=ErrorInfo("llm", "no code in the reply"))
    )
    return {
        "result": result,
        "code": code,
        "repairs": 0,
        "llm_ms": round(reply.latency_ms, 1),
        "tokens": (reply.prompt_tokens, reply.completion_tokens),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["local", "openai"], default="local")
    parser.add_argument("--level", action="append", choices=["easy", "medium", "hard"])
    parser.add_argument("--limit", type=int, default=0, help="at most this many questions")
    parser.add_argument("--modes", default="ours,naive")
    parser.add_argument("--deadline", help="HH:MM UTC: start no question after this")
    parser.add_argument("--run-timeout", type=float, default=60.0)
    parser.add_argument(
        "--out", type=Path, default=Path(tempfile.gettempdir()) / "dabench-results.jsonl"
    )
    args = parser.parse_args(argv)

    settings = load_settings()
    config = llm_config(settings, args.backend)
    if config is None:
        print(f"backend {args.backend} is not configured (local: install requirements-local.txt)")
        return 2
    levels = args.level or ["easy"]
    questions = [
        json.loads(line)
        for line in (DATA / "questions.jsonl").read_text().splitlines()
        if line.strip()
    ]
    questions = [q for q in questions if q["level"] in levels]
    if args.limit:
        questions = questions[: args.limit]
    modes = [m for m in args.modes.split(",") if m]
    print(
        f"{len(questions)} questions ({', '.join(levels)}), backend {args.backend} ({config.model}), modes {modes}"
    )

    rows: list[dict[str, Any]] = []
    runner_kind = None
    with args.out.open("w") as out, tempfile.TemporaryDirectory() as tmp:
        for q in questions:
            if args.deadline and datetime.now(UTC).strftime("%H:%M") >= args.deadline:
                print(f"deadline {args.deadline} UTC reached: stopping")
                break
            question = question_text(q)
            source = DATA / "tables" / q["file_name"]
            catalog = Catalog(settings, Path(tmp) / f"q{q['id']}")
            engine_session = session_runner(source, settings, Path(tmp) / f"s{q['id']}")
            try:
                try:
                    (table,) = catalog.load(source)
                except (EngineError, ValueError) as exc:
                    print(f"q{q['id']}: cannot load {q['file_name']}: {exc}")
                    continue
                if engine_session is not None:
                    run = partial(_session_run, engine_session)
                    runner_kind = "engine sandbox (Session.run)"
                else:
                    parquet = Path(tmp) / f"q{q['id']}.parquet"
                    catalog.preview(table.name, table.rows + 1).to_parquet(parquet)
                    run = child_runner(
                        parquet, table.name, DATA / "tables" / q["file_name"], args.run_timeout
                    )
                    runner_kind = "plain child process (sandbox not wired yet)"
                for mode in modes:
                    start = time.perf_counter()
                    try:
                        if mode == "ours":
                            got = ask_ours(question, catalog, run, config, settings)
                        else:
                            got = ask_naive(q, question, catalog, run, config)
                    except Exception:  # the bench keeps going; the row records why
                        got = {
                            "result": RunResult(
                                ok=False, error=ErrorInfo("crash", traceback.format_exc()[-500:])
                            ),
                            "code": None,
                            "repairs": 0,
                            "llm_ms": None,
                            "tokens": (None, None),
                        }
                    right, total = score(q, got["result"])
                    result: RunResult = got["result"]
                    row = {
                        "id": q["id"],
                        "level": q["level"],
                        "mode": mode,
                        "right": right,
                        "total": total,
                        "correct": right == total,
                        "ok": result.ok,
                        "error": result.error.kind + ": " + result.error.message[:200]
                        if result.error
                        else None,
                        "repairs": got["repairs"],
                        "llm_ms": got["llm_ms"],
                        "tokens": got["tokens"],
                        "seconds": round(time.perf_counter() - start, 1),
                        "code": got["code"],
                        "answer": (result.answer.value if result.answer else None),
                    }
                    rows.append(row)
                    out.write(json.dumps(row, default=str) + "\n")
                    out.flush()
                    mark = (
                        "right" if row["correct"] else ("wrong" if result.ok else row["error"][:60])
                    )
                    print(
                        f"q{q['id']:>4} {q['level']:<6} {mode:<5} {right}/{total} {row['seconds']:>6.1f}s repairs={row['repairs']} {mark}",
                        flush=True,
                    )
            finally:
                catalog.close()
                if engine_session is not None:
                    engine_session.close()
    print(f"\nruns: {runner_kind}; rows in {args.out}")
    print_summary(rows, modes)
    return 0


def print_summary(rows: list[dict[str, Any]], modes: list[str]) -> None:
    """Accuracy by question and by sub-answer, per level and mode, on the questions both modes finished."""
    done = defaultdict(set)
    for row in rows:
        done[row["id"]].add(row["mode"])
    complete_ids = {i for i, m in done.items() if set(modes) <= m}
    table: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row["id"] in complete_ids:
            table[(row["level"], row["mode"])].append(row)
            table[("all", row["mode"])].append(row)
    print("\n| level | mode | questions right | accuracy | sub-answers right | ran ok | median s |")
    print("|---|---|---|---|---|---|---|")
    for (level, mode), group in sorted(table.items()):
        n = len(group)
        right = sum(r["correct"] for r in group)
        sub = sum(r["right"] for r in group)
        subs = sum(r["total"] for r in group)
        ran = sum(r["ok"] for r in group)
        median = sorted(r["seconds"] for r in group)[n // 2]
        print(
            f"| {level} | {mode} | {right}/{n} | {right / n:.0%} | {sub}/{subs} | {ran}/{n} | {median:.1f} |"
        )


if __name__ == "__main__":
    raise SystemExit(main())
