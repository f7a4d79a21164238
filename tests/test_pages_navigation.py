"""Issue 16 on the pages, through Streamlit's AppTest on the real engine: the session id stays in
the URL across page changes (item 1), and the Chat sidebar lists this session's questions and
earlier sessions (item 8). The browser side is tests/test_browser_session_nav.py.
"""

from __future__ import annotations

import re

import pytest

from pages.history_sidebar import QUESTIONS_SHOWN, SESSIONS_SHOWN
from tests import test_pages_app
from tests.test_pages_app import engine_session, open_app

pytestmark = pytest.mark.slow
apps = test_pages_app.apps  # the fixture: a data directory of the test's own, sessions closed


def url_session(at) -> str:
    value = at.query_params["s"]
    return value[-1] if isinstance(value, list) else value


def test_a_page_change_puts_the_session_back_in_the_url(apps):
    at = open_app(apps)
    sid = engine_session(at).session_id
    for page in ["pages/data.py", "pages/history.py", "pages/settings.py", "pages/chat.py"]:
        at.switch_page(page)
        at.query_params.clear()  # what the browser sends after a click in the navigation
        at.run()
        assert not at.exception, at.exception
        assert url_session(at) == sid, page
        assert engine_session(at).session_id == sid


def anchors(at) -> list[str]:
    """The ids the chat's turns start at."""
    return re.findall(r'id="([^"]+)"', " ".join(h.proto.body for h in at.main.get("html")))


def test_the_chat_sidebar_links_each_question_to_its_place_in_the_chat(apps):
    at = open_app(apps)
    session = engine_session(at)
    assert not [m for m in at.sidebar.markdown if "](#" in m.value]  # no turns, no list
    session.run("result = 1", question="how many *penguins*")
    session.run("result = 2", question="the " + "very " * 20 + "long question")
    at.run()
    links = [m.value for m in at.sidebar.markdown if "](#" in m.value]
    assert links == [
        "- [the very very very very very very very very ver…](#q-2)\n"
        r"- [how many \*penguins\*](#q-1)"
    ]  # newest first, cut to one line, written as typed
    assert anchors(at) == ["q-1", "q-2"]


def test_a_question_asked_now_is_listed_at_once(apps):
    at = open_app(apps)
    at.chat_input(key="chat").set_value("how many rows are there").run()
    assert not at.exception, at.exception
    assert any("[how many rows are there](#q-1)" in m.value for m in at.sidebar.markdown)
    assert anchors(at) == ["q-1"]


def test_a_long_chat_lists_its_newest_questions_and_points_to_history(apps):
    at = open_app(apps)
    session = engine_session(at)
    for n in range(QUESTIONS_SHOWN + 2):
        session.run(f"result = {n}", question=f"question {n}")
    at.run()
    listed = " ".join(m.value for m in at.sidebar.markdown)
    assert f"question {QUESTIONS_SHOWN + 1}](#q-{QUESTIONS_SHOWN + 2})" in listed
    assert "question 2](#q-3)" in listed and "question 1]" not in listed
    link = next(p for p in at.sidebar.get("page_link") if "History" in p.proto.label)
    assert link.proto.label == "2 earlier in History"
    assert link.proto.query_string == f"s={session.session_id}"


def test_the_chat_sidebar_lists_earlier_sessions_and_opens_one(apps):
    first = open_app(apps)
    engine_session(first).run("result = 41 + 1", question="the answer")
    empty = open_app(apps)  # a session without turns is not listed
    second = open_app(apps)
    mine = engine_session(second)
    mine.run("result = 0", question="mine")
    second.run()
    keys = [b.key for b in second.sidebar.button if b.key.startswith("chat-open-")]
    assert keys == [f"chat-open-{engine_session(first).session_id}"]
    assert f"chat-open-{engine_session(empty).session_id}" not in keys
    assert second.button(key=keys[0]).label == "the answer"
    second.button(key=keys[0]).click().run()
    assert not second.exception, second.exception
    reopened = engine_session(second)
    assert reopened.session_id == engine_session(first).session_id
    assert url_session(second) == reopened.session_id
    assert [t.question for t in reopened.turns] == ["the answer"]
    assert [b.label for b in second.sidebar.button if b.key.startswith("chat-open-")] == ["mine"]


def test_only_the_newest_sessions_are_listed_with_more_in_history(apps):
    at = open_app(apps)
    session = engine_session(at)
    turn = session.run("result = 1", question="one")
    for n in range(SESSIONS_SHOWN + 1):  # stored by other tabs, the newest last
        session.history.add_turn(session.history.new_session(title=f"session {n}"), turn)
    at.run()
    labels = [b.label for b in at.sidebar.button if b.key.startswith("chat-open-")]
    assert labels == [f"session {n}" for n in range(SESSIONS_SHOWN, 0, -1)]
    assert any(p.proto.label == "1 more in History" for p in at.sidebar.get("page_link"))
