"""Charts as one self-contained HTML file: plotly.js inlined, so it opens offline, anywhere."""

from __future__ import annotations

from typing import Any


def figure_html(figure_json: dict[str, Any]) -> bytes:
    """UTF-8 HTML for a plotly figure (`Answer.figure`), with the whole plotly.js bundle inside
    (~4.8 MB) and no external script; user text in the data is JSON-escaped by plotly."""
    import plotly.graph_objects as go

    try:
        figure = go.Figure(figure_json)
    except ValueError:  # written by another plotly version: keep what this one understands
        figure = go.Figure(figure_json, skip_invalid=True)
    html = figure.to_html(include_plotlyjs=True, include_mathjax=False, full_html=True)
    return html.encode("utf-8")
