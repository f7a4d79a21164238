"""What an answer's chart says (issue 16), on real sandbox runs: planner and model charts get a
title naming what was computed and its filters, axes named after what they hold, a grouped total
gets a bar chart, and an empty chart is known to be empty."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from engine.answer.emptiness import empty_message, is_empty
from engine.config import load_settings
from engine.figures import code_filters, date_periods, has_points
from engine.session import Session
from engine.types import Answer, TableData
from tests.conftest import SAMPLE_DATA
from tests.fake_openai import FakeOpenAI, Reply
from tests.test_answer_loop import fenced


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    """One sales session for the module: one sandbox worker, on a busy 2-core machine."""
    root = tmp_path_factory.mktemp("figures")
    settings = load_settings(env={}, data_dir=str(root / "data"))
    with Session(settings, work_dir=root / "session") as s:
        s.load(SAMPLE_DATA / "sales.csv")
        yield s


@pytest.fixture(autouse=True)
def no_endpoint_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)


def ask_model(session, question: str, code: str):
    with FakeOpenAI([Reply(fenced(code))]) as server:
        settings = session.settings.with_overrides(backend="openai", llm_base_url=server.base_url)
        session.update_settings(settings)
        return session.ask(question)


def layout(turn) -> dict:
    assert turn.ok, turn.result.error
    return turn.result.answer.figure["layout"]


def axis_title(turn, axis: str) -> str:
    return layout(turn)[f"{axis}axis"]["title"]["text"]


def test_a_planner_chart_is_titled_by_its_explanation_with_its_filter(session) -> None:
    turn = session.ask("total quantity by category in Europe", backend="planner")
    assert turn.backend == "planner" and "Europe" in turn.explanation
    assert layout(turn)["title"]["text"] == turn.explanation
    assert (axis_title(turn, "x"), axis_title(turn, "y")) == ("category", "quantity")


FILTERED = """import plotly.express as px
# total quantity per category
europe = df[df["region"] == "Europe"]
result = europe.groupby("category", as_index=False)["quantity"].sum()
fig = px.bar(result, x="category", y="quantity"{title})"""


def test_a_model_chart_without_a_title_gets_the_explanation_and_its_filter(session) -> None:
    turn = ask_model(session, "now only Europe", FILTERED.format(title=""))
    assert layout(turn)["title"]["text"] == "Total quantity per category (region = Europe)"
    assert turn.result.answer.table.row_count == 3


def test_a_model_title_that_omits_the_filter_gets_it(session) -> None:
    code = FILTERED.format(title=', title="Quantity by category"')
    turn = ask_model(session, "now only Europe", code)
    assert layout(turn)["title"]["text"] == "Quantity by category (region = Europe)"


def test_a_title_that_names_the_filter_is_kept(session) -> None:
    code = FILTERED.format(title=', title="Quantity by category in Europe"')
    turn = ask_model(session, "now only Europe", code)
    assert layout(turn)["title"]["text"] == "Quantity by category in Europe"


def test_a_month_axis_is_called_month_and_a_placeholder_axis_names_the_measure(session) -> None:
    """Grouped by `order_date.dt.month`, the axis holds months 1-12, not dates; `px.line` of
    a Series calls its y axis "value", which is the quantity column of the result."""
    code = (
        "import plotly.express as px\n"
        "# total quantity per month of the year\n"
        'result = df.groupby(pd.to_datetime(df["order_date"]).dt.month)["quantity"].sum()\n'
        "fig = px.line(result)"
    )
    turn = ask_model(session, "quantity by month", code)
    assert turn.result.answer.table.columns == ("order_date", "quantity")
    assert (axis_title(turn, "x"), axis_title(turn, "y")) == ("month", "quantity")
    assert layout(turn)["title"]["text"] == "Total quantity per month of the year"


def test_axes_drawn_from_arrays_are_named_after_the_result_columns(session) -> None:
    code = (
        "import plotly.express as px\n"
        "# mean unit price per segment\n"
        'result = df.groupby("segment")["unit_price"].mean()\n'
        "fig = px.bar(x=result.index, y=result.values)"
    )
    turn = ask_model(session, "average price by segment", code)
    assert (axis_title(turn, "x"), axis_title(turn, "y")) == ("segment", "unit_price")


def test_a_grouped_total_without_a_chart_gets_a_bar_chart(session) -> None:
    code = '# total quantity per category\nresult = df.groupby("category")["quantity"].sum()'
    turn = ask_model(session, "total quantity by category", code)
    answer = turn.result.answer
    assert answer.kind == "table" and answer.figure is not None
    (trace,) = answer.figure["data"]
    table = dict(answer.table.rows)
    assert trace["type"] == "bar" and dict(zip(trace["x"], trace["y"], strict=True)) == table
    assert layout(turn)["title"]["text"] == "Total quantity per category"
    assert (axis_title(turn, "x"), axis_title(turn, "y")) == ("category", "quantity")


@pytest.mark.parametrize(
    "code",
    [
        'result = df.groupby("category")[["quantity", "unit_price"]].sum()',  # two measures
        'result = df.groupby("category")["quantity"].sum().head(1)',  # one row
        'result = df[["product", "region"]].head(5)',  # no number
        'result = df.groupby("order_id")["quantity"].sum()',  # too many groups
        'result = df["quantity"].sum()',  # one value
    ],
)
def test_other_results_get_no_chart(session, code: str) -> None:
    turn = ask_model(session, "show me", code)
    assert turn.ok and turn.result.answer.figure is None


def test_an_empty_chart_has_no_points_and_the_answer_says_so(session) -> None:
    code = (
        "import plotly.express as px\n"
        'result = df[df["region"] == "Westt"].groupby("category", as_index=False)["quantity"].sum()\n'
        'fig = px.bar(result, x="category", y="quantity")'
    )
    with FakeOpenAI([Reply(fenced(code))] * 3) as server:
        session.update_settings(
            session.settings.with_overrides(backend="openai", llm_base_url=server.base_url)
        )
        turn = session.ask("quantity by category in Westt")
    answer = turn.result.answer
    assert turn.ok and not has_points(answer.figure) and is_empty(answer)
    assert empty_message(answer).startswith("The result is empty: no row has region = 'Westt'")
    assert "title" not in answer.figure["layout"]  # nothing to title: it is not shown


def test_points_are_counted_in_plotly_typed_arrays() -> None:
    typed = {"dtype": "f8", "bdata": "AAAAAAAA+D8="}
    assert has_points({"data": [{"type": "bar", "x": ["a"], "y": typed}]})
    assert not has_points({"data": [{"type": "bar", "x": [], "y": {"dtype": "f8", "bdata": ""}}]})
    assert not has_points({"data": []})
    assert has_points({"data": [{"type": "indicator", "value": 3}]})  # no x/y: drawn anyway


def test_an_empty_table_without_a_note_still_says_it_is_empty() -> None:
    empty = Answer("table", "0 rows × 2 columns", table=TableData(("a", "b"), (), 0))
    assert empty_message(empty).startswith("The result is empty: no row matched")
    assert empty_message(Answer("value", "3", value=3)) is None


@pytest.mark.parametrize(
    ("code", "filters"),
    [
        ('x = df[df["region"] == "Europe"]', [("region", "Europe")]),
        ("x = df[df.region == 'Europe']", [("region", "Europe")]),
        (
            'x = df[df["segment"].isin(["Consumer", "Corporate"])]',
            [("segment", "Consumer, Corporate")],
        ),
        ('x = df[df["quantity"] == 3]', []),
        ("x = (", []),
    ],
)
def test_filters_are_read_from_the_code(code: str, filters: list) -> None:
    assert code_filters(code) == filters


@pytest.mark.parametrize(
    ("code", "periods"),
    [
        ('df.groupby(df["order_date"].dt.month)', {"order_date": "month"}),
        ('df["order_date"].dt.to_period("Q")', {"order_date": "quarter"}),
        ('df["d"].dt.strftime("%Y-%m")', {"d": "month"}),
        ('df.groupby([df["d"].dt.year, df["d"].dt.month])', {}),  # two periods: unsure
    ],
)
def test_date_periods_are_read_from_the_code(code: str, periods: dict) -> None:
    assert date_periods(code) == periods
