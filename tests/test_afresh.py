"""Code that still fails after its repairs: a program from the plain prompt, checked by others.

The loop runs on the fake OpenAI server (real SDK, real HTTP) with the in-process runner of
tests/test_answer_loop.py; tests/test_answer_auto.py drives the same loop on the real sandbox.
"""

from __future__ import annotations

from dataclasses import replace

from engine.answer import Context, answer_question
from engine.answer.llm_drafter import LLMDrafter
from engine.prompt import PLAIN_ROLE
from tests.fake_openai import FakeOpenAI, Reply
from tests.test_answer_failures import ask_model
from tests.test_answer_loop import PROFILE, SETTINGS, Runner, config_for, fenced

QUESTION = "how many sales were in region N?"
BROKEN = "result = len(df[df['region'] == 'N']) / 0"
PLAIN = "result = len(df[df['region'] == 'N'])"  # 2
AGREES = "result = int((df['region'] == 'N').sum())"  # 2
DIFFERS = "result = int((df['region'] == 'S').sum())"  # 1


def _ask(replies: list[str], profile=PROFILE, settings=SETTINGS):
    """The loop with no repairs, so the first program's failure is final at once."""
    runner = Runner()
    with FakeOpenAI([Reply(fenced(code)) for code in replies]) as server:
        context = Context([profile], [], replace(settings, repair_attempts=0))
        turn = answer_question(QUESTION, [LLMDrafter(config_for(server.base_url))], runner, context)
    return turn, server.requests, runner


def test_a_failed_program_is_answered_afresh_when_two_plain_programs_agree() -> None:
    turn, requests, runner = _ask([BROKEN, PLAIN, AGREES])
    assert turn.ok and turn.result.answer.value == 2 and turn.code == PLAIN
    assert runner.codes == [BROKEN, PLAIN, AGREES]
    first, plain, check = (r.body for r in requests)
    assert first["messages"][0]["content"] != PLAIN_ROLE
    assert plain["messages"][0]["content"] == PLAIN_ROLE == check["messages"][0]["content"]
    assert (check["temperature"], check["seed"]) == (SETTINGS.llm_candidate_temperature, 1)
    assert turn.explanation == "the first program failed; two from a plain prompt agree"
    (failed,) = turn.attempts  # the first program's failure stays to see
    assert "ZeroDivisionError" in failed.result.error.message


def test_a_plain_answer_neither_sampled_program_computes_is_declined() -> None:
    turn, requests, _ = _ask([BROKEN, PLAIN, DIFFERS, DIFFERS])
    assert not turn.ok and turn.result.error.kind == "unsupported" and len(requests) == 4
    assert turn.result.error.message == (
        "Not sure enough to answer: the first program failed, and of three programs from a plain "
        "prompt, the second computed 1 and the third 1. Rephrase the question, or edit the code "
        "below."
    )
    assert turn.result.answer.value == 2 and turn.result.error.detail == "Its result: 2"
    assert turn.code == PLAIN
    turn, _, _ = _ask([BROKEN, PLAIN, BROKEN, BROKEN])  # the checks' code fails: no answer
    assert not turn.ok and "the second computed no answer and the third no answer" in (
        turn.result.error.message
    )


def test_a_third_plain_program_that_agrees_lets_the_answer_stand() -> None:
    """When the second plain program computes another answer or none, a third (seed 2) is
    asked: two of three agreeing stand, with what the other computed (stop 52: 2 more right
    answers of 10 such questions, none wrong)."""
    turn, requests, runner = _ask([BROKEN, PLAIN, DIFFERS, AGREES])
    assert turn.ok and turn.result.answer.value == 2 and turn.code == PLAIN
    assert runner.codes == [BROKEN, PLAIN, DIFFERS, AGREES]
    third = requests[3].body
    assert third["messages"][0]["content"] == PLAIN_ROLE
    assert (third["temperature"], third["seed"]) == (SETTINGS.llm_candidate_temperature, 2)
    assert turn.explanation == (
        "the first program failed; of three from a plain prompt two agree, one computed 1"
    )
    turn, _, _ = _ask([BROKEN, PLAIN, BROKEN, AGREES])
    assert turn.ok and turn.result.answer.value == 2
    assert turn.explanation.endswith("two agree, one computed no answer")


def test_when_the_plain_code_fails_too_the_first_failure_is_the_turn() -> None:
    turn, requests, _ = _ask([BROKEN, "result = df['no such column'].sum()"])
    assert not turn.ok and len(requests) == 2
    assert "ZeroDivisionError" in turn.result.error.message and turn.code == BROKEN


def _ask_replies(replies: list[Reply]):
    runner = Runner()
    with FakeOpenAI(replies) as server:
        context = Context([PROFILE], [], replace(SETTINGS, repair_attempts=0))
        turn = answer_question(QUESTION, [LLMDrafter(config_for(server.base_url))], runner, context)
    return turn, server.requests, runner


def test_a_reply_with_no_code_is_answered_afresh_when_two_plain_programs_agree() -> None:
    """Two replies with no code to the full prompt ended the turn (DABench-dev q26 at stop 54);
    the plain prompt is another way to get a program, under the same check."""
    prose = [Reply("The answer is 2."), Reply("It is 2.")]
    turn, requests, runner = _ask_replies([*prose, Reply(fenced(PLAIN)), Reply(fenced(AGREES))])
    assert turn.ok and turn.result.answer.value == 2 and turn.code == PLAIN
    assert runner.codes == [PLAIN, AGREES]
    plain = [r.body["messages"][0]["content"] == PLAIN_ROLE for r in requests]
    assert plain == [False, False, True, True]
    assert turn.explanation == "the first reply had no code; two from a plain prompt agree"
    turn, _, _ = _ask_replies([*prose, Reply(fenced(PLAIN)), *[Reply(fenced(DIFFERS))] * 2])
    assert not turn.ok and turn.result.error.kind == "unsupported"
    assert turn.result.error.message.startswith(
        "Not sure enough to answer: the first reply had no code, and of three programs"
    )


def test_no_code_from_the_plain_prompt_either_is_the_model_s_error() -> None:
    replies = [Reply("2."), Reply("2, I said."), Reply("Two."), Reply("Still two.")]
    turn, requests, runner = _ask_replies(replies)
    assert not turn.ok and turn.result.error.kind == "llm" and runner.codes == []
    assert "replied without Python code twice" in turn.result.error.message
    assert len(requests) == 4


def test_no_fresh_program_for_a_database_table() -> None:
    """A database table has no plain prompt (it says nothing of sql()). (A decline is not a
    failure either: tests/test_answer_loop.py's cannot_answer test asks once.)"""
    remote = replace(PROFILE, source="postgresql://127.0.0.1:5432/shop/public.sales")
    turn, requests, _ = _ask([BROKEN], profile=remote)
    assert not turn.ok and "ZeroDivisionError" in turn.result.error.message
    assert len(requests) == 1


def test_a_fresh_chart_stands_unchecked_on_the_real_sandbox(session) -> None:
    """Charts are not voted on (two good charts differ): the plain prompt's chart is shown, with
    the note, and no second plain program is asked for."""
    chart = "import plotly.express as px\nfig = px.bar(df, x='region', y='quantity')"
    turn, server = ask_model(
        session, "chart the quantity by region", ["result = 1 / 0", chart], repair_attempts=0
    )
    assert turn.ok and turn.result.answer.kind == "figure" and len(server.requests) == 2
    assert turn.explanation.endswith("the first program failed; this one is from a plain prompt")
