"""What the question benchmarks share (bench/wtq.py, bench/dabench.py, bench/planner.py).

An outcome per question and mode: `right`, `wrong` (an answer that does not match, or any error
other than a decline) or `declined` (error kind `unsupported`). A mode's summary puts precision
(right / answered) beside coverage (answered / asked) and accuracy (right / asked): a decline is
honest, a wrong answer is the worst outcome. Also: percentiles, a Markdown table printer, the
naive single-shot prompt both benchmarks compare against, a deadline, and JSONL record files.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from engine.errors import EngineError
from engine.extraction import code_from_reply
from engine.llm import LLMConfig, complete
from engine.types import ErrorInfo, RunResult, Turn

ROOT = Path(__file__).resolve().parent.parent
RIGHT, WRONG, DECLINED = "right", "wrong", "declined"

# The naive baseline: a short system prompt, the table's columns, the question; one reply, its
# code run once, no repair, no check of column names, no `result =` fix-up.
NAIVE_SYSTEM = "You are a Python data analyst. Answer with Python code in a ```python block."
NAIVE_USER = (
    "A pandas DataFrame `df` holds the table from {file_name}, with columns: {columns}.\n{question}"
)

SUMMARY_HEADERS = (
    "asked",
    "answered",
    "coverage",
    "right",
    "precision",
    "accuracy",
    "errors",
    "median s",
    "p90 s",
)


def shared_bench(name: str) -> Path:
    """../shared/bench/<name> beside the project's root; from a git worktree, beside the main
    checkout's root (a worktree's `.git` file names it: <main>/.git/worktrees/<name>)."""
    roots = [ROOT]
    dot_git = ROOT / ".git"
    if dot_git.is_file() and dot_git.read_text().startswith("gitdir:"):
        roots.append(Path(dot_git.read_text().split(":", 1)[1].strip()).parents[2])
    for root in roots:
        folder = root.parent / "shared" / "bench" / name
        if folder.is_dir():
            return folder
    return ROOT.parent / "shared" / "bench" / name  # missing: the caller's error names it


def outcome(result: RunResult, is_right: bool) -> str:
    """`declined` for an `unsupported` error, `right` for a matching answer, else `wrong`."""
    if result.error is not None and result.error.kind == "unsupported":
        return DECLINED
    return RIGHT if result.ok and is_right else WRONG


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def summary_cells(records: Sequence[dict[str, Any]]) -> list[str]:
    """One row under SUMMARY_HEADERS for records with `outcome`, `error_kind` and `seconds`.

    errors: failures other than a decline (load errors, crashes, code that raised); each is
    also counted as a wrong answer.
    """
    asked = len(records)
    if not asked:
        return ["0"] + ["-"] * (len(SUMMARY_HEADERS) - 1)
    right = sum(r["outcome"] == RIGHT for r in records)
    answered = sum(r["outcome"] != DECLINED for r in records)
    errors = sum(r["outcome"] == WRONG and r["error_kind"] is not None for r in records)
    seconds = [r["seconds"] for r in records]
    return [
        str(asked),
        str(answered),
        _share(answered, asked),
        str(right),
        _share(right, answered),
        _share(right, asked),
        str(errors),
        f"{statistics.median(seconds):.2f}",
        f"{percentile(seconds, 90):.2f}",
    ]


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "-"


def print_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A Markdown table, padded so it also reads in a terminal."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"

    print(line(cells[0]))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in cells[1:]:
        print(line(row))


def naive_turn(session: Any, question: str, file_name: str, config: LLMConfig) -> Turn:
    """The naive baseline on `session` (an engine Session): one reply, its code run once."""
    profile = session.profiles()[0]
    user = NAIVE_USER.format(
        file_name=file_name, columns=", ".join(profile.column_names), question=question
    )
    messages = [{"role": "system", "content": NAIVE_SYSTEM}, {"role": "user", "content": user}]
    try:
        reply = complete(messages, config)
    except EngineError as exc:
        result = RunResult(ok=False, error=exc.to_info())
        return Turn(question=question, code=None, result=result, backend=config.backend)
    code = code_from_reply(reply.text)
    if code is None:
        result = RunResult(ok=False, error=ErrorInfo("llm", "no code in the reply"))
        turn = Turn(question=question, code=None, result=result)
    else:
        turn = session.run(code, question=question)
    return Turn(
        question=question,
        code=code,
        result=turn.result,
        backend=config.backend,
        prompt_tokens=reply.prompt_tokens,
        completion_tokens=reply.completion_tokens,
        llm_ms=round(reply.latency_ms, 1),
    )


def deadline_at(hhmm: str | None) -> datetime | None:
    """The next time it is HH:MM UTC (today, or tomorrow when that has passed), or None."""
    if not hhmm:
        return None
    hour, minute = (int(part) for part in hhmm.split(":"))
    now = datetime.now(UTC)
    at = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return at if at > now else at + timedelta(days=1)


def past(deadline: datetime | None) -> bool:
    return deadline is not None and datetime.now(UTC) >= deadline


def stamp() -> str:
    """A UTC timestamp for file names: 20261130T121530Z."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def record_files(folder: Path, prefix: str, modes: Sequence[str], when: str) -> dict[str, IO[str]]:
    """One open JSONL file per mode: <folder>/<prefix>-<mode>-<when>.jsonl (caller closes)."""
    folder.mkdir(parents=True, exist_ok=True)
    return {mode: (folder / f"{prefix}-{mode}-{when}.jsonl").open("w") for mode in modes}


def attempt_errors(turn: Turn) -> list[str | None]:
    """What each earlier try of a turn ended with (None: it ran), oldest first, so a record says
    which failures a question met on its way, not only its last one."""
    return [a.result.error.message if a.result.error else None for a in turn.attempts]


def attempt_answers(turn: Turn, limit: int = 300) -> list[str | None]:
    """What each earlier try of a turn computed, cut to `limit` characters (None: nothing), so
    a record shows what a repair was sent back from, not only what it ended with."""
    return [a.result.answer.text[:limit] if a.result.answer else None for a in turn.attempts]


def write_record(out: IO[str], record: dict[str, Any]) -> None:
    out.write(json.dumps(record, default=str, ensure_ascii=False) + "\n")
    out.flush()


def reason(record: dict[str, Any]) -> str:
    """Why a record went wrong, on one line: its error, else the code's explanation (or '')."""
    if record["error_kind"]:
        return one_line(f"error {record['error_kind']}: {record['error']}", 200)
    return one_line(record["explanation"], 200)


def one_line(text: str | None, limit: int = 160) -> str:
    """Text on one line, cut to `limit` characters."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


VOTE_CANDIDATES = 3  # the "vote" modes: backend auto with this many candidate programs


def ask_with_votes(session: Any, question: str, candidates: int = VOTE_CANDIDATES) -> Any:
    """`session.ask(question, backend="auto")` with `llm_candidates` = `candidates`."""
    before = session.settings
    session.update_settings(before.with_overrides(llm_candidates=candidates))
    try:
        return session.ask(question, backend="auto")
    finally:
        session.update_settings(before)
