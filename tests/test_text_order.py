"""Numbers in a text column ordered as text go back before the code runs
(engine/text_order.py): what is read, in pandas and in SQL, on profiles; then the loop on the
real sandbox and real DuckDB, with the scripted model."""

from __future__ import annotations

import pytest

from engine.sql_reading import sql_ordered_columns
from engine.text_order import ordered_number_texts
from engine.types import ColumnProfile, TableProfile
from tests.test_answer_failures import ask_model, with_table

TEAMS = TableProfile(
    "teams",
    "teams.csv",
    6,
    (
        ColumnProfile("Club", "VARCHAR", 0, 6, examples=("Madison Mustangs", "Edgewood Eagles")),
        ColumnProfile(
            "Championships",
            "VARCHAR",
            0,
            6,
            examples=("4 consecutive Ironbowls", "35 championships", "27 championships", "0"),
        ),
        ColumnProfile("Votes", "VARCHAR", 0, 6, examples=("119,106", "36,271", "326,721")),
        ColumnProfile("Founded", "VARCHAR", 0, 6, examples=("1999", "1971*", "2006", "1968")),
        ColumnProfile(
            "Opened", "VARCHAR", 0, 6, examples=("2005-08-23", "1999-9-30", "2009-02-20")
        ),
        ColumnProfile("Seats", "BIGINT", 0, 6, min=1, max=300),
    ),
)


def ordered(code: str) -> list[tuple[str, str]]:
    return [(o.column, o.how) for o in ordered_number_texts(code, [TEAMS])]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("result = df['Votes'].max()", [("Votes", ".max()")]),
        ("result = df.loc[df['Championships'].idxmax(), 'Club']", [("Championships", ".idxmax()")]),
        ("result = teams.sort_values('Votes').iloc[-1]['Club']", [("Votes", ".sort_values()")]),
        ("result = df.nlargest(1, 'Votes')['Club']", [("Votes", ".nlargest()")]),
        ("result = df.groupby('Club')['Votes'].min()", [("Votes", ".min()")]),
        ("result = df[df['Seats'] > 3]['Votes'].rank()", [("Votes", ".rank()")]),
        (
            'result = sql("SELECT Club FROM teams WHERE Championships = '
            '(SELECT MAX(Championships) FROM teams)")',
            [("Championships", "MAX(Championships)")],
        ),
        (
            "result = sql('SELECT Club FROM teams ORDER BY \"Votes\" DESC LIMIT 1')",
            [("Votes", "ORDER BY Votes")],
        ),
        ("result = sql('SELECT arg_max(Club, Votes) FROM df')", [("Votes", "arg_max(…, Votes)")]),
    ],
)
def test_numbers_in_text_ordered_as_text_are_named(code: str, expected) -> None:
    assert ordered(code) == expected


@pytest.mark.parametrize(
    "code",
    [
        "result = df['Seats'].max()",  # numbers
        "result = df['Club'].max()",  # names: text order is the order asked for
        "result = df['Founded'].max()",  # years: one width, text order is number order
        "result = df['Opened'].min()",  # dates written year first
        "n = df['Votes'].str.replace(',', '').astype(int)\nresult = df.loc[n.idxmax(), 'Club']",
        "df['Votes'] = pd.to_numeric(df['Votes'].str.replace(',', ''))\nresult = df['Votes'].max()",
        "result = df['Votes'].str.replace(',', '').astype(int).max()",
        "result = df['Votes'].value_counts().idxmax()",  # the most frequent value, not the largest
        "result = sql(\"SELECT MAX(TRY_CAST(replace(Votes, ',', '') AS INT)) FROM teams\")",
        "result = sql('SELECT CAST(Votes AS INT) AS Votes FROM teams ORDER BY Votes')",  # its alias
        "result = sql('WITH t AS (SELECT * FROM teams) SELECT MAX(Votes) FROM t')",  # its own table
        "df = sql('SELECT 1 AS Votes')\nresult = df['Votes'].max()",  # another table
        "result = df['Votes'].max(",  # does not parse: the run says so
    ],
)
def test_numbers_dates_names_and_converted_columns_are_left_alone(code: str) -> None:
    assert ordered(code) == []


def test_the_message_shows_two_values_in_text_order_and_the_way_to_the_numbers() -> None:
    (found,) = ordered_number_texts("result = df['Championships'].max()", [TEAMS])
    assert found.for_user == (
        "The code orders the text column 'Championships' as text (.max()): its values are "
        "numbers written in text, and as text '4 consecutive Ironbowls' comes after "
        "'35 championships'."
    )
    assert "str.extract" in found.for_model and "TRY_CAST(replace(regexp_extract(" in (
        found.for_model
    )


def test_sql_ordered_columns_are_the_stored_columns_a_query_orders() -> None:
    tables = {"t": ("Votes", "Party", "My Col")}
    assert sql_ordered_columns('SELECT x.Party FROM t x ORDER BY x.votes, "my col"', tables) == [
        ("t", "Votes", "ORDER BY Votes"),
        ("t", "My Col", "ORDER BY My Col"),
    ]
    assert sql_ordered_columns("SELECT MIN(Votes) FROM u", tables) == []  # not a loaded table
    assert sql_ordered_columns("SELECT MAX(Votes) FROM", tables) == []  # does not parse


TEAMS_CSV = """Club,Championships
Madison Mustangs,4 consecutive Ironbowls
Edgewood Eagles,35 championships
Oshkosh Tigers,27 championships
Racine Raiders,1 championship
"""  # wtq-train nt-4990's shape: championships written with their kind


AS_TEXT = (
    'result = sql("SELECT Club FROM teams WHERE Championships = '
    '(SELECT MAX(Championships) FROM teams)")'
)
AS_NUMBERS = (
    "n = teams['Championships'].str.extract(r'(\\d+)')[0].astype(int)\n"
    "result = teams.loc[n.idxmax(), 'Club']"
)


def test_text_ordered_as_text_is_declined_with_its_result_one_click_away(session, tmp_path) -> None:
    """As text '4 consecutive Ironbowls' is the largest, and Madison Mustangs would be given
    as the team with the most. The code is not sent back (on wtq-train its repairs answered 0
    of 5 questions right, and turned 2 declines into wrong answers): it runs, and the turn
    declines with the reason, its result to check."""
    with_table(session, tmp_path, "teams", TEAMS_CSV)
    turn, server = ask_model(session, "which team has the most championships?", [AS_TEXT])
    assert not turn.ok and len(server.requests) == 1  # no repair was asked for
    error = turn.result.error
    assert error.kind == "unsupported"
    assert error.message.startswith(
        "The code orders the text column 'Championships' as text (MAX(Championships)): its "
        "values are numbers written in text, and as text '4 consecutive Ironbowls' comes after "
        "'35 championships'. So its result is not given as the answer."
    )
    assert error.detail == "Its result: 1 row × 1 column"  # Madison Mustangs, in its table
    assert turn.result.answer.table.rows == (("Madison Mustangs",),)


def test_the_numbers_taken_out_of_the_text_answer(session, tmp_path) -> None:
    with_table(session, tmp_path, "teams", TEAMS_CSV)
    turn, server = ask_model(session, "which team has the most championships?", [AS_NUMBERS])
    assert turn.ok and turn.result.answer.text == "Edgewood Eagles"
    assert not turn.attempts and len(server.requests) == 1
