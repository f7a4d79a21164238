"""Uploads in a real browser (issue 16, items 6 and 7): `streamlit run` + headless Debian
Chromium, planner backend.

6. A bad file attached in the chat input: its error is in view without scrolling although
   the page is long (a toast beside the input) and is the chat's last message; the file is listed nowhere as a table, and a
   bad file in the sidebar uploader leaves it.
7. A CSV uploaded in the sidebar: the chat confirms it with its size and starter questions,
   `df` is the new table (a starter's "how many rows" and a code run agree), the Data page
   opens on it, and the session is named after it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser_support import (
    CHROMIUM,
    AppServer,
    ask,
    chat_messages,
    chromium,
    show_evidence,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="needs Debian chromium: make browser-deps"
    ),
]

WAIT_MS = 120_000  # a first answer took 43 s on this busy 2-core machine (worker start)
CITIES = "city,month,temp_c\n" + "".join(
    f"{city},{month},{month / 2}\n"
    for city in ("Oslo", "Lisbon", "Cairo")
    for month in range(1, 13)
)  # 36 rows × 3 columns


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    app = AppServer(tmp_path_factory.mktemp("uploads") / "data")
    yield app
    app.stop()


@pytest.fixture
def page(request: pytest.FixtureRequest, server: AppServer) -> Iterator[object]:
    """A new browser session on the app; a screenshot and the server log when the test fails."""
    failed_before = request.session.testsfailed
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        tab = context.new_page()
        tab.set_default_timeout(WAIT_MS)
        tab.goto(server.url)
        tab.get_by_test_id("stChatInputTextArea").wait_for()
        yield tab
        if request.session.testsfailed > failed_before:
            show_evidence(request.node.name, [tab], server)
        context.close()


def in_view(page, locator) -> bool:
    """Whether the element's box lies inside the window as it is now (no scrolling)."""
    box = locator.bounding_box()
    height = page.evaluate("window.innerHeight")
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


def attach_a_bad_file_below_two_answers(page, tmp_path: Path) -> Path:
    """Two answers with a table and a chart (a long page), then a broken file sent with a
    question from the chat input."""
    from playwright.sync_api import expect

    for question in ("average body_mass_g by species", "average bill_length_mm by island"):
        ask(page, question)
        chat_messages(page).filter(has_text=question).wait_for()
        chat_messages(page).last.get_by_test_id("stPlotlyChart").wait_for()
    bad = tmp_path / "broken.parquet"
    bad.write_bytes(b"this is not a parquet file at all")
    chat_input = page.get_by_test_id("stChatInput")
    chat_input.locator("input[type=file]").set_input_files(str(bad))
    chat_input.get_by_text("broken.parquet").wait_for()
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill("how many rows")
    # Enter does nothing while the file still uploads (slow on a loaded machine): wait for it
    expect(chat_input.get_by_test_id("stChatInputSubmitButton")).to_be_enabled(timeout=60_000)
    box.press("Enter")
    return bad


def test_6_a_bad_file_in_the_chat_input_is_a_toast_in_view(page, tmp_path) -> None:
    attach_a_bad_file_below_two_answers(page, tmp_path)
    toast = page.get_by_test_id("stToast").filter(has_text="broken.parquet")
    toast.wait_for()  # beside the input, wherever the page is scrolled
    assert "is not a Parquet file" in toast.inner_text()
    assert in_view(page, toast), "the error is not in view beside the input"
    assert not in_view(page, page.get_by_role("heading", name="Decipher")), "page not long"


def test_6_a_bad_file_in_the_chat_input_is_the_last_message(page, tmp_path) -> None:
    bad = attach_a_bad_file_below_two_answers(page, tmp_path)
    alert = chat_messages(page).last.get_by_test_id("stAlert").filter(has_text="broken.parquet")
    alert.wait_for()
    assert "is not a Parquet file" in alert.inner_text()  # and the chat's last message
    assert "Not asked" in chat_messages(page).last.inner_text()  # its question waits for the file
    sidebar = page.get_by_test_id("stSidebar")
    assert sidebar.get_by_text("broken", exact=False).count() == 0  # not listed as a table
    assert page.get_by_test_id("stChatInput").get_by_text("broken.parquet").count() == 0

    sidebar.locator("input[type=file]").set_input_files(str(bad))  # the sidebar uploader
    sidebar.get_by_test_id("stAlert").filter(has_text="broken.parquet").wait_for()
    assert sidebar.get_by_test_id("stFileUploaderFile").count() == 0  # it left the uploader
    assert sidebar.get_by_text("penguins", exact=True).is_visible()  # nothing else changed


def test_7_an_uploaded_csv_becomes_the_main_table_everywhere(page, tmp_path) -> None:
    path = tmp_path / "cities.csv"
    path.write_text(CITIES)
    page.get_by_test_id("stSidebar").locator("input[type=file]").set_input_files(str(path))
    note = chat_messages(page).filter(has_text="Loaded cities: 36 rows × 3 columns.")
    note.wait_for()
    assert "cities is the main table now: df in code." in note.inner_text()
    assert "The sample penguins was removed" in note.inner_text()
    starter = note.get_by_role("button", name="How many rows are there?")
    starter.wait_for()  # inside the message, about the new table
    assert note.get_by_role("button", name=re.compile("bill_length_mm")).count() == 0
    assert page.get_by_test_id("stSidebar").get_by_text("penguins", exact=True).count() == 0

    starter.click()
    answer = chat_messages(page).filter(has_text=re.compile(r"offline planner · run")).last
    answer.wait_for()
    assert re.search(r"\b36\b", answer.inner_text())

    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Data").click()
    # the caption under the table picker describes the table it shows
    page.get_by_test_id("stMain").get_by_text(re.compile(r"^36 rows × 3 columns · csv")).wait_for()

    page.get_by_test_id("stSidebarNav").get_by_role("link", name="History").click()
    sessions = page.get_by_test_id("stSidebar").get_by_role("button", name="cities", exact=True)
    sessions.wait_for()
    assert page.get_by_test_id("stSidebar").get_by_role("button", name="How many rows").count() == 0
