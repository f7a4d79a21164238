"""Follow-ups from a selection: filter code that runs in the real sandbox, and explain questions."""

from __future__ import annotations

import plotly.express as px

from engine.followups import explain_question, rows_filter_code, selection_filter_code


def test_bar_selection_filters_to_the_picked_categories(session):
    table = session.tables[0]
    figure = px.bar(x=["East", "West"], y=[1, 2], labels={"x": "region", "y": "n"}).to_plotly_json()
    points = [{"x": "East", "y": 1}, {"x": "West", "y": 2}]
    code = selection_filter_code(figure, points, table.columns)
    turn = session.run(code)
    assert turn.ok, turn.result.error
    data = turn.result.answer.table
    regions = {row[data.columns.index("region")] for row in data.rows}
    assert regions == {"East", "West"}


def test_scatter_selection_filters_by_both_ranges(session):
    table = session.tables[0]
    figure = px.scatter(x=[1], y=[1], labels={"x": "quantity", "y": "unit_price"}).to_plotly_json()
    points = [{"x": 2, "y": 50.0}, {"x": 4, "y": 500.0}]
    code = selection_filter_code(figure, points, table.columns)
    assert "between(2, 4)" in code and "between(50.0, 500.0)" in code
    turn = session.run(code)
    assert turn.ok, turn.result.error
    data = turn.result.answer.table
    q, p = data.columns.index("quantity"), data.columns.index("unit_price")
    assert data.row_count > 0
    assert all(2 <= r[q] <= 4 and 50 <= r[p] <= 500 for r in data.rows)


def test_axes_that_are_not_columns_give_no_filter():
    figure = px.bar(x=["a"], y=[1]).to_plotly_json()  # axes titled "x" and "y"
    assert selection_filter_code(figure, [{"x": "a", "y": 1}], ("region",)) is None


def test_rows_filter_uses_the_first_shared_column():
    code = rows_filter_code(("n", "region"), [(3, "East"), (5, None)], ("region", "units"))
    assert code == "result = df[df['region'].astype(str).isin(['East'])]\n"
    assert rows_filter_code(("n",), [(3,)], ("region",)) is None


def test_explain_question_lists_the_rows_and_caps_them():
    question = explain_question(("region", "n"), [("East", i) for i in range(25)])
    assert question.startswith("Explain these: region=East; n=0 | ")
    assert question.endswith("(and 5 more)")
