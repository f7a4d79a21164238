"""Issue 14 on the pages, through Streamlit's AppTest on the real engine: "Save as table" on a
result and a planner answer about the new table; the files a turn's code wrote as downloads
with previews, matplotlib charts as images, and all of it back after a reload.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_S = 60

pytestmark = pytest.mark.slow

WRITE_FILES = (
    "clean = df.dropna()\n"
    "clean.to_csv('clean_penguins.csv', index=False)\n"
    "with pd.ExcelWriter('by_island.xlsx') as book:\n"
    "    for island, part in clean.groupby('island'):\n"
    "        part.to_excel(book, sheet_name=island, index=False)\n"
    "open('notes.txt', 'w').write('dropped rows with missing values\\nkept ' + str(len(clean)))\n"
    "import matplotlib.pyplot as plt\n"
    "clean.groupby('species')['body_mass_g'].mean().plot(kind='bar')\n"
    "result = len(clean)"
)


@pytest.fixture
def apps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[AppTest]]:
    import streamlit as st

    monkeypatch.setenv("DECIPHER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DECIPHER_BACKEND", "planner")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    st.cache_resource.clear()
    created: list[AppTest] = []
    yield created
    for at in created:
        if "engine_session" in at.session_state:
            at.session_state["engine_session"].close()
    st.cache_resource.clear()


def open_app(apps: list[AppTest], sid: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=TIMEOUT_S)
    if sid:
        at.query_params["s"] = sid
    apps.append(at)
    at.run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in at.error] + [s.value for s in at.success]
    return "\n".join(str(p) for p in parts)


def download_labels(at: AppTest) -> list[str]:
    return [d.proto.label for d in at.get("download_button")]


def test_save_as_table_then_the_planner_answers_about_it(apps):
    at = open_app(apps)
    at.chat_input[0].set_value("average body_mass_g by species")
    at.run()
    session = at.session_state["engine_session"]
    turn = session.turns[-1]
    assert turn.ok and turn.backend == "planner"
    key = f"turn-{turn.id}"
    at.text_input(key=f"{key}-save-name").set_value("species_mass")
    at.button(key=f"{key}-save").click()
    at.run()
    assert not at.exception and not at.error
    assert [t.name for t in session.tables] == ["penguins", "species_mass"]
    assert "`species_mass` · 3 rows × 2 columns · saved from an answer" in texts(at)
    assert any("Saved as table `species_mass`" in s.value for s in at.success)

    at.chat_input[0].set_value("which species has the highest body_mass_g in species_mass")
    at.run()
    answer = session.turns[-1]
    assert answer.ok and answer.backend == "planner", answer.result.error
    assert "species_mass" in answer.code
    assert answer.result.answer.value == "Gentoo"

    taken = session.turns[0]
    at.text_input(key=f"turn-{taken.id}-save-name").set_value("species_mass")
    at.button(key=f"turn-{taken.id}-save").click()
    at.run()
    assert any("exists already" in e.value for e in at.error)  # not replaced unasked

    again = open_app(apps, sid=session.session_id)  # a reload: the table is still there
    restored = again.session_state["engine_session"]
    assert [t.name for t in restored.tables] == ["penguins", "species_mass"]
    assert "`species_mass` · 3 rows × 2 columns · saved from an answer" in texts(again)


def test_a_bad_table_name_is_refused_with_the_fix(apps):
    at = open_app(apps)
    at.session_state["engine_session"].run("result = df.head(3)", question="three rows")
    at.run()
    turn = at.session_state["engine_session"].turns[-1]
    at.text_input(key=f"turn-{turn.id}-save-name").set_value("df")
    at.button(key=f"turn-{turn.id}-save").click()
    at.run()
    assert any("already a name in the code's namespace" in e.value for e in at.error)
    assert [t.name for t in at.session_state["engine_session"].tables] == ["penguins"]


def test_written_files_are_downloads_with_previews_and_survive_a_reload(apps):
    at = open_app(apps)
    session = at.session_state["engine_session"]
    turn = session.run(WRITE_FILES, question="clean it and give me the files")
    assert turn.ok, turn.result.error
    at.run()
    assert not at.exception and not at.error
    labels = download_labels(at)
    for name in ("clean\\_penguins\\.csv", "by\\_island\\.xlsx", "notes\\.txt", "figure\\_1\\.png"):
        assert name in labels, labels
    page = texts(at)
    assert "Files the code wrote (4)" in page
    assert "Sheets: Biscoe, Dream, Torgersen" in page
    assert "text/csv" in page and "image/png" in page
    previews = {len(d.value.columns): d.value for d in at.dataframe}
    assert any(list(frame.columns)[:2] == ["species", "island"] for frame in previews.values())
    assert any("dropped rows with missing values" in c.value for c in at.code)
    captions = [c for image in at.image for c in image.captions]
    assert "figure\\_1\\.png" in captions  # the chart, as a picture in the answer

    (csv,) = [f for f in turn.result.files if f.name == "clean_penguins.csv"]
    data = session.turns[-1].result.files[0]
    assert Path(str(data.path)).is_file()
    assert (
        len(pd.read_csv(io.BytesIO(Path(str(csv.path)).read_bytes()))) == turn.result.answer.value
    )

    again = open_app(apps, sid=session.session_id)
    assert sorted(download_labels(again)) == sorted(labels)
    history = again.switch_page("pages/history.py").run()
    assert "file clean\\_penguins\\.csv" in texts(history)
