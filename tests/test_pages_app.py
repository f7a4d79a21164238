"""The app's pages through Streamlit's AppTest, on the real engine (issue 6).

Each test gets its own data directory; the server-wide caches are cleared so a test never sees
another test's history store. Sessions (and their sandbox workers) are closed afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from engine.errors import EngineError

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_S = 60  # a first run starts the sandbox's worker; AppTest's default is 3 s

pytestmark = pytest.mark.slow


@pytest.fixture
def apps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[AppTest]]:
    """AppTests created by a test; their engine sessions are closed afterwards."""
    import streamlit as st

    monkeypatch.setenv("DECIPHER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DECIPHER_BACKEND", "planner")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    st.cache_resource.clear()
    created: list[AppTest] = []
    yield created
    for at in created:
        session = (
            at.session_state["engine_session"] if "engine_session" in at.session_state else None
        )
        if session is not None:
            session.close()
    st.cache_resource.clear()


def open_app(
    apps: list[AppTest], script: str = "streamlit_app.py", sid: str | None = None
) -> AppTest:
    at = AppTest.from_file(str(ROOT / script), default_timeout=TIMEOUT_S)
    if sid:
        at.query_params["s"] = sid
    apps.append(at)
    at.run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest) -> str:
    """Everything the page says, for searching."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in at.error] + [i.value for i in at.info]
    parts += [b.label for b in at.button] + [s.value for s in at.success]
    return "\n".join(str(p) for p in parts)


def engine_session(at: AppTest):
    return at.session_state["engine_session"]


def test_first_visit_loads_the_sample_and_keeps_the_session_in_the_url(apps):
    at = open_app(apps)
    session = engine_session(at)
    assert [t.name for t in session.tables] == ["penguins"]
    assert (
        at.query_params["s"] == [session.session_id] or at.query_params["s"] == session.session_id
    )
    assert "`penguins` · 344 rows × 8 columns" in texts(at)
    assert len(at.chat_input) == 1
    assert not at.error


def test_sidebar_upload_becomes_the_main_table_and_the_chat_says_so(apps):
    """Issue 16: the upload replaces the untouched sample as `df`; the chat confirms it with
    its size and starter questions about it (the sample's are gone), and names the session."""
    at = open_app(apps)
    at.file_uploader(key="uploads").upload("scores.csv", b"name,score\nada,3\nbob,5\n", "text/csv")
    at.run()
    assert not at.exception and not at.error
    session = engine_session(at)
    assert [t.name for t in session.tables] == ["scores"]
    page = texts(at)
    assert "`scores` · 2 rows × 2 columns" in page
    assert "Loaded `scores`: 2 rows × 2 columns." in page
    assert "`scores` is the main table now: `df` in code." in page
    assert "The sample `penguins` was removed: no question had used it." in page
    assert [b.label for b in at.button if b.key.startswith("upload-starter-")] == [
        "How many rows are there?",
        "Most common name",
        "Describe the table",
    ]
    assert not any(b.key.startswith("starter-") for b in at.button)
    assert at.session_state["data_table"] == "scores"
    assert session.stored_sessions()[0].title == "scores"


def test_a_bad_upload_is_a_plain_error_and_earlier_tables_stay(apps):
    at = open_app(apps)
    at.file_uploader(key="uploads").upload(
        "broken.parquet", b"this is not parquet", "application/octet-stream"
    )
    at.run()
    assert not at.exception
    assert len(at.error) == 1
    message = at.error[0].value
    assert message.startswith(r"broken\.parquet\: ")  # markdown-escaped file name first
    assert "Traceback" not in message
    assert [t.name for t in engine_session(at).tables] == ["penguins"]
    assert at.sidebar.error  # beside the uploader it came from
    assert not at.file_uploader(key="uploads-1").value  # no longer listed as if loaded


def test_files_attached_to_the_chat_input_are_loaded(apps):
    at = open_app(apps)
    at.chat_input[0].upload("a.tsv", b"k\tv\nx\t1\ny\t2\n", "text/tab-separated-values")
    at.run()
    assert not at.exception and not at.error
    assert [t.name for t in engine_session(at).tables] == ["a"]
    assert "`a` · 2 rows × 2 columns" in texts(at)
    assert "Loaded `a`: 2 rows × 2 columns." in texts(at)


