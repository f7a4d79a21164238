"""Issue 16 on the pages, through Streamlit's AppTest on the real engine: the session id stays in
the URL across page changes (item 1), and the Chat sidebar lists this session's questions and
earlier sessions (item 8). The browser side is tests/test_browser_session_nav.py.
"""

from __future__ import annotations

import pytest

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
