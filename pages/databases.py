"""The Settings page's Databases section (issue 15): connect PostgreSQL or Spark Connect by
URL (masked, like the API key), see what is connected, disconnect, or give a restored session's
database its password again. Not a page of its own: pages/settings.py calls it."""

from __future__ import annotations

import streamlit as st

from engine.errors import EngineError
from engine.session import Session
from pages import state
from pages.widgets import code_span, plain

PLACEHOLDER = "postgresql://user:password@host:5432/database  or  sc://host:15002"


def render_databases(session: Session) -> None:
    st.subheader("Databases")
    st.caption(
        "Tables of a PostgreSQL or Spark database stay there: questions about them run as one "
        "read-only SQL query in the database, and only the result comes back. Connect with a "
        "login that may only read. DECIPHER_DATABASES (one URL per line, in the environment or "
        ".streamlit/secrets.toml) connects every new session."
    )
    for message in state.database_errors():
        st.warning(plain(message), icon=":material/database:")
    for i, status in enumerate(session.database_statuses()):
        if status.problem:
            st.warning(plain(status.problem), icon=":material/key:")
            continue
        row = st.container(horizontal=True, vertical_alignment="center")
        row.markdown(f"{code_span(status.url)} · {status.database} · {status.tables} tables")
        if row.button("Disconnect", key=f"db_disconnect_{i}", icon=":material/link_off:"):
            session.disconnect_database(status.url)
            st.rerun()
    field = st.session_state.get("db_url_field", 0)
    with st.form("database_form"):
        url = st.text_input(
            "Database URL",
            value="",
            type="password",  # the URL holds the password: never shown, nor kept in the widget
            key=f"set_db_url_{field}",
            placeholder=PLACEHOLDER,
            help="postgresql://user:password@host:5432/database (percent-encode @ : / in the "
            "password) or sc://host:15002 for Spark Connect.",
        )
        connect = st.form_submit_button("Connect", icon=":material/database:")
    if connect and url.strip():
        st.session_state["db_url_field"] = field + 1
        try:
            with st.spinner("Connecting and listing the tables…"):
                state.connect_database(session, url.strip())
        except EngineError as exc:
            st.session_state["db_connect_error"] = exc.message
        st.rerun()
    error = st.session_state.pop("db_connect_error", None)
    if error:
        st.error(plain(error), icon=":material/error:")
