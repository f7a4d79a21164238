"""The answer loop: every drafter's code is checked, run in the sandbox and repaired here.

Drafters come in the order the backend names them (engine/answer/lineup.py). A decline moves on
to the next drafter; so does a draft that still fails when its drafter cannot repair it any more.
An unsure answer, or code that still fails after its repairs, gets a second opinion from the
plain prompt (engine/answer/opinions.py). The turn is the last thing tried; everything tried
before it is kept as its attempts, oldest first, with the tokens and model time of every draft.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from engine.answer.checks import Problem, code_problems, explained, prepared
from engine.answer.consensus import Tally, answer_key, disagreement, has_majority
from engine.answer.drafts import Context, Draft, Drafter, Failure
from engine.answer.expectations import (
    Mismatch,
    answer_mismatch,
    filled_template,
    in_format_words,
    one_example,
)
from engine.answer.failures import Try, failed_turn_error
from engine.answer.missing_answer import MISSING_DOUBT, missing_in
from engine.answer.nothing_found import nothing_found
from engine.answer.one_row import one_row_note
from engine.answer.opinions import (
    Tried,
    afresh,
    floor_for,
    noted,
    percent,
    second_opinion,
    withheld,
)
from engine.answer.progress import Progress
from engine.answer.summary_free import without_summary_rows
from engine.answer.unmatched import (
    listed_note,
    listed_rows,
    missed_note,
    missed_rows,
    rewritten_note,
    rewritten_rows,
)
from engine.answer_kinds import Wanted, asks_for_a_number, asks_for_values, wanted_answer
from engine.errors import LLMError, NoCodeError, UnsupportedError
from engine.figures import presented
from engine.types import Attempt, ErrorInfo, RunResult, Turn

Run = Callable[[str], RunResult]


def answer_question(question: str, drafters: Iterable[Drafter], run: Run, context: Context) -> Turn:
    """The turn for `question`: the first draft that runs, else the last failure.

    Raises UnsupportedError when no drafter wrote code; its message says why and what would
    answer instead (`drafters` raises UnsupportedError in place of a drafter it cannot provide).
    """
    tried: list[Tried] = []
    costs: list[Draft] = []
    declined: UnsupportedError | None = None
    lineup = iter(drafters)

    def ask(drafter: Drafter, trail: list[Tried]) -> bool:  # a second opinion's program
        return _answered(drafter, question, run, context, trail, costs, gated=False)

    while True:
        try:
            drafter = next(lineup)
        except StopIteration:
            break
        except UnsupportedError as missing:  # e.g. no model is set up
            if not tried:
                raise _declined(declined, missing) from None
            break
        try:
            if _candidates(drafter, question, run, context, tried, costs):
                second_opinion(drafter, context, tried, ask)
                break
            if afresh(drafter, context, tried, ask):
                break
        except UnsupportedError as exc:  # only a draft declines
            declined = exc
        except NoCodeError as exc:  # another prompt may still get a program from the model
            before = len(tried)
            if afresh(drafter, context, tried, ask, no_code=True) or len(tried) > before:
                break  # an answer two programs agree on, or one declined with it shown
            return _turn(question, tried, costs, error=exc, backend=drafter.backend)
        except LLMError as exc:
            return _turn(question, tried, costs, error=exc, backend=drafter.backend)
    if not tried:
        raise _declined(declined, None)
    return _turn(question, tried, costs)


def _candidates(
    drafter: Drafter,
    question: str,
    run: Run,
    context: Context,
    tried: list[Tried],
    costs: list[Draft],
) -> bool:
    """`_answered`, once per candidate program when `llm_candidates` > 1; the most frequent
    answer wins (engine/answer/consensus.py). True when an answer stands."""
    temperature = context.settings.llm_candidate_temperature
    seeds = range(1, context.settings.llm_candidates)  # the first: the drafter's own settings
    samples = (drafter.sampled(temperature, seed) for seed in seeds)
    programs = [drafter, *(s for s in samples if s is not None)]
    if len(programs) == 1:
        return _answered(drafter, question, run, context, tried, costs)
    wanted = len(programs)
    trails: list[list[Tried]] = []  # each candidate's tries, its final one last
    answered: list[int] = []  # the candidates whose code ran
    for i, program in enumerate(programs):
        if i:
            context.notify(Progress("model", f"candidate program {i + 1} of {wanted}"))
        trail: list[Tried] = []
        try:
            ok = _answered(program, question, run, context, trail, costs)
        except LLMError:
            if i == 0:
                tried.extend(trail)
                raise
            break  # the model went away: vote with the candidates there are
        trails.append(trail)
        if ok:
            answered.append(i)
            if i == 0 and answer_key(trail[-1].result.answer) is None:
                break  # a chart: not voted on
        tally = Tally(tuple(answer_key(trails[j][-1].result.answer) for j in answered))
        if tally.settled(wanted - i - 1):
            break
    if not answered:
        tried.extend(trails[0])  # as with one candidate: the first program's failure
        return False
    tally = Tally(tuple(answer_key(trails[j][-1].result.answer) for j in answered))
    winner = answered[tally.winner or 0]
    votes, ran = tally.votes(tally.winner or 0), len(answered)
    *earlier, final = trails[winner]
    if ran > 1 and not (has_majority(votes, ran) and votes >= 2):
        finals = [trails[j][-1].result.answer for j in answered]
        error = ErrorInfo(
            UnsupportedError.kind,
            f"Not sure enough to answer: {ran} programs for this question computed different "
            f"answers ({disagreement([a for a in finals if a is not None])}). Rephrase the "
            "question, or edit the code below.",
        )
        final = replace(final, result=replace(final.result, ok=False, error=error))
    elif ran > 1:
        final = noted(final, f"{votes} of {ran} candidate programs agree")
    tried.extend([*earlier, final])
    return final.result.ok


def _answered(
    drafter: Drafter,
    question: str,
    run: Run,
    context: Context,
    tried: list[Tried],
    costs: list[Draft],
    *,
    gated: bool = True,
) -> bool:
    """Draft, check, run and repair with one drafter; True once its code runs. `gated`: an
    answer less sure than `floor_for` is declined (the thresholds were measured on the full
    prompt's drafts)."""
    floor = floor_for(drafter, context) if gated else 0.0
    draft = drafter.draft(question, context)
    repairs_left = max(0, context.settings.repair_attempts) if drafter.repairs else 0
    kind_repairs_left = 1  # an answer of the wrong kind goes back once
    resamples = [1]  # a repair that rewrote the failing code is sampled once more (`_repaired`)
    columns = {c.name for p in context.profiles for c in p.columns}  # a whole row is told by them
    while True:
        costs.append(draft)
        code = _prepared(drafter, draft.code, question, context)
        draft = replace(
            draft, code=code, explanation=explained(draft.explanation, draft.code, code)
        )
        context.notify(Progress("check", "checking column names"))
        problems = code_problems(draft.code, context.profiles)
        mended = draft.doubt or "; ".join(p.doubt for p in problems if p.doubt)  # for repairs
        # sent back before it runs; out of repairs, or not sent back, the sandbox has the last say
        if problems and repairs_left > 0 and all(p.sent_back for p in problems):
            message = " ".join(p.for_model for p in problems)
            error = ErrorInfo("input", " ".join(p.for_user for p in problems), detail=message)
            failure = Failure("check", message, RunResult(ok=False, error=error))
            tried.append(Tried(draft, failure.result))
        else:
            context.notify(Progress("run", draft.explanation or "running the code in the sandbox"))
            result = run(draft.code)
            filled = None
            if result.ok:
                filled = filled_template(question, result.answer) or one_example(
                    question, result.answer
                )
                filled = in_format_words(question, filled or result.answer) or filled
            if filled is not None:
                result = replace(result, answer=filled)
            mismatch = answer_mismatch(question, result.answer, columns) if result.ok else None
            if mismatch is not None:
                result = _not_as_asked(result, mismatch)
            note = nothing_found(
                question,
                draft.code,
                result,
                context.profiles,
                context.values,
                filters_checked=not drafter.repairs,
            )
            doubt: str | None = None  # what goes back to the model once, before any answer
            if note is not None:  # say why, with the values that exist
                if result.ok and result.answer is not None:
                    result = replace(result, answer=replace(result.answer, text=note))
                doubt = note[0].lower() + note[1:] + EMPTY_HINT
            elif kind_repairs_left > 0 and repairs_left > 0 and _counts(question, result):
                rewritten = rewritten_rows(draft.code, context.values)  # declined if kept
                missed = [] if rewritten else missed_rows(draft.code, context.values)  # stands
                doubt = rewritten_note(rewritten) if rewritten else None
                doubt = doubt or (missed_note(missed) if missed else None)
                doubt = doubt or one_row_note(question, draft.code, result.answer, context.profiles)
            elif result.ok and missing_in(result.answer):
                doubt = MISSING_DOUBT
            elif (
                result.ok
                and kind_repairs_left > 0
                and repairs_left > 0  # else the doubt could not go back: not looked for
                and (listed := listed_rows(draft.code, context.values))
            ):
                doubt = listed_note(listed)  # stands if kept
            if doubt is not None and kind_repairs_left > 0 and repairs_left > 0:
                kind_repairs_left -= 1
                repairs_left -= 1
                tried.append(Tried(draft, result))
                context.notify(Progress("repair", note or doubt))
                failure = Failure("answer", doubt, result)
                repaired = _repaired(drafter, draft, failure, question, context, costs, resamples)
                if repaired is None:
                    return result.ok
                draft = replace(repaired, doubt=mended)
                continue
            if note is not None and (not result.ok or asks_for_values(question)):
                result = _found_nothing(result, note)
            elif result.ok and any(p.declines for p in problems):
                result = _answers_nothing(result, [p for p in problems if p.declines])
            elif (
                result.ok
                and drafter.repairs  # the planner asks which of two spellings is meant
                and _counts(question, result)
                and (short := rewritten_rows(draft.code, context.values))
            ):
                result = withheld(result, rewritten_note(short, fix=False))
            elif _unsure(draft, result, floor):
                result = _not_sure(result, draft.sure or 0.0, context.settings.llm_min_confidence)
            said = tuple(p.for_user for p in problems)
            if draft.cut and not result.ok:
                said += (LOOP_NOTE if draft.looped else CUT_NOTE,)
            tried.append(Tried(draft, result, said))
            declined = (
                mismatch is None
                and result.error is not None
                and result.error.kind == UnsupportedError.kind
            )
            if result.ok or repairs_left == 0 or declined:  # an honest decline is not repaired
                return result.ok
            if mismatch is None:
                failure = Failure("run", _message(result), result)
            elif kind_repairs_left > 0:
                kind_repairs_left -= 1
                failure = Failure("answer", mismatch.for_model, result)
                mended = mended or _kind_doubt(mismatch)
            else:
                return False
        repairs_left -= 1
        context.notify(Progress("repair", failure.message))
        budget = resamples if failure.kind != "check" else []  # sent back: it runs instead
        repaired = _repaired(drafter, draft, failure, question, context, costs, budget)
        if repaired is None:
            return False
        if _same(drafter, repaired, draft, question, context):
            # The same program would fail the same way (the run, the check or the answer's
            # kind), and a further repair is one more model round trip (tens of seconds on the
            # local model) for little (issue 16), once it was sampled again. Code the checks
            # sent back runs as it is, as out of repairs: the sandbox has the last word, and a
            # check that knows its result is wrong declines it with the result shown, rather
            # than a failure.
            if failure.kind != "check":
                costs.append(repaired)  # its tokens were spent all the same
                context.notify(Progress("repair", "the model wrote the same code again; stopping"))
                return False
            context.notify(Progress("repair", "the model wrote the same code again; running it"))
            repairs_left = 0
        draft = replace(repaired, doubt=mended)


def _kind_doubt(mismatch: Mismatch) -> str:
    """Why a repair of an answer of the wrong kind is checked by a second program: told the
    kind, the small model often computes something of that kind rather than the answer ("which
    has a higher density, a or b?" first computed None, then named one). In the wtq-train
    records, 8 of 29 such repaired answers were right (repeats of a question counted). A wrong
    format or a whole row is not doubted: the value is computed, only its form is not."""
    if mismatch.wanted in (Wanted.TEMPLATE, Wanted.CELL):
        return ""
    got, wanted = mismatch.got, mismatch.asks
    return f"its first program computed {got}, where the question asks for {wanted}"


def _prepared(drafter: Drafter, code: str, question: str, context: Context) -> str:
    """The draft's code as it runs: `prepared`, its filter values as the cells write them, and a
    model's without the tables' summary rows (the planner leaves them out itself)."""
    code = prepared(code, context.profiles, question, context.values)
    return without_summary_rows(code, context.profiles) if drafter.repairs else code


def _same(drafter: Drafter, repaired: Draft, draft: Draft, question: str, context: Context) -> bool:
    """True when the repair, prepared for the run, is the program that failed."""
    return _prepared(drafter, repaired.code, question, context) == draft.code


def _repaired(
    drafter: Drafter,
    draft: Draft,
    failure: Failure,
    question: str,
    context: Context,
    costs: list[Draft],
    resamples: list[int],
) -> Draft | None:
    """The drafter's repair of `draft`. When it is the failing program unchanged, the same
    request is asked once more, sampled at `llm_candidate_temperature` with seed 1 (a question
    asked again draws the same one), while `resamples` holds one (it is taken): at temperature
    0 the embedded model rewrote most programs it could not mend unchanged (14 of 18 failing
    DABench-dev questions traced at stops 48-50; on wtq-train, the plain prompt's repairs of a
    count of 0). A repeat cut at the token limit is not sampled: a sample of it is likely as
    long, one more of the longest generations there are (wtq-train nt-9393 took 206 s with it,
    141 s without, wrong both ways)."""
    repaired = drafter.repair(draft, failure, context)
    if (
        repaired is None
        or repaired.cut
        or not resamples
        or not _same(drafter, repaired, draft, question, context)
    ):
        return repaired
    sampler = drafter.sampled(context.settings.llm_candidate_temperature, seed=1)
    if sampler is None:
        return repaired
    resamples.pop()
    costs.append(repaired)  # its tokens were spent all the same
    context.notify(Progress("repair", "the model wrote the same code again; asking it once more"))
    return sampler.repair(draft, failure, context)


def _turn(
    question: str,
    tried: list[Tried],
    costs: list[Draft],
    *,
    error: LLMError | None = None,
    backend: str | None = None,
) -> Turn:
    """The turn: the last thing tried (or a model failure) with everything before as attempts.

    A model that fails mid-repair leaves its last code on the turn, to edit and re-run.
    """
    if error is None:
        last, earlier = tried[-1], tried[:-1]
        code, result = last.draft.code, last.result
        backend, explanation = last.draft.backend, last.draft.explanation
        if not result.ok:  # the clearest explanation any try gave, not a raw exception
            shown = failed_turn_error([Try(t.result, t.problems) for t in tried])
            result = replace(result, error=shown)
        elif result.answer is not None and code is not None:  # a chart says what it shows
            answer = presented(result.answer, code, explanation or question)
            result = replace(result, answer=answer)
    else:
        earlier = tried
        code = tried[-1].draft.code if tried and tried[-1].draft.backend == backend else None
        result, explanation = RunResult(ok=False, error=error.to_info()), ""
    prompt = [d.prompt_tokens for d in costs if d.prompt_tokens is not None]
    completion = [d.completion_tokens for d in costs if d.completion_tokens is not None]
    llm_ms = sum(d.llm_ms for d in costs)
    return Turn(
        question=question,
        code=code,
        result=result,
        backend=backend,
        explanation=explanation,
        attempts=tuple(Attempt(t.draft.code, t.result) for t in earlier),
        prompt_tokens=sum(prompt) if prompt else None,
        completion_tokens=sum(completion) if completion else None,
        llm_ms=round(llm_ms, 1) if llm_ms else None,
    )


CUT_NOTE = (
    "The model's reply stopped at its token limit before the code ended. Ask for less at once, "
    "or raise 'Tokens per reply' in Settings."
)
LOOP_NOTE = (
    "The model's reply repeated the same piece of code over and over, so it was stopped before "
    "the code ended. Rephrase the question, or choose a stronger model in Settings."
)
EMPTY_HINT = (
    " If no row matching is the right answer, give the same code again; otherwise fix the "
    "filter, using values that exist."
)


def _not_as_asked(result: RunResult, mismatch: Mismatch) -> RunResult:
    """A run whose answer is of the wrong kind: not an answer, but what it computed stays."""
    error = ErrorInfo(UnsupportedError.kind, mismatch.for_user, detail=mismatch.for_model)
    return replace(result, ok=False, error=error)


def _counts(question: str, result: RunResult) -> bool:
    """A number question answered with a number above 0 (a count or total that may miss rows).
    One with a "by" counts too: answered with one number, "total number of episodes written or
    co-written by bill dial" is a count like any other (wtq-train nt-12714 counted 1 of 3)."""
    answer = result.answer
    return (
        result.ok
        and answer is not None
        and answer.kind == "value"
        and isinstance(answer.value, int | float)
        and not isinstance(answer.value, bool)
        and answer.value > 0
        and wanted_answer(question) in (Wanted.NUMBER, Wanted.ANY)
        and asks_for_a_number(question)
    )


def _found_nothing(result: RunResult, note: str) -> RunResult:
    """A question that asks for a value, answered with no rows (or a 0 from a filter that
    matched nothing, or code that failed taking a row of none) after its repair: not an
    answer, but an honest decline that says which values exist; what was computed stays, to
    show, and a raw exception moves to the detail. A request to list rows or draw a chart keeps
    its empty answer: finding nothing may be the answer there."""
    message = f"{note} Rephrase the question with values the table holds, or edit the code below."
    raw = result.error  # an exception's words and traceback, one click away
    detail = "\n\n".join(filter(None, (raw.message, raw.detail))) if raw else ""
    error = ErrorInfo(UnsupportedError.kind, message, detail=detail)
    return replace(result, ok=False, error=error)


def _unsure(draft: Draft, result: RunResult, threshold: float) -> bool:
    """A model's answer (not a chart: one sees what a chart shows) whose code names its columns
    and values with less probability than `threshold` (answer/confidence.py)."""
    return (
        result.ok
        and draft.sure is not None
        and draft.sure < threshold
        and result.answer is not None
        and result.answer.kind != "figure"
    )


def _not_sure(result: RunResult, sure: float, threshold: float) -> RunResult:
    """An answer the model was unsure of: declined, its result kept to check."""
    message = (
        f"The model was unsure of the column names and values its code uses "
        f"({percent(sure, threshold)} sure; "
        f"below {threshold:.0%}, most such answers were wrong when measured), so its result is "
        "not given as the answer. Check the code and its result below, or rephrase the question "
        "with the names the table uses."
    )
    return withheld(result, message)


def _answers_nothing(result: RunResult, problems: list[Problem]) -> RunResult:
    """A run whose code fixes its own answer (engine/answer/same_operands.py): declined, its
    result kept to check."""
    said = " ".join(p.for_user for p in problems)
    message = (
        f"{said} So its result is not given as the answer. Edit the code below, or rephrase "
        "the question."
    )
    return withheld(result, message)


def _message(result: RunResult) -> str:
    return result.error.message if result.error else "the code failed"


def _declined(
    declined: UnsupportedError | None, missing: UnsupportedError | None
) -> UnsupportedError:
    """One decline message: why the planner declined, then what would answer instead."""
    if declined is None:
        return missing or UnsupportedError("No backend could answer this question.")
    if missing is None:
        return declined
    return UnsupportedError(
        f"The planner cannot answer this: {declined.message} {missing.message}",
        detail=declined.detail,
    )
