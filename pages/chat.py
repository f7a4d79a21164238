"""Chat: ask questions about the loaded tables; answers are text, tables and charts (issue 6)."""

from __future__ import annotations

import streamlit as st

from pages import state, uploads
from pages.history_sidebar import render_history_sidebar, render_turn_anchor
from pages.widgets import (
    ProgressView,
    code_span,
    plain,
    render_data_sidebar,
    render_turn,
    status_label,
)

session = state.current_session()

# Read first (it is pinned to the bottom anyway), so a new question hides the starters.
prompt = st.chat_input(
    "Ask a question about your data",
    key="chat",
    accept_file="multiple",
    file_type=state.UPLOAD_TYPES,
    submit_mode="stop",  # the send button becomes a stop button while a question runs
)
question = st.session_state.pop("pending_question", None)  # a starter or follow-up, clicked
if prompt is not None:
    question = prompt.text or question
    if prompt.files:  # the confirmation or the error is the chat's last message (issue 16)
        failed = uploads.take_files(session, list(prompt.files), from_chat=True, question=question)
        question = None if failed else question
render_data_sidebar(session)  # after the chat input's files, so they are listed at once

st.title("Decipher")
if session.tables:
    names = ", ".join(code_span(t.name) for t in session.tables)
    st.caption(f"Ask about {names}. The first table is also called `df` in code.")
else:
    st.info("Upload a table in the sidebar or with the paperclip below, or load a sample.")

for i, turn in enumerate(session.turns):
    render_turn_anchor(i)  # the sidebar's link to this question jumps here
    with st.chat_message("user"):
        st.markdown(plain(turn.question or "(code run)"))
    with st.chat_message("assistant"):
        render_turn(session, turn, key=f"turn-{turn.id if turn.id is not None else i}")

offered = uploads.render_note(session)  # the latest files: loaded (and starters) or not
if session.tables and not session.turns and not question and not offered:
    starters = session.starter_questions(5)
    if starters:
        st.caption("Try one of these:")
        row = st.container(horizontal=True)
        for j, starter in enumerate(starters):
            row.button(
                plain(starter),  # labels take markdown (even images): column names are data
                key=f"starter-{j}",
                on_click=st.session_state.__setitem__,
                args=("pending_question", starter),
            )

if question:
    render_turn_anchor(len(session.turns))  # the turn this question becomes
    with st.chat_message("user"):
        st.markdown(plain(question))
    with st.chat_message("assistant"):
        with st.status("Thinking…", expanded=False) as status:
            turn = session.ask(question, on_progress=ProgressView(status))
            label, outcome = status_label(turn)  # not `state`: that name is the pages module
            status.update(label=label, state=outcome)
        n = len(session.turns) - 1
        render_turn(session, turn, key=f"turn-{turn.id if turn.id is not None else n}")

render_history_sidebar(session)  # last, so the question just answered is listed too
