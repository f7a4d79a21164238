"""Yes/no questions about a count: 'are there more than 8 properties?', 'does CBS serve at least 5
areas?', 'is the number of opponents more or less than 10?' (issue 13).

Such a question is the how-many question it contains ("how many properties", "how many areas
does CBS serve") and a comparison of that number with the one said. The how-many question is
read and planned as any other, so the count is the one the planner gives when asked directly;
the comparison is added after its code. The answer is "Yes" or "No", or the one of two answers
offered ("more or less") that holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from engine.answer_kinds import plain_words
from engine.code_names import DECLINE
from engine.planner.query import COMPARED_WORD, NUMBER_WORDS, offered_answers
from engine.planner.snippets import py

_OPS: Final = {
    "more than": ">",
    "greater than": ">",
    "over": ">",
    "above": ">",
    "at least": ">=",
    "less than": "<",
    "fewer than": "<",
    "under": "<",
    "below": "<",
    "at most": "<=",
    "exactly": "==",
}
_CMP = "|".join(_OPS)
_N = r"(\d[\d,]*)"
# "are there more than 8 properties (in the table)": how many properties
_THERE: Final = re.compile(rf"^(?:are|were) there ({_CMP}) {_N} (.+)$")
# "is the (total) number of venues above 6": how many venues
_NUMBER_OF: Final = re.compile(
    rf"^(?:is|was) the (?:total )?(?:number|count) of (.+?) ({_CMP}) {_N}$"
)
# "does cbs serve at least 5 areas", "has this actor been in above 15 films": how many areas
# does cbs serve
_DOES: Final = re.compile(rf"^(does|do|did|has|have|had) (.+?) ({_CMP}) {_N} (.+)$")


@dataclass(frozen=True)
class ComparedCount:
    """The how-many question inside a yes/no one, and what its count is compared with."""

    question: str
    op: str
    number: int
    offered: tuple[str, ...] = ()  # "more or less": the two answers offered, the first's op

    def explain(self) -> str:
        said = " or ".join(self.offered) if self.offered else "yes or no"
        return f", compared with {self.number} ({said})"

    def lines(self) -> list[str]:
        """Code after the how-many code: `result` (the count) compared with the number."""
        n, op = self.number, self.op
        if not self.offered:
            return ["count = result", f'result = "Yes" if count {op} {n} else "No"']
        said, other = self.offered
        why = f"neither {said} nor {other}: the count is {n}"
        return [
            "count = result",
            f"if count == {n}:",
            f"    {DECLINE}({py(why)})",
            f"result = {py(said)} if count {op} {n} else {py(other)}",
        ]


def compared_count(question: str) -> ComparedCount | None:
    """The how-many question and the comparison a yes/no question about a count holds, or None
    when `question` is not one."""
    text, offered = offered_answers(plain_words(question))
    text = COMPARED_WORD.sub(lambda m: f"{m[1]} {NUMBER_WORDS[m[2].lower()]}", text)
    if m := _THERE.match(text):
        said, number, inner = m[1], m[2], f"how many {m[3]}"
    elif m := _NUMBER_OF.match(text):
        said, number, inner = m[2], m[3], f"how many {m[1]}"
    elif m := _DOES.match(text):
        said, number, inner = m[3], m[4], f"how many {m[5]} {m[1]} {m[2]}"
    else:
        return None
    op = _OPS[said]
    if offered and op not in (">", "<"):
        return None
    return ComparedCount(inner, op, int(number.replace(",", "")), offered)
