"""The draft -> check -> run -> repair loop, against the fake OpenAI server (real SDK, real HTTP).

`Runner` stands in for the sandbox (engine/sandbox) in these tests only: it executes the code
in-process with the documented namespace and returns a RunResult, which is all the loop needs.
tests/test_answer_auto.py drives the same loop through Session and the real sandbox.
"""

from __future__ import annotations

import traceback

import duckdb
import pandas as pd
import pytest

from engine.answer import Context, Progress, answer_question
from engine.answer.checks import FILE_ACCESS_PROBLEM
from engine.answer.llm_drafter import LLMDrafter
from engine.config import load_settings
from engine.llm import LLMConfig
from engine.prompt import PLAIN_ROLE, REPLY_REMINDER, messages_for_question
from engine.types import Answer, ColumnProfile, ErrorInfo, RunResult, TableProfile
from tests.fake_openai import FakeOpenAI, Reply, closed_port_url

FENCE = "```"
FRAME = pd.DataFrame({"region": ["N", "S", "N"], "price": [1.0, 2.0, 4.0]})
PROFILE = TableProfile(
    "sales",
    "sales.csv",
    3,
    (
        ColumnProfile("region", "VARCHAR", 0, 2),
        ColumnProfile("price", "DOUBLE", 0, 3, min=1.0, max=4.0),
    ),
)
SETTINGS = load_settings({})


class Runner:
    """Executes code like the sandbox would (namespace per engine-cli.md), counting the runs."""

    def __init__(self) -> None:
        self.codes: list[str] = []
        self.frame = FRAME

    def __call__(self, code: str) -> RunResult:
        self.codes.append(code)
        con = duckdb.connect()
        con.register("sales", self.frame)
        frame = self.frame
        namespace = {"df": frame.copy(), "sales": frame.copy(), "pd": pd, "results": []}
        namespace["sql"] = lambda query: con.sql(query).df()
        try:
            exec(compile(code, "<turn-1>", "exec"), namespace)
        except Exception as exc:  # the generated code's own error becomes a value
            frames = [
                f for f in traceback.extract_tb(exc.__traceback__) if f.filename == "<turn-1>"
            ]
            detail = "".join(traceback.format_list(frames)) + f"{type(exc).__name__}: {exc}"
            return RunResult(
                ok=False, error=ErrorInfo("runtime", f"{type(exc).__name__}: {exc}", detail)
            )
        finally:
            con.close()
        return RunResult(
            ok=True,
            answer=Answer("value", str(namespace.get("result")), value=namespace.get("result")),
        )


def fenced(code: str) -> str:
    return f"Here you go:\n{FENCE}python\n{code}\n{FENCE}"


def config_for(url: str) -> LLMConfig:
    return LLMConfig(backend="openai", base_url=url, api_key="sk-t", model="m", timeout_s=5.0)


def ask(server_url: str, replies_question: str = "total price?", settings=SETTINGS, history=()):
    runner = Runner()
    progress: list[Progress] = []
    context = Context([PROFILE], list(history), settings, progress.append)
    drafters = [LLMDrafter(config_for(server_url))]
    turn = answer_question(replies_question, drafters, runner, context)
    return turn, runner, progress


def test_first_reply_that_runs_is_the_answer() -> None:
    with FakeOpenAI(
        [Reply(fenced("df['price'].sum()"), prompt_tokens=300, completion_tokens=9)]
    ) as server:
        turn, runner, progress = ask(server.base_url)
    assert turn.ok and turn.result.answer.value == 7.0
    assert turn.code == "result = df['price'].sum()"  # last expression made the result
    assert (turn.backend, turn.prompt_tokens, turn.completion_tokens) == ("openai", 300, 9)
    assert turn.llm_ms > 0 and turn.attempts == () and turn.created_at
    stages = [p.stage for p in progress]
    assert stages[:2] == ["prompt", "model"] and stages[-2:] == ["check", "run"]
    assert "".join(p.text for p in progress if p.stage == "token") == fenced("df['price'].sum()")
    (sent,) = server.requests
    assert sent.messages == messages_for_question("total price?", [PROFILE], [], SETTINGS)
    assert sent.body["stream"] is True


