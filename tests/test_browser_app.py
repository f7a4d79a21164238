"""The six journeys of issue 6 in a real browser: `streamlit run` + headless Debian Chromium.

One server for the module (planner backend, its own data directory). Journeys 1-4 share one
browser tab, in order: upload and ask, export, reload, re-run from history. Journeys 5-6 use a
fresh tab (a new browser session). On failure, a screenshot of every open tab goes to
test-artifacts/ and the server's log is printed.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser_support import (
    CHROMIUM,
    AppServer,
    ask,
    chat_messages,
    chromium,
    screenshot,
    show_evidence,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="needs Debian chromium: make browser-deps"
    ),
]

WAIT_MS = 60_000  # the first answer waits for the sandbox's worker on a busy 2-core machine
BASE_C = {"Oslo": -4.0, "Lisbon": 11.0, "Cairo": 14.0}
CITIES = "city,month,temp_c\n" + "".join(
    f"{city},{month},{base + month / 2}\n"
    for city, base in BASE_C.items()
    for month in range(1, 13)
)
QUESTION = "average temp_c by month"
EXPECTED = {month: sum(BASE_C.values()) / 3 + month / 2 for month in range(1, 13)}

_open_pages: list[object] = []


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    app = AppServer(tmp_path_factory.mktemp("browser") / "data")
    yield app
    app.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as b:
        yield b


def open_tab(browser, url: str) -> tuple[object, object]:
    """A new browser context (a browser session of its own) with the app loaded."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(url)
    page.get_by_test_id("stChatInputTextArea").wait_for()
    return context, page


@pytest.fixture(scope="module")
def tab(browser, server):
    """The tab journeys 1-4 share (one browser session)."""
    context, page = open_tab(browser, server.url)
    _open_pages.append(page)
    yield page
    _open_pages.remove(page)
    context.close()


@pytest.fixture
def fresh_tab(request: pytest.FixtureRequest, browser, server):
    """A new tab in a new browser context: a second browser session."""
    failed_before = request.session.testsfailed
    context, page = open_tab(browser, server.url)
    yield page
    if request.session.testsfailed > failed_before:
        print(f"screenshot: {screenshot(page, request.node.name)}")
    context.close()


@pytest.fixture(autouse=True)
def evidence(request: pytest.FixtureRequest, server: AppServer) -> Iterator[None]:
    """A screenshot of the shared tab and the server log when the test failed."""
    failed_before = request.session.testsfailed
    yield
    if request.session.testsfailed > failed_before:
        show_evidence(request.node.name, _open_pages, server)


def test_1_upload_a_csv_ask_and_see_a_table_and_a_chart(tab, tmp_path):
    path = tmp_path / "cities.csv"
    path.write_text(CITIES)
    tab.get_by_test_id("stSidebar").locator("input[type=file]").set_input_files(str(path))
    tab.get_by_test_id("stSidebar").get_by_text("cities", exact=True).wait_for()
    ask(tab, QUESTION)
    tab.get_by_text(
        re.compile(r"^offline planner · run .* · Mean of temp_c, grouped by month$")
    ).wait_for()
    last = chat_messages(tab).last
    last.get_by_test_id("stDataFrame").wait_for()
    last.get_by_test_id("stPlotlyChart").locator(".main-svg").first.wait_for()
    assert last.get_by_text("12 rows × 2 columns").is_visible()
    assert last.get_by_text(re.compile(r"offline planner · run [\d,.]+ m?s")).is_visible()


def test_2_export_the_result_as_csv(tab):
    last = chat_messages(tab).last
    with tab.expect_download() as info:
        last.get_by_test_id("stDownloadButton").filter(has_text="CSV").click()
    download = info.value
    assert download.suggested_filename == "average_temp_c_by_month.csv"  # after the question
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert rows[0] == ["month", "temp_c"]
    assert {int(m): pytest.approx(float(t)) for m, t in rows[1:]} == EXPECTED


def test_3_reload_keeps_tables_and_history(tab):
    url = tab.url
    assert "?s=" in url
    tab.reload()
    tab.get_by_test_id("stChatInputTextArea").wait_for()
    assert tab.url == url
    tab.get_by_test_id("stSidebar").get_by_text("cities", exact=True).wait_for()
    chat_messages(tab).filter(has_text=QUESTION).first.wait_for()
    chat_messages(tab).last.get_by_test_id("stPlotlyChart").wait_for()
    assert chat_messages(tab).filter(has_text=QUESTION).count() == 1  # the user's message
    assert chat_messages(tab).filter(has_text="12 rows × 2 columns").count() == 1


def test_4_rerun_from_history(tab):
    tab.get_by_test_id("stSidebarNav").get_by_role("link", name="History").click()
    tab.get_by_text("Search questions, code and answers").wait_for()
    card = tab.locator("[class*=st-key-hist-][class*=-box]").filter(has_text=QUESTION)
    assert card.count() == 1
    card.get_by_role("button", name=re.compile("Re-run")).click()
    tab.locator("[class*=st-key-hist-][class*=-box]").filter(has_text=QUESTION).nth(1).wait_for()
    assert tab.locator("[class*=st-key-hist-][class*=-box]").filter(has_text=QUESTION).count() == 2
    with tab.expect_download() as info:
        tab.get_by_role("button", name=re.compile("Export session as notebook")).click()
    bundle = zipfile.ZipFile(info.value.path())
    names = set(bundle.namelist())
    assert {"session.ipynb", "data/cities.parquet"} <= names
    assert "data/penguins.parquet" not in names  # the untouched sample left (issue 16)
    notebook = json.loads(bundle.read("session.ipynb"))
    sources = ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]
    assert sum("groupby" in src and "temp_c" in src for src in sources) == 2  # both turns
    tab.get_by_test_id("stSidebarNav").get_by_role("link", name="Chat").click()
    tab.get_by_test_id("stChatInputTextArea").wait_for()
    chat_messages(tab).filter(has_text="12 rows × 2 columns").nth(1).wait_for()
    assert chat_messages(tab).filter(has_text="12 rows × 2 columns").count() == 2


def test_5_a_bad_file_shows_a_clear_error(fresh_tab, tmp_path):
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"this is not a parquet file at all")
    fresh_tab.get_by_test_id("stSidebar").locator("input[type=file]").set_input_files(str(path))
    alert = fresh_tab.get_by_test_id("stAlert").filter(has_text="broken.parquet")
    alert.wait_for()
    text = alert.inner_text()
    assert "is not a Parquet file" in text
    assert "Traceback" not in fresh_tab.content()
    assert fresh_tab.get_by_test_id("stSidebar").get_by_text("penguins", exact=True).is_visible()


def test_6_a_declined_question_shows_how_to_enable_a_model(fresh_tab):
    ask(fresh_tab, "write a poem about penguins")
    link = fresh_tab.get_by_role(
        "link", name=re.compile("Open Settings to enable a language model")
    )
    link.wait_for()
    assert fresh_tab.get_by_text(
        re.compile("choose a language model on the Settings page")
    ).is_visible()
    link.click()
    fresh_tab.get_by_text("Who writes the code").wait_for()
    fresh_tab.get_by_text("OpenAI-compatible endpoint", exact=True).wait_for()
