"""The offline planner (issue 5): common questions to readable code in milliseconds, no LLM.

`plan()` reads the question (every word must be explained by a column, a value, a number, a date
or the vocabulary), picks the first intent of the registry that matches, and writes pandas/plotly
code (DuckDB `sql()` for big tables). It declines with UnsupportedError whenever it is unsure:
a wrong confident answer is worse than a decline.

Modules, upstream first: `vocabulary`, `matching` (words -> columns, values, numbers, dates),
`filters`, `query` (the question read into parts), `plans` (Plan and the Intent base class),
`snippets` (code pieces the intents share), `intents/` (the registry), `draft` (plan()),
`starters`.
"""

from __future__ import annotations

from engine.planner.draft import plan
from engine.planner.starters import starter_questions

__all__ = ["plan", "starter_questions"]
