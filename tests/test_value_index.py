"""The value index (issue 13): every text value of a small table, normalised, with its rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.value_index import IndexedValue, listed_items, named_spans, value_index, value_words


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Lyon", ("lyon",)),
        ("The Hague[2]", ("hague",)),  # a footnote and a leading "the"
        ("Total*", ("total",)),
        ("Málaga †", ("malaga",)),  # accents and marks
        ("Men's 100 m", ("men", "100", "m")),  # the tokenizer drops "'s" too
        ("O'Neil", ("oneil",)),
        ("Savin-Cole Racing Inc.", ("savin", "cole", "racing", "inc")),
        ("1,234", ("1", "234")),
        ("Москва", ("москва",)),  # another script stays a word
        ("the", ("the",)),  # "the" alone is a value, not nothing
        ("  ", ()),
    ],
)
def test_words_are_normalised_like_a_question(text: str, words: tuple[str, ...]) -> None:
    assert value_words(text) == words


def test_every_text_value_is_indexed_with_its_rows(con) -> None:
    """Values beyond the profile's top 20 are there, with how many rows hold them."""
    names = [f"Player {i}" for i in range(60)] + ["Player 7", "Player 7"]
    con.execute("CREATE TABLE t (name VARCHAR, team VARCHAR, goals INTEGER)")
    con.executemany(
        "INSERT INTO t VALUES (?, ?, ?)", [(n, "The Hague[1]", i) for i, n in enumerate(names)]
    )
    index = value_index(con, "t")
    assert index is not None
    assert index.find(("player", "59")) == (IndexedValue("name", "Player 59", 1),)
    assert index.find(("player", "7")) == (IndexedValue("name", "Player 7", 3),)
    assert index.find(("hague",)) == (IndexedValue("team", "The Hague[1]", 62),)
    assert index.find(("player",)) == ()  # exact words only: no prefix, no fuzz
    assert index.longest == 2


def test_a_name_is_found_without_its_code_in_brackets(con) -> None:
    """ "Warren Davadilla (PHI)": a question names the rider, not his country's code. A cell
    without the code stays apart, so a question naming "germany" sees both."""
    con.execute("CREATE TABLE t (winner VARCHAR)")
    cells = ["Warren Davadilla (PHI)", "Germany (GER)", "Germany", "Intel X25-E (SLC)", "Ann (a)"]
    con.executemany("INSERT INTO t VALUES (?)", [(c,) for c in cells])
    index = value_index(con, "t")
    assert index.find(("warren", "davadilla")) == (
        IndexedValue("winner", "Warren Davadilla (PHI)", 1),
    )
    assert index.find(("warren", "davadilla", "phi"))[0].value == "Warren Davadilla (PHI)"
    assert {v.value for v in index.find(("germany",))} == {"Germany", "Germany (GER)"}
    assert index.find(("intel", "x25", "e"))[0].value == "Intel X25-E (SLC)"
    assert index.find(("ann",)) == ()  # "(a)": not a code


def test_values_inside_other_values_are_found(con) -> None:
    con.execute("CREATE TABLE t AS SELECT * FROM (VALUES ('Ann Lee'), ('Ann Lee, Bo Chan'), "
                "('Bo Chan'), ('Annabel Lee')) v(name)")  # fmt: skip
    index = value_index(con, "t")
    assert index is not None
    assert [v.value for v in index.inside(("ann", "lee"))] == ["Ann Lee, Bo Chan"]
    assert index.inside(("bo", "chan"))[0].value == "Ann Lee, Bo Chan"
    assert index.inside(("nobody",)) == ()


def _named(con, question: str, skip: tuple[str, ...] = ()) -> list[list[str]]:
    index = value_index(con, "games")
    assert index is not None
    return [
        [f"{v.column}={v.value}" for v in cells] for _, cells in named_spans(question, index, skip)
    ]


@pytest.fixture
def games(con):
    con.execute("CREATE TABLE games AS SELECT * FROM (VALUES ('Dallas Cowboys', 'Texas Stadium', "
                "'W'), ('at Dallas Cowboys', 'Away', 'L'), ('vs. Edmonton Eskimos', 'Home', 'W'), "
                "('at Edmonton Eskimos', 'Away', 'W'), ('Middle Blocker', 'Home', 'No'), "
                "('Middle blocker', 'Away', 'No')) v(opponent, venue, result)")  # fmt: skip
    return con


def test_a_question_names_cells_by_their_words_longest_first(games) -> None:
    """The cells a question names as stored, case, accents and a plural aside; longest span
    first, so "Dallas Cowboys" is one name, not "Dallas" and "Cowboys". Cells that only hold
    the words among others ("at Edmonton Eskimos") are not named: the local model took one of
    them for the whole answer (wtq-train seed 2026: 4 more wrong answers than without)."""
    assert _named(games, "How many games against the Dallas Cowboys at Texas Stadium?") == [
        ["opponent=Dallas Cowboys"],
        ["venue=Texas Stadium"],
    ]
    assert _named(games, "how many players are middle blockers?") == [
        ["opponent=Middle Blocker", "opponent=Middle blocker"]
    ]
    assert _named(games, "how many times was the opponent the edmonton eskimos?") == []


def test_skipped_words_and_single_letters_name_no_cell(games) -> None:
    """ "No" is a cell, but "no" in a question is a word; "w" is a letter."""
    assert _named(games, "were there no wins at home?", skip=("no",)) == [["venue=Home"]]
    assert _named(games, "were there no wins at home?") == [["result=No"], ["venue=Home"]]
    assert _named(games, "is w a result?") == []


def test_big_tables_get_no_index(con, monkeypatch: pytest.MonkeyPatch) -> None:
    import engine.value_index

    con.execute("CREATE TABLE t AS SELECT 'x' || i AS name FROM range(50) r(i)")
    monkeypatch.setattr(engine.value_index, "MAX_ROWS", 49)
    assert value_index(con, "t") is None
    monkeypatch.setattr(engine.value_index, "MAX_ROWS", 50)
    assert value_index(con, "t") is not None


def test_the_catalog_builds_each_index_once_and_forgets_a_dropped_table(
    settings, tmp_path: Path
) -> None:
    from engine.catalog import Catalog

    csv = tmp_path / "clubs.csv"
    csv.write_text("club,points\nLyon,3\nHague Club,5\n", encoding="utf-8")
    catalog = Catalog(settings, tmp_path / "catalog")
    (table,) = catalog.load(csv)
    first = catalog.value_index(table.name)
    assert first is not None and catalog.value_index(table.name) is first
    assert catalog.value_indexes() == {table.name: first}
    catalog.drop(table.name)
    assert catalog.value_indexes() == {}
    catalog.close()


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("AMI, DOS, MAC, PS1", ["AMI", "DOS", "MAC", "PS1"]),
        ("Vaud; Berne", ["Vaud", "Berne"]),
        ("Retired\nAdams gain", ["Retired", "Adams gain"]),
        ("Smokey and the Bandit", ["Smokey and the Bandit"]),  # one title, not a list
    ],
)
def test_the_values_a_cell_lists(text: str, items: list[str]) -> None:
    assert listed_items(text) == items
