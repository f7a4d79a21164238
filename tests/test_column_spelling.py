"""Column names the model spells with other spaces, punctuation or case than the table, written as
stored before the code runs (issue 13), and invisible characters dropped from headers at load.

On the real sandbox and DuckDB, with the model played by the scripted OpenAI-compatible server:
`df['Pick']` for the column "Pick #" would fail with a KeyError and go back to a repair, which the
small model answers with the same code; here it runs as `df['Pick #']` with no repair.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.answer.checks import code_problems, prepared
from engine.columns import columns_as_stored
from engine.types import ColumnProfile, TableProfile
from tests.test_answer_failures import ask_model, with_table

DRAFT = """Round,Pick #,Player,Name of school,Position
7,201,Ann,North,Defensive back
7,215,Bea,South,Defensive back
6,180,Cy,East,Tackle
7,230,Dee,West,Tackle
"""


@pytest.fixture
def draft(session, tmp_path: Path):
    return with_table(session, tmp_path, "draft", DRAFT)


def profiles(*names: str) -> list[TableProfile]:
    columns = tuple(ColumnProfile(n, "VARCHAR", 0, 1) for n in names)
    return [TableProfile("draft", None, 4, columns)]


def test_a_name_without_its_sign_runs_as_the_column(draft) -> None:
    code = (
        "backs = draft[(draft['Round'] == 7) & (draft['position'] == 'Defensive back')]\n"
        "result = draft.loc[backs.index]['Pick'].mean()"
    )
    turn, server = ask_model(draft, "average pick of defensive backs in round 7?", [code])
    assert turn.ok, (turn.code, turn.result.error)
    assert turn.result.answer.value == 208
    assert len(server.requests) == 1  # no repair was needed
    assert "['Pick #'].mean()" in turn.code and "draft['Position']" in turn.code


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("result = df['Name_of_school']", "result = df['Name of school']"),
        ("result = draft[['player', 'PICK']]", "result = draft[['Player', 'Pick #']]"),
        ("result = df.sort_values('pick_#').head()", "result = df.sort_values('Pick #').head()"),
        (
            "result = df.groupby('round')['Player'].count()",
            "result = df.groupby('Round')['Player'].count()",
        ),
        (
            "result = px.bar(df, x='player', y='pick')",
            "result = px.bar(df, x='Player', y='Pick #')",
        ),
    ],
)
def test_spellings_of_one_column_become_its_name(code: str, expected: str) -> None:
    names = ("Round", "Pick #", "Player", "Name of school", "Position")
    assert columns_as_stored(code, profiles(*names)) == expected


@pytest.mark.parametrize(
    ("code", "names"),
    [
        ("result = df['pick']", ("Pick", "Pick #")),  # two columns spell it: in doubt
        ("result = df['Picks']", ("Pick #",)),  # other letters: the column check's "did you mean"
        ("df['pick'] = df['Pick #'] * 2\nresult = df['pick']", ("Pick #",)),  # made by the code
        ("result = other['pick']", ("Pick #",)),  # not a table
        ("result = df['pick' + 's']", ("Pick #",)),  # not a plain name
        ("result = df[df['pick'] > 200", ("Pick #",)),  # does not parse: left to the run
    ],
)
def test_doubtful_names_are_left_alone(code: str, names: tuple[str, ...]) -> None:
    assert columns_as_stored(code, profiles(*names)) == code


def test_a_table_the_code_rebinds_is_left_alone() -> None:
    code = "df = df.groupby('Round').size().reset_index(name='n')\nresult = df['pick']"
    assert columns_as_stored(code, profiles("Round", "Pick #")) == code


def test_prepared_code_passes_the_column_check() -> None:
    names = profiles("Round", "Pick #")
    code = "result = df['pick']"
    assert [p.for_user for p in code_problems(code, names)] == [
        "column 'pick' does not exist in table draft; did you mean 'Pick #'?"
    ]
    assert code_problems(prepared(code, names), names) == []


def test_headers_lose_invisible_characters_at_load(session, tmp_path: Path) -> None:
    """A soft hyphen in a web table's header ('Sub\\xaddivisions') cannot be typed in a question
    or code; the loaded column is 'Subdivisions'."""
    path = tmp_path / "operas.csv"
    path.write_text(
        "Title,Sub\u00addivisions,Pre\u200bmière\nIl Giustino,5 acts,1683\nArmida,3 acts,1660\n",
        encoding="utf-8",
    )
    session.load(path, name="operas")
    assert session.profiles()[-1].column_names == ("Title", "Subdivisions", "Première")
    turn = session.run("result = operas[operas['Subdivisions'] == '5 acts']['Title'].iloc[0]")
    assert turn.ok and turn.result.answer.value == "Il Giustino"