def test_a_failed_run_goes_back_with_its_traceback() -> None:
    broken = "result = df.groupby('region')['price'].mean()['X']"
    with FakeOpenAI([Reply(fenced(broken)), Reply(fenced("result = df['price'].max()"))]) as server:
        turn, runner, progress = ask(server.base_url)
    assert turn.ok and turn.result.answer.value == 4.0
    assert runner.codes == [broken, "result = df['price'].max()"]
    (attempt,) = turn.attempts
    assert attempt.code == broken and attempt.result.error.message.startswith("KeyError")
    repair = server.requests[1].messages
    assert repair[:-2] == server.requests[0].messages  # same conversation, two messages longer
    assert repair[-2] == {"role": "assistant", "content": f"{FENCE}python\n{broken}\n{FENCE}"}
    assert "KeyError: 'X'" in repair[-1]["content"] and 'File "<turn-1>"' in repair[-1]["content"]
    assert "repair" in [p.stage for p in progress]
    assert (turn.prompt_tokens, turn.completion_tokens) == (22, 14)  # both requests counted


def test_a_reply_cut_at_the_token_limit_is_asked_again_shorter() -> None:
    """A long program the model wrote past the token limit (8 statistics on DABench-dev q378)
    ends mid-line; 'fix the SyntaxError' got the same long program, cut at the same place."""
    cut = "a = df['price'].mean()\nresult = f'@mean[{a:.2f}] @max[{df[\"pri"
    whole = "result = df['price'].max()"
    replies = [Reply(fenced(cut)[:-4], finish_reason="length"), Reply(fenced(whole))]
    with FakeOpenAI(replies) as server:
        turn, runner, _ = ask(server.base_url)
    assert turn.ok and turn.result.answer.value == 4.0
    request = server.requests[1].messages[-1]["content"]
    assert request.startswith("Your reply stopped at the limit of 1024 tokens")
    assert "SyntaxError" in request and "Write shorter code" in request


def test_a_turn_whose_replies_were_cut_says_so() -> None:
    cut = Reply(fenced("result = df['pri")[:-4], finish_reason="length")
    with FakeOpenAI([cut] * 3) as server:
        turn, _, _ = ask(server.base_url, settings=SETTINGS.with_overrides(repair_attempts=1))
    assert not turn.ok
    assert turn.result.error.message.startswith("The model's reply stopped at its token limit")
    assert "SyntaxError" in turn.result.error.detail


@pytest.mark.parametrize("repairs", [0, 1, 2])
def test_repairs_are_bounded_by_the_setting(repairs: int) -> None:
    settings = SETTINGS.with_overrides(repair_attempts=repairs)
    codes = [f"result = {i} / 0" for i in range(repairs + 1)]
    plain = Reply(fenced("result = 9 / 0"))  # a fresh program (tests/test_afresh.py), repeated
    with FakeOpenAI([*(Reply(fenced(c)) for c in codes), plain, plain]) as server:
        turn, runner, _ = ask(server.base_url, settings=settings)
    asked = [r for r in server.requests if r.messages[0]["content"] != PLAIN_ROLE]
    assert len(asked) == repairs + 1 and runner.codes == [*codes, "result = 9 / 0"]
    assert not turn.ok and turn.result.error.kind == "runtime"
    assert "ZeroDivisionError" in turn.result.error.message
    assert len(turn.attempts) == repairs


