"""Files the code writes, in a real browser (issue 14): `streamlit run` + headless Debian
Chromium, with a model played by the scripted OpenAI-compatible test server.

The model answers "clean it and give me the files" with code that writes a cleaned CSV and a
two-sheet workbook; both appear as download buttons, the downloaded files hold the expected rows
and sheets, and after a reload they are still there and still download.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from tests.browser_support import CHROMIUM, AppServer, app_with_model, chromium, show_evidence
from tests.fake_openai import FakeOpenAI, Reply

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="needs Debian chromium: make browser-deps"
    ),
]

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "penguins.csv"
CODE = """```python
# drop rows with missing values
clean = df.dropna()
# the cleaned table as a CSV file
clean.to_csv("clean_penguins.csv", index=False)
# one sheet per sex in a workbook
with pd.ExcelWriter("penguins_by_sex.xlsx") as book:
    for sex, part in clean.groupby("sex"):
        part.to_excel(book, sheet_name=sex, index=False)
# how many rows were kept
result = len(clean)
```"""
QUESTION = "clean the table and give me a CSV and a workbook with one sheet per sex"


@pytest.fixture
def app(tmp_path: Path) -> Iterator[tuple[AppServer, FakeOpenAI]]:
    with app_with_model(tmp_path / "data", [Reply(CODE)]) as running:
        yield running


def download(page, label: str) -> bytes:
    button = page.get_by_test_id("stDownloadButton").filter(has_text=label)
    with page.expect_download() as info:
        button.click()
    assert info.value.suggested_filename == label
    return Path(info.value.path()).read_bytes()


def check_files(page) -> None:
    clean = pd.read_csv(SAMPLE).dropna()
    csv = pd.read_csv(io.BytesIO(download(page, "clean_penguins.csv")))
    assert len(csv) == len(clean) == 333
    assert list(csv.columns) == list(clean.columns)
    sheets = pd.read_excel(io.BytesIO(download(page, "penguins_by_sex.xlsx")), sheet_name=None)
    assert sorted(sheets) == ["female", "male"]
    expected = clean["sex"].value_counts()
    assert {name: len(frame) for name, frame in sheets.items()} == expected.to_dict()


def test_a_model_writes_a_csv_and_a_workbook_that_download_and_survive_a_reload(
    app, request
) -> None:
    server, model = app
    with chromium() as browser:
        context = browser.new_context(
            accept_downloads=True, viewport={"width": 1400, "height": 1000}
        )
        page = context.new_page()
        page.set_default_timeout(60_000)
        try:
            page.goto(server.url)
            box = page.get_by_test_id("stChatInputTextArea")
            box.fill(QUESTION)
            box.press("Enter")
            page.get_by_text("Files the code wrote (2)").wait_for()
            for label in ("clean_penguins.csv", "penguins_by_sex.xlsx"):
                page.get_by_test_id("stDownloadButton").filter(has_text=label).wait_for()
            page.get_by_text("Sheets: female, male").wait_for()  # the workbook's first look
            check_files(page)
            assert len(model.requests) == 1

            page.reload()
            page.get_by_test_id("stChatInputTextArea").wait_for()
            page.get_by_text("Files the code wrote (2)").wait_for()
            check_files(page)  # the same files, from the history after the reload
        except BaseException:
            show_evidence(request.node.name, [page], server)
            raise
        finally:
            context.close()