def test_a_bad_file_attached_in_the_chat_is_its_last_message_and_its_question_waits(apps):
    """Issue 16: the error showed under the title, thousands of pixels above the input, and
    the question typed with the file was answered about the sample."""
    at = open_app(apps)
    at.chat_input[0].upload("broken.parquet", b"not parquet", "application/octet-stream")
    at.chat_input[0].set_value("how many rows")
    at.run()
    assert not at.exception
    last = at.chat_message[-1]
    assert last.name == "assistant"
    assert [e.value for e in last.error][0].startswith(r"broken\.parquet\: ")
    assert any("Not asked" in c.value and "how many rows" in c.value for c in last.caption)
    assert len(at.main.error) == 1  # that one: nothing under the title
    session = engine_session(at)
    assert session.turns == [] and [t.name for t in session.tables] == ["penguins"]


def test_two_uploads_with_one_name_become_two_tables(apps):
    """Two different `data.csv` attached at once (issue 12): two tables with their own rows,
    each still backed by its own file, and both back after a reload."""
    first, second = b"a\n100\n", b"a\n1\n2\n"  # the same size: only the bytes differ
    at = open_app(apps)
    at.chat_input[0].upload("data.csv", first, "text/csv").upload("data.csv", second, "text/csv")
    at.run()
    assert not at.exception and not at.error
    session = engine_session(at)
    page = texts(at)
    assert "`data` · 1 row × 1 column" in page and "`data_2` · 2 rows × 1 column" in page
    assert [Path(t.source).read_bytes() for t in session.tables] == [first, second]
    again = open_app(apps, "pages/data.py", sid=session.session_id)  # a reload
    assert [(t.name, t.rows) for t in engine_session(again).tables] == [
        ("data", 1),
        ("data_2", 2),
    ]


def test_a_code_answer_shows_table_caption_downloads_and_editable_code(apps):
    at = open_app(apps)
    engine_session(at).run(
        "result = df.groupby('species', as_index=False)['body_mass_g'].mean()",
        question="mean mass by species",
    )
    at.run()
    assert not at.exception
    assert len(at.dataframe) == 1
    frame = at.dataframe[0].value
    assert sorted(frame["species"]) == ["Adelie", "Chinstrap", "Gentoo"]
    page = texts(at)
    assert "3 rows × 2 columns" in page
    assert "your code · run" in page
    downloads = list(at.get("download_button"))
    assert len(downloads) == 3
    assert "groupby" in at.text_area[0].value


def test_edited_code_reruns_as_a_new_turn(apps):
    at = open_app(apps)
    session = engine_session(at)
    session.run("result = len(df)", question="rows")
    at.run()
    editor = at.text_area[0]
    editor.set_value("result = len(df) * 2")
    at.button(key=editor.key.replace("-edit", "-rerun")).click()
    at.run()
    assert not at.exception
    assert [t.result.answer.value for t in session.turns] == [344, 688]
    assert "**688**" in texts(at)


def test_a_failing_run_shows_the_message_and_details_without_a_traceback(apps):
    at = open_app(apps)
    engine_session(at).run("result = df['no_such_column'].sum()", question="broken")
    at.run()
    assert not at.exception
    assert len(at.error) == 1
    assert "Traceback" not in at.error[0].value
    labels = [e.label for e in at.expander]
    assert "Details" in labels


def test_model_and_data_text_is_rendered_as_text(apps):
    at = open_app(apps)
    evil = "<img src=x onerror=alert(1)> ![t](http://example.com/x.png) **bold**"
    engine_session(at).run(f"print({evil!r})\nresult = {evil!r}", question=evil)
    at.run()
    assert not at.exception
    markdown = [m.value for m in at.markdown]
    assert not any(
        re.search(r"(?<!\\)<img", m) or "![t](" in m or "**bold**" in m for m in markdown
    )
    assert any(r"\<img src=x onerror=alert\(1\)\>" in m for m in markdown)