def test_the_same_code_again_after_a_failed_run_ends_the_repairs() -> None:
    """Issue 16: a repeated program fails the same way; running it again, and asking for
    another repair (a model round trip: tens of seconds on the local model), is waste."""
    with FakeOpenAI([Reply(fenced("result = 1 / 0"))] * 6) as server:
        turn, runner, progress = ask(server.base_url)  # two repairs allowed
    # the repair is sampled once more; the fourth to sixth: the plain prompt's fresh program
    # (tests/test_afresh.py), repeated twice the same way
    assert len(server.requests) == 6 and runner.codes == ["result = 1 / 0"] * 2
    assert not turn.ok and "ZeroDivisionError" in turn.result.error.message
    assert turn.attempts == () and turn.prompt_tokens == 66  # the repeats' tokens are counted
    said = [p.text for p in progress]
    assert said.count("the model wrote the same code again; asking it once more") == 2
    assert "the model wrote the same code again; stopping" in said


def test_a_repair_that_rewrote_the_failing_code_is_sampled_once_more() -> None:
    """At temperature 0 the embedded model rewrites most programs it cannot mend unchanged (14
    of 18 failing DABench-dev questions traced); the same request, sampled, may mend it."""
    mended = "result = df['price'].sum()"
    replies = [Reply(fenced(c)) for c in ("result = 1 / 0", "result = 1 / 0", mended)]
    with FakeOpenAI(replies) as server:
        turn, runner, progress = ask(server.base_url)
    assert turn.ok and turn.result.answer.value == 7.0
    assert runner.codes == ["result = 1 / 0", mended]  # the repeat did not run
    first, repair, resampled = (r.body for r in server.requests)
    assert resampled["messages"] == repair["messages"]  # the same request, sampled
    assert repair.get("temperature") != 0.7 and resampled["temperature"] == 0.7
    assert resampled["seed"] == 1  # a question asked again draws the same one
    assert "the model wrote the same code again; asking it once more" in [p.text for p in progress]
    assert turn.prompt_tokens == 33  # the repeat's tokens are counted


def test_a_repeat_cut_at_the_token_limit_is_not_sampled_once_more() -> None:
    """A sample of a reply that ran to the token limit is likely as long: another of the
    longest generations there are. The repairs end at the repeat instead."""
    cut = Reply(fenced("result = df['pri")[:-4], finish_reason="length")
    whole = "result = df['price'].max()"  # the plain prompt's fresh program
    with FakeOpenAI([cut, cut, Reply(fenced(whole)), Reply(fenced(whole))]) as server:
        turn, runner, progress = ask(server.base_url)
    main = [r.body for r in server.requests if r.messages[0]["content"] != PLAIN_ROLE]
    assert len(main) == 2 and all(r.get("temperature") != 0.7 for r in main)
    said = [p.text for p in progress]
    assert "the model wrote the same code again; asking it once more" not in said
    assert "the model wrote the same code again; stopping" in said
    assert turn.ok and turn.result.answer.value == 4.0 and runner.codes[-1] == whole


def test_the_same_code_again_after_a_failed_check_runs_it_and_ends_the_repairs() -> None:
    """A program the check sent back, written again, would be sent back again: on a DABench
    question the local model wrote the same file read three times (three round trips). It runs
    as it is instead, as out of repairs: the sandbox has the last word, and no further repair
    is asked."""
    code = "result = df['prices'].sum()"
    with FakeOpenAI([Reply(fenced(code))] * 4) as server:
        turn, runner, progress = ask(server.base_url)  # two repairs allowed
    assert len(server.requests) == 4 and runner.codes == [code, code]  # 2 more: the plain's
    assert not turn.ok and turn.result.error.kind == "runtime"
    assert turn.result.error.message.startswith("Column 'prices' does not exist")  # a sentence
    assert "KeyError" in turn.result.error.detail
    assert "the model wrote the same code again; running it" in [p.text for p in progress]


def test_unknown_column_is_fed_back_without_running() -> None:
    replies = [
        Reply(fenced("result = df['prices'].sum()")),
        Reply(fenced("result = df['price'].sum()")),
    ]
    with FakeOpenAI(replies) as server:
        turn, runner, _ = ask(server.base_url)
    assert turn.ok and runner.codes == ["result = df['price'].sum()"]  # the bad draft never ran
    feedback = server.requests[1].messages[-1]["content"]
    assert "column 'prices' does not exist in table sales; did you mean 'price'?" in feedback
    assert turn.attempts[0].result.error.kind == "input"


