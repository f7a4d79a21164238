"""Settings for this browser session: who answers, limits, privacy, and the sandbox's status."""

from __future__ import annotations

from typing import Any

import streamlit as st

from engine.config import Settings, setting_declaration
from engine.errors import EngineError
from engine.sandbox.layers import LAYER_NAMES
from engine.types import Backend
from pages import state
from pages.databases import render_databases
from pages.widgets import plain


def number_setting(where: Any, current: Settings, name: str, key: str, **extra: Any) -> Any:
    """A number input whose label, help and bounds are the setting's declaration."""
    declared = setting_declaration(name)
    return where.number_input(
        declared.label_with_unit,
        min_value=declared.min_value,
        max_value=declared.max_value,
        value=getattr(current, name),
        help=declared.help,
        key=key,
        **extra,
    )


session = state.current_session()
current = state.settings()
secrets = state.secrets()
backends = setting_declaration("backend")

st.title("Settings")
st.caption(
    "These apply to this browser session only. Server defaults come from DECIPHER_* variables."
)

with st.form("settings_form"):
    st.subheader("Who writes the code")
    backend = st.radio(
        backends.label,
        backends.choices,
        index=backends.choices.index(current.backend),
        format_func=lambda name: Backend(name).choice_label,
        help=backends.help,
        key="set_backend",
    )
    base_url = st.text_input(
        setting_declaration("llm_base_url").label,
        value=current.llm_base_url,
        placeholder="e.g. http://127.0.0.1:11434/v1 for Ollama; empty for api.openai.com",
        key="set_base_url",
    )
    key_now = str(secrets.get("OPENAI_API_KEY") or "")
    hint = f"A key ending in …{key_now[-4:]} is set." if len(key_now) > 8 else "No key set here."
    api_key = st.text_input(
        "API key",
        value="",
        type="password",
        # a new key after each save: the typed key does not stay in the widget's state
        key=f"set_api_key_{st.session_state.get('api_key_field', 0)}",
        help=hint,
        placeholder=hint,
    )
    model = st.text_input(
        setting_declaration("llm_model").label, value=current.llm_model, key="set_model"
    )
    st.subheader("Limits")
    left, right = st.columns(2)
    sandbox_timeout = number_setting(left, current, "sandbox_timeout_s", "set_sandbox_timeout")
    llm_timeout = number_setting(right, current, "llm_timeout_s", "set_llm_timeout")
    repairs = number_setting(left, current, "repair_attempts", "set_repairs")
    session_memory = number_setting(
        right, current, "session_memory_mb", "set_session_memory", step=256
    )
    duckdb_memory = number_setting(left, current, "duckdb_memory_mb", "set_duckdb_memory", step=256)
    database_timeout = number_setting(right, current, "database_timeout_s", "set_database_timeout")
    database_rows = number_setting(
        left, current, "database_max_rows", "set_database_rows", step=10_000
    )
    st.subheader("Privacy")
    send_rows = st.toggle(
        setting_declaration("send_sample_rows").label,
        value=current.send_sample_rows,
        help=setting_declaration("send_sample_rows").help,
        key="set_send_rows",
    )
    saved = st.form_submit_button("Save settings", type="primary")

if saved:
    try:
        new = current.with_overrides(
            "Settings page",
            backend=backend,
            llm_base_url=base_url.strip(),
            llm_model=model.strip() or current.llm_model,
            sandbox_timeout_s=sandbox_timeout,
            llm_timeout_s=llm_timeout,
            repair_attempts=int(repairs),
            session_memory_mb=int(session_memory),
            duckdb_memory_mb=int(duckdb_memory),
            database_timeout_s=database_timeout,
            database_max_rows=int(database_rows),
            send_sample_rows=send_rows,
        )
    except EngineError as exc:
        st.error(plain(exc.message))
    else:
        page_secrets = dict(st.session_state.get("engine_secrets") or {})
        if api_key.strip():
            page_secrets["OPENAI_API_KEY"] = api_key.strip()
        state.apply_settings(new, page_secrets)
        st.session_state["settings_saved"] = True
        st.session_state["api_key_field"] = st.session_state.get("api_key_field", 0) + 1
        st.rerun()
if st.session_state.pop("settings_saved", False):
    st.success("Saved. The next question uses these settings.")

render_databases(session)

st.subheader("Sandbox")
layers = session.sandbox_layers()
if layers.complete:
    st.success(plain(layers.summary()), icon=":material/shield:")
else:
    st.warning(plain(layers.summary()), icon=":material/shield:")
st.dataframe(
    [{"layer": name, "active": name in layers.active} for name in LAYER_NAMES],
    key="sandbox_layers",
    hide_index=True,
)
for note in layers.notes:
    st.caption(plain(note))
