"""`python -m engine` as a subprocess, against ../shared/engine-cli.md: JSON shape and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import MESSY, ROOT, SAMPLE_DATA

TURN_KEYS = {
    *("ok", "backend", "code", "answer", "stdout", "error", "elapsed_ms"),
    *("files", "saved_tables"),  # engine-cli.md, Extensions (issue 14)
}
ERROR_KINDS = {"input", "blocked", "timeout", "memory", "output", "runtime", "llm", "unsupported"}


def engine(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {
        **os.environ,
        "DECIPHER_DATA_DIR": str(Path(os.environ.get("TMPDIR", "/tmp")) / "decipher-cli-test"),
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "engine", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=full_env,
    )


def json_lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def test_profile_json_follows_the_contract():
    proc = engine(
        "profile",
        "--data",
        str(SAMPLE_DATA / "penguins.csv"),
        "--data",
        str(SAMPLE_DATA / "Sales.csv" if False else SAMPLE_DATA / "sales.csv"),
        "--json",
    )
    assert proc.returncode == 0, proc.stderr
    (doc,) = json_lines(proc.stdout)
    assert doc["ok"] is True and doc["error"] is None
    assert [t["name"] for t in doc["tables"]] == ["penguins", "sales"]
    penguins = doc["tables"][0]
    assert {"name", "source", "rows", "columns"} <= penguins.keys()
    assert penguins["rows"] == 344
    column = penguins["columns"][0]
    for key in ("name", "type", "null_count", "distinct_count", "min", "max", "examples"):
        assert key in column
    assert column["name"] == "species"


def test_table_names_follow_the_file_stem(tmp_path):
    path = tmp_path / "Sales 2024.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    proc = engine("profile", "--data", str(path), "--json")
    assert json_lines(proc.stdout)[0]["tables"][0]["name"] == "sales_2024"


def test_profile_text_output_is_readable():
    proc = engine("profile", "--data", str(SAMPLE_DATA / "penguins.csv"))
    assert proc.returncode == 0
    assert "penguins" in proc.stdout and "344 rows" in proc.stdout and "body_mass_g" in proc.stdout


@pytest.mark.parametrize("command", ["profile", "run", "ask"])
def test_bad_file_is_a_handled_input_error(command):
    extra = {
        "profile": [],
        "run": ["--code-file", str(MESSY / "ragged.csv")],
        "ask": ["how many rows?"],
    }[command]
    proc = engine(command, "--data", str(MESSY / "binary_garbage.csv"), *extra, "--json")
    assert proc.returncode == 1
    (doc,) = json_lines(proc.stdout)
    assert doc["ok"] is False
    assert doc["error"]["kind"] == "input"
    assert "binary_garbage.csv" in doc["error"]["message"]
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["bogus"],
        ["profile"],  # --data or --db is required
        ["run", "--data", "x.csv"],  # --code-file is required
        ["ask", "--data", "x.csv", "--backend", "nope", "q"],
        ["run", "--data", "x.csv", "--code-file", "c.py", "--timeout", "-1"],
    ],
)
def test_usage_errors_exit_2(args):
    proc = engine(*args)
    assert proc.returncode == 2
    assert "usage" in proc.stderr.lower()


def test_missing_code_file_is_an_input_error(tmp_path):
    proc = engine(
        "run",
        "--data",
        str(SAMPLE_DATA / "sales.csv"),
        "--code-file",
        str(tmp_path / "nope.py"),
        "--json",
    )
    assert proc.returncode == 1
    (doc,) = json_lines(proc.stdout)
    assert TURN_KEYS <= doc.keys()
    assert doc["error"]["kind"] == "input" and "nope.py" in doc["error"]["message"]


def test_help_lists_every_subcommand():
    proc = engine("--help")
    assert proc.returncode == 0
    for command in ("profile", "run", "ask"):
        assert command in proc.stdout


def test_run_turns_share_one_session_and_follow_the_contract(tmp_path):
    first = tmp_path / "first.py"
    first.write_text('result = df.groupby("region")["quantity"].sum()\n')
    second = tmp_path / "second.py"
    second.write_text(
        "import plotly.express as px\n"
        "fig = px.bar(results[-1].reset_index(), x='region', y='quantity')\n"
        "result = fig\n"
    )
    third = tmp_path / "third.py"
    third.write_text("print('rows:', len(df))\nresult = sql('SELECT count(*) AS n FROM sales')\n")
    proc = engine(
        "run",
        "--data",
        str(SAMPLE_DATA / "sales.csv"),
        *("--code-file", str(first), "--code-file", str(second), "--code-file", str(third)),
        "--json",
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    docs = json_lines(proc.stdout)
    assert len(docs) == 3 and all(TURN_KEYS <= d.keys() for d in docs)
    table, figure, count = (d["answer"] for d in docs)
    expected = pd_sum_by_region()
    assert table["kind"] == "table" and table["table"]["row_count"] == len(expected)
    got = {row[0]: row[1] for row in table["table"]["rows"]}
    assert got == expected
    assert figure["kind"] == "figure" and figure["figure"]["data"][0]["type"] == "bar"
    rows = sum(1 for _ in (SAMPLE_DATA / "sales.csv").open()) - 1
    assert count["table"]["rows"] == [[rows]] and docs[2]["stdout"] == f"rows: {rows}\n"


def test_files_and_saved_tables_follow_the_contract_extensions(tmp_path):
    """engine-cli.md, Extensions: each turn lists the files its code wrote (kept after the
    command ends) and the tables it saved, which later turns use by name and in sql()."""
    write = tmp_path / "write.py"
    write.write_text(
        "df.head(7).to_csv('clean.csv', index=False)\n"
        "save_table('region_totals', df.groupby('region', as_index=False)['quantity'].sum())\n"
        "result = 1\n"
    )
    use = tmp_path / "use.py"
    use.write_text("result = int(sql('SELECT sum(quantity) AS q FROM region_totals')['q'][0])\n")
    plain = tmp_path / "plain.py"
    plain.write_text("result = len(region_totals)\n")
    proc = engine(
        "run",
        *("--data", str(SAMPLE_DATA / "sales.csv"), "--json"),
        *("--code-file", str(write), "--code-file", str(use), "--code-file", str(plain)),
        env={"DECIPHER_DATA_DIR": str(tmp_path / "data")},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    wrote, used, counted = json_lines(proc.stdout)
    assert wrote["saved_tables"] == ["region_totals"] and used["saved_tables"] == []
    (item,) = wrote["files"]
    assert item["name"] == "clean.csv" and item["media_type"] == "text/csv"
    kept = Path(item["path"])
    assert kept.is_absolute() and kept.is_relative_to(tmp_path / "data")
    assert kept.stat().st_size == item["bytes"] and len(kept.read_text().splitlines()) == 8
    assert used["answer"]["value"] == sum(pd_sum_by_region().values())
    assert counted["answer"]["value"] == len(pd_sum_by_region()) and counted["files"] == []
    text = engine(
        "run",
        *("--data", str(SAMPLE_DATA / "sales.csv"), "--code-file", str(write)),
        env={"DECIPHER_DATA_DIR": str(tmp_path / "data")},
    )
    assert "file: clean.csv (" in text.stdout and "saved table: region_totals" in text.stdout


def pd_sum_by_region() -> dict[str, int]:
    import pandas as pd

    frame = pd.read_csv(SAMPLE_DATA / "sales.csv")
    return {k: int(v) for k, v in frame.groupby("region")["quantity"].sum().items()}


def test_a_failing_turn_exits_1_with_a_runtime_error(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("result = df['no_such_column'].sum()\n")
    proc = engine(
        "run", "--data", str(SAMPLE_DATA / "sales.csv"), "--code-file", str(bad), "--json"
    )
    assert proc.returncode == 1
    (doc,) = json_lines(proc.stdout)
    assert doc["ok"] is False and doc["error"]["kind"] in ERROR_KINDS
    assert "no_such_column" in doc["error"]["message"]


def test_run_timeout_is_a_handled_timeout(tmp_path):
    loop = tmp_path / "loop.py"
    loop.write_text("while True:\n    pass\n")
    proc = engine(
        "run",
        *("--data", str(SAMPLE_DATA / "sales.csv"), "--code-file", str(loop)),
        *("--timeout", "1", "--json"),
    )
    assert proc.returncode == 1
    (doc,) = json_lines(proc.stdout)
    assert doc["error"]["kind"] == "timeout"


def test_ask_follows_decipher_backend_unless_backend_is_given():
    """Without --backend, `ask` uses the backend setting (it used to answer with `auto`)."""
    no_model = {"DECIPHER_BACKEND": "openai", "OPENAI_API_KEY": "", "OPENAI_BASE_URL": ""}
    data = ("--data", str(SAMPLE_DATA / "sales.csv"), "--json")
    proc = engine("ask", *data, "how many rows", env=no_model)
    assert proc.returncode == 1, proc.stderr
    (doc,) = json_lines(proc.stdout)
    assert doc["backend"] is None and "No OpenAI-compatible endpoint" in doc["error"]["message"]
    proc = engine("ask", *data, "--backend", "planner", "how many rows", env=no_model)
    assert proc.returncode == 0, proc.stderr
    assert json_lines(proc.stdout)[0]["answer"]["value"] == 5000
