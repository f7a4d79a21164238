"""Shared rendering for the pages: answers, errors, downloads, progress (not a page itself).

Model and data text is always rendered as text: markdown specials are escaped and nothing goes
through `unsafe_allow_html` (issue 6, "Safety in the UI").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final

import streamlit as st

from engine.answer.emptiness import empty_message
from engine.databases.urls import database_of_source
from engine.display import dates_as_dates
from engine.figures import has_points
from engine.outputs import SAVED_FORMAT
from engine.results import table_summary
from engine.session import Session
from engine.timing import timing_text
from engine.types import Answer, Backend, ErrorInfo, Table, TableData, Turn
from pages.outputs import render_files, render_images, render_save_table

_MARKDOWN_SPECIALS: Final = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")
DISPLAY_MAX_BYTES: Final = 16 << 20  # a result table shown in the page; downloads have it all


def plain(text: str) -> str:
    """Text with markdown specials escaped, so data and model text show as typed (no links,
    no images fetched from the web, no HTML)."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", str(text))


def code_span(text: str) -> str:
    """Inline code showing `text` as typed. Markdown escapes do not apply inside backticks
    (`plain` there showed `load\\_2024`), and nothing inside is a link or HTML; backticks and
    line breaks, which would end or break the span, become quotes and spaces."""
    return "`" + " ".join(str(text).replace("`", "'").split()) + "`"


def turn_caption(turn: Turn) -> str:
    """'offline planner · run 12 ms', 'local model · model 148 s, run 151 ms'."""
    parts = []
    if turn.code is not None:  # a question nobody could answer has no code and no run
        known = turn.backend in tuple(Backend)  # None: code the user ran
        parts.append(Backend(turn.backend).label if known else str(turn.backend or "your code"))
    if timing_text(turn):
        parts.append(timing_text(turn))
    if turn.attempts:
        parts.append(f"{len(turn.attempts)} repair(s)")
    if turn.created_at:
        parts.append(turn.created_at.replace("T", " ").split("+")[0])
    return " · ".join(parts)


def status_label(turn: Turn) -> tuple[str, str]:
    """The label and state of a finished question's status: "Done" only when there is
    something to show."""
    if not turn.ok:
        return "Could not answer", "error"
    if empty_message(turn.result.answer) is not None:
        return "No rows matched", "complete"
    return "Done", "complete"


def render_turn(session: Session, turn: Turn, key: str, *, editable: bool = True) -> None:
    """One answer: text, table, chart, downloads, then the code (editable, re-runnable)."""
    result = turn.result
    if result.ok and result.answer is not None:
        render_answer(session, result.answer, key, turn=turn)
        render_files(session, turn, key)
    elif result.error is not None:
        render_error(result.error, turn.code)
        if result.answer is not None:  # not what was asked, but what the code computed
            with st.expander("What the code computed"):
                render_answer(session, result.answer, key)
    for note in _run_notes(result.stdout):  # e.g. "joined with the first 100,000 rows of..."
        st.caption(f":material/info: {plain(note)}")
    if result.stdout:
        with st.expander("Printed output"):
            st.code(result.stdout, language=None)
    st.caption(
        plain(turn_caption(turn)) + (f" · {plain(turn.explanation)}" if turn.explanation else "")
    )
    if turn.code and editable:
        render_code_editor(session, turn, key)
    if turn.attempts:
        with st.expander(f"Earlier attempts ({len(turn.attempts)})"):
            for i, attempt in enumerate(turn.attempts, 1):
                st.markdown(f"**Attempt {i}**")
                st.code(attempt.code)
                if attempt.result.error is not None:
                    st.code(attempt.result.error.message, language=None)


def _run_notes(stdout: str) -> list[str]:
    """The sandbox's notes on a run (`[note] ...` lines of engine/sandbox/outcome.py): where
    rows came from and what was assumed, shown under the answer, not only in printed output."""
    return [line[7:] for line in stdout.splitlines() if line.startswith("[note] ")]


def render_answer(session: Session, answer: Answer, key: str, *, turn: Turn | None = None) -> None:
    """The answer's text, table and chart; with its `turn`, a matplotlib chart as a picture
    and "Save as table" on the table (issue 14)."""
    empty = empty_message(answer)
    if empty is not None:  # said plainly, with the values that exist (issue 16)
        st.warning(plain(empty), icon=":material/search_off:")
    elif answer.kind == "value":
        st.markdown(f"**{plain(answer.text)}**")
    elif answer.text and answer.kind != "table":
        st.markdown(plain(answer.text))
    if answer.table is not None:
        render_table(session, answer.table, key, turn=turn)
    if answer.figure is not None and has_points(answer.figure):
        render_figure(session, answer.figure, key, turn=turn)
    elif answer.figure is not None:  # axes from -1 to 5 around nothing would look like a bug
        st.caption(":material/info: No chart: the result has no rows to draw.")
    render_images(turn, key)


