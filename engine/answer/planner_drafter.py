"""The offline planner as a drafter: instant code for the questions it reads with confidence."""

from __future__ import annotations

import traceback

from engine.answer.drafts import Context, Draft, Failure
from engine.answer.progress import Progress
from engine.errors import UnsupportedError
from engine.planner import plan
from engine.types import Backend


class PlannerDrafter:
    """Drafts with `engine.planner.plan`; declines (UnsupportedError) when unsure.

    It does not repair: its code is deterministic, so asking again gives the same code. A failed
    run goes to the next drafter instead (in `auto`, the LLM), with this attempt kept.
    """

    backend = Backend.PLANNER
    repairs = False

    def draft(self, question: str, context: Context) -> Draft:
        context.notify(Progress("plan", "Planning with the offline planner"))
        try:
            found = plan(question, context.profiles, context.settings, values=context.values)
        except UnsupportedError:
            raise
        except Exception as exc:  # a planner bug must not cost the user the question
            raise UnsupportedError(
                "The offline planner failed on this question; it is passed on to the model.",
                detail="".join(traceback.format_exception(exc)),
            ) from exc
        return Draft(
            code=found.code,
            backend=self.backend,
            explanation=found.explanation,
            confidence=found.confidence,
        )

    def repair(self, draft: Draft, failure: Failure, context: Context) -> Draft | None:
        return None

    def sampled(self, temperature: float, seed: int) -> None:
        return None  # deterministic: a second candidate would be the same code

    def plain(self, context: Context) -> None:
        return None  # its answers are checked by their plan
