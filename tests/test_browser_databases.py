"""A database in a real browser (issue 15): `streamlit run` + headless Debian Chromium + the test
PostgreSQL + the scripted OpenAI-compatible server.

One tab: connect PostgreSQL on the Settings page (the URL typed into a masked field), ask a
grouped question the planner answers by SQL run in PostgreSQL (a table and a chart), then upload
a CSV and ask a question the planner declines: the scripted model joins the database table with
the file in sql(), and the answer says the database's rows were brought in capped. The password
never shows in the page or the server's log.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser_support import CHROMIUM, AppServer, ask, chromium, show_evidence
from tests.db_servers import READER
from tests.fake_openai import FakeOpenAI, Reply
from tests.test_answer_loop import fenced

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian chromium"),
]
WAIT_MS = 90_000  # the first answer waits for the sandbox's worker on a busy 2-core machine
MAX_ROWS = 1000
JOIN = (
    "SELECT m.manager, count(*) AS orders FROM sales s JOIN managers m ON s.region = m.region "
    "GROUP BY m.manager ORDER BY m.manager"
)


@pytest.fixture(scope="module")
def model() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


@pytest.fixture(scope="module")
def app(tmp_path_factory, model) -> Iterator[AppServer]:
    env = {
        "DECIPHER_BACKEND": "auto",  # the planner first, then the scripted model
        "DECIPHER_LLM_BASE_URL": model.base_url,
        "DECIPHER_DATABASE_MAX_ROWS": str(MAX_ROWS),
    }
    server = AppServer(tmp_path_factory.mktemp("browser-db") / "data", env=env)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def tab(app, postgres_server) -> Iterator[object]:
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        page.goto(app.url)
        page.get_by_test_id("stChatInputTextArea").wait_for()
        yield page
        context.close()


@pytest.fixture(autouse=True)
def evidence(request: pytest.FixtureRequest, app: AppServer, tab) -> Iterator[None]:
    failed_before = request.session.testsfailed
    yield
    if request.session.testsfailed > failed_before:
        show_evidence(request.node.name, [tab], app)


def test_1_connect_postgresql_on_the_settings_page(tab, postgres_server) -> None:
    tab.get_by_test_id("stSidebarNav").get_by_role("link", name="Settings").click()
    field = tab.get_by_role("textbox", name="Database URL")
    assert field.get_attribute("type") == "password"  # masked like the API key
    field.fill(postgres_server.url(READER))
    tab.get_by_role("button", name=re.compile("^Connect")).click()
    listed = f"postgresql://decipher_reader@127.0.0.1:{postgres_server.port}/decipher"
    tab.get_by_text(re.compile(re.escape(listed) + r" · PostgreSQL · 5 tables")).wait_for()
    field = tab.get_by_role("textbox", name="Database URL")
    assert field.input_value() == ""  # a fresh field: the URL is not kept
    tab.get_by_test_id("stSidebarNav").get_by_role("link", name="Chat").click()
    sidebar = tab.get_by_test_id("stSidebar")
    sidebar.get_by_text(re.compile(r"· in PostgreSQL · 9 columns")).first.wait_for()


def test_2_the_planner_answers_a_grouped_question_in_postgresql(tab) -> None:
    ask(tab, "total unit_price by region")
    last = tab.get_by_test_id("stChatMessage").last
    last.get_by_text(re.compile(r"offline planner · run .* · Total of unit_price")).wait_for()
    last.get_by_test_id("stDataFrame").wait_for()
    last.get_by_test_id("stPlotlyChart").locator(".main-svg").first.wait_for()
    assert last.get_by_text("5 rows × 2 columns").is_visible()
    last.get_by_text("Code", exact=True).click()
    code = last.get_by_role("textbox", name="Edit the code and re-run it").input_value()
    assert 'sql("""' in code and 'FROM "sales"' in code


def test_3_a_join_with_an_uploaded_csv_says_the_rows_were_brought_in_capped(
    tab, tmp_path, model
) -> None:
    path = tmp_path / "managers.csv"
    path.write_text("region,manager\nEast,Ann\nNorth,Bo\nWest,Cy\nEurope,Di\nSouth,Ed\n")
    tab.get_by_test_id("stSidebar").locator("input[type=file]").set_input_files(str(path))
    tab.get_by_test_id("stSidebar").get_by_text("managers", exact=True).wait_for()
    model.add(Reply(fenced(f"# join the database table with the file\nresult = sql({JOIN!r})")))
    ask(tab, "how many orders did each manager's region get?")
    last = tab.get_by_test_id("stChatMessage").last
    note = f"joined with the first {MAX_ROWS:,} rows of sales from PostgreSQL"
    last.get_by_test_id("stCaptionContainer").filter(has_text=note).wait_for()  # under the answer
    last.get_by_test_id("stDataFrame").wait_for()
    assert last.get_by_text("5 rows × 2 columns").is_visible()
    assert last.get_by_text(re.compile("OpenAI-compatible model · model .*, run ")).is_visible()
    prompt = model.requests[-1].messages[0]["content"]
    assert "It lives in PostgreSQL" in prompt and "JOIN them in one sql" in prompt


def test_4_the_password_is_nowhere_in_the_page_or_the_log(tab, app, postgres_server) -> None:
    password = postgres_server.passwords[READER]
    for page in ("Settings", "History", "Data", "Chat"):
        tab.get_by_test_id("stSidebarNav").get_by_role("link", name=page).click()
        tab.wait_for_timeout(1500)
        assert password not in tab.content()
    assert password not in app.output()
