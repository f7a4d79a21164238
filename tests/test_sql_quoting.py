"""Spaced column names the model wrote unquoted in SQL are quoted before the code runs (issue 13).

On the real sandbox and DuckDB, with the model played by the scripted OpenAI-compatible server:
the model's SQL would fail ('Awarding_Body' not found, a syntax error at 'Points') or rename a
column ('SELECT Total Points' is Total AS Points); the code that runs, and that the turn shows,
quotes the column the words spell.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from engine.answer.checks import prepared
from engine.sql_quoting import sql_with_quoted_columns
from engine.types import ColumnProfile, TableProfile
from tests.test_answer_failures import ask_model, with_table

AWARDS = """Name,Awarding Body,Date of Award,Total Points,Opponent#,Goals,Against,Goals Against
Medal A,Nigeria,2001,12,Ajax,3,1,1
Medal B,Namibia,2004,30,Porto,5,2,2
Medal C,Nigeria,2009,7,Lyon,1,0,4
"""


@pytest.fixture
def awards(session, tmp_path: Path):
    return with_table(session, tmp_path, "awards", AWARDS)


def profiles(*names: str) -> list[TableProfile]:
    columns = tuple(ColumnProfile(n, "VARCHAR", 0, 1) for n in names)
    return [TableProfile("awards", None, 3, columns)]


def test_underscored_and_spaced_names_run_as_the_columns(awards) -> None:
    code = (
        'result = sql("""\n'
        "SELECT Name FROM awards WHERE Awarding_Body = 'Nigeria'\n"
        "ORDER BY Total Points DESC LIMIT 1\n"
        '""")'
    )
    turn, server = ask_model(awards, "which award from nigeria had the most points?", [code])
    assert turn.ok and turn.result.answer.table.rows == (("Medal A",),)
    assert len(server.requests) == 1  # no repair was needed
    assert '"Awarding Body"' in turn.code and '"Total Points"' in turn.code
    assert "'Nigeria'" in turn.code


def test_a_spaced_name_is_not_read_as_a_renamed_column(awards) -> None:
    """DuckDB reads `SELECT Total Points` as the column Total renamed; here there is no Total,
    and with the quotes the sum is the sum of Total Points."""
    code = 'result = sql("SELECT SUM(total points) AS s FROM awards").iloc[0, 0]'
    turn, _ = ask_model(awards, "what is the sum of total points?", [code])
    assert turn.ok and turn.result.answer.value == 49


def test_a_name_ending_in_a_sign(awards) -> None:
    code = "result = sql(\"SELECT Opponent# FROM awards WHERE Name = 'Medal B'\").iloc[0, 0]"
    turn, _ = ask_model(awards, "who was medal b's opponent?", [code])
    assert turn.ok and turn.result.answer.value == "Porto"


def test_strings_quoted_names_and_comments_are_left_alone() -> None:
    sql = (
        "SELECT \"Total Points\", 'Total Points' AS label -- Total Points\n"
        "FROM awards WHERE Awarding_Body = 'Awarding_Body'"
    )
    code = f'result = sql("""{sql}""")'
    fixed = sql_with_quoted_columns(code, profiles("Total Points", "Awarding Body"))
    assert fixed == code.replace("WHERE Awarding_Body", 'WHERE "Awarding Body"')


def test_a_name_whose_parts_are_columns_may_be_arithmetic() -> None:
    """'Goals Against' beside the columns Goals and Against: its words may mean those two
    columns, so nothing is guessed."""
    code = 'result = sql("SELECT Goals - Against, Goals_Against FROM awards")'
    assert sql_with_quoted_columns(code, profiles("Goals", "Against", "Goals Against")) == code


def test_sql_passed_through_a_name_and_single_quoted_literals() -> None:
    code = "q = 'SELECT Total_Points FROM awards'\nresult = sql(q)\n"
    fixed = sql_with_quoted_columns(code, profiles("Total Points"))
    assert fixed == "q = 'SELECT \"Total Points\" FROM awards'\nresult = sql(q)\n"
    compile(fixed, "<test>", "exec")
    both = "result = sql(\"SELECT Total_Points FROM awards WHERE Name = 'x'\")"
    fixed = sql_with_quoted_columns(both, profiles("Total Points"))
    assert fixed == 'result = sql("""SELECT "Total Points" FROM awards WHERE Name = \'x\'""")'


