"""`python -m engine`: profile, run and ask from a shell. The contract is ../shared/engine-cli.md.

`--db URL` connects a database (issue 15): its tables are profiled and queried in place.
This module only parses arguments, drives `Session`, and prints: JSON (one object per turn, one per
line) with `--json`, readable text otherwise. Exit status: 0 all turns ok, 1 a handled error,
2 a usage error. Engine errors become JSON here and nowhere else.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from engine.config import load_settings
from engine.errors import EngineError, InputError
from engine.types import Backend, ErrorInfo, RunResult, TableProfile, Turn

BACKENDS = tuple(b.value for b in Backend)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # usage errors exit 2, as the contract says
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m engine",
        description="Decipher's engine: profile tables, run code in the sandbox, ask questions.",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--data",
            action="append",
            default=[],
            metavar="PATH",
            help="a CSV/TSV/TXT, XLSX, Parquet or JSON/NDJSON file; repeat for several tables",
        )
        p.add_argument(
            "--db",
            action="append",
            default=[],
            metavar="URL",
            help="a database whose tables to use in place: postgresql://user:pass@host:5432/db "
            "or sc://host:15002 (Spark Connect); repeatable, beside or instead of --data",
        )
        p.add_argument("--json", action="store_true", help="print JSON (one object per turn)")

    p = sub.add_parser("profile", help="print each table's rows and column profile")
    common(p)
    p = sub.add_parser("run", help="run code files as successive turns of one session")
    common(p)
    p.add_argument(
        "--code-file",
        action="append",
        required=True,
        metavar="FILE",
        help="Python code; repeat for several turns",
    )
    p.add_argument("--timeout", type=float, metavar="SECONDS", help="time limit per turn")
    p = sub.add_parser("ask", help="answer a question in plain language")
    common(p)
    p.add_argument(
        "--backend",
        choices=BACKENDS,
        help=f"who writes the code (default: DECIPHER_BACKEND, else {Backend.AUTO})",
    )
    p.add_argument("--timeout", type=float, metavar="SECONDS", help="time limit per turn")
    p.add_argument("question", help="the question, in quotes")
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.data and not args.db:
        parser.error("give the tables: --data PATH and/or --db URL")
    try:
        settings = load_settings()
    except InputError as exc:  # a bad DECIPHER_* value: a usage error, before any work
        sys.stderr.write(f"{parser.prog}: error: {exc.message}\n")
        return 2
    if getattr(args, "timeout", None) is not None:
        try:  # checked against the setting's bounds, like the environment's value
            settings = settings.with_overrides("--timeout", sandbox_timeout_s=args.timeout)
        except InputError as exc:
            parser.error(exc.message)

    from engine.session import Session

    started = time.perf_counter()
    # the files code writes outlive the command: kept under the data directory (issue 14)
    files_dir = settings.data_path / "files" / f"cli-{uuid.uuid4().hex[:12]}"
    with Session(settings, files_dir=files_dir) as session:
        try:
            for path in args.data:
                session.load(path)
            for url in args.db:  # the message of a failed connection shows no secret
                session.connect_database(url)
        except EngineError as exc:
            return _fail(args, exc.to_info(), out, elapsed_ms=_ms(started))
        if args.command == "profile":
            return _print_profiles(args, session.profiles(), out)
        if args.command == "run":
            try:
                codes = [_read_code(Path(f)) for f in args.code_file]
            except EngineError as exc:
                return _fail(args, exc.to_info(), out)
            turns = [session.run(code) for code in codes]
        else:
            turns = [session.ask(args.question, backend=args.backend)]
    for turn in turns:
        _print_turn(args, turn, out)
    return 0 if all(t.ok for t in turns) else 1


def _read_code(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"Cannot read code file '{path}' ({exc}). Check the path.") from None


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _fail(args: argparse.Namespace, error: ErrorInfo, out: TextIO, elapsed_ms: float = 0.0) -> int:
    """A handled error before any turn ran (e.g. a file that cannot be loaded)."""
    if args.json:
        if args.command == "profile":
            out.write(json.dumps({"ok": False, "tables": [], "error": error.to_json()}) + "\n")
        else:
            turn = Turn(
                question=getattr(args, "question", None),
                code=None,
                result=RunResult(ok=False, error=error, elapsed_ms=elapsed_ms),
            )
            _print_turn(args, turn, out)
    else:
        sys.stderr.write(f"error ({error.kind}): {error.message}\n")
    return 1


def _print_profiles(args: argparse.Namespace, profiles: list[TableProfile], out: TextIO) -> int:
    if args.json:
        tables = [p.to_json() for p in profiles]
        out.write(
            json.dumps({"ok": True, "tables": tables, "error": None}, ensure_ascii=False) + "\n"
        )
        return 0
    for p in profiles:
        out.write(f"{p.name}  ({p.source})  {p.rows:,} rows, {len(p.columns)} columns\n")
        for note in p.notes:
            out.write(f"  note: {note}\n")
        for c in p.columns:
            approx = "~" if c.distinct_approximate else ""
            span = f"  {c.min} .. {c.max}" if c.min is not None else ""
            examples = ", ".join(str(v) for v in c.examples[:3])
            out.write(
                f"  {c.name:<24} {c.type:<12} nulls {c.null_count:<8} distinct {approx}{c.distinct_count:<8}"
                f"{span}  e.g. {examples}\n"
            )
        out.write("\n")
    return 0


def _print_turn(args: argparse.Namespace, turn: Turn, out: TextIO) -> None:
    if args.json:
        out.write(json.dumps(turn.to_json(), ensure_ascii=False, default=str) + "\n")
        return
    if turn.backend:
        out.write(f"[{turn.backend}] {turn.explanation}\n")
    if turn.result.stdout:
        out.write(turn.result.stdout.rstrip("\n") + "\n")
    answer = turn.result.answer
    if answer is not None:
        out.write(answer.text + "\n")
        if answer.table is not None:
            table = answer.table
            out.write("\t".join(table.columns) + "\n")
            for row in table.rows[:20]:
                out.write("\t".join("" if v is None else str(v) for v in row) + "\n")
            if table.row_count > 20:
                out.write(f"... showing 20 of {table.row_count:,} rows\n")
    for item in turn.result.files:
        out.write(f"file: {item.name} ({item.bytes:,} bytes, {item.media_type}) {item.path}\n")
    for saved in turn.result.saved_tables:
        out.write(f"saved table: {saved.name}\n")
    if turn.result.error is not None:
        out.write(f"error ({turn.result.error.kind}): {turn.result.error.message}\n")
        if turn.result.error.detail:
            out.write(turn.result.error.detail.rstrip() + "\n")
