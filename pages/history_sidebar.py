"""The Chat page's history in its sidebar: this session's questions, each a link that jumps to
its answer, and earlier sessions, each a button that opens it (issue 16).

Kept short on purpose (a few of each, newest first); the History page has them all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import streamlit as st

from engine.session import Session
from pages import state
from pages.widgets import plain

if TYPE_CHECKING:
    from engine.session import SessionInfo  # the store's type, as Session hands it out

QUESTIONS_SHOWN: Final = 10
SESSIONS_SHOWN: Final = 5
LABEL_CHARS: Final = 48  # one line of the default sidebar width

# Why a script: Streamlit keeps the chat pinned to its bottom while the reader is there (its
# scroll-to-bottom container checks every 17 ms; it sees a scroll as the reader's only when its
# throttled handler, at most every 100 ms, runs first). The browser's own jump to `#q-N` lost that
# race about half the time when the reader was at the bottom, and the page went back down. This
# waits until the chat has not scrolled for QUIET_MS, jumps, and jumps once more if it was pulled
# back; any wheel, touch or key of the reader's cancels it. Constant text: nothing of the user's.
JUMP_SCRIPT: Final = """<script>
(() => {
  if (window.decipherJumps) return;
  window.decipherJumps = true;
  const QUIET_MS = 150, CHECK_MS = 500, TRIES = 3;
  let lastScroll = 0, jumpId = 0;
  document.addEventListener("scroll", () => { lastScroll = performance.now(); },
                            {capture: true, passive: true});
  for (const kind of ["wheel", "touchstart", "keydown"])
    document.addEventListener(kind, () => { jumpId += 1; }, {capture: true, passive: true});
  const jump = (target, id, tries) => {
    if (id !== jumpId) return;  // the reader moved, or clicked another link
    const wait = lastScroll + QUIET_MS - performance.now();
    if (wait > 0) { setTimeout(() => jump(target, id, tries), wait); return; }
    target.scrollIntoView({block: "start"});
    const wanted = target.getBoundingClientRect().top;
    setTimeout(() => {
      const moved = Math.abs(target.getBoundingClientRect().top - wanted) > 2;
      if (moved && tries > 1) jump(target, id, tries - 1);
    }, CHECK_MS);
  };
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest('a[href^="#q-"]');
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const name = link.getAttribute("href").slice(1);
    const target = document.getElementById(name);
    if (!target) return;
    event.preventDefault();
    history.replaceState(history.state, "", "#" + name);
    jumpId += 1;
    jump(target, jumpId, TRIES);
  }, true);
})();
</script>"""


def turn_anchor(index: int) -> str:
    """The id of the place in the chat where turn `index` (0-based) starts: the sidebar links to
    `#q-<n>`, counted like the chat shows the turns, so a deleted turn never leaves a dead link."""
    return f"q-{index + 1}"


def render_turn_anchor(index: int) -> None:
    """An empty element the browser scrolls to when a sidebar link is clicked.

    `st.html` keeps the `id` (markdown headings have anchors too, but a heading per question
    would be loud). The margin keeps the question clear of Streamlit's fixed header.
    """
    st.html(f'<div id="{turn_anchor(index)}" style="scroll-margin-top: 4rem"></div>')


def shortened(text: str, chars: int = LABEL_CHARS) -> str:
    """`text` on one line, cut to `chars` characters with an ellipsis."""
    line = " ".join(text.split())
    return line if len(line) <= chars else line[: chars - 1].rstrip() + "…"


def session_label(info: SessionInfo) -> str:
    """A stored session's name, as typed (escape it for a label): its title (its first
    question) or when it started."""
    return info.title or f"Session {info.created_at[:16].replace('T', ' ')}"


def render_history_sidebar(session: Session) -> None:
    """This session's questions (newest first) and the earlier sessions that have turns."""
    with st.sidebar:
        _render_questions(session)
        _render_sessions(session)


def _render_questions(session: Session) -> None:
    turns = session.turns
    if not turns:
        return
    st.subheader("Questions")
    newest = list(enumerate(turns))[::-1][:QUESTIONS_SHOWN]
    lines = [
        f"- [{plain(shortened(turn.question or '(code run)'))}](#{turn_anchor(i)})"
        for i, turn in newest
    ]
    st.markdown("\n".join(lines))
    st.html(JUMP_SCRIPT, unsafe_allow_javascript=True)  # the links' clicks (why: JUMP_SCRIPT)
    if len(turns) > QUESTIONS_SHOWN:
        _history_link(session, f"{len(turns) - QUESTIONS_SHOWN} earlier in History")


def _render_sessions(session: Session) -> None:
    stored = session.stored_sessions()
    earlier = [i for i in stored if i.turn_count and i.id != session.session_id]
    if not earlier:
        return
    st.subheader("Earlier sessions")
    for info in earlier[:SESSIONS_SHOWN]:  # most recently used first (HistoryStore.sessions)
        caption = f"{info.turn_count} turns"
        if info.tables:
            caption += " · " + ", ".join(info.tables)
        if st.button(
            plain(shortened(session_label(info))),
            key=f"chat-open-{info.id}",
            help=plain(caption),
            type="tertiary",
            icon=":material/history:",
        ):
            state.open_session(info.id)
            st.rerun()
    if len(earlier) > SESSIONS_SHOWN:
        _history_link(session, f"{len(earlier) - SESSIONS_SHOWN} more in History")


def _history_link(session: Session, label: str) -> None:
    """A link to the History page that keeps the session in its URL (opened in a new tab too)."""
    keep = {"s": session.session_id} if session.session_id else None
    st.page_link("pages/history.py", label=label, icon=":material/history:", query_params=keep)