@pytest.mark.parametrize(
    "code",
    [
        'result = sql(f"SELECT Total_Points FROM {name}")',  # an f-string: not plain text
        'result = sql("SELECT Total_Points\\tFROM awards")',  # an escape
        "result = sql(Total_Points)",  # not a literal
        "result = df['Total_Points'].sum()",  # pandas: the column check's job
        "result = sql('SELECT Total_Points FROM awards'",  # does not parse
    ],
)
def test_code_that_is_not_plain_sql_text_is_left_alone(code: str) -> None:
    assert sql_with_quoted_columns(code, profiles("Total Points")) == code


def test_prepared_code_quotes_the_names() -> None:
    code = 'result = sql("SELECT Date_of_Award FROM awards")'
    assert prepared(code, profiles("Date of Award")) == (
        "result = sql('SELECT \"Date of Award\" FROM awards')"
    )


def test_a_column_written_as_a_string_runs_as_the_column(awards) -> None:
    """'Awarding Body' = 'Nigeria' compares two constants: no row, or every row, matches; the
    model meant the column (wtq-train: `WHERE 'Years until mandatory retirement' = '17 years'`,
    `ORDER BY CAST(REPLACE('% of popular vote', '%', '') AS REAL)`)."""
    code = (
        "result = sql(\"SELECT Name FROM awards WHERE 'Awarding Body' = 'Namibia' "
        "ORDER BY CAST('Total Points' AS INTEGER) DESC\").iloc[0, 0]"
    )
    turn, server = ask_model(awards, "which award came from namibia?", [code])
    assert turn.ok and turn.result.answer.value == "Medal B"
    assert len(server.requests) == 1
    assert "\"Awarding Body\" = 'Namibia'" in turn.code
    assert 'CAST("Total Points" AS INTEGER)' in turn.code


@pytest.mark.parametrize(
    ("sql", "fixed"),
    [
        # a sort or group key, an aggregate's or a cast's argument, in the column's own case
        (
            "SELECT 'name', SUM('goals') FROM awards GROUP BY 'name' ORDER BY 'Goals' DESC",
            'SELECT \'name\', SUM("Goals") FROM awards GROUP BY "Name" ORDER BY "Goals" DESC',
        ),
        # after other letters than ASCII (offsets count characters)
        (
            "SELECT 'Zürich Überall' AS label FROM awards ORDER BY 'goals'",
            "SELECT 'Zürich Überall' AS label FROM awards ORDER BY \"Goals\"",
        ),
        # compared or combined with a constant, or tested for NULL
        (
            "SELECT Name FROM awards WHERE 'Goals' > 2 AND 'Against' IS NOT NULL",
            'SELECT Name FROM awards WHERE "Goals" > 2 AND "Against" IS NOT NULL',
        ),
    ],
)
def test_a_string_that_spells_a_column_where_only_a_column_makes_sense(sql, fixed) -> None:
    got = sql_with_quoted_columns(
        f'result = sql("""{sql}""")', profiles("Name", "Goals", "Against")
    )
    assert ast.parse(got).body[0].value.args[0].value == fixed


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT Name FROM awards WHERE Name = 'Name' OR 'Goals' = Goals",  # values of a column
        "SELECT Name FROM awards WHERE Name IN ('Goals', 'Name') OR Name LIKE 'Name'",
        "SELECT 'Goals' AS label, COALESCE(Name, 'Name'), CASE WHEN Goals > 1 THEN 'Name' END "
        "FROM awards",  # labels and defaults
        "SELECT date_part('year', Date), strftime(Date, '%Y') FROM awards",  # a part's name
        "SELECT Name FROM awards WHERE 'Goals' = ",  # does not parse
    ],
)
def test_strings_that_may_be_values_stay_strings(sql: str) -> None:
    code = f'result = sql("""{sql}""")'
    assert sql_with_quoted_columns(code, profiles("Name", "Goals", "Date", "Year")) == code