def test_when_repairs_run_out_a_suspect_column_still_runs() -> None:
    settings = SETTINGS.with_overrides(repair_attempts=0)
    with FakeOpenAI([Reply(fenced("result = df['prices'].sum()"))]) as server:
        turn, runner, _ = ask(server.base_url, settings=settings)
    assert runner.codes == ["result = df['prices'].sum()"]  # the sandbox has the last word
    error = turn.result.error  # the check's words are shown; the exception is the detail
    assert not turn.ok and error.message.startswith("Column 'prices' does not exist")
    assert error.kind == "runtime" and "KeyError: 'prices'" in error.detail


def test_reading_a_loaded_tables_file_uses_the_table() -> None:
    code = "df = pd.read_csv('sales.csv')\nresult = df['price'].sum()"
    with FakeOpenAI([Reply(fenced(code))]) as server:
        turn, runner, _ = ask(server.base_url)
    assert turn.ok and len(server.requests) == 1
    assert runner.codes == ["df = sales.copy()\nresult = df['price'].sum()"]


def test_reading_other_files_is_refused_before_running() -> None:
    replies = [
        Reply(fenced("df = pd.read_csv('/etc/passwd')\nresult = df['price'].sum()")),
        Reply(fenced("result = df['price'].sum()")),
    ]
    with FakeOpenAI(replies) as server:
        turn, runner, _ = ask(server.base_url)
    assert turn.ok and len(runner.codes) == 1
    assert FILE_ACCESS_PROBLEM in server.requests[1].messages[-1]["content"]


def test_code_that_does_not_parse_goes_back_with_its_syntax_error_not_a_file_guess() -> None:
    """DABench q144: a read of the loaded table's file in code with an unclosed bracket was sent
    back as "reads a file" (a pattern's guess), and the repair kept the bracket."""
    broken = "df = pd.read_csv('sales.csv')\nresult = f\"{df['price'].sum()]}\""
    replies = [Reply(fenced(broken)), Reply(fenced("result = df['price'].sum()"))]
    with FakeOpenAI(replies) as server:
        turn, runner, _ = ask(server.base_url)
    assert turn.ok and turn.result.answer.value == 7.0
    repair = server.requests[1].messages[-1]["content"]
    assert "SyntaxError" in repair and FILE_ACCESS_PROBLEM not in repair


def test_no_code_gets_one_reminder() -> None:
    replies = [Reply("The total price is probably 7."), Reply(fenced("result = df['price'].sum()"))]
    with FakeOpenAI(replies) as server:
        turn, _, _ = ask(server.base_url)
    assert turn.ok
    assert server.requests[1].messages[-2:] == [
        {"role": "assistant", "content": "The total price is probably 7."},
        {"role": "user", "content": REPLY_REMINDER},
    ]


def test_no_code_twice_is_a_clear_llm_error() -> None:
    """(The plain prompt is asked too: tests/test_afresh.py.)"""
    replies = [Reply("I think 7."), Reply("Still 7."), Reply("7."), Reply("7, as I said.")]
    with FakeOpenAI(replies) as server:
        turn, runner, _ = ask(server.base_url)
    assert not turn.ok and runner.codes == []
    assert turn.result.error.kind == "llm"
    assert "without Python code twice" in turn.result.error.message
    assert len(server.requests) == 4


def test_llm_failures_become_turns_not_exceptions() -> None:
    with FakeOpenAI([Reply(status=401, error_message="bad key")]) as server:
        turn, runner, _ = ask(server.base_url)
    assert not turn.ok and turn.result.error.kind == "llm"
    assert "OPENAI_API_KEY" in turn.result.error.message and runner.codes == []
    turn, _, _ = ask(closed_port_url())
    assert turn.result.error.kind == "llm" and "Cannot connect" in turn.result.error.message


