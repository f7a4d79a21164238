"""Questions the planner refuses on sight: forecasts, causes, advice, modelling, joins, and
instructions posing as questions.

A refusal word that is the table's own data is no request (issue 13): "what is the last
model?" over a column Model, "which train has the least speed?" over a list of trains, "the
reason" over a column Reason. Such a word names a column, or is a word of a cell value, in one
of the tables; then the question is read as any other. Instructions are refused whatever the
tables hold.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Final

from engine.planner.matching import name_words, singular
from engine.types import TableProfile
from engine.value_index import ValueIndex, value_words

_Refusal = tuple[re.Pattern[str], str, bool]  # pattern, reason, waived when its words are data

REFUSALS: Final[tuple[_Refusal, ...]] = (
    (
        re.compile(r"\b(predict|forecast|projection|project|next (year|month|week|quarter))\b"),
        "Forecasts need a model of the future, which the offline planner does not build.",
        True,
    ),
    (
        re.compile(r"\b(why|cause[sd]?|reason|because|explain)\b"),
        "Questions about causes need judgement, not a calculation the planner can vouch for.",
        True,
    ),
    (
        re.compile(r"\b(should|recommend|advice|advise|best strategy|what if|would happen)\b"),
        "Advice and what-if questions are beyond the offline planner.",
        True,
    ),
    (
        re.compile(
            r"\b(ignore|disregard|forget)\b.*\b(instruction|rule|prompt|previous|above)|"
            r"system prompt|\bjailbreak|\bimport os\b|\bsubprocess\b|\brm -rf\b|__import__|"
            r"\bdelete\b|\bdrop\b|\bupdate\b|\binsert\b|\boverwrite\b|\bexec\b|\beval\b"
        ),
        "That is an instruction, not a question about the data; the planner only reads tables.",
        False,
    ),
    (
        re.compile(
            r"\b(regression|cluster\w*|classif\w*|machine learning|train|model|anomal\w*|"
            r"outlier\w*|significan\w*|t-test|p-value|seasonal\w*)\b"
        ),
        "Statistical modelling is beyond the offline planner.",
        True,
    ),
    (
        re.compile(r"\b(join|merge|combine the tables|across tables)\b"),
        "Questions that join tables are beyond the offline planner.",
        True,
    ),
)


def refusal(
    question: str,
    profiles: Sequence[TableProfile],
    indexes: Mapping[str, ValueIndex] | None = None,
) -> str | None:
    """Why the planner refuses `question` (lower-cased), or None when it may read it."""
    for pattern, reason, waived_for_data in REFUSALS:
        said = [m.group(0) for m in pattern.finditer(question)]
        words = [w for phrase in said for w in value_words(phrase)]
        if said and not (waived_for_data and _all_data(words, profiles, indexes)):
            return reason
    return None


def _all_data(
    words: list[str], profiles: Sequence[TableProfile], indexes: Mapping[str, ValueIndex] | None
) -> bool:
    """Every one of `words` names a column or is a word of a cell value of the tables."""
    names = {singular(w) for p in profiles for c in p.columns for w in name_words(c.name)}
    tops = {
        w
        for p in profiles
        for c in p.columns
        for value, _ in c.top_values
        if isinstance(value, str)
        for w in value_words(value)
    }
    found = list((indexes or {}).values())
    return all(
        singular(w) in names or w in tops or any(i.has_word(w) for i in found) for w in words
    )