def test_reload_restores_tables_and_turns(apps):
    first = open_app(apps)
    session = engine_session(first)
    session.run("result = len(df)", question="how many penguins")
    first.file_uploader(key="uploads").upload("scores.csv", b"name,score\nada,3\n", "text/csv")
    first.run()  # a turn used the sample: it stays, after the new main table
    assert "`penguins` stays, by its name, for the earlier answers." in texts(first)
    sid = session.session_id

    again = open_app(apps, sid=sid)
    restored = engine_session(again)
    assert restored is not session and restored.session_id == sid
    assert [t.name for t in restored.tables] == ["scores", "penguins"]
    assert [t.question for t in restored.turns] == ["how many penguins"]
    assert "how many penguins" in texts(again)


def test_two_browser_sessions_never_share_tables_or_turns(apps):
    one = open_app(apps)
    two = open_app(apps)
    assert engine_session(one) is not engine_session(two)
    assert engine_session(one).session_id != engine_session(two).session_id
    one.file_uploader(key="uploads").upload("mine.csv", b"a\n1\n", "text/csv")
    one.run()
    engine_session(one).run("result = 1", question="private question")
    two.run()
    assert [t.name for t in engine_session(two).tables] == ["penguins"]
    assert engine_session(two).turns == []
    assert not any("private question" in m.value for m in two.main.markdown)
    # the Chat sidebar offers the other session to open (issue 16), as History does, by the
    # name of the table its user brought
    assert [b.label for b in two.sidebar.button if b.key.startswith("chat-open-")] == ["mine"]


def test_chart_builder_draws_a_chart_and_records_the_turn(apps):
    at = open_app(apps, "pages/data.py")
    assert len(at.dataframe) == 2  # profile and preview
    profile = at.dataframe[0].value
    assert list(profile["column"])[:2] == ["species", "island"]
    at.selectbox(key="chart_kind").set_value("bar")
    at.selectbox(key="chart_x").set_value("species")
    at.selectbox(key="chart_y").set_value("body_mass_g")
    at.selectbox(key="chart_agg").set_value("mean")
    at.run()
    assert "groupby(['species']" in at.code[0].value
    at.button(key="chart_run").click()
    at.run()
    assert not at.exception and not at.error
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    turn = engine_session(at).turns[-1]
    assert turn.ok and turn.result.answer.kind == "figure"
    assert turn.question == "Chart builder: bar of body_mass_g by species"


def test_history_lists_searches_reruns_and_deletes(apps):
    at = open_app(apps, "pages/history.py")
    session = engine_session(at)
    session.run("result = len(df)", question="count the penguins")
    session.run("result = df['species'].nunique()", question="how many species")
    at.run()
    page = texts(at)
    assert "count the penguins" in page and "how many species" in page

    at.text_input(key="history_search").set_value("species")
    at.run()
    shown = [m.value for m in at.main.markdown]
    assert any("how many species" in m for m in shown)
    assert not any("count the penguins" in m for m in shown)

    turn = session.turns[1]
    at.button(key=f"hist-{turn.id}-again").click()
    at.run()
    assert not at.exception
    assert [t.question for t in session.turns] == [
        "count the penguins",
        "how many species",
        "how many species",
    ]
    assert session.turns[-1].result.answer.value == 3

    at.text_input(key="history_search").set_value("")
    at.run()
    at.button(key=f"hist-{session.turns[0].id}-delete").click()
    at.run()
    assert [t.question for t in session.turns] == ["how many species", "how many species"]
    assert [t.question for t in session.history.turns(session.session_id)] == [
        "how many species"
    ] * 2

    at.button(key="history_clear").click()
    at.run()
    assert session.turns == [] and session.history.turns(session.session_id) == []
    assert "No turns yet." in texts(at)


def test_history_shows_a_turn_on_click(apps):
    at = open_app(apps, "pages/history.py")
    session = engine_session(at)
    turn = session.run("result = df.head(3)", question="first rows")
    at.run()
    assert len(at.dataframe) == 0
    at.button(key=f"hist-{turn.id}-show").click()
    at.run()
    assert len(at.dataframe) == 1 and at.dataframe[0].value.shape == (3, 8)


