"""What the answer loop is doing, for a spinner or a streaming view (the pages' `st.status`).

The stages, in the order a question usually meets them: plan (the offline planner drafts),
prompt, model, token (reply text as it streams), check (before running), run, wait (still
running: the seconds so far), repair (a failure goes back to the drafter).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Progress:
    """One event: its stage and a short text (`token` events carry reply text)."""

    stage: str
    text: str


Notify = Callable[[Progress], None]


def silent(_progress: Progress) -> None:
    """The listener when nobody listens."""
