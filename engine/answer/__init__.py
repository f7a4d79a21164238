"""One answer loop (issue 12): drafters propose code; one loop checks, runs and repairs it.

The planner and the LLMs are drafters (engine/answer/drafts.py). `answer_question` walks the
drafters the backend names (lineup.py), passes each draft through the same checks (checks.py),
runs it with the `run` it is given (the session's sandbox), and hands failures back to the
drafter for bounded repairs (loop.py). LIDA's manager is the shape: every component returns
code, one place executes it.
"""

from __future__ import annotations

from engine.answer.drafts import Context, Draft, Drafter, Failure
from engine.answer.lineup import ENABLE_LLM, PLANNER_ONLY, drafters_for
from engine.answer.loop import answer_question
from engine.answer.progress import Notify, Progress, silent

__all__ = [
    "ENABLE_LLM",
    "PLANNER_ONLY",
    "Context",
    "Draft",
    "Drafter",
    "Failure",
    "Notify",
    "Progress",
    "answer_question",
    "drafters_for",
    "silent",
]