def test_settings_apply_to_this_session_and_never_show_the_key(apps):
    at = open_app(apps, "pages/settings.py")
    key = "sk-test-0123456789abcdef"
    at.radio(key="set_backend").set_value("openai")
    at.text_input(key="set_base_url").set_value("http://127.0.0.1:9/v1")
    at.text_input(key="set_api_key_0").set_value(key)
    at.toggle(key="set_send_rows").set_value(False)
    at.number_input(key="set_repairs").set_value(1)
    at.button[0].click()
    at.run()
    assert not at.exception and not at.error
    settings = engine_session(at).settings
    assert (
        settings.backend,
        settings.llm_base_url,
        settings.send_sample_rows,
        settings.repair_attempts,
    ) == (
        "openai",
        "http://127.0.0.1:9/v1",
        False,
        1,
    )
    assert engine_session(at).secrets["OPENAI_API_KEY"] == key
    assert "Saved. The next question uses these settings." in texts(at)
    # the form was cleared: the page shows only the key's last four characters
    assert at.radio(key="set_backend").value == "openai"
    field = at.text_input(key="set_api_key_1")
    assert field.value == ""
    assert "…cdef" in (field.placeholder or "")
    assert all(key != w.value for w in at.text_input)
    assert key not in texts(at)
    assert "isolation" in texts(at)


def test_a_question_is_answered_with_a_table_and_a_chart(apps):
    at = open_app(apps)
    at.chat_input[0].set_value("average body_mass_g by species")
    at.run()
    assert not at.exception and not at.error
    turn = engine_session(at).turns[-1]
    assert turn.backend == "planner" and turn.ok
    assert len(at.dataframe) == 1 and len(at.get("plotly_chart")) == 1
    assert sorted(at.dataframe[0].value["species"]) == ["Adelie", "Chinstrap", "Gentoo"]
    page = texts(at)
    assert "offline planner · run" in page
    assert "average body\\_mass\\_g by species" in page  # the question, shown as text
    assert len(at.get("download_button")) == 4  # CSV, Excel, Parquet, chart HTML


def test_starter_questions_are_buttons_that_ask(apps):
    at = open_app(apps)
    labels = [b.label for b in at.button if b.key and b.key.startswith("starter-")]
    assert labels and labels[0] == "How many rows are there?"
    at.button(key="starter-0").click()
    at.run()
    assert not at.exception
    assert engine_session(at).turns[-1].result.answer.value == 344
    assert "**344**" in texts(at)
    assert not [b for b in at.button if b.key and b.key.startswith("starter-")]


def test_a_declined_question_says_how_to_enable_a_model(apps):
    at = open_app(apps)
    at.chat_input[0].set_value("write a poem about penguins")
    at.run()
    assert not at.exception
    assert len(at.error) == 1
    assert "choose a language model on the Settings page" in at.error[0].value
    links = at.get("page_link")
    assert [link.proto.label for link in links] == ["Open Settings to enable a language model"]


def test_an_empty_session_says_what_to_do(apps):
    at = open_app(apps)
    first = engine_session(at).session_id
    at.button(key="new_session").click()
    at.run()
    session = engine_session(at)
    assert session.session_id != first and session.tables == ()
    assert "Upload a table" in at.info[0].value
    at.chat_input[0].set_value("how many rows")
    at.run()
    assert not at.exception
    assert "No table is loaded yet" in at.error[0].value


def fenced(code: str) -> str:
    return f"Here is the code:\n```python\n{code}\n```\n"


def test_a_model_configured_on_the_settings_page_answers_with_a_repair(apps):
    """Settings page -> the real openai SDK -> a local fake endpoint -> the sandbox -> the chat."""
    from tests.fake_openai import FakeOpenAI, Reply

    broken = "result = df.groupby('island')['body_mass'].mean().idxmax()"
    fixed = "result = df.groupby('island')['body_mass_g'].mean().idxmax()"
    with FakeOpenAI([Reply(fenced(broken)), Reply(fenced(fixed))]) as server:
        at = open_app(apps)
        at.switch_page("pages/settings.py")
        at.run()
        at.radio(key="set_backend").set_value("openai")
        at.text_input(key="set_base_url").set_value(server.base_url)
        at.text_input(key="set_api_key_0").set_value("sk-from-the-settings-page")
        at.toggle(key="set_send_rows").set_value(False)
        at.button[0].click()
        at.run()
        at.switch_page("pages/chat.py")
        at.run()
        at.chat_input[0].set_value("which island has the heaviest penguins?")
        at.run()
        assert not at.exception
        turn = engine_session(at).turns[-1]
        assert turn.ok, turn.result.error
        assert (turn.backend, turn.result.answer.value) == ("openai", "Biscoe")
        assert server.requests[0].headers["authorization"] == "Bearer sk-from-the-settings-page"
        page = texts(at)
        assert "Biscoe" in [m.value for m in at.markdown]
        assert "Repairing: column 'body\\_mass' does not exist" in page  # the status's steps
        assert "OpenAI\\-compatible model · model" in page and "1 repair\\(s\\)" in page
        assert "Earlier attempts (1)" in [e.label for e in at.expander]
        assert any(
            "Here is the code:" in c.value for c in at.code
        )  # tokens streamed into the status
        assert "sk-from-the-settings-page" not in page
        assert not [b for b in at.button if b.key and b.key.startswith("starter-")]


