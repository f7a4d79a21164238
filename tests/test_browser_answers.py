"""An empty answer in a real browser (issue 16): `streamlit run` + headless Debian Chromium, with
the model played by the scripted OpenAI-compatible server.

"now only for the West region" on a table with no West used to end in "Done", an empty table and
an empty chart with axes from -1 to 5. Now the status says no rows matched, the page says so
plainly with the regions that exist, and no chart is drawn.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

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

ORDERS = "region,category,amount\n" + "".join(
    f"{region},{category},{10 + i}\n"
    for i, (region, category) in enumerate(
        (r, c) for r in ("North", "South", "East") for c in ("Toys", "Books")
    )
)
CODE = """```python
import plotly.express as px
# only the West region
west = orders[orders["region"] == "West"]
# total amount per category
result = west.groupby("category", as_index=False)["amount"].sum()
fig = px.bar(result, x="category", y="amount")
```"""


@pytest.fixture
def app(tmp_path: Path) -> Iterator[tuple[AppServer, FakeOpenAI]]:
    # the same code three times: the empty result goes back to the model once, which keeps
    # it, also when that repair is sampled once more
    with app_with_model(tmp_path / "data", [Reply(CODE)] * 3) as running:
        yield running


def test_an_empty_result_says_so_lists_the_regions_and_draws_no_chart(app, tmp_path, request):
    server, model = app
    orders = tmp_path / "orders.csv"
    orders.write_text(ORDERS)
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(60_000)
        try:
            page.goto(server.url)
            sidebar = page.get_by_test_id("stSidebar")
            sidebar.locator("input[type=file]").set_input_files(str(orders))
            sidebar.get_by_text("orders", exact=True).wait_for()
            box = page.get_by_test_id("stChatInputTextArea")
            box.fill("total amount by category, only for the West region")
            box.press("Enter")
            last = page.get_by_test_id("stChatMessage").last
            last.get_by_text("No rows matched").wait_for()  # the status, not "Done"
            warning = last.get_by_test_id("stAlertContentWarning")
            warning.wait_for()
            assert re.search(
                r"The result is empty: no row has region = 'West' \(its values: 'East', "
                r"'North', 'South'\)",
                warning.inner_text(),
            )
            last.get_by_text("No chart: the result has no rows to draw.").wait_for()  # drawn after
            assert last.get_by_test_id("stPlotlyChart").count() == 0
            assert last.get_by_text("Done", exact=True).count() == 0
            assert len(model.requests) == 3  # the empty result went back once, resampled
        except BaseException:
            show_evidence(request.node.name, [page], server)
            raise
        finally:
            context.close()
