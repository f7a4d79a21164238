"""Several candidate programs per question: the most frequent answer wins, no majority declines."""

from __future__ import annotations

import pytest

from engine.answer import Context, answer_question
from engine.answer.consensus import Tally, answer_key, has_majority
from engine.answer.llm_drafter import LLMDrafter
from engine.types import Answer, RunResult, TableData
from tests.fake_openai import FakeOpenAI, Reply
from tests.test_answer_loop import PROFILE, SETTINGS, Runner, config_for, fenced

THREE = SETTINGS.with_overrides(llm_candidates=3, llm_candidate_temperature=0.6)


def table(columns: tuple[str, ...], *rows: tuple) -> Answer:
    return Answer("table", "", table=TableData(columns, rows, len(rows)))


def test_answers_that_agree_share_a_key() -> None:
    assert answer_key(Answer("value", "", value=0.1 + 0.2)) == answer_key(
        Answer("value", "", value=0.3)
    )
    assert answer_key(Answer("text", "", value="1,234")) == answer_key(
        Answer("value", "", value=1234)
    )
    assert answer_key(Answer("text", "", value=" North  ")) == answer_key(
        Answer("text", "", value="north")
    )
    assert answer_key(table(("a",), ("N", 2.5))) == answer_key(table(("mean_price",), ("N", 2.5)))
    assert answer_key(table(("a",), ("N", 2.5))) != answer_key(table(("a",), ("N", 2.6)))
    assert answer_key(Answer("figure", "", figure={})) is None
    one, same = "@mean[2.50], @sd[1.2]", "@sd[1.20] @Mean[2.5]"
    assert answer_key(Answer("text", one, value=one)) == answer_key(
        Answer("text", same, value=same)
    )
    assert answer_key(table(("Country",), ("Norway",))) == answer_key(
        Answer("text", "Norway", value="Norway")
    )
    assert answer_key(table(("a",), ("x",), ("y",))) == answer_key(
        Answer("text", "", value=["x", "y"])
    )
    assert answer_key(Answer("value", "", value=True)) == answer_key(
        Answer("text", "", value="Yes")
    )
    assert answer_key(Answer("value", "", value=False)) != answer_key(
        Answer("text", "", value="yes")
    )
    nan = "@median[nan]"  # a missing value written twice is one answer, as a float or a text
    assert answer_key(Answer("text", nan, value=nan)) == answer_key(Answer("text", nan, value=nan))
    assert answer_key(Answer("text", "nan", value="nan")) == answer_key(
        Answer("value", "", value=float("nan"))
    )
    assert answer_key(Answer("text", "", value="inf")) != answer_key(
        Answer("text", "", value="nan")
    )
    other = "@mean[2.50] @sd[1.3]"
    assert answer_key(Answer("text", one, value=one)) != answer_key(
        Answer("text", other, value=other)
    )


@pytest.mark.parametrize(
    ("keys", "remaining", "settled"),
    [((1, 1), 1, True), ((1, 2), 1, False), ((1,), 2, False), ((1, 2, 1), 0, True)],
)
def test_a_tally_is_settled_when_the_rest_cannot_change_it(keys, remaining, settled) -> None:
    assert Tally(keys).settled(remaining) is settled


def test_majority() -> None:
    assert has_majority(2, 3) and has_majority(2, 2) and not has_majority(1, 2)
    assert Tally((2, 1, 1)).winner == 1 and Tally((2, 1)).winner == 0  # earliest on a tie


def ask(replies: list[str], question: str = "total price?"):
    with FakeOpenAI([Reply(fenced(code)) for code in replies]) as server:
        runner = Runner()
        context = Context([PROFILE], [], THREE)
        turn = answer_question(question, [LLMDrafter(config_for(server.base_url))], runner, context)
    return turn, server.requests, runner


def test_two_agreeing_candidates_settle_it_without_a_third() -> None:
    turn, requests, _ = ask(["result = df['price'].sum()", "result = float(sum(df['price']))"])
    assert turn.ok and turn.result.answer.value == 7.0 and len(requests) == 2
    assert [r.body["temperature"] for r in requests] == [0.0, 0.6]
    assert turn.explanation == "2 of 2 candidate programs agree"  # the code has no comments


def test_the_most_frequent_answer_wins_over_the_first() -> None:
    codes = ["result = df['price'].max()", "result = df['price'].sum()", "result = df.price.sum()"]
    turn, requests, _ = ask(codes)
    assert turn.ok and turn.result.answer.value == 7.0 and len(requests) == 3
    assert turn.code == codes[1] and "2 of 3" in turn.explanation


def test_each_sampled_candidate_has_its_own_fixed_seed() -> None:
    """The same question asked again draws the same candidates (the embedded server gives the
    same reply for the same seed), and the candidates differ from one another."""
    codes = ["result = df['price'].max()", "result = df['price'].sum()", "result = df.price.sum()"]
    _, requests, _ = ask(codes)
    assert [r.body.get("seed") for r in requests] == [None, 1, 2]


def test_no_majority_is_declined_with_the_answers_that_disagree() -> None:
    codes = [
        "result = df['price'].max()",
        "result = df['price'].sum()",
        "result = df['price'].min()",
    ]
    turn, requests, _ = ask(codes)
    assert not turn.ok and turn.result.error.kind == "unsupported" and len(requests) == 3
    assert "computed different answers (4.0 / 7.0 / 1.0)" in turn.result.error.message
    assert turn.result.answer is not None  # the first program's answer stays visible


def test_a_chart_is_not_voted_on() -> None:
    def chart(code: str) -> RunResult:
        return RunResult(ok=True, answer=Answer("figure", "Bar chart", figure={"data": []}))

    with FakeOpenAI([Reply(fenced("result = px.bar(df, x='region', y='price')"))] * 3) as server:
        context = Context([PROFILE], [], THREE)
        drafters = [LLMDrafter(config_for(server.base_url))]
        turn = answer_question("price by region", drafters, chart, context)
    assert turn.ok and len(server.requests) == 1
