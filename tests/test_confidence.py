"""How sure the model was of its code's names and values (issue 13): the probability of the
tokens inside its string literals, and the loop declining an answer written unsure. The real
SDK streams token probabilities from the scripted server, as llama.cpp sends them."""

from __future__ import annotations

import math
import re
from dataclasses import replace

import pytest

from engine.answer import Context, answer_question
from engine.answer.confidence import literal_confidence
from engine.answer.llm_drafter import LLMDrafter
from engine.prompt import PLAIN_ROLE
from engine.types import Answer, RunResult
from tests.fake_openai import FakeOpenAI, Reply
from tests.test_answer_loop import PROFILE, SETTINGS, Runner, config_for, fenced

_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


def tokens(text: str, literal: float, other: float = 0.99) -> tuple[tuple[str, float], ...]:
    """`text` cut into word-sized tokens: those after an opening quote, up to the closing one,
    with probability `literal`, the others `other` (as a log probability, like the server)."""
    out: list[tuple[str, float]] = []
    quote: str | None = None
    for token in _TOKEN.findall(text):
        out.append((token, math.log(literal if quote else other)))
        if token in "'\"":
            quote = None if quote == token else quote or token
    return tuple(out)


CODE = "result = int((df['region'] == 'N').sum())"


def test_only_tokens_inside_the_codes_literals_count() -> None:
    assert literal_confidence(tokens(fenced(CODE), 0.5)) == pytest.approx(0.5)
    assert literal_confidence(tokens(fenced(CODE), 0.95, other=0.1)) == pytest.approx(0.95)
    commented = fenced("# where region is 'N' or 'S' or 'E'\nresult = len(df)")
    assert literal_confidence(tokens(commented, 0.2)) is None  # a comment's quotes: no literal
    prose = "The region is 'N' and 'S' and 'E'.\n" + fenced(CODE)
    assert literal_confidence(tokens(prose, 0.2)) == pytest.approx(0.2)  # prose does not count
    assert literal_confidence(tokens("no code, only 'words' and 'more' 'words'", 0.2)) is None
    assert literal_confidence(tokens(fenced("result = df['a']"), 0.2)) is None  # too few


def test_an_f_string_and_a_sql_query_are_literals() -> None:
    sql = fenced("result = sql(\"SELECT count(*) FROM sales WHERE region = 'N'\")")
    assert literal_confidence(tokens(sql, 0.6)) == pytest.approx(0.6)
    formatted = fenced("n = 2\nresult = f'{n} sales in region N'")
    assert literal_confidence(tokens(formatted, 0.6)) == pytest.approx(0.6)


# no second opinion: the setting off (a database table's answers cannot have one either)
UNCHECKED = replace(SETTINGS, llm_confirm_below=0.0)


def _ask(question: str, reply: Reply, *, logprobs: bool = True, runner=None, settings=UNCHECKED):
    runner = runner or Runner()
    with FakeOpenAI([reply]) as server:
        config = replace(config_for(server.base_url), logprobs=logprobs)
        context = Context([PROFILE], [], settings)
        turn = answer_question(question, [LLMDrafter(config)], runner, context)
    return turn, server


def test_an_answer_written_unsure_is_declined_with_its_result_kept() -> None:
    reply = Reply(fenced(CODE), logprobs=tokens(fenced(CODE), 0.6))
    turn, server = _ask("how many sales were in region N?", reply)
    assert server.requests[0].body["logprobs"] is True
    assert not turn.ok and turn.result.error.kind == "unsupported"
    assert turn.result.error.message.startswith("The model was unsure of the column names")
    assert "(60% sure; below 87%" in turn.result.error.message
    assert turn.result.answer.value == 2  # what it computed stays, to check
    assert turn.result.error.detail == "Its result: 2"
    assert len(server.requests) == 1  # declined, not repaired


def test_a_confidence_just_below_the_threshold_is_not_written_as_the_threshold() -> None:
    reply = Reply(fenced(CODE), logprobs=tokens(fenced(CODE), 0.866))
    turn, _ = _ask("how many sales were in region N?", reply)
    assert not turn.ok and "(86.6% sure; below 87%" in turn.result.error.message


def test_a_database_tables_answer_written_unsure_is_declined_unchecked() -> None:
    """The plain prompt says nothing of sql(), so a database table's answer has no second
    opinion: below the threshold it is declined, whatever `llm_confirm_below` says."""
    table = replace(PROFILE, source="postgresql://127.0.0.1:5432/shop/public.sales")
    reply = Reply(fenced(CODE), logprobs=tokens(fenced(CODE), 0.6))
    with FakeOpenAI([reply]) as server:
        config = replace(config_for(server.base_url), logprobs=True)
        context = Context([table], [], SETTINGS)
        turn = answer_question("how many sales?", [LLMDrafter(config)], Runner(), context)
    assert not turn.ok and "(60% sure; below 87%" in turn.result.error.message
    assert len(server.requests) == 1


