"""The SQL a draft runs is read by the same checks as its pandas (issue 13): a column no table
has goes back before the run, in the check's words, not DuckDB's "Candidate bindings"; a run
that found nothing names the values the compared columns hold. Real DuckDB runs the SQL; the
real SDK talks to the scripted server."""

from __future__ import annotations

import pytest

from engine.answer.emptiness import empty_result_note, string_literals
from engine.answer.nothing_found import nothing_found
from engine.columns import unknown_columns
from engine.figures import compared_values
from engine.sql_reading import sql_comparisons, sql_strings, sql_unknown_columns
from engine.types import Answer, RunResult
from tests.fake_openai import FakeOpenAI, Reply
from tests.test_answer_loop import ask, fenced
from tests.test_nothing_found import MATCHES

RIDERS = {"riders": ("Pos.", "Rider", "Total Points")}


@pytest.mark.parametrize(
    ("query", "compared"),
    [
        ("SELECT * FROM t WHERE Role = 'Athen Chu'", [("Role", ("Athen Chu",))]),
        ("SELECT * FROM t WHERE 'x' = \"Home team\"", [("Home team", ("x",))]),
        (
            "SELECT * FROM t WHERE Nation IN ('Slovakia', 'O''Neil')",
            [("Nation", ("Slovakia", "O'Neil"))],
        ),
        ("SELECT * FROM t WHERE a = 3 OR b LIKE '%x%' OR c IN ('a', d)", []),  # no text compared
        ("SELECT * FROM t WHERE", []),  # does not parse
    ],
)
def test_sql_comparisons_are_columns_equal_to_text(query, compared) -> None:
    assert sql_comparisons(query) == compared


def test_sql_strings_are_the_querys_texts_unescaped() -> None:
    query = "SELECT 'a' AS x FROM t WHERE name = 'O''Brien' AND n > 2"
    assert sql_strings(query) == {"a", "O'Brien"}


@pytest.mark.parametrize(
    ("query", "unknown"),
    [  # wtq-train nt-6646: "which rider from the uk …" over a table with no country
        ("SELECT Rider FROM riders WHERE Country = 'UK' ORDER BY \"Total Points\"", ["Country"]),
        ("SELECT r.Nation FROM riders AS r", ["Nation"]),
        ('SELECT rider, "total points" FROM Riders', []),  # DuckDB reads names in any case
        ("SELECT Rider, COUNT(*) AS n FROM riders GROUP BY Rider ORDER BY n DESC", []),
        (
            'SELECT Rider FROM riders WHERE "Total Points" = (SELECT MAX("Total Points") FROM riders)',
            [],
        ),
        ('SELECT a.Rider FROM riders a JOIN riders b ON a."Pos." = b."Pos."', []),
        ("WITH top AS (SELECT Rider AS who FROM riders) SELECT who FROM top", []),  # its own
        ("SELECT who FROM (SELECT Rider AS who FROM riders)", []),
        ("SELECT Country FROM other_table", []),  # a table this reading does not know
        ("SELECT s.x FROM riders", []),  # a qualifier it does not follow
    ],
)
def test_sql_unknown_columns_are_read_from_loaded_tables_only(query, unknown) -> None:
    assert [column for _, column, _ in sql_unknown_columns(query, RIDERS)] == unknown


def test_a_sql_column_no_table_has_is_a_column_problem_with_the_columns_there_are() -> None:
    code = "result = sql(\"SELECT region FROM sales WHERE Country = 'UK'\")"
    from tests.test_columns import PENGUINS, SALES

    (problem,) = unknown_columns(code, [SALES, PENGUINS])
    assert (problem.table, problem.column, problem.suggestion) == ("sales", "Country", None)
    assert "Its columns are: 'region'" in problem.message and "cannot_answer" in problem.message
    near = 'result = sql("SELECT AVG(body_mass) FROM df")'  # df is the first table
    (problem,) = unknown_columns(near, [PENGUINS])
    assert (problem.table, problem.suggestion) == ("penguins", "body_mass_g")


def test_a_sql_column_the_table_lacks_goes_back_before_it_runs_in_the_checks_words() -> None:
    """The repair is told the column is not there and which are, not DuckDB's candidate
    binding (another concept); kept to the end, the page shows the check's sentence."""
    wrong = "result = float(sql(\"SELECT SUM(price) FROM sales WHERE area = 'N'\").iloc[0, 0])"
    right = "result = float(sql(\"SELECT SUM(price) FROM sales WHERE region = 'N'\").iloc[0, 0])"
    with FakeOpenAI([Reply(fenced(wrong)), Reply(fenced(right))]) as server:
        turn, runner, _ = ask(server.base_url, "total price in the north?")
    assert runner.codes == [right]  # the bad draft never ran
    sent = server.requests[1].messages[-1]["content"]
    assert "column 'area' does not exist in table sales. Its columns are: 'region'" in sent
    assert "cannot_answer" in sent and turn.ok and turn.result.answer.value == 5.0
    with FakeOpenAI([Reply(fenced(wrong))] * 4) as server:
        turn, runner, _ = ask(server.base_url, "total price in the north?")
    assert not turn.ok and turn.result.error.message.startswith("Column 'area' does not exist")
    assert "Binder Error" in turn.result.error.detail  # DuckDB's words, one click away
    assert all("Candidate bindings" not in r.messages[-1]["content"] for r in server.requests)


def test_a_sql_count_of_no_rows_goes_back_with_the_values_there_are() -> None:
    wrong = "result = int(sql(\"SELECT COUNT(*) FROM sales WHERE region = 'North'\").iloc[0, 0])"
    right = "result = int(sql(\"SELECT COUNT(*) FROM sales WHERE region = 'N'\").iloc[0, 0])"
    with FakeOpenAI([Reply(fenced(wrong)), Reply(fenced(right))]) as server:
        turn, runner, _ = ask(server.base_url, "how many sales were in the north?")
    assert runner.codes == [wrong, right]
    sent = server.requests[1].messages[-1]["content"]
    assert "the result is 0" in sent and "'North'" in sent
    assert turn.ok and turn.result.answer.value == 2


@pytest.mark.parametrize(
    "code",
    [  # wtq-train nt-1983's filter, in SQL
        "result = sql(\"SELECT SUM(Attendance) FROM matches WHERE Date = '1968-01-30'\")",
        "result = sql(\"SELECT * FROM matches WHERE Date IN ('1968-01-30')\")",
    ],
)
def test_a_sql_filter_that_found_nothing_says_what_the_column_holds(code) -> None:
    result = RunResult(ok=True, answer=Answer("value", "0", value=0))
    question = "what is the number of people in attendance on january 30, 1968?"
    note = nothing_found(question, code, result, [MATCHES], {}, filters_checked=False) or ""
    assert "Date holds values such as '27-Jan-68', '30-Jan-68'" in note, note


def test_the_strings_inside_sql_are_the_values_an_empty_result_is_checked_for() -> None:
    code = "result = sql(\"SELECT Attendance FROM matches WHERE Venue = 'a'\")"
    assert string_literals(code) == {"a"}  # the query itself is not a value
    assert "no row has Venue = 'a' (its values: 'A', 'H')" in empty_result_note(code, [MATCHES])
    assert compared_values(code) == [("Venue", ("a",))]
