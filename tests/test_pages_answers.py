"""How the chat shows an answer that failed, came back empty or drew a chart (issue 16), through
Streamlit's AppTest on the real engine, with the model played by the scripted server."""

from __future__ import annotations

import pytest

from tests.fake_openai import FakeOpenAI, Reply
from tests.test_pages_app import apps, engine_session, fenced, open_app

__all__ = ["apps"]  # the fixture, shared with tests/test_pages_app.py

pytestmark = pytest.mark.slow

PENGUIN_COLUMNS = (
    "'species', 'island', 'bill_length_mm', 'bill_depth_mm', 'flipper_length_mm', "
    "'body_mass_g', 'sex', 'year'"
)


def ask_model(apps, monkeypatch, question: str, replies: list[str]):
    """Open the chat with the model answering `replies` in turn, and ask `question`."""
    with FakeOpenAI([Reply(fenced(code)) for code in replies]) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("DECIPHER_BACKEND", "openai")
        at = open_app(apps)
        at.chat_input[0].set_value(question)
        at.run()
    assert not at.exception
    return at


def test_a_failed_answer_says_what_the_check_found_and_keeps_the_traceback_a_click_away(
    apps, monkeypatch
):
    """The model reads a column the table lacks until its repairs run out; the KeyError is not
    the message (issue 16: "Could not answer: KeyError: 'discount' (line 1)")."""
    bad = "result = df.groupby('island')['discount'].mean()"
    at = ask_model(apps, monkeypatch, "average discount by island", [bad] * 3)
    turn = engine_session(at).turns[-1]
    assert not turn.ok and len(turn.attempts) == 2
    (error,) = at.error
    assert error.value.startswith(r"Column 'discount' does not exist in table penguins\.")
    assert "KeyError" not in error.value and "cannot\\_answer" not in error.value
    assert "Details" in [e.label for e in at.expander]
    details = [c.value for c in at.code]
    assert any(v.startswith("The last attempt failed with KeyError") for v in details)
    assert "Could not answer" in [s.label for s in at.status]
