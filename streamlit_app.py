"""Decipher: ask questions of your tables in plain language (`make run`).

Thin on purpose: page set-up, this browser session's engine session, navigation. Pages live in
`pages/`, logic in `engine/`.
"""

from __future__ import annotations

import streamlit as st

from engine.errors import EngineError
from pages import state
from pages.widgets import plain

st.set_page_config(page_title="Decipher", page_icon=":material/table_chart:", layout="wide")
page = st.navigation(
    [
        st.Page("pages/chat.py", title="Chat", icon=":material/chat:", default=True),
        st.Page("pages/data.py", title="Data", icon=":material/table:"),
        st.Page("pages/history.py", title="History", icon=":material/history:"),
        st.Page("pages/settings.py", title="Settings", icon=":material/settings:"),
    ]
)
try:
    state.current_session()
    page.run()
except EngineError as exc:  # e.g. the data directory cannot be written: plain words, no traceback
    st.error(plain(exc.message), icon=":material/error:")
