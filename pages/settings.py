"""Settings for this browser session: who answers, limits, privacy, and the sandbox's status."""

from __future__ import annotations

import streamlit as st

from engine.errors import EngineError
from pages import state
from pages.widgets import plain

BACKENDS = {
    "auto": "Automatic: planner first, then a configured model",
    "planner": "Offline planner only (no model)",
    "local": "Embedded local model",
    "openai": "OpenAI-compatible endpoint",
}

session = state.current_session()
current = state.settings()
secrets = state.secrets()

st.title("Settings")
st.caption(
    "These apply to this browser session only. Server defaults come from DECIPHER_* variables."
)

with st.form("settings_form"):
    st.subheader("Who writes the code")
    backend = st.radio(
        "Backend",
        list(BACKENDS),
        index=list(BACKENDS).index(current.backend) if current.backend in BACKENDS else 0,
        format_func=BACKENDS.get,
        key="set_backend",
    )
    base_url = st.text_input(
        "Base URL (OpenAI-compatible)",
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
    model = st.text_input("Model", value=current.llm_model, key="set_model")
    st.subheader("Limits")
    left, right = st.columns(2)
    sandbox_timeout = left.number_input(
        "Run time limit (s)",
        1.0,
        600.0,
        float(current.sandbox_timeout_s),
        key="set_sandbox_timeout",
    )
    llm_timeout = right.number_input(
        "Model request timeout (s)", 5.0, 900.0, float(current.llm_timeout_s), key="set_llm_timeout"
    )
    repairs = left.number_input(
        "Repair attempts", 0, 5, int(current.repair_attempts), key="set_repairs"
    )
    session_memory = right.number_input(
        "Session memory for tables (MB, 0 = half of RAM)",
        0,
        1 << 20,
        int(current.session_memory_mb),
        step=256,
        key="set_session_memory",
        help="A table whose pandas copy would not fit is refused with the sizes.",
    )
    duckdb_memory = left.number_input(
        "DuckDB memory limit (MB, 0 = 80% of RAM)",
        0,
        1 << 20,
        int(current.duckdb_memory_mb),
        step=256,
        key="set_duckdb_memory",
        help="Past it, DuckDB spills to disk; a load that cannot spill fails with this hint.",
    )
    st.subheader("Privacy")
    send_rows = st.toggle(
        "Send a few sample rows to the model (off: column names, types and aggregates only)",
        value=current.send_sample_rows,
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

st.subheader("Sandbox")
layers = session.sandbox_layers()
if layers.complete:
    st.success(plain(layers.summary()), icon=":material/shield:")
else:
    st.warning(plain(layers.summary()), icon=":material/shield:")
st.dataframe(
    [
        {"layer": name, "active": name in layers.active}
        for name in ("process", "namespaces", "rlimits", "landlock", "seccomp")
    ],
    key="sandbox_layers",
    hide_index=True,
)
for note in layers.notes:
    st.caption(plain(note))
