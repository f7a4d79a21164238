"""What a plan must pass before its code is written (issue 13): it uses every column the question
names, and it gives the kind of answer the question asks for ("how many" a number, "who" a
name, "which" not a bare statistic). The answer loop checks the run's answer again after it."""

from __future__ import annotations

import re
from typing import Final

from engine.answer_kinds import Wanted, wanted_answer
from engine.errors import UnsupportedError
from engine.planner.matching import name_has
from engine.planner.plans import SELECTORS, SPECIAL, Plan
from engine.planner.query import YES_NO_START, Query
from engine.planner.readings import holds_years

_WHICH_START: Final = re.compile(r"^\s*(?:in |of |from |for |at |on )?which\b", re.IGNORECASE)
# "is the code less than 1950", "was X before or after Y": yes/no and either/or questions,
# which no intent answers (answer_kinds leaves the ones with "or"/"than" unjudged)
# "where", "when" or "who" first, or last ("in 1979 X did not chart where?")
_ASKS_VALUE: Final = re.compile(
    r"^\s*(?:where|when|who|whom|whose)\b|\b(?:where|when|who|whom)\W*$", re.IGNORECASE
)
_GIVES_FOR: Final = {
    Wanted.NUMBER: frozenset({"number"}),
    Wanted.NAME: frozenset({"label", "values"}),
}


def check_plan(q: Query, plan: Plan) -> None:
    """Raise UnsupportedError when `plan` leaves a named column unused or answers another kind
    of question than `q` asks."""
    used = plan.columns_used()
    after_value = {v.end for v in q.values}  # "Office products": the noun of the rows
    unused = [
        m.column.name
        for m in q.columns
        if m.column.name not in used and not (m.column.kind == "text" and m.start in after_value)
    ]
    unused = list(dict.fromkeys(unused))
    if unused:
        raise UnsupportedError(
            f"The question names {' and '.join(unused)}, which my reading of it "
            f"({plan.intent.explain(plan)}) would not use, so I will not guess."
        )
    unread = [f for f in sorted(SPECIAL | SELECTORS) if q.has(f) and f not in plan.intent.reads]
    if unread:
        raise UnsupportedError(
            f"My reading of the question ({plan.intent.explain(plan)}) leaves out what "
            f"“{_words_of(q, unread[0])}” asks, so I will not guess."
        )
    gives = plan.intent.gives(plan)
    wanted = Wanted.CHOICE if q.offered else wanted_answer(q.question)  # "more or less"
    choice = wanted is Wanted.CHOICE and plan.intent.picks_an_option  # "did A or B have more"
    if wanted is Wanted.BOOLEAN or (YES_NO_START.search(q.question) and not choice):
        wanted = Wanted.BOOLEAN
    if wanted is Wanted.TEMPLATE or (wanted is Wanted.BOOLEAN) != (gives == "boolean"):
        raise UnsupportedError(
            f"The question asks for {wanted.value}; my reading of it "
            f"({plan.intent.explain(plan)}) gives {_GIVES_WORDS[gives]}."
        )
    allowed = _GIVES_FOR.get(wanted)
    if allowed is not None and gives not in allowed:
        raise UnsupportedError(
            f"The question asks for {wanted.value}, but my reading of it "
            f"({plan.intent.explain(plan)}) gives {_GIVES_WORDS[gives]}."
        )
    # "which order has the highest price": the rows are the answer (the row noun was asked)
    which_row = any(f == "row" and (p - 1, "which") in _at(q) for p, f, _ in q.keywords)
    if _ASKS_VALUE.search(q.question) and gives == "rows":
        raise UnsupportedError(
            f"The question asks where, when or who, but my reading of it "
            f"({plan.intent.explain(plan)}) gives whole rows."
        )
    if _ASKS_VALUE.search(q.question) and gives == "number" and not _a_time(q, plan):
        raise UnsupportedError(  # "when did the least fans attend" is not the least attendance
            f"The question asks where, when or who, but my reading of it "
            f"({plan.intent.explain(plan)}) gives a number that is no year."
        )
    if q.asked is not None and gives == "rows":
        raise UnsupportedError(
            f"The question asks for {q.asked.column.name}, but my reading of it "
            f"({plan.intent.explain(plan)}) gives whole rows."
        )
    if _WHICH_START.search(q.question) and gives in ("number", "rows") and not which_row:
        raise UnsupportedError(
            f"“Which” asks for a name, but my reading of the question "
            f"({plan.intent.explain(plan)}) gives {_GIVES_WORDS[gives]}."
        )
    if q.loose and not plan.intent.compares_rows:
        raise UnsupportedError(
            f"“{q.loose[0]}” compares with something that is not a number or a date; the "
            "offline planner only compares with numbers and dates."
        )
    _partly_matched(q, plan)


def _partly_matched(q: Query, plan: Plan) -> None:
    """A filter equal to a value that other cells of its column hold with a note in brackets
    ("Epic" beside "Epic (076685)") misses those rows, which are the same thing: decline,
    whatever the plan computes from them. ("China" beside "Hong Kong, China" is another
    place; counting declines on any such cell, intents/counting.py.)"""
    for v in q.values:
        equal = any(
            f.op == "==" and f.column.name == v.column.name and f.value == v.value
            for f in plan.filters
        )
        noted = re.compile(rf"{re.escape(str(v.value))}\s*[(\[].*", re.IGNORECASE | re.DOTALL)
        annotated = [cell for cell in v.inside if noted.fullmatch(cell)]
        if annotated and equal:
            raise UnsupportedError(
                f"{v.value} also appears with a note in other cells of {v.column.name} (e.g. "
                f"{annotated[0]!r}); the rows where it is exactly {v.value} would miss those."
            )


def _a_time(q: Query, plan: Plan) -> bool:
    """ "When …" answered by a number: fine when the number is a year (the cell of a Year or
    Season column, or of a column whose values are years)."""
    if not re.match(r"\s*when\b", q.question, re.IGNORECASE) or not plan.measures:
        return False
    return all(name_has(c, {"year", "season", "date"}) or holds_years(c) for c in plan.measures)


def _at(q: Query) -> set[tuple[int, str]]:
    return {(pos, feature) for pos, feature, _ in q.keywords}


def _words_of(q: Query, feature: str) -> str:
    """The question's word for a keyword (its last word: 'after', 'next', 'more')."""
    from engine.planner.matching import apply_synonyms, tokenize

    tokens = apply_synonyms(tokenize(q.question), [q.table])
    pos = next(p for p, f, _ in q.keywords if f == feature)
    return tokens[pos].raw if pos < len(tokens) else feature


_GIVES_WORDS: Final = {
    "number": "a number",
    "label": "a value of a column",
    "date": "a date",
    "values": "a list of values",
    "rows": "rows of the table",
    "table": "a table",
    "figure": "a chart",
    "boolean": "yes or no",
    "option": "one of the two answers the question offers",
}