def render_table(session: Session, data: TableData, key: str, *, turn: Turn | None = None) -> None:
    """The result table (its first ~DISPLAY_MAX_BYTES of rows), its size, downloads of every
    row, "Save as table", follow-ups on any selected row."""
    frame = dates_as_dates(data.display_slice(DISPLAY_MAX_BYTES))  # 2024-06-17, no 00:00:00
    state = st.dataframe(
        frame, key=f"{key}-table", on_select="rerun", selection_mode="multi-row", hide_index=True
    )
    note = table_summary(data.row_count, len(data.columns))
    if frame.num_rows < data.row_count:
        note = f"showing {frame.num_rows:,} of {note}"
        if data.arrow is not None and data.arrow.num_rows == data.row_count:
            note += "; the downloads have every row"
        else:  # a turn from the history whose full table is gone keeps only the rows it showed
            note += f"; the downloads have these {frame.num_rows:,}: re-run the code for every row"
    st.caption(note)
    row = table_downloads(data, key, download_name(session, turn))
    if turn is not None:
        render_save_table(session, turn, key, row)
    rows = list((state or {}).get("selection", {}).get("rows", []) if state else [])
    if rows:
        _offer_followups(session, data.columns, data.rows_at(rows), key, "row")


def render_figure(
    session: Session, figure: dict[str, Any], key: str, *, turn: Turn | None = None
) -> None:
    import plotly.graph_objects as go

    fig = go.Figure(figure)
    state = st.plotly_chart(fig, key=f"{key}-chart", on_select="rerun")
    from engine.export import FIGURE_FORMAT

    stem = download_name(session, turn) if turn is not None else "chart"
    _download(st, FIGURE_FORMAT, figure, stem, key=f"{key}-html", label="Chart (HTML)")
    points = list((state or {}).get("selection", {}).get("points", []) if state else [])
    if points:
        columns = ("x", "y")
        picked = [(p.get("x"), p.get("y")) for p in points]
        _offer_followups(session, columns, picked, key, "point", figure=figure, points=points)


def download_name(session: Session, turn: Turn | None) -> str:
    """The stem of a turn's downloads, from its question, unique in the session (issue 16)."""
    from engine.export.names import download_stem

    if turn is None:
        return "result"
    turns = session.turns
    same = (i for i, t in enumerate(turns) if t is turn or (t.id is not None and t.id == turn.id))
    at = next(same, len(turns))
    return download_stem(turn, turns[:at])


def table_downloads(data: TableData, key: str, stem: str = "result") -> Any:
    """CSV, Excel and Parquet downloads named `stem`, each built only when clicked (callable
    data); returns their row, for more buttons."""
    from engine.export import EXCEL_MAX_ROWS, TABLE_FORMATS

    row = st.container(horizontal=True)
    for name, fmt in TABLE_FORMATS.items():
        too_big = name == "xlsx" and data.row_count > EXCEL_MAX_ROWS
        _download(
            row,
            fmt,
            data,
            stem,
            key=f"{key}-{name}",
            disabled=too_big,
            help=f"Excel holds at most {EXCEL_MAX_ROWS:,} rows: use CSV or Parquet."
            if too_big
            else None,
        )
    return row


def _download(
    where: Any,
    fmt: Any,  # engine.export.ExportFormat
    data: Any,
    stem: str,
    *,
    key: str,
    label: str | None = None,
    disabled: bool = False,
    help: str | None = None,
) -> None:
    """One download button whose file is written only when it is clicked (callable data)."""
    where.download_button(
        label or fmt.label,
        data=_exporter(fmt.write, data),
        file_name=f"{stem}{fmt.suffix}",
        mime=fmt.mime,
        key=key,
        icon=":material/download:",
        on_click="ignore",
        disabled=disabled,
        help=help,
    )


def _exporter(write: Callable[[Any], bytes], data: Any) -> Callable[[], bytes]:
    return lambda: write(data)


def render_error(error: ErrorInfo, code: str | None = None) -> None:
    """The plain message; the code and the technical detail one click away. Never a traceback
    on the page itself."""
    st.error(plain(error.message), icon=":material/error:")
    if error.kind == "unsupported":  # the message says how; the link takes them there
        st.page_link(
            "pages/settings.py",
            label="Open Settings to enable a language model",
            icon=":material/settings:",
        )
    if code or error.detail:
        with st.expander("Details"):
            st.caption(f"error kind: {error.kind}")
            if code:
                st.code(code)
            if error.detail:
                st.code(error.detail, language=None)


def render_code_editor(session: Session, turn: Turn, key: str) -> None:
    """The code, editable; Re-run runs the edited code as a new turn."""
    with st.expander("Code"):
        edited = st.text_area(
            "Edit the code and re-run it",
            value=turn.code or "",
            key=f"{key}-edit",
            height=max(120, 22 * min(20, (turn.code or "").count("\n") + 2)),
        )
        if st.button("Re-run", key=f"{key}-rerun", icon=":material/replay:"):
            run_with_progress(session, edited, question=turn.question)
            st.rerun()


