"""Data: the loaded tables, their profiles and previews, and a low-code chart builder (issue 6)."""

from __future__ import annotations

import streamlit as st

from engine.chart_defaults import chart_defaults
from engine.charts import AGGREGATIONS, CHART_KINDS, chart_code
from engine.databases.urls import database_of_source
from engine.display import dates_as_dates
from engine.results import table_summary
from pages import state
from pages.widgets import plain, render_data_sidebar, render_turn, run_with_progress

session = state.current_session()
render_data_sidebar(session)

st.title("Data")
if not session.tables:
    st.info("No table is loaded yet. Upload a file in the sidebar or load a sample.")
    st.stop()

names = [t.name for t in session.tables]
name = st.selectbox("Table", names, key="data_table")
profile = session.profile(name)  # a database's: aggregate SQL run there, once per session
table = session.table(name)
database = database_of_source(table.source)
st.caption(
    f"{table_summary(table.rows, len(table.columns))} · {table.format}"
    + (f" · encoding {table.encoding}" if table.encoding else "")
    + (f" · delimiter {table.delimiter!r}" if table.delimiter else "")
)
for note in dict.fromkeys(table.notes + profile.notes):  # the loader's, then the profile's
    st.info(plain(note), icon=":material/info:")
if database:
    st.caption("Disconnect its database on the Settings page to remove it.")
elif st.button("Remove this table", key="data_drop", icon=":material/delete:"):
    session.drop_table(name)  # its stored copy too; the other tables and the turns stay
    st.rerun()

profile_tab, preview_tab, chart_tab = st.tabs(["Profile", "Preview", "Chart builder"])
with profile_tab:
    st.dataframe(
        [
            {
                "column": c.name,
                "type": c.type,
                "missing": c.null_count,
                "distinct": f"{'~' if c.distinct_approximate else ''}{c.distinct_count:,}",
                "min": None if c.min is None else str(c.min),
                "max": None if c.max is None else str(c.max),
                "mean": c.mean,
                "most common": ", ".join(f"{v} ({n})" for v, n in c.top_values[:3]),
            }
            for c in profile.columns
        ],
        key="data_profile",
        hide_index=True,
    )
with preview_tab:
    st.dataframe(dates_as_dates(session.preview(name, 100)), key="data_preview", hide_index=True)
    where = f", read by a capped SELECT in {database}" if database else ""
    st.caption(f"First {min(100, table.rows):,} of {table.rows:,} rows{where}.")
with chart_tab:
    if database:
        st.info(f"The chart builder draws loaded files; ask the chat about {name}: it runs SQL.")
        st.stop()
    columns = list(table.columns)
    numeric = [c.name for c in profile.columns if c.kind == "number"] or columns
    first = chart_defaults(profile)  # a category by a measure, never an id (issue 16)
    ys = [None, *numeric]
    left, right = st.columns(2)
    kind = left.selectbox("Chart type", list(CHART_KINDS), key="chart_kind")
    aggregation = right.selectbox(
        "Aggregation",
        AGGREGATIONS,
        index=AGGREGATIONS.index(first.aggregation) if first else 3,
        key="chart_agg",
    )
    x = left.selectbox("x", columns, index=columns.index(first.x) if first else 0, key="chart_x")
    y = right.selectbox(
        "y", ys, index=ys.index(first.y) if first and first.y in ys else 0, key="chart_y"
    )
    color = left.selectbox("Colour", [None, *columns], key="chart_color")
    code = chart_code(name, kind, x, y, color, aggregation)
    st.code(code)
    if st.button("Draw chart", key="chart_run", type="primary", icon=":material/bar_chart:"):
        turn = run_with_progress(
            session, code, question=f"Chart builder: {kind} of {y or x} by {x}"
        )
        render_turn(session, turn, key="chart-result", editable=False)
        st.caption("The chart is also in the chat and the history.")
