"""Second opinions: when an answer, or the code behind it, is not to be taken on its own word.

An answer the model was unsure of is checked by a program from the plain prompt (and a third
program breaks a tie); code that still fails after its repairs gets a fresh program from the
plain prompt, checked by a second (and a third, when the second does not agree). `Ask` runs one
drafter through the loop's draft, check, run and repair (engine/answer/loop.py), ungated,
adding what it tried to a trail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Final

from engine.answer.consensus import answer_key, disagreement
from engine.answer.drafts import Context, Draft, Drafter
from engine.answer.progress import Progress
from engine.config import Settings
from engine.errors import LLMError, UnsupportedError
from engine.types import Answer, ErrorInfo, RunResult

_FAILED: Final = frozenset({"runtime", "input"})  # code that crashed or that the checks sent back


@dataclass(frozen=True)
class Tried:
    """One draft that was checked or run, and what came of it."""

    draft: Draft
    result: RunResult
    # what the checks said, when it ran anyway, and a reply cut at the token limit (for you)
    problems: tuple[str, ...] = ()


Ask = Callable[[Drafter, list[Tried]], bool]  # True when the drafter's code ran


def floor_for(drafter: Drafter, context: Context) -> float:
    """How sure an answer must be not to be declined outright: `llm_min_confidence`, unless
    `second_opinion` will check it (it is less sure than `llm_confirm_below`, and the plain
    prompt can be asked). Checked instead of declined, 14 answers below the threshold (wtq-train's
    fixed sample and DABench-dev, stop 45): 6 were given, 5 of them right; 8 stayed declined."""
    settings = context.settings
    if settings.llm_confirm_below > settings.llm_min_confidence and drafter.plain(context):
        return 0.0
    return settings.llm_min_confidence


def second_opinion(drafter: Drafter, context: Context, tried: list[Tried], ask: Ask) -> None:
    """The answer in `tried[-1]`, when the model was less than `llm_confirm_below` sure of it,
    stands only if the same model asked with the plain prompt computes the same; otherwise it
    is declined, both answers shown. Two samples of the one prompt agreed on 11 of 11 such
    answers on wtq-train, 8 of them wrong: the same misreading, twice (issue 13)."""
    first = tried[-1]
    plain = drafter.plain(context) if _doubtful(first, context.settings) else None
    if plain is None:
        return
    context.notify(Progress("model", "unsure of this answer: asking again with a plain prompt"))
    trail = _trail(plain, ask)  # None: the answer stays unchecked, so it is not given
    checked = trail[-1] if trail is not None else None
    second = checked.result.answer if checked is not None else None
    sure = _why_checked(first, context.settings)
    if second is not None and answer_key(second) == answer_key(first.result.answer):
        tried[-1] = noted(first, f"{sure}; a second program, from a plain prompt, agrees")
        return
    if checked is not None and second is not None:
        decided = _third_opinion(plain, context, first, checked, ask)
        if decided is not None:
            tried[-1] = decided
            return
    other = disagreement([second]) if second is not None else "no answer: its code failed"
    message = (
        f"Not sure enough to answer: {sure}, and asked again with a plain prompt it computed "
        f"{other}. Rephrase the question, or edit the code below."
    )
    tried[-1] = replace(first, result=withheld(first.result, message))


def afresh(
    drafter: Drafter, context: Context, tried: list[Tried], ask: Ask, *, no_code: bool = False
) -> bool:
    """When the drafter's code still fails after its repairs, or (`no_code`) the model replied
    twice without code, a program from the same model with the plain prompt (another prompt
    writes another program, where a repair rewrites the one that failed). Its answer stands
    only when a second plain program, sampled, computes the same, or, when it does not, a third
    (seed 2) does; otherwise the turn declines with it shown, rather than a traceback.
    Unchecked, such answers were right for 4 of 11 DABench-dev questions and wrong for 7 (stop
    46); the third program gave 2 more right answers of 10 questions, and no wrong one (stop
    52). True when an answer stands; the first failure stays the turn when the plain code fails
    too."""
    error = tried[-1].result.error if tried else None
    failed = no_code or (error is not None and error.kind in _FAILED)
    plain = drafter.plain(context) if failed else None
    if plain is None:
        return False
    why = "the reply had no code" if no_code else "the code still fails"
    context.notify(Progress("model", f"{why}: asking afresh with a plain prompt"))
    first = "the first reply had no code" if no_code else "the first program failed"
    trail = _trail(plain, ask)
    if trail is None:
        return False
    *earlier, final = trail
    tried.extend(earlier)
    if answer_key(final.result.answer) is None:  # a chart, to look at: not voted on
        tried.append(noted(final, f"{first}; this one is from a plain prompt"))
        return True
    other = _sampled_answer(plain, context, "checking it with another plain program", ask)
    if other is not None and answer_key(other) == answer_key(final.result.answer):
        tried.append(noted(final, f"{first}; two from a plain prompt agree"))
        return True
    doing = "no agreement yet: asking a third plain program"
    third = _sampled_answer(plain, context, doing, ask, seed=2)
    second, last = (disagreement([a]) if a is not None else "no answer" for a in (other, third))
    if third is not None and answer_key(third) == answer_key(final.result.answer):
        note = f"{first}; of three from a plain prompt two agree, one computed"
        tried.append(noted(final, f"{note} {second}"))
        return True
    message = (
        f"Not sure enough to answer: {first}, and of three programs from a plain "
        f"prompt, the second computed {second} and the third {last}. Rephrase the question, or "
        "edit the code below."
    )
    tried.append(replace(final, result=withheld(final.result, message)))
    return False


def _third_opinion(
    plain: Drafter, context: Context, first: Tried, second: Tried, ask: Ask
) -> Tried | None:
    """When the full and the plain prompt computed different answers, one more program from
    the plain prompt, sampled at `llm_candidate_temperature`: the answer it agrees with stands
    (the two programs that agree, noted); None when it agrees with neither, or fails."""
    answer = _sampled_answer(plain, context, "the two programs disagree: asking a third", ask)
    third = answer_key(answer) if answer is not None else None
    if third is None:
        return None
    for agreed, other in ((first, second), (second, first)):
        if third == answer_key(agreed.result.answer):
            said = disagreement([other.result.answer]) if other.result.answer else "nothing"
            note = f"2 of 3 programs agree; the other computed {said}"
            if agreed is first:  # the code shown is the first program: how sure it was
                note = f"{_why_checked(first, context.settings)}; {note}"
            return noted(agreed, note)
    return None


def _sampled_answer(
    plain: Drafter, context: Context, doing: str, ask: Ask, seed: int = 1
) -> Answer | None:
    """The answer of one more plain program, sampled at `llm_candidate_temperature` with `seed`
    (a question asked again draws the same one); None when its code fails or none is asked."""
    sampler = plain.sampled(context.settings.llm_candidate_temperature, seed=seed)
    if sampler is None:
        return None
    context.notify(Progress("model", doing))
    trail = _trail(sampler, ask)
    return trail[-1].result.answer if trail is not None else None


def _trail(drafter: Drafter, ask: Ask) -> list[Tried] | None:
    """What `drafter` tried through the loop, the program that ran last; None when its code
    still fails, or when the model went away (either way there is no answer to weigh)."""
    trail: list[Tried] = []
    try:
        return trail if ask(drafter, trail) else None
    except LLMError:
        return None


def _why_checked(tried: Tried, settings: Settings) -> str:
    """What a checked answer's note says first: why it was checked."""
    if tried.draft.doubt:
        return tried.draft.doubt
    shown = percent(tried.draft.sure or 0.0, settings.llm_min_confidence)
    return f"the model was {shown} sure of its names and values"