def test_an_answer_written_sure_stands_and_the_threshold_is_a_setting() -> None:
    reply = Reply(fenced(CODE), logprobs=tokens(fenced(CODE), 0.97))
    turn, server = _ask("how many sales were in region N?", reply, settings=SETTINGS)
    assert turn.ok and turn.result.answer.value == 2 and len(server.requests) == 1
    unsure = Reply(fenced(CODE), logprobs=tokens(fenced(CODE), 0.6))
    lenient = replace(UNCHECKED, llm_min_confidence=0.5)
    turn, _ = _ask("how many sales were in region N?", unsure, settings=lenient)
    assert turn.ok


QUESTION = "how many sales were in region N?"
AGREES = "result = len(df[df['region'] == 'N'])"  # 2, as CODE computes
DIFFERS = "result = int((df['region'] == 'S').sum())"  # 1


def _check(replies: list[Reply], settings=SETTINGS):
    """The loop with a first answer 90% sure: above the threshold, below `llm_confirm_below`."""
    with FakeOpenAI(replies) as server:
        config = replace(config_for(server.base_url), logprobs=True)
        context = Context([PROFILE], [], replace(settings, repair_attempts=0))
        turn = answer_question(QUESTION, [LLMDrafter(config)], Runner(), context)
    return turn, server.requests


FIRST = Reply(fenced(CODE), logprobs=tokens(fenced(CODE), 0.9))


def test_an_answer_written_half_sure_stands_when_a_plain_prompt_agrees() -> None:
    """The second request is the plain prompt (columns and question only), at the same
    temperature; its code is less sure than the threshold and counts all the same."""
    second = Reply(fenced(AGREES), logprobs=tokens(fenced(AGREES), 0.5))
    turn, requests = _check([FIRST, second])
    assert turn.ok and turn.result.answer.value == 2 and turn.code == CODE
    plain = requests[1].body["messages"]
    assert plain[0]["content"] == PLAIN_ROLE and "Table sales" not in plain[1]["content"]
    assert plain[1]["content"] == (
        "A pandas DataFrame `df` holds the table sales, with columns: region, price.\n"
        f"{QUESTION}\nSet `result` to the answer."
    )
    assert [r.body["temperature"] for r in requests] == [0.0, 0.0]
    assert turn.explanation == (
        "the model was 90% sure of its names and values; a second program, from a plain "
        "prompt, agrees"
    )


THIRD = "result = int(df['region'].eq('N').sum()) + 1"  # 3: agrees with neither
UNSURE = Reply(fenced(CODE), logprobs=tokens(fenced(CODE), 0.6))  # below `llm_min_confidence`


def test_an_answer_written_unsure_is_checked_instead_of_declined() -> None:
    """Below the threshold, an answer the plain prompt can check gets the same second
    opinion as one above it: it stands when the plain prompt computes the same."""
    turn, requests = _check([UNSURE, Reply(fenced(AGREES))])
    assert turn.ok and turn.result.answer.value == 2 and len(requests) == 2
    assert turn.explanation == (
        "the model was 60% sure of its names and values; a second program, from a plain "
        "prompt, agrees"
    )
    turn, requests = _check([UNSURE, Reply(fenced(DIFFERS)), Reply(fenced(THIRD))])
    assert not turn.ok and turn.result.error.kind == "unsupported" and len(requests) == 3
    assert turn.result.error.message.startswith("Not sure enough to answer: the model was 60%")
    assert turn.result.answer.value == 2 and turn.result.error.detail == "Its result: 2"
    just_below = Reply(fenced(CODE), logprobs=tokens(fenced(CODE), 0.866))
    turn, _ = _check([just_below, Reply(fenced(AGREES))])
    assert turn.ok and turn.explanation.startswith("the model was 86.6% sure")  # not "87%"


def test_an_answer_written_half_sure_is_declined_when_three_programs_differ() -> None:
    """The plain prompt computes another answer, and a third program (the plain prompt again,
    sampled) a third one: no two agree, so nothing is given."""
    turn, requests = _check([FIRST, Reply(fenced(DIFFERS)), Reply(fenced(THIRD))])
    assert not turn.ok and turn.result.error.kind == "unsupported" and len(requests) == 3
    assert requests[2].body["messages"] == requests[1].body["messages"]  # the plain prompt
    assert [r.body["temperature"] for r in requests] == [0.0, 0.0, 0.7]
    assert [r.body.get("seed") for r in requests] == [None, None, 1]  # the same on every run
    assert turn.result.error.message.startswith("Not sure enough to answer: the model was 90%")
    assert "with a plain prompt it computed 1." in turn.result.error.message
    assert turn.result.answer.value == 2 and turn.code == CODE  # the first stays, to check
    assert turn.result.error.detail == "Its result: 2"


