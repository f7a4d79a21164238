"""Where the local model's time goes (issue 16): prompt tokens read, tokens generated, repairs.

    nice -n 19 .venv/bin/python bench/llm_speed.py --tokens-only --compare /work/wt/eval
    .venv/bin/python bench/llm_speed.py --compare /work/wt/eval     # an idle machine: timings

Conversations are questions asked in order in one session. The sample ones (sample_data/) keep
their history, as the app does; the DABench-dev ones (../shared/bench/dabench-dev, read in place,
never copied) ask each question afresh on the same table, as bench/dabench.py does. A
conversation's first question is `first` (a new table), the others `follow-up`.

Modes: `ours` (engine/prompt.py through session.ask: checks and repairs included) and `naive`
(bench/evaluation.py's single-shot prompt, run once). Columns:
  prompt tok  the prompt, chat template included (summed over a question's requests: repairs)
  new tok     the prompt tokens llama.cpp had to read: not a prefix of what its one slot held
              (with --tokens-only: the earlier request's prompt and scripted reply)
  gen tok     tokens generated; model s: seconds waiting on the model; wall s: the whole turn
With --tokens-only nothing is generated: prompts are tokenized by a llama.cpp server started here
(the model's own tokenizer and chat template; no generation), and a follow-up's history is the
scripted earlier turns below. --compare ROOT builds `ours` with ROOT's engine (another checkout,
e.g. the commit before) in a subprocess and prints it beside this tree's. Every mode talks to the
one server started here, as an OpenAI-compatible endpoint with the local backend's limits.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ENGINE_ROOT = Path(os.environ.get("LLM_SPEED_ENGINE_ROOT") or ROOT)  # --compare's subprocess
sys.path.insert(0, str(ENGINE_ROOT))

from bench.evaluation import (  # noqa: E402
    NAIVE_SYSTEM,
    NAIVE_USER,
    naive_turn,
    percentile,
    print_table,
    shared_bench,
)
from engine.config import Settings, load_settings  # noqa: E402
from engine.llm import LOCAL_MAX_TOKENS, LOCAL_MIN_TIMEOUT_S  # noqa: E402
from engine.session import Session  # noqa: E402
from engine.types import Answer, RunResult, Turn  # noqa: E402

FIRST, FOLLOW_UP = "first", "follow-up"
FIRST_TARGET_S, FOLLOW_UP_TARGET_S = 30.0, 12.0  # issue 16


@dataclass(frozen=True)
class Step:
    """A question, and (for --tokens-only) the code and answer that stand in for the model's."""

    question: str
    code: str = ""
    answer: str = ""


@dataclass(frozen=True)
class Conversation:
    path: Path
    steps: tuple[Step, ...]
    keeps_history: bool


SAMPLE = ROOT / "sample_data"
SAMPLES = (
    Conversation(
        SAMPLE / "penguins.csv",
        (
            Step(
                "What is the median flipper length of each species, longest first?",
                "by_species = df.groupby('species')['flipper_length_mm'].median()\n"
                "result = by_species.sort_values(ascending=False)",
                "species: Gentoo 216, Chinstrap 196, Adelie 190",
            ),
            Step(
                "And only for the females?",
                "females = df[df['sex'] == 'female']\n"
                "result = females.groupby('species')['flipper_length_mm'].median()",
                "species: Adelie 188, Chinstrap 192, Gentoo 212",
            ),
            Step(
                "How many of those females were measured on each island?",
                "result = females.groupby('island').size()",
                "island: Biscoe 80, Dream 61, Torgersen 24",
            ),
        ),
        keeps_history=True,
    ),
    Conversation(
        SAMPLE / "sales.csv",
        (
            Step(
                "What was the revenue (unit price times quantity, less the discount) per region "
                "in 2024?",
                "sales = df.assign(revenue=df['unit_price'] * df['quantity'] * (1 - df['discount']))"
                "\nin_2024 = sales[pd.to_datetime(sales['order_date']).dt.year == 2024]\n"
                "result = in_2024.groupby('region')['revenue'].sum()",
                "region: East 812,337.1, North 790,204.5, South 801,120.9, West 776,443.0",
            ),
            Step(
                "Which product brought the most revenue in the best region?",
                "best = result.idxmax()\nin_best = in_2024[in_2024['region'] == best]\n"
                "result = in_best.groupby('product')['revenue'].sum().idxmax()",
                "Laptop",
            ),
        ),
        keeps_history=True,
    ),
)