def percent(sure: float, threshold: float) -> str:
    """`sure` as a percentage, with a decimal where it would read as the threshold (86.6% is
    not written 87% beside "below 87%")."""
    shown = f"{sure:.0%}"
    return f"{sure:.1%}" if shown == f"{threshold:.0%}" else shown


def noted(tried: Tried, note: str) -> Tried:
    """`tried` with `note` in brackets after its explanation (or as it, when it has none)."""
    said = tried.draft.explanation
    explanation = f"{said} ({note})" if said else note
    return replace(tried, draft=replace(tried.draft, explanation=explanation))


def _doubtful(tried: Tried, settings: Settings) -> bool:
    """An answer (not a chart) written less sure than `llm_confirm_below` (and not declined by
    `floor_for`): on 200 wtq-train questions 13 of 35 such answers above 0.87 were right. Or one
    with a `doubt` of its own, whatever its sureness (see Draft.doubt)."""
    sure, answer = tried.draft.sure, tried.result.answer
    return (
        tried.result.ok
        and (bool(tried.draft.doubt) or (sure is not None and sure < settings.llm_confirm_below))
        and answer is not None
        and answer_key(answer) is not None
    )


def withheld(result: RunResult, message: str) -> RunResult:
    """A declined run whose result stays one click away, to check."""
    answer = result.answer.text if result.answer is not None else ""
    error = ErrorInfo(UnsupportedError.kind, message, detail=f"Its result: {answer}")
    return replace(result, ok=False, error=error)
