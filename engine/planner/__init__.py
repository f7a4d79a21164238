"""The offline planner (issue 5): common questions to readable code in milliseconds, no LLM.

`plan()` reads the question (every word must be explained by a column, a value, a number, a date
or the vocabulary), picks the first intent of the registry that matches, and writes pandas/plotly
code (DuckDB `sql()` for big tables). It declines with UnsupportedError whenever it is unsure:
a wrong confident answer is worse than a decline.
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.config import Settings
from engine.errors import UnsupportedError
from engine.types import CodeDraft, TableProfile

__all__ = ["plan", "starter_questions"]


def plan(question: str, profiles: Sequence[TableProfile], settings: Settings) -> CodeDraft:
    """Code for `question` with a one-line explanation and a confidence, or UnsupportedError."""
    from engine.planner.codegen import code_for_plan, explanation
    from engine.planner.intents import plan_for_query
    from engine.planner.query import read_question

    found = plan_for_query(read_question(question, profiles))
    if found.confidence < settings.planner_min_confidence:
        raise UnsupportedError(
            f"I am not confident enough to answer this offline (I read it as: "
            f"{explanation(found)}). Rephrase it with exact column names, or ask the LLM."
        )
    return CodeDraft(
        code=code_for_plan(found, profiles, settings.big_table_rows),
        backend="planner",
        explanation=explanation(found),
        confidence=found.confidence,
    )


def starter_questions(profile: TableProfile, n: int = 5) -> list[str]:
    """4-6 questions about this table that the planner answers confidently (each one checked)."""
    from engine.planner.starters import starter_questions as starters

    return starters(profile, n)