def test_selecting_bars_offers_filter_and_explain(apps):
    at = open_app(apps)
    session = engine_session(at)
    turn = session.run(
        "import plotly.express as px\n"
        "fig = px.bar(df.groupby('species', as_index=False)['body_mass_g'].mean(),"
        " x='species', y='body_mass_g')",
        question="mass by species",
    )
    at.run()
    key = f"turn-{turn.id}-chart"
    at.session_state[key] = {
        "selection": {
            "points": [{"x": "Gentoo", "y": 5076.0}],
            "point_indices": [0],
            "box": [],
            "lasso": [],
        }
    }
    at.run()
    assert not at.exception
    assert "1 point selected" in texts(at)
    at.button(key=f"turn-{turn.id}-filter").click()
    at.run()
    assert not at.exception
    filtered = session.turns[-1]
    assert filtered.ok and filtered.question == "Filter penguins to the selection"
    species = filtered.result.answer.table.columns.index("species")
    assert {row[species] for row in filtered.result.answer.table.rows} == {"Gentoo"}
    assert filtered.result.answer.table.row_count == 124


def test_a_new_run_time_limit_reaches_the_sandbox(apps):
    at = open_app(apps, "pages/settings.py")
    before = engine_session(at)
    before.run("result = 1", question="warm up")
    at.number_input(key="set_sandbox_timeout").set_value(1.0)
    at.button[0].click()
    at.run()
    assert not at.exception
    session = engine_session(at)
    assert session.session_id == before.session_id
    assert [t.question for t in session.turns] == ["warm up"]  # reopened from the history
    turn = session.run("import time\ntime.sleep(5)\nresult = 1")
    assert turn.result.error is not None and turn.result.error.kind == "timeout"


def test_memory_limits_set_on_the_settings_page_reach_the_session(apps, tmp_path):
    at = open_app(apps, "pages/settings.py")
    at.number_input(key="set_duckdb_memory").set_value(512)
    at.number_input(key="set_session_memory").set_value(1)
    at.button[0].click()
    at.run()
    assert not at.exception
    session = engine_session(at)
    assert (session.settings.duckdb_memory_mb, session.settings.session_memory_mb) == (512, 1)
    assert session.catalog.fetch("SELECT current_setting('memory_limit')") == [("512.0 MiB",)]
    big = tmp_path / "wide.csv"  # about 2 MB as pandas: over a 1 MB budget
    big.write_text("i,text\n" + "".join(f"{i},{'x' * 48}{i}\n" for i in range(30_000)))
    with pytest.raises(EngineError, match="raise the session memory on the Settings page"):
        session.load(big)
    assert [t.name for t in session.tables] == ["penguins"]


def test_a_bad_setting_in_the_environment_is_a_plain_error_not_a_traceback(apps, monkeypatch):
    """DECIPHER_BACKEND=planer stops the app with the fix (issue 12), no session is started."""
    monkeypatch.setenv("DECIPHER_BACKEND", "planer")
    at = open_app(apps)  # asserts there is no exception
    (error,) = at.error
    assert "Setting backend must be one of auto, planner, local, openai" in error.value
    assert "planer" in error.value and "DECIPHER\\_BACKEND" in error.value  # markdown-escaped
    assert "engine_session" not in at.session_state
    assert not at.chat_input


