"""The chart builder's code runs in the real sandbox and draws what was chosen (issue 6)."""

from __future__ import annotations

import pytest

from engine.charts import AGGREGATIONS, CHART_KINDS, chart_code


@pytest.mark.parametrize(
    ("kind", "x", "y", "color", "aggregation", "trace"),
    [
        ("bar", "region", "unit_price", None, "sum", "bar"),
        ("bar", "region", None, "segment", "count", "bar"),
        ("line", "order_date", "unit_price", None, "mean", "scatter"),
        ("scatter", "quantity", "unit_price", "region", "none", "scatter"),
        ("histogram", "unit_price", None, None, "none", "histogram"),
        ("box", "region", "unit_price", None, "none", "box"),
    ],
)
def test_built_chart_runs_in_the_sandbox(session, kind, x, y, color, aggregation, trace):
    table = session.tables[0]
    assert {x, y or x, color or x} <= set(table.columns)
    turn = session.run(chart_code(table.name, kind, x, y, color, aggregation))
    assert turn.ok, turn.result.error
    figure = turn.result.answer.figure
    assert figure["data"][0]["type"].startswith(
        trace
    )  # scatter becomes scattergl past 1,000 points
    assert figure["layout"]["xaxis"]["title"]["text"] == x


def test_code_quotes_odd_column_names():
    code = chart_code("t", "bar", "it's", 'a "b"', None, "sum")
    compile(code, "<chart>", "exec")
    assert '"it\'s"' in code and "'a \"b\"'" in code


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("t", "pie", "x"), "chart kind"),
        (("t", "bar", "x", "y", None, "mode"), "aggregation"),
        (("not a name", "bar", "x"), "identifier"),
    ],
)
def test_bad_choices_are_refused(args, message):
    with pytest.raises(ValueError, match=message):
        chart_code(*args)


def test_every_kind_and_aggregation_compiles():
    for kind in CHART_KINDS:
        for aggregation in AGGREGATIONS:
            compile(chart_code("df", kind, "a", "b", "c", aggregation), "<chart>", "exec")