def test_a_failure_during_repair_keeps_the_attempts(monkeypatch) -> None:
    monkeypatch.setattr("engine.llm.client.time.sleep", lambda _s: None)
    replies = [Reply(fenced("result = 1 / 0")), Reply(status=500, error_message="boom")] + [
        Reply(status=500)
    ] * 3
    with FakeOpenAI(replies) as server:
        turn, runner, _ = ask(server.base_url)
    assert turn.result.error.kind == "llm" and turn.code == "result = 1 / 0"
    assert len(turn.attempts) == 1 and len(runner.codes) == 1


def test_follow_up_carries_the_earlier_turn() -> None:
    with FakeOpenAI(
        [Reply(fenced("result = df['price'].sum()")), Reply(fenced("result = df['price'].mean()"))]
    ) as server:
        first, _, _ = ask(server.base_url, "total price?")
        second, _, _ = ask(server.base_url, "and the mean?", history=[first])
    assert second.ok and second.result.answer.value == pytest.approx(7 / 3)
    one, two = (r.messages for r in server.requests)
    assert two[0] == one[0]  # byte-identical system prefix (KV-cache reuse)
    assert two[1] == one[1] and two[2]["content"].endswith("result = df['price'].sum()\n```")
    assert "(The code above gave: 7.0)" in two[3]["content"]


def test_code_that_says_the_tables_cannot_answer_is_declined_not_repaired(session_runner) -> None:
    """cannot_answer(...) in the real sandbox: an honest decline, never sent back for repair."""
    code = "cannot_answer('there is no customer column; the tables have order_id and price')"
    with FakeOpenAI([Reply(fenced(code)), Reply(fenced("result = 1"))]) as server:
        context = Context(session_runner.profiles(), [], SETTINGS)
        turn = answer_question(
            "which 5 customers spent the most?",
            [LLMDrafter(config_for(server.base_url))],
            session_runner.run_code,
            context,
        )
    assert len(server.requests) == 1 and turn.attempts == ()
    assert not turn.ok and turn.result.error.kind == "unsupported"
    assert turn.result.error.message == (
        "The tables cannot answer this: there is no customer column; the tables have order_id "
        "and price"
    )


@pytest.fixture
def session_runner(session):
    """The sales sample in a real session: its sandbox runs the code."""
    return session


def test_arithmetic_on_one_value_twice_goes_back_before_running() -> None:
    replies = [
        Reply(fenced("result = df['price'].max() - df['price'].max()")),
        Reply(fenced("result = df['price'].max() - df['price'].min()")),
    ]
    with FakeOpenAI(replies) as server:
        turn, runner, _ = ask(server.base_url, "difference between the highest and lowest price?")
    assert turn.ok and turn.result.answer.value == 3.0
    assert runner.codes == ["result = df['price'].max() - df['price'].min()"]  # never ran
    feedback = server.requests[1].messages[-1]["content"]
    assert "subtracts `df['price'].max()` from itself, which is always 0" in feedback


def test_out_of_repairs_one_value_twice_runs_and_is_declined_with_its_result() -> None:
    settings = SETTINGS.with_overrides(repair_attempts=0)
    code = "result = df['price'].max() - df['price'].max()"
    with FakeOpenAI([Reply(fenced(code))]) as server:
        turn, runner, _ = ask(server.base_url, "highest minus lowest price?", settings=settings)
    assert runner.codes == [code]  # the sandbox has the last word, but not the answer
    error = turn.result.error
    assert not turn.ok and error.kind == "unsupported"
    assert error.message.startswith("The code subtracts `df['price'].max()` from itself")
    assert error.detail == "Its result: 0.0"


