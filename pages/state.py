"""Per-browser-session state: one engine `Session` per browser tab, found again after a reload.

The session id lives in the URL (`?s=...`), so a reload (or a server restart) restores the same
session from the history store. One `HistoryStore` serves the whole server (`st.cache_resource`);
engine sessions live in `st.session_state`, so two browser sessions never share tables, turns or
a sandbox (issue 6).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import streamlit as st

from engine.config import Settings, load_settings
from engine.databases.connections import ENTERED_KEY
from engine.errors import EngineError
from engine.session import Session

ROOT: Final = Path(__file__).resolve().parent.parent
SAMPLE_DIR: Final = ROOT / "sample_data"
DEFAULT_SAMPLE: Final = "penguins.csv"
UPLOAD_TYPES: Final = ["csv", "tsv", "txt", "xlsx", "parquet", "json", "ndjson"]
_ENGINE: Final = "engine_session"
_SETTINGS: Final = "engine_settings"
_SECRETS: Final = "engine_secrets"
_LOADED: Final = "loaded_uploads"
_DATABASE_ERRORS: Final = "database_errors"


@st.cache_resource(show_spinner=False)
def base_settings() -> Settings:
    """Settings from the environment (DECIPHER_*), read once per server."""
    return load_settings()


@st.cache_resource(show_spinner=False)
def history_store(data_dir: str):  # -> engine.history.HistoryStore
    """The server's one history store (SQLite under the data directory)."""
    from engine.history import HistoryStore

    path = Path(data_dir).expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return HistoryStore(path)


def settings() -> Settings:
    """This browser session's settings: the server's, plus what the Settings page changed."""
    return st.session_state.get(_SETTINGS) or base_settings()


def secrets() -> dict[str, Any]:
    """`.streamlit/secrets.toml` contents plus a key typed on the Settings page (session only)."""
    merged: dict[str, Any] = {}
    if st.secrets.load_if_toml_exists():  # False (and no error) when there is no secrets.toml
        merged.update(st.secrets.to_dict())
    merged.update(st.session_state.get(_SECRETS) or {})
    return merged


def store():
    return history_store(settings().data_dir)


def current_session() -> Session:
    """The engine session of this browser session: restored from the URL's id, or a new one
    with the bundled sample loaded so a first visit has something to explore."""
    session: Session | None = st.session_state.get(_ENGINE)
    wanted = st.query_params.get("s")
    if session is not None and (not wanted or wanted == session.session_id):
        _keep_in_url(session)
        return session
    if session is not None:
        session.close()
    history = store()
    if wanted and Session.is_stored(history, wanted):
        session = Session.restore(settings(), history, wanted, secrets=secrets())
    else:
        session = Session(settings(), history=history, secrets=secrets())
        load_sample(session, DEFAULT_SAMPLE)
        _connect_configured(session)
    _adopt(session)
    return session


def new_session(sample: str | None = None) -> Session:
    """Start afresh (empty, or with one sample): the old session stays in the history."""
    old: Session | None = st.session_state.get(_ENGINE)
    if old is not None:
        old.close()
    session = Session(settings(), history=store(), secrets=secrets())
    if sample:
        load_sample(session, sample)
    _connect_configured(session)
    _adopt(session)
    return session


def open_session(session_id: str) -> Session:
    """Switch this browser tab to a stored session (History page)."""
    old: Session | None = st.session_state.get(_ENGINE)
    if old is not None:
        old.close()
    session = Session.restore(settings(), store(), session_id, secrets=secrets())
    _adopt(session)
    return session


def _adopt(session: Session) -> None:
    if session.tables:
        session.warm_up()
    st.session_state[_ENGINE] = session  # uploads already loaded stay marked (_LOADED): the
    # uploader still holds them, and a switch of session must not load them again
    _keep_in_url(session)


def _keep_in_url(session: Session) -> None:
    """Put the session's id back in the URL when it is missing.

    Streamlit's navigation clears the query parameters on every page change, so without this
    a reload or a bookmark after Chat -> Data opened a new session with only the sample
    (issue 16). Set only when it differs: each set sends the browser a message.
    """
    if session.session_id and st.query_params.get("s") != session.session_id:
        st.query_params["s"] = session.session_id


