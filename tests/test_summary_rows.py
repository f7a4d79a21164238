"""Summary rows ("Total", "Career", a blank row of sums) found when a table is profiled."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.catalog import Catalog
from engine.prompt import describe_table

MEDALS = (
    "Rank,Nation,Gold,Silver,Bronze\n1,USA,10,5,3\n2,China,8,7,2\n3,Kenya,1,2,3\nTotal,,19,14,8\n"
)
CAREER = "Year,Team,Goals,Average\n2001,A,10,0.5\n2002,B,20,0.7\n2003,B,30,0.6\nCareer,,60,0.6\n"
BLANK = "Region,Sales,Units\nNorth,100,3\nSouth,250,4\nEast,50,1\n,400,8\n"
AVERAGE = "City,Temp,Rain\nOslo,5.0,70\nRome,16.0,60\nCairo,22.0,2\nAverage,14.3,44\n"
FILM = "Film,Year,Gross\nAlien,1979,104\nHeat,1995,187\nTotal Recall,1990,261\n"  # a title
ALL_SAINTS = "Name,Wins,Losses\nAll,3,4\nBees,1,2\nCats,5,0\n"  # "All" that sums nothing
WRONG_SUM = "Team,Wins\nA,3\nB,4\nC,5\nOverall,99\n"


def profile(tmp_path: Path, settings, text: str, name: str = "t"):
    path = tmp_path / f"{name}.csv"
    path.write_text(text)
    catalog = Catalog(settings, tmp_path / "work")
    catalog.load(path)
    return catalog.profile(name)


@pytest.mark.parametrize(
    ("text", "position", "column", "label"),
    [
        (MEDALS, 3, "Rank", "Total"),
        (CAREER, 3, "Year", "Career"),
        (BLANK, 3, None, None),
        (AVERAGE, 3, "City", "Average"),
    ],
)
def test_summary_rows_are_found(tmp_path, settings, text, position, column, label) -> None:
    (row,) = profile(tmp_path, settings, text).summary_rows
    assert (row.position, row.column, row.label) == (position, column, label)


@pytest.mark.parametrize("text", [FILM, ALL_SAINTS, WRONG_SUM])
def test_ordinary_rows_are_not_summary_rows(tmp_path, settings, text) -> None:
    assert profile(tmp_path, settings, text).summary_rows == ()


def test_the_profile_notes_and_the_prompt_name_the_summary_row(tmp_path, settings) -> None:
    found = profile(tmp_path, settings, MEDALS, "medals")
    assert any("Summary row" in n and "Rank = 'Total'" in n for n in found.notes)
    text = describe_table(found, settings, first=True)
    assert "Row 4 (Rank = 'Total') is a summary row, not data" in text
    assert "df[df['Rank'] != 'Total']" in text
    assert type(found).from_json(found.to_json()) == found  # history and the CLI keep it
