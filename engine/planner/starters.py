"""Starter questions for a freshly loaded table, built from its profile (issue 5).

Each candidate is planned before it is offered, so a newcomer never clicks a question the
planner then declines.
"""

from __future__ import annotations

from typing import Final

from engine.config import Settings
from engine.errors import UnsupportedError
from engine.planner.draft import plan
from engine.types import ColumnProfile, TableProfile

GROUP_MAX_DISTINCT: Final = 20  # more groups than this make a crowded bar chart


def _measures(profile: TableProfile) -> list[ColumnProfile]:
    """Numeric columns worth averaging: not ids (one value per row), not years."""
    return [
        c
        for c in profile.columns
        if c.kind == "number"
        and c.name.lower() != "year"
        and not (c.distinct_count == profile.rows and "INT" in c.type.upper())
        and not c.name.lower().endswith(("_id", "_num", "id"))
        and c.distinct_count > 1
    ]


def _groups(profile: TableProfile) -> list[ColumnProfile]:
    return [
        c
        for c in profile.columns
        if c.kind in ("text", "bool") and 2 <= c.distinct_count <= GROUP_MAX_DISTINCT
    ]


def candidate_questions(profile: TableProfile) -> list[str]:
    """Questions in the order a newcomer would find most useful."""
    measures, groups = _measures(profile), _groups(profile)
    dates = [c for c in profile.columns if c.kind == "date"]
    out = ["How many rows are there?"]
    if measures and groups:
        out.append(f"Average {measures[0].name} by {groups[0].name}")
    years = [c for c in profile.columns if c.kind == "number" and c.name.lower() == "year"]
    if dates:
        out.append(f"Number of rows per month of {dates[0].name}")
    elif years and measures:
        out.append(f"Average {measures[0].name} over the years")
    if measures:
        out.append(f"Distribution of {measures[0].name}")
    if len(measures) >= 2 and groups:
        out.append(f"Which {groups[0].name} has the highest average {measures[1].name}?")
    elif groups:
        out.append(f"Most common {groups[0].name}")
    if len(measures) >= 3:
        out.append("Correlation matrix")
    if len(measures) >= 2:
        color = f" coloured by {groups[0].name}" if groups else ""
        out.append(f"Scatter of {measures[0].name} vs {measures[1].name}{color}")
    if any(c.null_count for c in profile.columns):
        out.append("Missing values per column")
    out.append("Describe the table")
    return out


def starter_questions(profile: TableProfile, n: int = 5) -> list[str]:
    """The first `n` candidates (4-6 is what the UI shows) that the planner answers confidently."""
    settings = Settings()
    good = []
    for question in candidate_questions(profile):
        try:
            plan(question, [profile], settings)
        except UnsupportedError:
            continue
        good.append(question)
        if len(good) == n:
            break
    return good
