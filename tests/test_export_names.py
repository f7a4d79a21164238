"""Download names from questions (issue 16): short, safe on any file system, one per turn."""

from __future__ import annotations

import pytest

from engine.export.names import MAX_STEM_CHARS, download_stem, stem_from_text
from engine.outputs import SavedTable
from engine.types import RunResult, Turn


@pytest.mark.parametrize(
    ("question", "stem"),
    [
        ("What is the total revenue by region?", "total_revenue_by_region"),
        ("revenue by region", "revenue_by_region"),
        ("Ventes par région / 2024 (€)", "ventes_par_region_2024"),
        ("../../etc/passwd", "etc_passwd"),
        ("con", "con_"),  # a Windows device name
        ("what is the", "what_is_the"),  # only filler words: kept rather than nothing
        ("???", "result"),
        ("一二三", "result"),
    ],
)
def test_a_question_becomes_a_safe_short_stem(question: str, stem: str) -> None:
    assert stem_from_text(question) == stem


def test_a_long_question_is_cut_at_a_word() -> None:
    stem = stem_from_text("show the total revenue by region and product category for every month")
    assert stem == "total_revenue_by_region_and_product_category_for"
    assert len(stem) <= MAX_STEM_CHARS


def test_each_turn_of_a_session_gets_its_own_stem() -> None:
    def turn(question: str | None, saved: tuple[str, ...] = ()) -> Turn:
        result = RunResult(ok=True, saved_tables=tuple(SavedTable(n) for n in saved))
        return Turn(question, "result = 1", result)

    turns = [turn("revenue by region"), turn("Revenue by region!"), turn(None, ("totals",))]
    turns.append(turn(None))
    stems = [download_stem(t, turns[:i]) for i, t in enumerate(turns)]
    assert stems == ["revenue_by_region", "revenue_by_region_2", "totals", "result"]