def dabench_conversations(tables: int, per_table: int) -> list[Conversation]:
    """The first `tables` DABench-dev tables with `per_table` questions or more (each asked
    afresh, as bench/dabench.py asks them)."""
    from bench.dabench import question_text

    folder = shared_bench("dabench-dev")
    by_table: dict[str, list[Step]] = {}
    for line in (folder / "questions.jsonl").open():
        if line.strip():
            q = json.loads(line)
            by_table.setdefault(q["file_name"], []).append(Step(question_text(q)))
    chosen = [(n, s[:per_table]) for n, s in by_table.items() if len(s) >= per_table][:tables]
    return [Conversation(folder / "tables" / n, tuple(s), False) for n, s in chosen]


# --- the server: tokens and counters -------------------------------------------------------


class Model:
    """The llama.cpp server this bench talks to (tokenizer, counters, OpenAI-compatible)."""

    def __init__(self, address: str) -> None:
        self.address = address

    def _post(self, path: str, body: dict[str, Any]) -> Any:
        request = urllib.request.Request(
            self.address + path, json.dumps(body).encode(), {"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request) as reply:
            return json.loads(reply.read())

    def tokens(self, messages: Sequence[dict[str, str]], reply: str = "") -> list[int]:
        """The prompt's tokens with the model's chat template; with `reply`, those of the
        prompt followed by that reply (what the slot holds once it is generated)."""
        prompt = self._post("/apply-template", {"messages": list(messages)})["prompt"]
        return self._post("/tokenize", {"content": prompt + reply})["tokens"]

    def counters(self) -> dict[str, float]:
        """llama.cpp's /metrics: prompt tokens read, tokens generated, and their seconds."""
        with urllib.request.urlopen(self.address + "/metrics") as reply:
            text = reply.read().decode()
        found = {}
        for line in text.splitlines():
            if line.startswith("llamacpp:") and " " in line:
                name, value = line.split(" ", 1)
                found[name.removeprefix("llamacpp:")] = float(value)
        return found


def shared_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


# --- the runs -------------------------------------------------------------------------------


def bench_settings(model_name: str) -> Settings:
    """The local backend's limits, reached as an OpenAI-compatible endpoint (the bench's server)."""
    return load_settings(
        llm_model=model_name, llm_max_tokens=LOCAL_MAX_TOKENS, llm_timeout_s=LOCAL_MIN_TIMEOUT_S
    )


def naive_messages(question: str, session: Session, file_name: str) -> list[dict[str, str]]:
    """bench/evaluation.py naive_turn's messages."""
    columns = ", ".join(session.profiles()[0].column_names)
    user = NAIVE_USER.format(file_name=file_name, columns=columns, question=question)
    return [{"role": "system", "content": NAIVE_SYSTEM}, {"role": "user", "content": user}]


def prompts(mode: str, conversations: Sequence[Conversation]) -> Iterator[dict[str, Any]]:
    """--tokens-only: every question's messages, and the reply standing in for the model's."""
    from engine.prompt import messages_for_question

    settings = load_settings()
    for conversation in conversations:
        session = Session(settings)
        try:
            session.load(conversation.path)
            history: list[Turn] = []
            for i, step in enumerate(conversation.steps):
                if mode == "naive":
                    messages = naive_messages(step.question, session, conversation.path.name)
                else:
                    messages = messages_for_question(
                        step.question, session.profiles(), history, settings
                    )
                reply = f"```python\n{step.code}\n```" if step.code else ""
                if conversation.keeps_history:
                    answer = Answer("value", step.answer)
                    history.append(
                        Turn(
                            question=step.question,
                            code=step.code,
                            result=RunResult(ok=True, answer=answer),
                        )
                    )
                yield {
                    "table": conversation.path.name,
                    "position": FOLLOW_UP if i else FIRST,
                    "messages": messages,
                    "reply": reply,
                }
        finally:
            session.close()


def answers(
    mode: str, conversations: Sequence[Conversation], model: Model, model_name: str
) -> Iterator[dict[str, Any]]:
    """Generation: every question answered by `mode`, with the server's counters around it."""
    from engine.llm import llm_config

    settings = bench_settings(model_name)
    config = llm_config(settings, "openai")
    assert config is not None, "OPENAI_BASE_URL is set to the bench's server"
    for conversation in conversations:
        session = Session(settings)
        try:
            session.load(conversation.path)
            session.warm_up()  # as the app does on load: the sandbox's start is not the model's
            for i, step in enumerate(conversation.steps):
                if not conversation.keeps_history:
                    session.clear_turns()
                before, started = model.counters(), time.perf_counter()
                if mode == "naive":
                    turn = naive_turn(session, step.question, conversation.path.name, config)
                else:
                    turn = session.ask(step.question, backend="openai")
                wall_s, after = time.perf_counter() - started, model.counters()
                print(
                    f"  {mode} {conversation.path.name} q{i + 1}: {wall_s:.1f} s, "
                    f"{len(turn.attempts)} repairs, ok={turn.result.ok}",
                    file=sys.stderr,
                    flush=True,
                )
                yield {
                    "table": conversation.path.name,
                    "position": FOLLOW_UP if i else FIRST,
                    "prompt_tokens": turn.prompt_tokens,
                    "new_tokens": _delta(before, after, "prompt_tokens_total"),
                    "gen_tokens": _delta(before, after, "tokens_predicted_total"),
                    "model_s": (turn.llm_ms or 0) / 1000,
                    "wall_s": wall_s,
                    "repairs": len(turn.attempts),
                    "ok": turn.result.ok,
                }
        finally:
            session.close()


def _delta(before: dict[str, float], after: dict[str, float], name: str) -> int | None:
    if name not in after or name not in before:
        return None  # a server without --metrics
    return round(after[name] - before[name])


def records(
    mode: str, conversations: Sequence[Conversation], model: Model, args: argparse.Namespace
) -> list[dict[str, Any]]:
    """One record per question; with --tokens-only the prompts are tokenized here and `new
    tok` follows llama.cpp's one slot: the earlier request's prompt and reply stay cached."""
    if not args.tokens_only:
        return list(answers(mode, conversations, model, args.model_name))
    found, cached = [], []
    for record in prompts(mode, conversations):
        tokens = model.tokens(record["messages"])
        record["prompt_tokens"] = len(tokens)
        record["new_tokens"] = len(tokens) - shared_prefix(tokens, cached)
        cached = model.tokens(record["messages"], record["reply"]) if record["reply"] else tokens
        found.append(record)
    return found


def records_of_checkout(root: Path, args: argparse.Namespace) -> list[dict[str, Any]]:
    """`ours` built by another checkout's engine: this script run there in a subprocess (no
    bytecode written into that tree), talking to this run's server."""
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--emit",
        "--address",
        args.address,
        "--model-name",
        args.model_name,
        "--dabench",
        str(args.dabench),
        "--per-table",
        str(args.per_table),
        "--samples",
        str(args.samples),
        *(["--tokens-only"] if args.tokens_only else []),
    ]
    env = {**os.environ, "LLM_SPEED_ENGINE_ROOT": str(root), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{root}: the comparison run failed:\n{done.stderr[-3000:]}")
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


# --- the report -----------------------------------------------------------------------------


def _median(values: Sequence[float]) -> str:
    return f"{statistics.median(values):,.0f}" if values else "-"


def _p90(values: Sequence[float]) -> str:
    return f"{percentile(values, 90):,.0f}" if values else "-"


def _seconds(values: Sequence[float]) -> str:
    return f"{statistics.median(values):.1f} / {percentile(values, 90):.1f}" if values else "-"


def summary_rows(label: str, found: Sequence[dict[str, Any]], tokens_only: bool) -> list[list[str]]:
    rows = []
    for position in (FIRST, FOLLOW_UP, "all"):
        group = [r for r in found if position in ("all", r["position"])]
        prompt = [r["prompt_tokens"] for r in group if r["prompt_tokens"] is not None]
        new = [r["new_tokens"] for r in group if r["new_tokens"] is not None]
        row = [
            label,
            position,
            str(len(group)),
            _median(prompt),
            _p90(prompt),
            _median(new),
            _p90(new),
        ]
        if not tokens_only:
            gen = [r["gen_tokens"] for r in group if r["gen_tokens"] is not None]
            row += [
                _median(gen),
                _p90(gen),
                _seconds([r["model_s"] for r in group]),
                _seconds([r["wall_s"] for r in group]),
                str(sum(r["repairs"] for r in group)),
                str(sum(r["ok"] for r in group)),
            ]
        rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tokens-only", action="store_true", help="tokenize, generate nothing")
    parser.add_argument("--compare", type=Path, help="another checkout: its `ours` beside ours")
    parser.add_argument("--samples", type=int, default=len(SAMPLES), help="sample conversations")
    parser.add_argument("--dabench", type=int, default=8, help="DABench-dev tables (0: none)")
    parser.add_argument("--per-table", type=int, default=2, help="DABench questions per table")
    parser.add_argument("--modes", default="ours,naive", help="comma-separated: ours, naive")
    parser.add_argument("--threads", type=int, default=0, help="server threads (0: all cores)")
    parser.add_argument("--emit", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--address", help=argparse.SUPPRESS)
    parser.add_argument("--model-name", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    conversations = list(SAMPLES[: args.samples])
    if args.dabench:
        conversations += dabench_conversations(args.dabench, args.per_table)
    modes = [m for m in args.modes.split(",") if m]
    if not set(modes) <= {"ours", "naive"}:
        parser.error(f"unknown mode in {args.modes!r}: choose from ours, naive")
    if args.emit:  # --compare's subprocess: records of `ours` as JSON lines
        for record in records("ours", conversations, Model(args.address), args):
            print(json.dumps(record, default=str))
        return 0

    from engine.llm.local_server import start_server
    from engine.llm.model_files import verified_model_file

    model_path = verified_model_file(load_settings())
    threads = args.threads or (1 if args.tokens_only else None)
    server = start_server(model_path, Path("/tmp") / "llm_speed-logs", threads=threads)
    args.address, args.model_name = server.address, model_path.stem
    os.environ["OPENAI_BASE_URL"], os.environ["OPENAI_API_KEY"] = server.base_url, "local"
    try:
        model = Model(server.address)
        results = {}
        if args.compare is not None and "ours" in modes:
            results[f"ours ({args.compare})"] = records_of_checkout(args.compare, args)
        for mode in modes:
            label = f"ours ({ROOT})" if mode == "ours" and args.compare is not None else mode
            results[label] = records(mode, conversations, model, args)
    finally:
        server.stop()
    headers = ["prompt", "question", "asked", "prompt tok median", "p90", "new tok median", "p90"]
    if not args.tokens_only:
        headers += [
            "gen tok median",
            "p90",
            "model s median / p90",
            "wall s median / p90",
            "repairs",
            "ran",
        ]
    print(
        f"{len(conversations)} conversations, {sum(len(c.steps) for c in conversations)} "
        f"questions; model {model_path.name}" + (", tokens only" if args.tokens_only else "")
    )
    print_table(
        headers,
        [
            row
            for label, found in results.items()
            for row in summary_rows(label, found, args.tokens_only)
        ],
    )
    if args.compare is not None and "ours" in modes:
        old, new = (results[k] for k in list(results)[:2])
        before = statistics.median(r["prompt_tokens"] for r in old)
        after = statistics.median(r["prompt_tokens"] for r in new)
        print(
            f"\nmedian prompt tokens: {before:,.0f} before, {after:,.0f} after "
            f"({after / before:.0%})"
        )
    if not args.tokens_only:
        print(
            f"\ntargets on an idle 2-core machine: {FIRST} <= {FIRST_TARGET_S:g} s, "
            f"{FOLLOW_UP} <= {FOLLOW_UP_TARGET_S:g} s (median wall s above)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