def run_with_progress(session: Session, code: str, *, question: str | None) -> Turn:
    """`session.run` with a live "Running… 3 s" line. Updating it every half second is also
    where Streamlit's Stop reaches a long run: its StopException ends the child."""
    line = st.empty()
    line.caption("Running in the sandbox…")
    try:
        return session.run(
            code,
            question=question,
            on_wait=lambda seconds: line.caption(f"Running in the sandbox… {seconds:.0f} s"),
        )
    finally:
        line.empty()


def _offer_followups(
    session: Session,
    columns: tuple[str, ...] | list[str],
    rows: list[Any],
    key: str,
    what: str,
    *,
    figure: dict[str, Any] | None = None,
    points: list[Any] | None = None,
) -> None:
    from engine.followups import explain_question, rows_filter_code, selection_filter_code

    table = session.tables[0] if session.tables else None
    code = None
    if table is not None:
        if figure is not None:
            code = selection_filter_code(figure, points or [], table.columns)
        else:
            code = rows_filter_code(columns, rows, table.columns)
    st.caption(f"{len(rows)} {what}{'s' * (len(rows) != 1)} selected")
    row = st.container(horizontal=True)
    if code and row.button(
        "Filter to selection", key=f"{key}-filter", icon=":material/filter_alt:"
    ):
        session.run(code, question=f"Filter {table.name if table else 'df'} to the selection")
        st.rerun()
    if row.button("Explain these", key=f"{key}-explain", icon=":material/help:"):
        st.session_state["pending_question"] = explain_question(list(columns), rows)
        st.rerun()


class ProgressView:
    """Feeds `Progress` events into an `st.status`: one line per step, tokens streamed live."""

    LABELS: Final = {
        "plan": "Planning",
        "prompt": "Writing the prompt",
        "model": "Asking the model",
        "token": "Model is writing code",
        "check": "Checking the code",
        "run": "Running in the sandbox",
        "repair": "Repairing",
    }

    def __init__(self, status: Any) -> None:
        self.status = status
        self._tokens: list[str] = []
        self._stream: Any = None
        self._label = "Running"

    def __call__(self, progress: Any) -> None:
        stage, text = getattr(progress, "stage", ""), getattr(progress, "text", "")
        if stage == "token":
            if self._stream is None:
                self._stream = self.status.empty()
            self._tokens.append(text)
            self._stream.code("".join(self._tokens))
            return
        if stage == "wait":  # the code still runs: the time on the label (and Stop works here)
            self.status.update(label=f"{self._label}… {text}")
            return
        self._stream = None
        self._tokens = []
        label = self._label = self.LABELS.get(stage, stage.capitalize())
        self.status.update(label=f"{label}…")
        self.status.write(f"{label}: {plain(text)}" if text else label)


def render_data_sidebar(session: Session) -> None:
    """Sidebar: the loaded tables, uploads, samples and a fresh start."""
    from pages import state, uploads

    with st.sidebar:
        st.subheader("Tables")
        listing = st.container()  # filled after the uploader, so a new upload is listed at once
        files = st.file_uploader(
            "Upload tables",
            type=state.UPLOAD_TYPES,
            accept_multiple_files=True,
            key=uploads.uploader_key(),
            help="CSV, TSV, Excel, Parquet or JSON. Several files make several tables.",
        )
        errors = uploads.take_files(session, list(files), from_chat=False) if files else []
        if errors:
            uploads.clear_failed_uploads(errors)  # reruns with an empty uploader
        uploads.show_sidebar_errors()
        with listing:
            if not session.tables:
                st.caption("No table yet: upload a file or load a sample.")
            for table in session.tables:
                st.markdown(table_line(table))
        with st.expander("Samples and new session"):
            _show_loaded_sample(session)
            sample = st.selectbox("Sample table", state.samples(), key="sample_pick")
            if st.button("Load sample", key="sample_load", icon=":material/table:"):
                show_load_errors(state.load_sample(session, sample))
                st.rerun()
            if st.button("New empty session", key="new_session", icon=":material/add:"):
                state.new_session()
                st.rerun()


def _show_loaded_sample(session: Session) -> None:
    """Point the sample picker at the sample the session loaded, whenever that changes (issue
    16: it showed gapminder.csv while penguins.csv was loaded); a pick not loaded yet stays."""
    from pages import state

    loaded = state.loaded_sample(session)
    seen = (session.session_id, loaded)
    if loaded is not None and st.session_state.get("sample_pick_seen") != seen:
        st.session_state["sample_pick"] = loaded
    st.session_state["sample_pick_seen"] = seen


def table_line(table: Table) -> str:
    """'`sales` · 5,000 rows × 9 columns' (and 'saved from an answer' for a saved table), or
    '`sales` · in PostgreSQL · 9 columns' for a database's table (its rows are counted when it
    is profiled)."""
    database = database_of_source(table.source)
    if database:
        return f"{code_span(table.name)} · in {database} · {len(table.columns)} columns"
    saved = " · saved from an answer" if table.format == SAVED_FORMAT else ""
    return f"{code_span(table.name)} · {table_summary(table.rows, len(table.columns))}{saved}"


def show_load_errors(errors: list[str]) -> None:
    for message in errors:
        st.error(plain(message), icon=":material/error:")
