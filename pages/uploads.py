"""What the user sees when files arrive (issue 16): the chat confirms a new table, or says why a
file did not load, as its latest message (and a toast beside the input: Streamlit does not
always scroll to a new last message); a file that failed leaves the sidebar uploader instead of
staying listed as if it were loaded.

The session decides which table leads (`Session.load`); this module only reports it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import streamlit as st

from engine.results import table_summary
from engine.session import Session
from pages import state
from pages.widgets import code_span, plain, show_load_errors

_NOTE: Final = "upload_note"
_UPLOADER: Final = "uploader_generation"
_SIDEBAR_ERRORS: Final = "uploader_errors"
DATA_TABLE_KEY: Final = "data_table"  # the Data page's table picker


@dataclass(frozen=True)
class UploadNote:
    """The chat's message about the latest files: shown until the next turn of the session."""

    session_id: str | None
    after_turns: int  # shown while the session has this many turns
    loaded: tuple[str, ...]  # the new tables, in order
    leads: bool  # the first new table became the main one (`df`)
    left: tuple[str, ...]  # tables that left the session (the untouched starting sample)
    kept: tuple[str, ...]  # the tables that were there and stay
    errors: tuple[str, ...]  # files attached in the chat that did not load
    held_question: str = ""  # asked with a file that did not load: not asked (it was about it)


def take_files(
    session: Session, files: list[Any], *, from_chat: bool, question: str | None = None
) -> list[str]:
    """Load the files not loaded yet; note what happened for the chat, open the Data page on a
    new main table, and return the error messages (the chat shows a chat file's in its note,
    with the `question` typed with it, which the page then does not ask)."""
    before = [t.name for t in session.tables]
    errors = state.load_uploads(session, files)
    names = [t.name for t in session.tables]
    loaded = tuple(n for n in names if n not in before)
    if from_chat:  # beside the input, in view wherever the page is scrolled (issue 16)
        for message in errors:
            st.toast(plain(message), icon=":material/error:", duration="long")
    if not loaded and not (errors and from_chat):
        return errors
    leads = bool(loaded) and names[0] == loaded[0]
    if leads:  # the Data page opens on it (its picker otherwise keeps the old table)
        st.session_state[DATA_TABLE_KEY] = loaded[0]
    st.session_state[_NOTE] = UploadNote(
        session_id=session.session_id,
        after_turns=len(session.turns),
        loaded=loaded,
        leads=leads,
        left=tuple(n for n in before if n not in names),
        kept=tuple(n for n in before if n in names),
        errors=tuple(errors) if from_chat else (),
        held_question=(question or "") if errors and from_chat else "",
    )
    return errors


def render_note(session: Session) -> bool:
    """The latest files' message as the chat's last message, until the next turn; True when
    it offered starter questions (the page then shows no others)."""
    note: UploadNote | None = st.session_state.get(_NOTE)
    if note is None or note.session_id != session.session_id:
        return False
    if note.after_turns != len(session.turns):
        return False
    names = {t.name for t in session.tables}
    loaded = [n for n in note.loaded if n in names]  # not removed since
    starters: list[str] = []
    with st.chat_message("assistant"):
        for message in note.errors:
            st.error(plain(message), icon=":material/error:")
        if note.held_question:
            st.caption(
                f"Not asked, since it may be about that file: {plain(note.held_question)} "
                "Attach the fixed file and ask again."
            )
        elif note.errors:
            st.caption("Nothing was loaded from it: fix the file and attach it again.")
        for name in loaded:
            table = session.table(name)
            st.markdown(
                f"Loaded {code_span(name)}: {table_summary(table.rows, len(table.columns))}."
            )
        if loaded and note.leads and session.tables[0].name == loaded[0]:
            lines = [f"{code_span(loaded[0])} is the main table now: `df` in code."]
            if note.left:
                gone = ", ".join(code_span(n) for n in note.left)
                lines.append(f"The sample {gone} was removed: no question had used it.")
            elif note.kept:
                kept = ", ".join(code_span(n) for n in note.kept)
                lines.append(f"{kept} stays, by its name, for the earlier answers.")
            st.markdown(" ".join(lines))
            starters = session.starter_questions(5)
        if starters:
            st.caption(f"Try one of these about {code_span(loaded[0])}:")
            row = st.container(horizontal=True)
            for j, starter in enumerate(starters):
                row.button(
                    plain(starter),
                    key=f"upload-starter-{j}",
                    on_click=st.session_state.__setitem__,
                    args=("pending_question", starter),
                )
    return bool(starters)


def uploader_key() -> str:
    """The sidebar uploader's key: a new one empties it (Streamlit cannot remove one file)."""
    generation = st.session_state.get(_UPLOADER, 0)
    return "uploads" if not generation else f"uploads-{generation}"


def clear_failed_uploads(errors: list[str]) -> None:
    """A file that failed must not stay listed as if loaded: empty the uploader (the loaded
    ones are listed as tables above it) and show the errors below it after the rerun."""
    st.session_state[_UPLOADER] = st.session_state.get(_UPLOADER, 0) + 1
    st.session_state[_SIDEBAR_ERRORS] = list(errors)
    st.rerun()


def show_sidebar_errors() -> None:
    """The errors of the files the uploader just dropped, once."""
    show_load_errors(st.session_state.pop(_SIDEBAR_ERRORS, None) or [])
