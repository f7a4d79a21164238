"""What a turn leaves besides its answer, on the page (issue 14): the files its code wrote, as
downloads with a first look, matplotlib charts as images, and "Save as table" on a result.

File names and contents come from generated code: names are shown as plain text, previews are
rows, lines or a raster image, and nothing is rendered as HTML.
"""

from __future__ import annotations

from typing import Any, Final

import streamlit as st

from engine.errors import EngineError
from engine.export import FilePreview, file_bytes, file_preview
from engine.outputs import OutputFile
from engine.session import Session
from engine.types import Turn

_UNITS: Final = ("bytes", "kB", "MB", "GB")


def size_text(size: int) -> str:
    """'812 bytes', '6.1 kB', '12.4 MB' (powers of 1000, as browsers show downloads)."""
    value, unit = float(size), 0
    while value >= 1000 and unit < len(_UNITS) - 1:
        value, unit = value / 1000, unit + 1
    return f"{size:,} bytes" if unit == 0 else f"{value:,.1f} {_UNITS[unit]}"


@st.cache_data(show_spinner=False, max_entries=256)
def _preview(name: str, size: int, media_type: str, path: str) -> FilePreview | None:
    """A file's first look, once per kept copy (a rerun draws every turn again)."""
    return file_preview(OutputFile(name, size, media_type, path))


def render_images(turn: Turn | None, key: str) -> None:
    """The matplotlib charts of the answer, as pictures where a plotly chart would be."""
    answer = turn.result.answer if turn is not None else None
    if turn is None or answer is None or not answer.images:
        return
    from pages.widgets import plain

    kept = {f.name: f for f in turn.result.files}
    for name in answer.images:
        item = kept.get(name, OutputFile(name, 0, "image/png"))
        if item.path is None:
            st.caption(plain(f"{name} is no longer kept: run the code again to draw it."))
        elif _preview(item.name, item.bytes, item.media_type, item.path) is not None:
            st.image(file_bytes(item), caption=plain(name))


def render_files(session: Session, turn: Turn, key: str) -> None:
    """Each file the code wrote: a download button (name, size, type) and a first look."""
    files = turn.result.files
    if not files:
        return
    from pages.widgets import plain

    shown = set(turn.result.answer.images) if turn.result.answer is not None else set()
    st.caption(f"Files the code wrote ({len(files)})")
    for i, item in enumerate(files):
        with st.container(border=True, key=f"{key}-file-{i}"):
            row = st.container(horizontal=True, vertical_alignment="center")
            row.download_button(
                plain(item.name),
                data=_reader(item),
                file_name=item.name,
                mime=item.media_type,
                key=f"{key}-file-{i}-get",
                icon=":material/download:",
                on_click="ignore",
                disabled=item.path is None,
                help=None if item.path else "This file is no longer kept: run the code again.",
            )
            row.caption(plain(f"{size_text(item.bytes)} · {item.media_type}"))
            if item.path and item.name not in shown:
                _render_preview(item, f"{key}-file-{i}")


def _reader(item: OutputFile) -> Any:
    return lambda: file_bytes(item)


def _render_preview(item: OutputFile, key: str) -> None:
    from pages.widgets import plain

    preview = _preview(item.name, item.bytes, item.media_type, str(item.path))
    if preview is None:
        return
    if preview.kind == "image":
        st.image(file_bytes(item), caption=plain(item.name))
    elif preview.kind == "table":
        if preview.sheets:
            st.caption("Sheets: " + plain(", ".join(preview.sheets)))
        st.dataframe(preview.table, key=f"{key}-preview", hide_index=True)
        st.caption(plain(preview.note))
    elif preview.kind == "text":
        st.code(preview.text, language=None)
        st.caption(plain(preview.note))


def render_save_table(session: Session, turn: Turn, key: str, where: Any = None) -> None:
    """The "Save as table" button (in `where`, the row of downloads): the result becomes a
    session table that later questions can use."""
    if not turn.ok or turn.result.answer is None or turn.result.answer.table is None:
        return
    from pages.widgets import code_span, plain

    with (where or st).popover("Save as table", icon=":material/add_to_photos:"):
        st.text_input(
            "Table name",
            value=f"result_{turn.id}" if turn.id is not None else "result",
            key=f"{key}-save-name",
            help="Letters, digits and _; later questions, sql() and the notebook use this name.",
        )
        st.checkbox("Replace a table of this name", key=f"{key}-save-replace")
        st.button(
            "Save",
            key=f"{key}-save",
            type="primary",
            on_click=_save,
            args=(session, turn, key),
        )
    done, failed = st.session_state.get(f"{key}-saved"), st.session_state.get(f"{key}-save-error")
    if done:
        st.success(
            f"Saved as table {code_span(done)}: ask about it by name.", icon=":material/check:"
        )
    if failed:
        st.error(plain(failed), icon=":material/error:")


def _save(session: Session, turn: Turn, key: str) -> None:
    """A callback: the table exists before the page (and its sidebar) is drawn again."""
    name = str(st.session_state.get(f"{key}-save-name", "")).strip()
    replace = bool(st.session_state.get(f"{key}-save-replace", False))
    st.session_state.pop(f"{key}-saved", None)
    st.session_state.pop(f"{key}-save-error", None)
    try:
        table = session.save_table(name, turn, replace=replace)
    except EngineError as exc:
        st.session_state[f"{key}-save-error"] = exc.message
    else:
        st.session_state[f"{key}-saved"] = table.name
