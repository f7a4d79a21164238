"""Small things a new user tripped over (issue 16 item 9), each through AppTest on the real engine."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager

from tests import test_pages_app
from tests.test_pages_app import ROOT, engine_session, open_app

apps = test_pages_app.apps  # the same fixture: a data directory of its own, sessions closed


@pytest.fixture
def download_names(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The file names of the download buttons drawn, in order. A button whose file is built on
    click gives its name to the media file manager, which AppTest drops after each run: this
    notes it on the way (the real manager still gets the call)."""
    names: list[str] = []
    register = MediaFileManager.add_deferred

    def noting(self: MediaFileManager, *args: Any, file_name: str | None = None, **kw: Any) -> str:
        names.append(str(file_name))
        return register(self, *args, file_name=file_name, **kw)

    monkeypatch.setattr(MediaFileManager, "add_deferred", noting)
    return names


def test_downloads_are_named_after_the_question_and_unique_per_turn(apps, download_names):
    at = open_app(apps)
    for _ in range(2):
        at.chat_input[0].set_value("What is the average body_mass_g by species?")
        at.run()
    assert not at.exception and not at.error
    download_names.clear()
    at.run()  # both turns drawn again from the session
    stem = "average_body_mass_g_by_species"
    for suffix in (".csv", ".xlsx", ".parquet", ".html"):
        assert f"{stem}{suffix}" in download_names, download_names
        assert f"{stem}_2{suffix}" in download_names, download_names
    assert not [n for n in download_names if n.startswith("result")]


def test_the_chart_builder_starts_with_a_category_and_a_measure(apps):
    at = open_app(apps, "pages/data.py")
    assert (at.selectbox(key="chart_x").value, at.selectbox(key="chart_y").value) == (
        "species",
        "bill_length_mm",
    )
    engine_session(at).load(ROOT / "sample_data" / "sales.csv")
    at.run()
    at.selectbox(key="data_table").set_value("sales")
    at.run()
    assert not at.exception and not at.error
    chosen = [at.selectbox(key=k).value for k in ("chart_x", "chart_y", "chart_agg")]
    assert chosen == ["region", "unit_price", "mean"]  # not "Mean of order_id by order_id"
    assert "groupby(['region']" in at.code[0].value


def test_the_sample_picker_shows_the_sample_that_is_loaded(apps):
    at = open_app(apps)
    assert at.selectbox(key="sample_pick").value == "penguins.csv"  # not gapminder.csv, first
    at.selectbox(key="sample_pick").set_value("sales.csv")
    at.run()
    assert at.selectbox(key="sample_pick").value == "sales.csv"  # a pick not loaded yet stays
    at.button(key="sample_load").click()
    at.run()
    session = engine_session(at)
    assert [t.name for t in session.tables] == ["penguins", "sales"]
    assert at.selectbox(key="sample_pick").value == "sales.csv"
    session.drop_table("sales")
    at.run()
    assert at.selectbox(key="sample_pick").value == "penguins.csv"
    again = open_app(apps, sid=session.session_id)  # a reload restores the session
    assert again.selectbox(key="sample_pick").value == "penguins.csv"


def test_a_date_column_shows_as_dates_in_previews_and_results(apps):
    at = open_app(apps)
    session = engine_session(at)
    session.load(ROOT / "sample_data" / "sales.csv")
    at.switch_page("pages/data.py")
    at.run()
    at.selectbox(key="data_table").set_value("sales")
    at.run()
    preview = at.dataframe[1].value  # profile, then preview
    assert type(preview["order_date"][0]) is date  # shown as 2024-11-29, not ... 00:00:00
    at.switch_page("pages/chat.py")
    session.run('result = sql("SELECT order_date, quantity FROM sales LIMIT 3")', question="q1")
    session.run("result = pd.DataFrame({'at': pd.to_datetime(['2024-06-17 10:30'])})")
    at.run()
    assert not at.exception and not at.error
    dates, times = (frame.value for frame in at.dataframe)
    assert [type(v) for v in dates["order_date"]] == [date] * 3
    assert times["at"][0] == datetime(2024, 6, 17, 10, 30)  # a time of day is kept
