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
    bad = "result = df.groupby('island')['discount'].{}()"
    tries = [bad.format(f) for f in ("mean", "median", "sum")]  # the same code again would stop
    at = ask_model(apps, monkeypatch, "average discount by island", tries)
    turn = engine_session(at).turns[-1]
    assert not turn.ok and len(turn.attempts) == 2
    (error,) = at.error
    assert error.value.startswith(r"Column 'discount' does not exist in table penguins\.")
    assert "KeyError" not in error.value and "cannot\\_answer" not in error.value
    assert "Details" in [e.label for e in at.expander]
    details = [c.value for c in at.code]
    assert any(v.startswith("The last attempt failed with KeyError") for v in details)
    assert "Could not answer" in [s.label for s in at.status]


def chart_specs(at) -> list[dict]:
    """The plotly figures on the page, as the browser gets them."""
    import json

    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def test_a_grouped_total_gets_a_titled_bar_chart_and_a_filtered_chart_says_its_filter(
    apps, monkeypatch
):
    """A total by island with no chart drawn gets a bar chart titled by the code's comment; a
    follow-up chart filtered to Dream without a title says Dream (issue 16)."""
    total = "# total body mass per island\nresult = df.groupby('island')['body_mass_g'].sum()"
    dream = (
        "import plotly.express as px\n"
        "# mean flipper length per species\n"
        "rows = df[df['island'] == 'Dream']\n"
        "result = rows.groupby('species', as_index=False)['flipper_length_mm'].mean()\n"
        "fig = px.bar(result, x='species', y='flipper_length_mm')"
    )
    with FakeOpenAI([Reply(fenced(total)), Reply(fenced(dream))]) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("DECIPHER_BACKEND", "openai")
        at = open_app(apps)
        at.chat_input[0].set_value("total body mass by island")
        at.run()
        (bars,) = chart_specs(at)
        at.chat_input[0].set_value("now flipper length by species, only Dream")
        at.run()
    assert not at.exception
    assert bars["layout"]["title"]["text"] == "Total body mass per island"
    assert bars["data"][0]["type"] == "bar" and sorted(bars["data"][0]["x"]) == [
        "Biscoe",
        "Dream",
        "Torgersen",
    ]
    assert bars["layout"]["xaxis"]["title"]["text"] == "island"
    assert bars["layout"]["yaxis"]["title"]["text"] == "body_mass_g"
    _, filtered = chart_specs(at)
    assert filtered["layout"]["title"]["text"] == "Mean flipper length per species (island = Dream)"