def test_table_names_with_underscores_show_as_typed(apps):
    at = open_app(apps, "pages/chat.py")
    at.file_uploader(key="uploads").upload("my_sales_2024.csv", b"a,b\n1,2\n", "text/csv")
    at.run()
    assert not at.exception
    shown = [m.value for m in at.sidebar.markdown] + [c.value for c in at.caption]
    assert any("`my_sales_2024` · 1 row × 2 columns" in text for text in shown)
    assert not any("\\_" in text for text in shown)  # an escape inside backticks shows as typed


def test_an_upload_on_disk_is_dropped_from_streamlit_memory(tmp_path):
    """st.file_uploader holds every file's bytes until the browser session ends (0.85 GB for
    the 847 MB CSV); once copied to disk they are dropped, as st.chat_input does with its own."""

    def script() -> None:
        import streamlit as st
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        from pages.state import _release_upload

        files = st.file_uploader("Upload", key="up", accept_multiple_files=True)
        ctx = get_script_run_ctx()
        for file in files or []:
            held = lambda f=file: ctx.uploaded_file_mgr.get_files(ctx.session_id, [f.file_id])  # noqa: E731
            before = len(held())
            _release_upload(file)
            st.write(f"{file.name}: {before} -> {len(held())}")

    at = AppTest.from_function(script, default_timeout=TIMEOUT_S)
    at.run()
    at.file_uploader(key="up").upload("big.csv", b"a,b\n1,2\n", "text/csv")
    at.run()
    assert not at.exception
    assert [m.value for m in at.markdown] == ["big.csv: 1 -> 0"]


def test_a_big_result_shows_its_first_rows_and_downloads_every_row(apps):
    """st.dataframe sends its whole argument to the browser in one message (200 MB at most):
    a big result shows its first ~16 MB of rows, says so, and the downloads keep every row."""
    import io

    import pyarrow.csv as pacsv

    from engine.export import TABLE_FORMATS
    from pages.widgets import DISPLAY_MAX_BYTES

    at = open_app(apps, "pages/chat.py")
    session = engine_session(at)
    turn = session.run(
        "result = pd.DataFrame({'i': range(400_000)})\n"
        "result['text'] = result['i'].map(lambda i: f'{i:040d}')",
        question="many rows",
    )
    assert turn.ok and turn.result.answer.table.arrow.nbytes > DISPLAY_MAX_BYTES
    at.run()
    assert not at.exception
    shown = at.dataframe[-1].value
    assert 1_000 <= len(shown) < 400_000
    assert list(shown["i"][:3]) == [0, 1, 2]
    caption = f"showing {len(shown):,} of 400,000 rows × 2 columns; the downloads have every row"
    assert caption in texts(at)
    exported = TABLE_FORMATS["csv"].write(turn.result.answer.table)  # what the button writes
    assert pacsv.read_csv(io.BytesIO(exported)).num_rows == 400_000


def test_a_result_restored_from_history_has_every_row_or_says_it_is_partial(apps):
    """History keeps a result's whole table as Parquet: after a reload the page shows all
    5,000 rows. Without that file (deleted by hand) it shows the 1,000 kept rows and says the
    downloads hold only those, instead of offering a partial download as if it were whole."""
    first = open_app(apps, "pages/chat.py")
    session = engine_session(first)
    turn = session.run("result = pd.DataFrame({'i': range(5_000)})", question="many rows")
    restored = open_app(apps, "pages/chat.py", sid=session.session_id)  # a reload: a new tab
    assert engine_session(restored) is not session
    assert len(restored.dataframe[-1].value) == 5_000
    assert "re-run the code" not in texts(restored)
    store = session.history
    (store.results.root / session.session_id / f"{turn.id}.parquet").unlink()
    partial = open_app(apps, "pages/chat.py", sid=session.session_id)
    caption = (
        "showing 1,000 of 5,000 rows × 1 column; "
        "the downloads have these 1,000: re-run the code for every row"
    )
    assert caption in texts(partial)


def test_a_table_can_be_removed_on_the_data_page(apps):
    at = open_app(apps, "pages/data.py")
    at.file_uploader(key="uploads").upload("extra.csv", b"a,b\n1,2\n", "text/csv")
    at.run()
    assert at.selectbox(key="data_table").value == "extra"  # it opens on the new main table
    at.button(key="data_drop").click()
    at.run()
    assert not at.exception
    session = engine_session(at)
    assert session.tables == ()  # the sample had left: nothing used it
    assert session.history.datasets(session.session_id) == []


