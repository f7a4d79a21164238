"""A reply caught in a loop is stopped where the loop shows, not read to the token limit
(wtq-train nt-9393: `AND Reign != '—'` to the limit, four times, 328 s for no answer). The real
SDK streams from the scripted server on 127.0.0.1; the answer loop asks again for short code."""

from __future__ import annotations

import pytest

from engine.llm import LOOPED, complete
from engine.llm.repetition import looping
from tests.fake_openai import FakeOpenAI, Reply
from tests.test_answer_loop import SETTINGS, ask, fenced
from tests.test_llm import MESSAGES, config_for

HEAD = "```python\nresult = sql(\"SELECT Reign FROM t WHERE Wrestlers = 'Ultimo' "
LOOP = HEAD + "AND Reign != '—' " * 60  # nt-9393's reply, as it ran to the limit


def test_the_piece_a_looping_reply_repeats_is_found_wherever_the_text_stops() -> None:
    for end in range(len(LOOP) - 40, len(LOOP)):
        unit = looping(LOOP[:end])
        assert unit is not None and len(unit) == len("AND Reign != '—' "), end
    assert looping(HEAD + "AND Reign != '—' " * 3) is None  # not yet a loop


@pytest.mark.parametrize(
    "text",
    [
        "# " + "-" * 200,  # a comment rule
        "zeros = [" + "0, " * 80,  # a row of zeros
        "x = ['a', 'a', 'a', 'a']\n" * 3,  # a line written three times
        "import pandas as pd\n" + "\n".join(f"s{i} = df['c{i}'].sum()" for i in range(30)),
    ],
)
def test_code_that_merely_repeats_itself_a_little_is_not_a_loop(text) -> None:
    assert looping(text) is None


def test_a_streamed_reply_caught_in_a_loop_is_stopped_there() -> None:
    tokens: list[str] = []
    reply_in_full = Reply(LOOP, finish_reason="length", completion_tokens=640)
    with FakeOpenAI([reply_in_full]) as server:
        reply = complete(MESSAGES, config_for(server.base_url), on_token=tokens.append)
    assert reply.finish_reason == LOOPED and LOOP.startswith(reply.text)
    assert len(reply.text) < len(HEAD) + 20 * len("AND Reign != '—' ")  # not read to the end
    assert "".join(tokens) == reply.text


def test_a_looped_reply_is_asked_again_for_short_code_and_a_turn_ending_so_says_so() -> None:
    whole = "result = df['price'].max()"
    with FakeOpenAI([Reply(LOOP, finish_reason="length"), Reply(fenced(whole))]) as server:
        turn, runner, _ = ask(server.base_url)
    assert turn.ok and turn.result.answer.value == 4.0 and runner.codes[-1] == whole
    request = server.requests[1].messages[-1]["content"]
    assert request.startswith("Your reply repeated the same piece of code over and over")
    with FakeOpenAI([Reply(LOOP, finish_reason="length")] * 3) as server:
        turn, _, _ = ask(server.base_url, settings=SETTINGS.with_overrides(repair_attempts=1))
    assert not turn.ok
    assert turn.result.error.message.startswith("The model's reply repeated the same piece")