def test_the_same_code_again_keeps_one_value_twice_from_the_answer() -> None:
    """Written again after the check, the code runs as it is and is declined with its result,
    as out of repairs: a decline, not a failure (DABench-dev 56, a coercion kept)."""
    code = "result = df['price'].max() - df['price'].max()"
    with FakeOpenAI([Reply(fenced(code)), Reply(fenced(code))]) as server:
        turn, runner, _ = ask(server.base_url, "highest minus lowest price?")
    assert not turn.ok and runner.codes == [code] and len(server.requests) == 2
    error = turn.result.error
    assert error.kind == "unsupported" and "from itself, which is always 0" in error.message
    assert error.detail == "Its result: 0.0"


def test_one_column_filtered_on_two_values_at_once_goes_back_and_is_declined_if_kept() -> None:
    """`(df['region'] == 'N') & (df['region'] == 'S')` keeps no row whatever the table holds
    (wtq-train nt-8339 compared two such empty sums and answered True): the repair that takes
    either value answers once a plain program agrees (the code misread the question: nt-8339's
    and nt-293's repairs were wrong); a repair that keeps it runs, and its result is only shown
    to check."""
    both = "result = df[(df['region'] == 'N') & (df['region'] == 'S')]['price'].sum()"
    either = "result = df[df['region'].isin(['N', 'S'])]['price'].sum()"
    plain = "result = df.loc[df['region'] != 'E', 'price'].sum()"
    with FakeOpenAI([Reply(fenced(c)) for c in (both, either, plain)]) as server:
        turn, runner, _ = ask(server.base_url, "total price of regions N and S?")
    assert turn.ok and turn.result.answer.value == 7.0 and runner.codes == [either, plain]
    feedback = server.requests[1].messages[-1]["content"]
    assert "keeps the rows where `df['region']` is 'N' and 'S' at once" in feedback
    assert "its first program keeps the rows where `df['region']` is 'N' and 'S' at once, " in (
        turn.explanation
    )
    assert "a second program, from a plain prompt, agrees" in turn.explanation
    north, south = (f"result = df.loc[df['region'] == '{r}', 'price'].sum()" for r in "NS")
    with FakeOpenAI([Reply(fenced(c)) for c in (both, either, north, south)]) as server:
        turn, _, _ = ask(server.base_url, "total price of regions N and S?")
    assert not turn.ok and turn.result.error.message.startswith("Not sure enough to answer")
    settings = SETTINGS.with_overrides(repair_attempts=0)
    with FakeOpenAI([Reply(fenced(both))]) as server:
        turn, runner, _ = ask(server.base_url, "total price of N and S?", settings=settings)
    error = turn.result.error
    assert not turn.ok and error.kind == "unsupported" and runner.codes == [both]
    assert error.message.startswith("The code keeps the rows where `df['region']` is 'N' and 'S'")
    assert error.detail == "Its result: 0.0"


def test_a_text_column_added_up_goes_back_and_is_declined_if_kept() -> None:
    """`.sum()` of a text column joins its texts ("NSN" for three regions): never run as the
    answer. The repair that counts instead answers; a repair that keeps it runs, but its
    result is only shown to check (issue 13)."""
    joined = "result = df['region'].sum()"
    counted = "result = len(df)"
    with FakeOpenAI([Reply(fenced(joined)), Reply(fenced(counted))]) as server:
        turn, runner, _ = ask(server.base_url, "how many sales are there?")
    assert turn.ok and turn.result.answer.value == 3 and runner.codes == [counted]
    assert "adds up the text column 'region'" in server.requests[1].messages[-1]["content"]
    settings = SETTINGS.with_overrides(repair_attempts=0)
    with FakeOpenAI([Reply(fenced(joined))]) as server:
        turn, runner, _ = ask(server.base_url, "sum of the region column", settings=settings)
    error = turn.result.error
    assert not turn.ok and error.kind == "unsupported" and runner.codes == [joined]
    assert error.message.startswith("The code adds up the text column 'region' with .sum()")
    assert error.detail == "Its result: NSN"