def test_history_opens_another_stored_session(apps):
    at = open_app(apps, "pages/history.py")
    first = engine_session(at)
    first.run("result = 41 + 1", question="the answer")
    second = open_app(apps, "pages/history.py")  # another browser tab with a session of its own
    assert engine_session(second).session_id != first.session_id
    second.button(key=f"open-{first.session_id}").click()
    second.run()
    assert not second.exception
    reopened = engine_session(second)
    assert reopened.session_id == first.session_id
    assert [t.question for t in reopened.turns] == ["the answer"]
    assert any("the answer" in m.value for m in second.main.markdown)


def test_explain_these_rows_asks_a_follow_up(apps):
    at = open_app(apps)
    session = engine_session(at)
    turn = session.run(
        "result = df.groupby('species', as_index=False)['body_mass_g'].mean()", question="masses"
    )
    at.run()
    at.session_state[f"turn-{turn.id}-table"] = {
        "selection": {"rows": [0], "columns": [], "cells": []}
    }
    at.run()
    assert "1 row selected" in texts(at)
    at.button(key=f"turn-{turn.id}-explain").click()
    at.run()
    assert not at.exception
    asked = session.turns[-1].question
    assert asked.startswith("Explain these: species=Adelie; body_mass_g=3700.66")


def test_a_row_past_the_first_thousand_can_be_selected_and_filtered_to(apps):
    """The page shows every row of a 5,000-row result; selecting row 2,000 must find that row,
    not only one of the 1,000 kept for JSON (it said "0 rows selected" and offered no filter)."""
    at = open_app(apps)
    session = engine_session(at)
    turn = session.run(
        "result = pd.concat([df] * 15, ignore_index=True).head(5000)", question="many rows"
    )
    assert len(turn.result.answer.table.rows) == 1_000
    at.run()
    at.session_state[f"turn-{turn.id}-table"] = {
        "selection": {"rows": [1999], "columns": [], "cells": []}
    }
    at.run()
    assert not at.exception
    assert "1 row selected" in texts(at)
    at.button(key=f"turn-{turn.id}-filter").click()  # row 1,999 is penguin 279, a Chinstrap
    at.run()
    assert not at.exception
    filtered = session.turns[-1].result.answer.table
    assert filtered.row_count == 68
    assert {row[filtered.columns.index("species")] for row in filtered.rows} == {"Chinstrap"}


def test_float_values_are_shown_without_binary_noise(apps):
    at = open_app(apps)
    turn = engine_session(at).run("result = 0.1 + 0.2", question="sum")
    at.run()
    assert turn.result.answer.value == 0.1 + 0.2
    assert r"**0\.3**" in [m.value for m in at.markdown]


def test_an_answer_of_the_wrong_kind_is_declined_and_shows_what_was_computed(apps, monkeypatch):
    """'How many' answered twice with a list: an honest decline, the list one click away."""
    from tests.fake_openai import FakeOpenAI, Reply

    listing = fenced("result = df['species'].drop_duplicates()")
    with FakeOpenAI([Reply(listing)] * 3) as server:  # the repair is sampled once more
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("DECIPHER_BACKEND", "openai")
        at = open_app(apps)
        at.chat_input[0].set_value("how many kinds of penguin are there?")
        at.run()
    assert not at.exception
    turn = engine_session(at).turns[-1]
    assert not turn.ok and turn.result.error.kind == "unsupported"
    (error,) = at.error
    assert "it asks for one number" in error.value and "3 rows" in error.value
    assert "What the code computed" in [e.label for e in at.expander]
    assert len(at.dataframe) == 1  # the species list, inside the expander


def test_the_data_page_names_a_summary_row_and_marks_estimated_counts(apps, tmp_path):
    """The profile's notes (a 'Total' row left out of answers) reach the Data page."""
    medals = tmp_path / "medals.csv"
    medals.write_text("Rank,Nation,Gold\n1,USA,10\n2,China,8\n3,Kenya,1\nTotal,,19\n")
    at = open_app(apps, "pages/data.py")
    engine_session(at).load(medals)
    at.run()
    at.selectbox(key="data_table").set_value("medals")
    at.run()
    assert not at.exception
    assert any("Summary row" in i.value and "Rank = 'Total'" in i.value for i in at.info)