def apply_settings(new: Settings, new_secrets: Mapping[str, Any] | None = None) -> None:
    """Use `new` for this browser session from the next question on.

    The session applies them without reloading its tables (`Session.update_settings`).
    """
    st.session_state[_SETTINGS] = new
    if new_secrets is not None:
        st.session_state[_SECRETS] = dict(new_secrets)
    session: Session | None = st.session_state.get(_ENGINE)
    if session is None:
        return
    session.update_settings(new, secrets())


def _connect_configured(session: Session) -> None:
    """The databases of DECIPHER_DATABASES (environment, secrets.toml) and those entered on
    the Settings page join each new session; what failed is shown on the Settings page."""
    st.session_state[_DATABASE_ERRORS] = session.connect_configured_databases()


def database_errors() -> list[str]:
    """Why a configured database did not connect in this browser session's newest session."""
    return list(st.session_state.get(_DATABASE_ERRORS) or [])


def connect_database(session: Session, url: str) -> None:
    """Connect a URL typed on the Settings page (raises EngineError), and keep it with this
    browser session's secrets, like a typed API key: new and restored sessions reach it too."""
    session.connect_database(url)
    page_secrets = dict(st.session_state.get(_SECRETS) or {})
    entered = [u for u in page_secrets.get(ENTERED_KEY, []) if u != url]
    page_secrets[ENTERED_KEY] = [*entered, url]
    apply_settings(settings(), page_secrets)


def samples() -> list[str]:
    return sorted(p.name for p in SAMPLE_DIR.iterdir() if p.suffix in (".csv", ".parquet"))


def loaded_sample(session: Session) -> str | None:
    """The bundled sample the session loaded last (a restored session's too: its stored copy
    keeps the file name), or None."""
    names = samples()
    found = [
        Path(t.source).name
        for t in session.tables
        if Path(t.source).name in names and t.name == Path(t.source).stem
    ]
    return found[-1] if found else None


def load_sample(session: Session, name: str) -> list[str]:
    """Load a bundled sample; returns error messages (none when it loaded). A sample is a
    stand-in: the user's first own table takes the lead from it (issue 16)."""
    try:
        session.load(SAMPLE_DIR / name, original_name=name, stand_in=True)
    except EngineError as exc:
        return [exc.message]
    return []


def load_uploads(session: Session, files: list[Any]) -> list[str]:
    """Load uploaded files not loaded yet in this session; returns plain error messages.

    `Session.load_upload` copies each one to a place of its own in 1 MB chunks (two files with
    the same name stay two files) and loads it; then Streamlit's copy of its bytes is dropped.
    """
    loaded: set[str] = st.session_state.setdefault(_LOADED, set())
    errors = []
    for file in files:
        marker = getattr(file, "file_id", None) or f"{file.name}:{file.size}"
        if marker in loaded:
            continue
        loaded.add(marker)
        size = getattr(file, "size", None)
        # A 1 GB CSV takes tens of seconds: say what is happening and for how long.
        with st.spinner(
            f"Loading {file.name} ({(size or 0) / 1e6:,.1f} MB) into DuckDB…", show_time=True
        ):
            file.seek(0)
            try:
                session.load_upload(file, file.name, size=size)
            except EngineError as exc:
                errors.append(f"{file.name}: {exc.message}")
            finally:
                _release_upload(file)
    return errors


def _release_upload(file: Any) -> None:
    """Drop Streamlit's in-memory copy of an upload once it is on disk.

    `st.file_uploader` keeps every file's bytes in memory until the browser session ends (an
    847 MB CSV held 0.85 GB for good); `st.chat_input` already drops its files this way.
    """
    # Streamlit's private API (no public way to drop an upload yet), kept to these lines: if a
    # Streamlit release moves it, only the memory saving is lost, not the upload.
    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    file_id = getattr(file, "file_id", None)
    if ctx is not None and file_id and isinstance(ctx.uploaded_file_mgr, MemoryUploadedFileManager):
        ctx.uploaded_file_mgr.remove_file(session_id=ctx.session_id, file_id=file_id)