@pytest.mark.parametrize(
    ("third", "value", "code", "other"),
    [(AGREES, 2, CODE, "1"), (DIFFERS, 1, DIFFERS, "2")],
)
def test_when_the_plain_prompt_differs_the_answer_two_of_three_programs_agree_on_stands(
    third: str, value: int, code: str, other: str
) -> None:
    """A third program breaks the tie: with the first (its answer stands), or with the plain
    prompt's (that program and its answer stand); the note says what the other computed."""
    turn, requests = _check([FIRST, Reply(fenced(DIFFERS)), Reply(fenced(third))])
    assert turn.ok and len(requests) == 3
    assert turn.result.answer.value == value and turn.code == code
    assert turn.explanation.endswith(f"2 of 3 programs agree; the other computed {other}")
    said = "the model was 90% sure of its names and values; 2 of 3"  # of the code shown only
    assert turn.explanation.startswith(said) == (code == CODE)


def test_no_third_program_when_the_plain_code_fails_or_the_model_goes_away() -> None:
    """The third breaks a tie between two answers only; when it cannot be asked, the answers
    still differ and nothing is given."""
    turn, requests = _check([FIRST, Reply(fenced(DIFFERS)), Reply(status=500)])
    assert not turn.ok and turn.result.error.kind == "unsupported"
    assert "with a plain prompt it computed 1." in turn.result.error.message


def test_an_answer_written_half_sure_is_declined_when_the_plain_code_fails() -> None:
    broken = "result = df['no such column'].sum()"
    turn, requests = _check([FIRST, Reply(fenced(broken))])
    assert not turn.ok and turn.result.error.kind == "unsupported" and len(requests) == 2
    assert "computed no answer: its code failed" in turn.result.error.message


def test_answers_are_not_checked_when_sure_or_with_the_setting_at_zero() -> None:
    sure = Reply(fenced(CODE), logprobs=tokens(fenced(CODE), 0.97))
    turn, requests = _check([sure])
    assert turn.ok and len(requests) == 1
    turn, requests = _check([FIRST], settings=replace(SETTINGS, llm_confirm_below=0.0))
    assert turn.ok and len(requests) == 1


def test_without_token_probabilities_nothing_is_declined() -> None:
    """An endpoint is not asked for probabilities (the threshold was measured on the local
    model only): its answer stands whatever the server could have said."""
    reply = Reply(fenced(CODE), logprobs=tokens(fenced(CODE), 0.1))
    turn, server = _ask("how many sales were in region N?", reply, logprobs=False)
    assert "logprobs" not in server.requests[0].body
    assert turn.ok and turn.result.answer.value == 2


def test_a_chart_written_unsure_stands() -> None:
    """One sees what a chart shows; the threshold was measured on values."""
    chart = RunResult(ok=True, answer=Answer("figure", "a bar chart"))
    reply = Reply(fenced(CODE), logprobs=tokens(fenced(CODE), 0.3))
    turn, _ = _ask("plot sales by region", reply, runner=lambda code: chart)
    assert turn.ok and turn.result.answer.kind == "figure"


def test_token_probabilities_come_back_without_streaming_too() -> None:
    from engine.llm import complete

    reply = Reply(fenced(CODE), logprobs=tokens(fenced(CODE), 0.5))
    with FakeOpenAI([reply]) as server:
        config = replace(config_for(server.base_url), logprobs=True)
        done = complete([{"role": "user", "content": "q"}], config)
    assert "".join(t for t, _ in done.logprobs) == done.text == fenced(CODE)
    assert literal_confidence(done.logprobs) == pytest.approx(0.5)


def test_a_table_in_a_database_gets_no_plain_second_opinion() -> None:
    """The plain prompt says nothing of sql(), which such a table needs: its answer stands as
    written, unchecked, rather than be declined for a second opinion that cannot run."""
    remote = replace(PROFILE, source="postgresql://127.0.0.1:5432/shop/sales")
    drafter = LLMDrafter(config_for("http://127.0.0.1:9/v1"))
    assert drafter.plain(Context([remote], [], SETTINGS)) is None
    assert drafter.plain(Context([PROFILE], [], SETTINGS)) is not None


def test_candidate_programs_of_the_plain_prompt_stay_plain() -> None:
    """A sampled plain drafter (another candidate) keeps the plain prompt, not the full one."""
    drafter = LLMDrafter(config_for("http://127.0.0.1:9/v1")).plain(
        Context([PROFILE], [], SETTINGS)
    )
    assert drafter is not None
    sampled = drafter.sampled(0.3, 2)
    assert type(sampled) is type(drafter) and sampled.config.temperature == 0.3
    assert sampled.config.seed == 2
