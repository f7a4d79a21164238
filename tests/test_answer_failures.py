"""What a failed turn says (issue 16): the clearest explanation any try gave, in plain words,
with the raw exception one click away in the detail. On the real sandbox, with the model played
by the scripted OpenAI-compatible server."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.answer.failures import Try, failed_turn_error
from engine.types import Answer, ErrorInfo, RunResult, TableData
from tests.fake_openai import FakeOpenAI, Reply
from tests.test_answer_loop import fenced

COLUMNS = "'order_id', 'order_date', 'region', 'product', 'category', 'segment', 'unit_price', "
COLUMNS += "'quantity', 'discount'"


@pytest.fixture(autouse=True)
def no_endpoint_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)


def with_table(session, folder: Path, name: str, text: str):
    """`session` with the CSV `text` loaded as table `name` (written under `folder` first)."""
    path = folder / f"{name}.csv"
    path.write_text(text, encoding="utf-8")
    session.load(path, name=name)
    return session


def ask_model(session, question: str, replies: list[str], **settings):
    """`session.ask` with the model answering `replies` in turn."""
    with FakeOpenAI([Reply(fenced(code)) for code in replies]) as server:
        session.update_settings(
            session.settings.with_overrides(
                backend="openai", llm_base_url=server.base_url, **settings
            )
        )
        return session.ask(question), server


def test_a_crash_after_a_column_check_shows_the_check_not_the_exception(session) -> None:
    """The model keeps reading a column that does not exist; out of repairs it runs and fails
    with KeyError. The page shows the check's sentence; the KeyError is the detail."""
    bad = "result = df.groupby('region')['rebate'].sum()"
    worse = "result = df.groupby('region')['rebate'].mean()"  # the same code again would stop
    plain = "result = 1 / 0"  # the plain prompt's fresh program fails too, three times
    turn, server = ask_model(
        session, "total rebate by region", [bad, worse, plain, plain, plain], repair_attempts=1
    )
    assert len(server.requests) == 5 and not turn.ok
    error = turn.result.error
    assert error.message == (
        f"Column 'rebate' does not exist in table sales. Its columns are: {COLUMNS}."
    )
    assert "KeyError" not in error.message and "cannot_answer" not in error.message
    assert error.kind == "runtime"  # what happened; the contract kind is unchanged
    assert (
        error.detail.startswith("The last attempt failed with KeyError:")
        and "rebate" in error.detail
    )
    assert "line 1" in error.detail
    (attempt,) = turn.attempts  # the check's words for you; the model got the instruction
    assert (
        attempt.result.error.kind == "input" and "cannot_answer" not in attempt.result.error.message
    )
    assert "cannot_answer" in server.requests[1].messages[-1]["content"]


def test_a_crash_with_nothing_clearer_keeps_its_own_message(session) -> None:
    turn, _ = ask_model(session, "total quantity", ["result = 1 / 0"], repair_attempts=0)
    assert not turn.ok and turn.result.error.message.startswith("ZeroDivisionError")


def test_an_empty_result_before_a_crash_is_the_explanation(session) -> None:
    """Filtering on a region that does not exist gives no rows; the 'repair' then crashes.
    The empty-result note names the values that exist."""
    empty = "result = df[df['region'] == 'Westt'].groupby('category')['quantity'].sum()"
    crash = "result = df[df['region'] == 'Westt']['quantity'].iloc[0]"
    turn, _ = ask_model(session, "quantity by category in Westt", [empty, crash], repair_attempts=1)
    assert not turn.ok
    message = turn.result.error.message
    assert message.startswith("The result is empty: no row has region = 'Westt'")
    assert "'West'" in message and "IndexError" in turn.result.error.detail


RAW = ErrorInfo("runtime", "KeyError: 'x' (line 1)", "Traceback (your code): ...")
CHECK = RunResult(ok=False, error=ErrorInfo("input", "column 'x' does not exist in table t."))
DECLINE = RunResult(ok=False, error=ErrorInfo("unsupported", "The tables cannot answer this: x"))
EMPTY = RunResult(
    ok=True,
    answer=Answer("table", "The result is empty: no row matched.", table=TableData(("a",), (), 0)),
)
CRASH = RunResult(ok=False, error=RAW)


@pytest.mark.parametrize(
    ("tries", "message"),
    [
        ([Try(CRASH)], RAW.message),  # nothing clearer
        ([Try(CHECK), Try(CRASH)], "Column 'x' does not exist in table t."),
        ([Try(DECLINE), Try(CRASH)], "The tables cannot answer this: x"),
        ([Try(EMPTY), Try(CRASH)], "The result is empty: no row matched."),
        (
            [Try(EMPTY), Try(DECLINE), Try(CHECK), Try(CRASH)],
            "Column 'x' does not exist in table t.",
        ),
        ([Try(CRASH, ("column 'y' does not exist",))], "Column 'y' does not exist"),
        ([Try(CHECK), Try(DECLINE)], "The tables cannot answer this: x"),  # not raw: kept
    ],
)
def test_the_clearest_explanation_is_chosen(tries: list[Try], message: str) -> None:
    error = failed_turn_error(tries)
    assert error is not None and error.message == message
    assert error.kind == tries[-1].result.error.kind
    if message != tries[-1].result.error.message:
        assert error.detail == f"The last attempt failed with {RAW.message}\n\n{RAW.detail}"


def test_an_answered_turn_has_no_error() -> None:
    assert failed_turn_error([Try(CHECK), Try(EMPTY)]) is None
