"""The pages with a database (issue 15), through AppTest on the real engine and the test
PostgreSQL: DECIPHER_DATABASES connects a new session; the Data page profiles and previews a
database table in place; a reload without the password says which database needs it while the
file still works; a wrong password typed on the Settings page is an error that does not show it.
"""

from __future__ import annotations

import pytest

from tests.db_servers import READER
from tests.test_pages_app import apps, engine_session, open_app, texts  # noqa: F401 - fixture

pytestmark = pytest.mark.slow


def test_a_configured_database_joins_the_session_and_the_data_page_shows_it(
    apps,  # noqa: F811
    postgres_server,
    monkeypatch,
) -> None:
    url = postgres_server.url(READER)
    monkeypatch.setenv("DECIPHER_DATABASES", url)
    at = open_app(apps)
    session = engine_session(at)
    assert "sales" in [t.name for t in session.tables]
    assert "`sales` · in PostgreSQL · 9 columns" in texts(at)
    at = open_app(apps, "pages/data.py", sid=session.session_id)
    at.selectbox(key="data_table").set_value("sales").run()
    assert not at.exception, at.exception
    shown = texts(at)
    assert "5,000 rows × 9 columns · PostgreSQL" in shown
    assert "First 100 of 5,000 rows, read by a capped SELECT in PostgreSQL." in shown
    assert [len(d.value) for d in at.dataframe] == [9, 100]  # the profile, then the preview
    monkeypatch.delenv("DECIPHER_DATABASES")
    again = open_app(apps, "pages/settings.py", sid=session.session_id)
    restored = engine_session(again)
    assert [t.name for t in restored.tables] == ["penguins"]  # the file still works
    (warning,) = [w.value for w in again.warning if "needs its password" in w.value]
    assert "postgresql://decipher_reader@127.0.0.1" in warning.replace("\\", "")
    assert postgres_server.passwords[READER] not in texts(again) + warning


def test_a_wrong_password_on_the_settings_page_is_an_error_without_it(
    apps,  # noqa: F811
    postgres_server,
) -> None:
    at = open_app(apps, "pages/settings.py")
    wrong = postgres_server.url(READER).replace("%40", "%41", 1)
    at.text_input(key="set_db_url_0").set_value(wrong)
    at.button(key="FormSubmitter:database_form-Connect").click().run()
    assert not at.exception, at.exception
    (error,) = [e.value.replace("\\", "") for e in at.error]  # markdown escapes off
    assert "Could not connect to postgresql://decipher_reader@127" in error
    assert "p%41ss" not in error and "pAss" not in error
    assert at.text_input(key="set_db_url_1").value == ""  # a fresh field: the URL is not kept
    assert engine_session(at).database_statuses() == []
