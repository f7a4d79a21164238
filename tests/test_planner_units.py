"""A unit said after a number names the column compared, or rules one out (issue 13).

Small tables of our own, loaded by the real loader; every answer is checked against pandas
written here."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from engine.errors import UnsupportedError
from engine.planner.matching import tokenize
from engine.planner.measure_units import column_units, dollars_said, unit_after
from tests.test_planner_rows import Table

LAKES = """Lake,Area (km²),Depth (m),Elevation (m)
Van,3755,451,1640
Tuz,1500,2,905
Egirdir,482,13,916
Bafa,60,25,2
Salda,44,184,1140
Hazar,86,216,1250
Golcuk,1,30,1380
"""

GOLFERS = """Place,Player,Country,Money ($),Points
1,Jack Nicklaus,United States,"144,000",600
T2,Tom Kite,United States,"70,400",330
T2,Greg Norman,Australia,"70,400",330
4,Seve Ballesteros,Spain,"38,400",190
5,Nick Price,Zimbabwe,"32,000",150
"""

PEAKS = """Rank,Peak,Elevation,Location
1,Mowdok,"3,465 ft",Thanchi
2,Keokradong,"3,235 ft",Ruma
3,Dumlong,"3,314 ft",Rangamati
4,Zow Tlang,"3,345 ft",Thanchi
5,Chimbuk,"2,999 ft",Bandarban
"""

TOWERS = """Name,Height,Floors,Year
Ratan Planet,90,16,2013
Landmark,80,14,2000
Krishna Tower,48,15,2012
Som Dutt,45,12,2008
City Centre,40,10,2011
"""

SEASONS = """Series,Launch Date,Finale Date,Days,Winner
1,2000-07-18,2000-09-15,60,Craig
2,2001-05-25,2001-07-27,64,Brian
3,2002-05-24,2002-07-26,64,Kate
4,2003-05-23,2003-07-25,64,Cameron
5,2004-05-28,2004-08-06,71,Nadia
6,2005-05-27,2005-08-19,106,Anthony
7,2006-05-18,2006-08-18,99,Pete
"""

SUBMARINES = """Date,Number,Captain,Casualties
4 May 1943,U-209,Brodda,46
5 May 1943,U-638,Staudinger,44
6 May 1943,U-125,Folkers,54
7 May 1943,U-663,Schmid,49
"""


def _table(settings, tmp_path: Path, text: str, name: str) -> Table:
    return Table(settings, tmp_path, text, name=name)


@pytest.mark.parametrize(
    ("question", "column", "op", "number"),
    [
        ("how many lakes are smaller than 100 square km in size?", "Area (km²)", "lt", 100),
        ("how many lakes are larger than 400 km squared?", "Area (km²)", "gt", 400),
        ("how many lakes have less than 50 sq km?", "Area (km²)", "lt", 50),
        ("how many golfers made at least $40,000?", "Money ($)", "ge", 40_000),
        ("how many golfers won more than 40,000 dollars?", "Money ($)", "gt", 40_000),
        ("how many peaks are below 3300 feet?", "Elevation", "lt", 3300),
        ("how many buildings are at least 14 stories tall?", "Floors", "ge", 14),
        ("how many seasons lasted more than 70 days?", "Days", "gt", 70),
    ],
)
def test_a_unit_after_the_number_names_the_column(settings, tmp_path, question, column, op, number):
    """The one column whose name ("Area (km²)", "Money ($)") or cells ("3,465 ft") carry the
    unit is compared; "stories" are a building's Floors; a column Days is not the rows of a
    table with one row a day."""
    headers = {t: t.split("\n")[0].split(",") for t in (LAKES, GOLFERS, PEAKS, TOWERS, SEASONS)}
    text = next(t for t, names in headers.items() if column in names)
    t = _table(settings, tmp_path, text, "units")
    try:
        values = pd.to_numeric(
            t.frame[column].astype(str).str.replace(",", "").str.removesuffix(" ft")
        )
        assert t.answer(question) == getattr(values, op)(number).sum()
    finally:
        t.catalog.close()


@pytest.mark.parametrize(
    "question",
    [
        "how many lakes are at a depth of more than 100 feet?",  # Depth (m)
        "how many lakes have an elevation over 1000 ft?",  # Elevation (m)
        "how many peaks have an elevation below 1000 meters?",  # cells in ft
    ],
)
def test_a_column_written_in_another_unit_declines(settings, tmp_path, question) -> None:
    """Comparing metres with feet would count the wrong rows: the question is sent back."""
    text = PEAKS if "peaks" in question else LAKES
    t = _table(settings, tmp_path, text, "units")
    try:
        with pytest.raises(UnsupportedError, match="is in"):
            t.plan(question)
    finally:
        t.catalog.close()


def test_a_unit_several_columns_carry_names_none_of_them(settings, tmp_path) -> None:
    """Depth (m) and Elevation (m): "over 500 metres" alone does not say which; naming the
    column does."""
    t = _table(settings, tmp_path, LAKES, "units")
    try:
        with pytest.raises(UnsupportedError):
            t.plan("how many lakes are over 500 metres?")
        want = (t.frame["Elevation (m)"] > 1000).sum()
        assert t.answer("how many lakes have an elevation over 1000 metres?") == want
    finally:
        t.catalog.close()


def test_a_date_column_before_the_number_leaves_it_to_the_column_after(settings, tmp_path):
    """ "which date had at least 50 casualties": 50 is casualties, and the dates are asked."""
    t = _table(settings, tmp_path, SUBMARINES, "submarines")
    try:
        got = t.answer("which date had at least 50 casualties?")
        assert list(pd.Series(got).astype(str)) == ["1943-05-06"]
    finally:
        t.catalog.close()


def test_dollars_and_units_are_read_from_the_words() -> None:
    assert dollars_said("at least $40,000 or $1.5") == "at least 40,000 dollars or 1.5 dollars"
    assert dollars_said("over $2 million") == "over $2 million"
    assert dollars_said("$5m budget") == "$5m budget"
    tokens = tokenize("under 50 square kilometres in size")
    assert unit_after(tokens, 1) == ("km2", 4)  # with "in size"
    assert unit_after(tokenize("faster than 450km/h"), 2) == ("km/h", 2)
    assert unit_after(tokenize("more than 4 games"), 2) is None


@pytest.mark.parametrize(
    ("name", "cells", "units"),
    [
        ("Area (km²)", [], {"km2"}),
        ("Area in km2", [], {"km2"}),
        ("Length (km)", [], {"km"}),
        ("Top speed (km/h)", [], {"km/h"}),
        ("Elevation\nm", [], {"m"}),
        ("Height ft / m", [], {"ft"}),  # cells "629 / 192": the first number, in ft
        ("Prize money\nUSD", [], {"usd"}),
        ("Money ($)", [], {"usd"}),
        ("Elevation", ["3,465 ft", "2,999 ft"], {"ft"}),
        ("Area", ["3755 km2", "1500 km2"], {"km2"}),
        ("Area", ["12 km2", "3 mi2"], set()),  # two units in the cells: none
        ("Minutes", ["12", "30"], set()),
        ("Game", [], set()),
    ],
)
def test_column_units_come_from_the_name_or_the_cells(name, cells, units) -> None:
    from engine.types import ColumnProfile

    column = ColumnProfile(name, "VARCHAR" if cells else "DOUBLE", 0, 2, examples=tuple(cells))
    assert column_units(column) == units


def test_a_column_named_further_before_its_number_by_explained_words(settings, tmp_path) -> None:
    """ "population counts of at least 10,000": four words between the column and the number,
    each one the question explains (a column word, "of", "at least"), so Population is the
    column compared. Before, only three words were allowed and the planner asked which."""
    text = (
        "Name,Status,Population\nAlby,Town,12000\nBrent,City,30000\n"
        "Cole,Town,9000\nDale,Town,10000\nEyre,City,800\n"
    )
    with Table(settings, tmp_path, text, name="parishes") as t:
        f = t.frame
        want = int(((f["Status"] == "Town") & (f["Population"] >= 10_000)).sum())
        assert t.answer("how many towns have population counts of at least 10,000?") == want


# Heights written in two units, as building and peak tables write them.
TWO_UNITS = [("Rhodes Tower", 629, 192), ("LeVeque Tower", 555, 169), ("AEP Building", 456, 139)]
TWO_UNITS += [("Huntington Center", 512, 156)]


@pytest.mark.parametrize(
    ("column", "cell"), [("Height ft (m)", "{} ({})"), ("Height ft / m", "{} / {}")]
)
def test_a_value_followed_by_its_other_unit_reads_as_its_first_number(
    settings, tmp_path, column, cell
) -> None:
    """ "629 (192)" under "Height ft (m)": 629 ft, and 192 m in brackets. Every cell has that
    shape, so the column reads as its first numbers (it declined: "not plain numbers")."""
    rows = "".join(f"{name},{cell.format(ft, m)},40\n" for name, ft, m in TWO_UNITS)
    with Table(settings, tmp_path, f"Name,{column},Floors\n{rows}", name="towers") as t:
        feet = t.frame[column].str.extract(r"^(\d+)", expand=False).astype(int)
        assert t.answer("which building is the tallest?") == t.frame["Name"][feet.idxmax()]
        a, b = "AEP Building", "Huntington Center"
        want = a if feet[t.frame["Name"] == a].iloc[0] > feet[t.frame["Name"] == b].iloc[0] else b
        assert t.answer(f"which is taller, {a} or {b}?") == want
        # the first unit the name writes is the cells' first number's: "under 520 ft"
        assert t.answer("how many buildings are under 520 ft?") == int((feet < 520).sum())