SINGLES = """Title,Year,B-sides,No. of weeks
Fall,2005,Rise,3
Behave,2006,,5
Stay,2006,Go,2
"""


@pytest.fixture
def singles(session, tmp_path: Path):
    return with_table(session, tmp_path, "singles", SINGLES)


def test_a_name_made_an_identifier_runs_as_the_column(singles) -> None:
    """The model writes 'B_sides' for "B-sides" and 'No_of_weeks' for "No. of weeks" (wtq-train
    seed 2032: told "did you mean 'B-sides'?", it wrote B_sides again, and the turn failed)."""
    code = (
        'result = sql("""SELECT T1.Title FROM singles AS T1\n'
        'WHERE T1.Year = 2006 AND B_sides IS NULL ORDER BY T1.No_of_weeks DESC""").iloc[0, 0]'
    )
    turn, server = ask_model(singles, "what was the only single of 2006 without a b-side?", [code])
    assert turn.ok and turn.result.answer.value == "Behave"
    assert len(server.requests) == 1  # no repair was needed
    assert '"B-sides" IS NULL' in turn.code and 'T1."No. of weeks" DESC' in turn.code


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT B_sides FROM singles",  # two columns have these letters: which is not known
        "SELECT Bsides, B_sides_2, No_of FROM singles",  # not all the runs, each joined by _
        "SELECT no_of_weeks(Title) FROM singles",  # a call, not a column
        "SELECT Title FROM singles WHERE Title = 'No_of_weeks'",  # a value
    ],
)
def test_identifiers_that_may_mean_something_else_are_left_alone(sql: str) -> None:
    code = f'result = sql("""{sql}""")'
    names = ("Title", "B-sides", "B+sides", "No. of weeks")
    assert sql_with_quoted_columns(code, profiles(*names)) == code


RULERS = """Name,From,To,Group
Cosimo de' Medici,1434,1464,Medici
Piero di Cosimo,1464,1469,Medici
Lorenzo,1469,1492,Medici
"""


@pytest.fixture
def rulers(session, tmp_path: Path):
    return with_table(session, tmp_path, "rulers", RULERS)


def test_a_column_named_by_a_reserved_word_runs_as_the_column(rulers) -> None:
    """wtq-train nt-1998: `WHERE From = …` is a syntax error at "From"; written in the
    column's own case, it is the column, and FROM, in capitals, stays the keyword."""
    code = 'result = sql("SELECT Name, To FROM rulers WHERE From = 1464").iloc[0, 0]'
    turn, server = ask_model(rulers, "who ruled from 1464?", [code])
    assert turn.ok and turn.result.answer.value == "Piero di Cosimo"
    assert len(server.requests) == 1  # no repair was needed
    assert 'SELECT Name, "To" FROM rulers WHERE "From" = 1464' in turn.code


@pytest.mark.parametrize(
    "sql",
    [
        'SELECT Name FROM rulers WHERE "From" = 1464',  # quoted already
        "SELECT Name FROM rulers WHERE Name = 'From'",  # a value
        "SELECT Name FROM rulers ORDER BY Name",  # parses: nothing to mend
        "select name from rulers where from = 1464",  # keywords in the column's case: unknown
        "SELECT Name FROM rulers WHERE From = ",  # does not parse even with the quotes
    ],
)
def test_reserved_words_are_quoted_only_where_that_mends_the_query(sql: str) -> None:
    code = f'result = sql("""{sql}""")'
    assert sql_with_quoted_columns(code, profiles("Name", "From", "To", "Group")) == code


@pytest.mark.parametrize("name", ["Order", "Group", "End", "Cast", "Show"])
def test_the_reserved_words_are_duckdbs_own(name: str) -> None:
    """The words come from the DuckDB that runs the query: each of these wtq-train column
    names is one it reserves."""
    code = f'result = sql("SELECT {name} FROM t WHERE {name} > 1")'
    fixed = f'result = sql(\'SELECT "{name}" FROM t WHERE "{name}" > 1\')'
    assert sql_with_quoted_columns(code, profiles(name)) == fixed
