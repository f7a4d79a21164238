"""Issue 16 in a real browser: the session survives page changes, reloads and bookmarks (item 1),
and the Chat sidebar lists this session's questions and earlier sessions (item 8).

One server for the module (planner backend, its own data directory). The tests share one browser
tab in order; the bookmark and the earlier-session tests open tabs of their own (new browser
sessions). On failure, a screenshot of every open tab goes to test-artifacts/ and the server's
log is printed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from tests.browser_support import (
    CHROMIUM,
    AppServer,
    ask,
    chat_messages,
    chromium,
    show_evidence,
    wait_until_idle,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="needs Debian chromium: make browser-deps"
    ),
]

WAIT_MS = 60_000
FIRST_ANSWER_MS = 240_000  # waits for the sandbox's worker: minutes on a loaded 2-core machine
CITIES = "city,month,temp_c\n" + "".join(
    f"{city},{month},{base + month / 2}\n"
    for city, base in {"Oslo": -4.0, "Lisbon": 11.0, "Cairo": 14.0}.items()
    for month in range(1, 13)
)
QUESTION = "average temp_c by month"
CAPTION = re.compile(r"^offline planner · run .* · Mean of temp_c, grouped by month$")
PAGES = {  # nav link -> text only that page shows
    "Data": "Chart builder",
    "History": "Search questions, code and answers",
    "Settings": "Who writes the code",
}

_open_pages: list[object] = []


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    app = AppServer(tmp_path_factory.mktemp("browser-nav") / "data")
    yield app
    app.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def tab(browser, server) -> Iterator[object]:
    """The tab the tests share (one browser session)."""
    context, page = open_tab(browser, server.url)
    yield page
    context.close()


@pytest.fixture
def new_tab(browser) -> Iterator[object]:
    """Opens URLs in new browser contexts (new browser sessions), closed after the test."""
    contexts = []

    def opener(url: str) -> object:
        context, page = open_tab(browser, url)
        contexts.append(context)
        return page

    yield opener
    for context in contexts:
        _open_pages.remove(context.pages[0])
        context.close()


@pytest.fixture(autouse=True)
def evidence(request: pytest.FixtureRequest, server: AppServer) -> Iterator[None]:
    """A screenshot of every open tab and the server log when the test failed."""
    failed_before = request.session.testsfailed
    yield
    if request.session.testsfailed > failed_before:
        show_evidence(request.node.name, _open_pages, server)


def open_tab(browser, url: str) -> tuple[object, object]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(url)
    page.get_by_test_id("stAppViewContainer").wait_for()
    _open_pages.append(page)
    return context, page


def session_id(page) -> str | None:
    return (parse_qs(urlparse(page.url).query).get("s") or [None])[0]


def go(page, name: str) -> None:
    """Click a page in the sidebar navigation and wait until that page has drawn."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=name).click()
    if name == "Chat":
        page.get_by_test_id("stChatInputTextArea").wait_for()
    else:
        page.get_by_text(PAGES[name]).first.wait_for()


def test_the_session_survives_page_changes_a_reload_and_a_bookmark(tab, new_tab, tmp_path):
    path = tmp_path / "cities.csv"
    path.write_text(CITIES)
    tab.get_by_test_id("stChatInputTextArea").wait_for()
    tab.get_by_test_id("stSidebar").locator("input[type=file]").set_input_files(str(path))
    tab.get_by_test_id("stSidebar").get_by_text("cities", exact=True).wait_for()
    ask(tab, QUESTION)
    tab.get_by_text(CAPTION).wait_for(timeout=FIRST_ANSWER_MS)
    sid = session_id(tab)
    assert sid

    bookmarks = {}
    for name in ["Data", "History", "Settings", "Chat"]:
        go(tab, name)
        assert session_id(tab) == sid, f"{name}: {tab.url}"
        bookmarks[name] = tab.url
    tab.get_by_text(CAPTION).wait_for()

    tab.reload()
    tab.get_by_test_id("stChatInputTextArea").wait_for()
    assert session_id(tab) == sid
    tab.get_by_test_id("stSidebar").get_by_text("cities", exact=True).wait_for()
    tab.get_by_text(CAPTION).wait_for()
    assert chat_messages(tab).filter(has_text=QUESTION).count() == 1

    bookmarked = new_tab(bookmarks["Data"])  # a bookmark taken on the Data page, opened anew
    assert urlparse(bookmarked.url).path.endswith("/data")
    bookmarked.get_by_text(PAGES["Data"]).first.wait_for()
    bookmarked.get_by_test_id("stSidebar").get_by_text("cities", exact=True).wait_for()
    go(bookmarked, "Chat")
    bookmarked.get_by_text(CAPTION).wait_for()
    assert session_id(bookmarked) == sid


def test_the_sidebar_lists_the_questions_and_a_click_jumps_to_the_answer(tab):
    from playwright.sync_api import expect

    for question, grouped in [("average temp_c by city", "city"), ("maximum temp_c by month", "")]:
        ask(tab, question)
        chat_messages(tab).filter(has_text=question).first.wait_for()
        tab.get_by_text(re.compile(f"^offline planner · run .*{grouped}$")).last.wait_for()
    wait_until_idle(tab)
    links = tab.get_by_test_id("stSidebar").get_by_role("link")
    expect(links.filter(has_text="temp_c")).to_have_count(3)
    assert links.filter(has_text="temp_c").first.inner_text() == "maximum temp_c by month"

    first_answer = chat_messages(tab).nth(1)  # the first question's answer (after the question)
    assert first_answer.get_by_text(CAPTION).count() == 1
    # The reader is at the bottom, where Streamlit keeps the chat pinned: the browser's own jump
    # to the link's #q-1 was pulled back there in 6 of 11 runs (pages/history_sidebar.py).
    # Scrolled there before the check below: CI once found the page left half-way up the first
    # answer after the two questions (ratio 0.50 for 5 s), not pinned to the bottom.
    chat_messages(tab).last.scroll_into_view_if_needed()
    expect(first_answer).not_to_be_in_viewport()  # two answers with charts came since
    links.filter(has_text=re.compile(f"^{QUESTION}$")).click()
    expect(first_answer).to_be_in_viewport()
    expect(
        chat_messages(tab).filter(has_text=QUESTION).first
    ).to_be_in_viewport()  # the question too
    tab.wait_for_timeout(1000)  # longer than the pinning's pull back (tens of ms)
    expect(first_answer).to_be_in_viewport(timeout=0)  # and the page stays there
    assert tab.url.endswith("#q-1")  # the address says where the reader is, with ?s= kept
    assert f"s={session_id(tab)}" in tab.url


def test_an_earlier_session_is_listed_in_the_sidebar_and_opens(tab, new_tab, server):
    from playwright.sync_api import expect

    sid = session_id(tab)
    other = new_tab(server.url)  # a new browser session: a new session with the sample
    other.get_by_test_id("stChatInputTextArea").wait_for()
    assert session_id(other) not in (None, sid)
    sidebar = other.get_by_test_id("stSidebar")
    sidebar.get_by_text("Earlier sessions").wait_for()
    sidebar.get_by_role("button", name="cities").click()  # named after the table it brought
    other.get_by_text(CAPTION).wait_for()
    # the table's line (`cities` · 36 rows …): the button of the same name may still be drawn
    sidebar.locator("code").filter(has_text=re.compile("^cities$")).wait_for()
    other.wait_for_url(re.compile(f"[?&]s={sid}"))
    # Streamlit may still be drawing the earlier turns: wait for them (count() does not)
    expect(chat_messages(other).filter(has_text="maximum temp_c by month")).to_have_count(1)
