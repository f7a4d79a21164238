"""A loaded table replaced by rows the code wrote itself (engine/answer/invented_data.py)."""

from __future__ import annotations

import pytest

from engine.answer.checks import code_problems, prepared
from engine.answer.invented_data import replaced_tables, with_loaded_tables
from tests.fake_openai import FakeOpenAI, Reply
from tests.test_answer_loop import PROFILE, ask, fenced

# DABench-dev 552, shortened: "# Sample DataFrame", then a correlation of invented columns.
INVENTED = (
    "# Sample DataFrame\n"
    "data = {'region': ['N', 'S', 'E'], 'price': [10, 20, 30]}\n"
    "df = pd.DataFrame(data)\n"
    "result = df['price'].max()"
)
REAL = "result = df['price'].max()"
# the same, with a column the table does not have: no stand-in for it
INVENTED_ELSEWHERE = INVENTED.replace("'region'", "'customer'")


@pytest.mark.parametrize(
    ("code", "found"),
    [
        (INVENTED, [("df", 3)]),
        ("sales = pd.DataFrame([[1, 2], [3, 4]], columns=['a', 'b'])", [("sales", 1)]),
        ("df = pd.DataFrame(data={'a': [1, 2], 'b': [3, 4]})\nresult = len(df)", [("df", 1)]),
    ],
)
def test_a_table_bound_to_written_out_rows_is_found(code: str, found) -> None:
    assert replaced_tables(code, ["sales"]) == found


@pytest.mark.parametrize(
    "code",
    [
        # a lookup beside the loaded table, merged with it
        "targets = pd.DataFrame({'region': ['N', 'S'], 'target': [5, 9]})\n"
        "result = df.merge(targets, on='region')",
        # the rows of a result, from computed values
        "df = pd.DataFrame({'stat': ['mean', 'max'], 'value': [df['price'].mean(), 1]})",
        "df = pd.DataFrame({'stat': ['mean', 'median', 'std', 'max'], 'value': [a, b, c, d]})",
        "df = pd.DataFrame(df.groupby('region')['price'].sum())",
        "df = sales.copy()",
        "df = pd.DataFrame(",  # does not parse: the run says so
    ],
)
def test_other_frames_are_left_alone(code: str) -> None:
    assert replaced_tables(code, ["sales"]) == []


@pytest.mark.parametrize(
    "binding",
    [
        "df = pd.DataFrame(data)",
        "sales = pd.DataFrame(data)",
        "df = pd.DataFrame([{'Region': 'N', 'price': 1}, {'Region': 'S', 'price': 5}])",
        "df = pd.DataFrame([['N', 1], ['S', 5]], columns=['region', 'price'])",
    ],
)
def test_made_up_rows_of_the_tables_own_columns_become_the_table(binding: str) -> None:
    code = f"data = {{'region': ['N', 'S'], 'price': [1, 5]}}\n{binding}\nresult = len(df)"
    table = binding.split(" =")[0]
    written = with_loaded_tables(code, [PROFILE])
    assert written.splitlines()[1:3] == [
        "# the loaded table sales, not the made-up rows the draft wrote",
        f"{table} = sales.copy()",
    ]
    assert not code_problems(written, [PROFILE])


@pytest.mark.parametrize(
    "code",
    [
        INVENTED_ELSEWHERE,  # a column the table does not have
        "df = pd.DataFrame([['N', 1], ['S', 5]])\nresult = len(df)",  # columns not written out
        "targets = pd.DataFrame({'region': ['N', 'S'], 'price': [5, 9]})",  # beside the table
        "df = pd.DataFrame({'region': ['N', 'S'], 'price': [df.price.min(), 9]})",  # computed
        "df = pd.DataFrame(",  # does not parse: the run says so
    ],
)
def test_other_frames_are_not_rewritten(code: str) -> None:
    assert with_loaded_tables(code, [PROFILE]) == code


def test_made_up_rows_of_the_table_run_on_the_table_itself() -> None:
    with FakeOpenAI([Reply(fenced(INVENTED))]) as server:
        turn, runner, _ = ask(server.base_url, "highest price?")
    assert turn.ok and turn.result.answer.value == 4.0  # the table's, not the made-up 30
    assert runner.codes == [prepared(INVENTED, [PROFILE])] and len(server.requests) == 1
    assert "the loaded table sales, not the made-up rows" in turn.explanation


def test_made_up_rows_go_back_before_running_and_are_declined_if_kept() -> None:
    with FakeOpenAI([Reply(fenced(INVENTED_ELSEWHERE)), Reply(fenced(REAL))]) as server:
        turn, runner, _ = ask(server.base_url, "highest price?")
    assert turn.ok and turn.result.answer.value == 4.0 and runner.codes == [REAL]
    feedback = server.requests[1].messages[-1]["content"]
    assert "replaces the loaded table `df` with data it wrote itself (line 3)" in feedback
    with FakeOpenAI([Reply(fenced(INVENTED_ELSEWHERE))] * 2) as server:
        turn, runner, _ = ask(server.base_url, "highest price?")
    error = turn.result.error
    assert not turn.ok and error.kind == "unsupported" and runner.codes == [INVENTED_ELSEWHERE]
    assert error.message.startswith("The code replaces the loaded table `df` with data it made")
    assert error.detail == "Its result: 30"
