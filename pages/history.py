"""History: every turn of every session, searchable; open, re-run, delete, export (issue 6)."""

from __future__ import annotations

import streamlit as st

from pages import state
from pages.history_sidebar import session_label
from pages.outputs import size_text
from pages.widgets import plain, render_turn, run_with_progress, turn_caption


def _toggle(key: str) -> None:
    """Show one turn in full (a callback, so the choice holds before the list is drawn)."""
    was = st.session_state.get("history_shown")
    st.session_state["history_shown"] = None if was == key else key


session = state.current_session()

st.title("History")

with st.sidebar:
    st.subheader("Sessions")
    listed = [i for i in session.stored_sessions() if i.turn_count or i.id == session.session_id]
    for info in listed[:50]:
        label = plain(session_label(info))
        current = info.id == session.session_id
        caption = f"{info.turn_count} turns"
        if info.tables:
            caption += " · " + ", ".join(info.tables)
        caption = plain(caption) + (" · this session" if current else "")
        if st.button(label, key=f"open-{info.id}", disabled=current, help=caption, width="stretch"):
            state.open_session(info.id)
            st.rerun()
        st.caption(caption)

text = st.text_input("Search questions, code and answers", key="history_search")
scope_all = st.toggle("Search every session", key="history_all", value=False)
if text:
    found = session.search_history(text, every_session=scope_all)
else:
    found = [(session.session_id, t) for t in session.turns]

top = st.container(horizontal=True)
top.download_button(
    "Export session as notebook (.zip)",
    data=session.export_bundle,
    file_name="decipher-session.zip",
    mime="application/zip",
    key="export_bundle",
    icon=":material/download:",
    on_click="ignore",
    disabled=not session.turns,
)
if top.button(
    "Delete all turns",
    key="history_clear",
    icon=":material/delete_sweep:",
    disabled=not session.turns,
):
    session.clear_turns()
    st.rerun()

if not found:
    st.info("No turns yet." if not text else f"Nothing matches “{plain(text)}”.")
shown = st.session_state.get("history_shown")


for i, (sid, turn) in enumerate(reversed(found)):
    key = f"hist-{turn.id if turn.id is not None else i}"
    own = sid == session.session_id
    with st.container(border=True, key=f"{key}-box"):
        mark = ":material/check_circle:" if turn.ok else ":material/error:"
        st.markdown(f"{mark} **{plain(turn.question or '(code run)')}**")
        summary = turn.result.answer.text if turn.result.answer else ""
        if turn.result.error is not None:
            summary = turn.result.error.message
        st.caption(plain(turn_caption(turn)) + (f" · {plain(summary)}" if summary else ""))
        made = [f"file {f.name} ({size_text(f.bytes)})" for f in turn.result.files]
        made += [f"saved table {t.name}" for t in turn.result.saved_tables]
        if made:
            st.caption(plain(" · ".join(made)))
        row = st.container(horizontal=True)
        row.button(
            "Show", key=f"{key}-show", icon=":material/visibility:", on_click=_toggle, args=(key,)
        )
        if own and turn.code and row.button("Re-run", key=f"{key}-again", icon=":material/replay:"):
            new = run_with_progress(session, turn.code, question=turn.question)
            st.session_state["history_shown"] = f"hist-{new.id if new.id is not None else 'new'}"
            st.toast("Re-ran: the new answer is in the chat and at the top here.")
            st.rerun()
        if own and row.button("Delete", key=f"{key}-delete", icon=":material/delete:"):
            session.delete_turn(turn)
            st.rerun()
        if not own:
            st.caption("From another session: open it in the sidebar to re-run or delete it.")
        if shown == key:
            render_turn(session, turn, key=key, editable=own)
