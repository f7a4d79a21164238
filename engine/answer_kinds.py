"""What kind of answer a question asks for, read from its words alone (issue 13).

"How many …" wants one number, "who …" a name, "is there …" yes or no, a question with an answer
template (`@mean[value]`) that template filled in. The answer loop checks a run's answer against
it (engine/answer/expectations.py), and the planner checks its plan before writing any code.
Only clear cases are judged: anything unsure is `Wanted.ANY`, which every answer fits.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Final


class Wanted(StrEnum):
    ANY = "any answer"
    NUMBER = "one number"
    NAME = "a name or value, not a count"
    BOOLEAN = "yes or no"
    CHOICE = "one of the options the question offers, not yes or no"
    THING = "the name of a thing (a team, a country, a person …), not a number"
    TEMPLATE = "the answer written in the format the question gives"
    NEW = "a value it does not name itself"  # see asks_for_a_new_value
    ONE = "one value (or the few tied for it), not a whole column"  # see asks_for_one_value
    CELL = "a value of the column that holds it, not a whole row"  # see expectations._row_of


# A number question: one that starts so, also after a clause of its own ("in 2005, how many
# …", "according to this list, how many …"), one that asks "how many" later on ("japan and
# france each won how many gold medals?"), and a request for the number ("tell me the number
# of …"). All 535 wtq-train questions with "how many" or "how much" anywhere have one number for
# their answer (a few with a unit: '407 kg'); 28 of them were read as no number question before.
_NUMBER_ASKED: Final = re.compile(
    r"^(?:[^,]*, )*(?:"
    r"(?:in )?how (?:many|much|old|far|tall|high|big|large|often|wide|deep|heavy)\b"
    r"|(?:what|what's|whats)(?: is| was| were| are)? (?:the )?(?:total |combined |overall )?"
    r"(?:number|count|sum|amount|percentage|percent|ratio)(?: of| in| between| for| from|$)"
    r"|(?:what|what's|whats)(?: is| was| were| are)? (?:the )?"
    r"(?:average|mean|median|total|sum|combined|difference)\b"
    r"|(?:(?:tell me|give|give me) )?(?:the )?(?:total )?number of\b|count\b)"
    r"|\bhow (?:many|much)\b"
)
_GROUPED: Final = re.compile(r"\b(?:by|per|each|every)\b")  # "average price by region": a table
_NAME_START: Final = re.compile(r"^(?:who|whom|whose)\b")
_BOOLEAN_START: Final = re.compile(
    r"^(?:is|are|was|were|does|do|did|has|have|had|can|could|will|would|should) "
    r"(?!there\b|you\b)"
)  # "are there any other …?" is often answered with what there is, and "can you give me the
# median …" is a request: neither is judged
# "was x liberal or conservative": a choice, not yes/no; "neither a nor b" is not one
_OR: Final = re.compile(r"^(?!.*\b(?:neither|nor)\b).*\bor\b")
_ASKS_WHICH: Final = re.compile(r"^(?:which|what)\b")
_THERE_START: Final = re.compile(r"^(?:is|are|was|were) there\b")  # "are there more x in a or b"
# Nouns that name things with names, never answered by a bare number ("which team has the most
# wins": Liverpool, not 0). Nouns a number may answer (year, season, game, week, episode …) are
# left out on purpose; checked against every gold answer of wtq-train (none is rejected).
_THINGS: Final = frozenset(
    """team club country nation state province region county city town village district
    location venue stadium arena school university college company party player rider driver
    athlete person coach manager candidate artist singer band actor director author writer
    opponent winner champion album song film movie show ship car horse language ethnicity
    competition tournament event station airport building church river lake mountain island
    role title name poll group""".split()
)
# "which team …", and later on: "… the same number of wins as what other team?", "between 2009
# and 2010, which driver …" (38 more of wtq-train's 2,000 questions; of the 240 read so, one
# has a bare number for its gold answer, '12' for "… which team played the most games?"), also
# after one word more: "which home team", "what political party", "which two players", "which
# 1977 film" (stop 69: 19 more; none has a bare number for its gold answer), but not after a
# verb: "what did team usa score?" asks for a score
_WHICH_THING: Final = re.compile(
    r"\b(?:which|what) (?:other )?"
    r"(?:(?!(?:is|was|are|were|did|does|do|has|have|had)\b)(\w+) (\w+)|(\w+))"
)
TEMPLATE_SLOT: Final = re.compile(r"@(\w+)\[")
# a part of an answer format, or of an answer written in it: its name and what is inside
TEMPLATE_PART: Final = re.compile(r"@(\w+)\[([^\]\n]*)\]")
_VALUE_START: Final = re.compile(r"^(?:which|what|whats|what's|who|whom|whose|when|where)\b")
# "name a year in which …", "… were performed by which artist?": a value asked for elsewhere in
# the sentence ("where" and "when" also join clauses: "list the rows where …" is left out)
_ASKS_A_VALUE: Final = re.compile(r"^name\b|\b(?:which|what|who|whom|whose)\b")


def plain_words(question: str) -> str:
    """The question in lower case, single-spaced, without question marks: what the readings
    here match."""
    return " ".join(question.lower().replace("?", " ").split())


def wanted_answer(question: str) -> Wanted:
    """The kind of answer `question` asks for (ANY when unsure)."""
    if TEMPLATE_SLOT.search(question):
        return Wanted.TEMPLATE
    text = plain_words(question)
    if _NUMBER_ASKED.search(text) and not _GROUPED.search(text):
        return Wanted.NUMBER
    if _NAME_START.search(text):
        return Wanted.NAME
    if _OR.search(text) and (
        _BOOLEAN_START.search(text) or _ASKS_WHICH.search(text) or _THERE_START.search(text)
    ):
        return Wanted.CHOICE
    if _BOOLEAN_START.search(text):
        return Wanted.BOOLEAN  # "did ajax score more points than porto": yes or no
    asked = (word for found in _WHICH_THING.finditer(text) for word in found.groups() if word)
    if any(_singular(word) in _THINGS for word in asked):
        return Wanted.THING
    return Wanted.ANY


def asks_for_a_number(question: str) -> bool:
    """Whether `question` asks for a number ("how many …", "the total number of …"; see above),
    grouped or not: "how many races were won by mark skaife?" reads as grouped, yet a single 0
    computed for it is a count like any other. Of wtq-train's 33 number questions with a by,
    per or each, all 33 have one number for their gold answer (25 with a "by" that names who
    did it), so the grouping reading is left to where a table may answer."""
    return _NUMBER_ASKED.search(plain_words(question)) is not None


def asks_for_values(question: str) -> bool:
    """Whether finding no row cannot answer `question`: every clear kind, a question that
    starts with which, what, who, when or where ("which album had the most singles"), and one
    that starts with "name" or asks which, what or who later on ("… performed by which
    artist?"). On wtq-train one of the 445 questions of the first kind of no clearer kind has
    "none" for its answer, and none of the 165 of the second kind has an empty-like answer (none,
    0, no); a request to list or show rows ("orders of the north region") may rightly find
    nothing, while one for an example ("tell me a match where …", `asks_for_an_example`) may
    not: each of wtq-train's 26 has one."""
    if (
        wanted_answer(question) is not Wanted.ANY
        or asks_for_a_number(question)
        or asks_for_an_example(question)
    ):
        return True
    text = " ".join(question.lower().split())
    return _VALUE_START.match(text) is not None or _ASKS_A_VALUE.search(text) is not None


# A question that asks for a value and offers none to choose from ("a or b", "between a and b",
# "the following: a, b, c"): its answer is not one of the values it names itself.
_ASKS_VALUE: Final = re.compile(r"\b(?:who|whom|whose|which|what|where|name)\b")
_OFFERS: Final = re.compile(r"\b(?:or|between|vs|versus)\b|:")


def asks_for_a_new_value(question: str) -> bool:
    """Whether `question` asks for a value it does not name: "who won after western in 2007?"
    is not answered "Western", "who is the other monarch" not with the one it names. Of wtq-train's
    709 such questions answered by one name, 4 gold answers repeat words of the question (0.6%);
    the embedded model's answers did on 4 of 200 questions, all wrong."""
    text = " ".join(question.lower().split())
    return _ASKS_VALUE.search(text) is not None and _OFFERS.search(text) is None


# "besides brad bryant, who …", "what other languages are listed besides sotho?": the value
# the question leaves out: quoted, or up to a comma, the end, or a word of the question's own
_EXCLUDED: Final = re.compile(
    r"\b(?:besides|other than|except(?: for)?|apart from|aside from|excluding)\s+(?:the\s+)?"
    r"(?:[\"“]([^\"”]+)[\"”]|(.+?)\s*(?:[,?.!]|$|\s(?:who|what|which|how|where|when|is|was|"
    r"are|were|did|does|do|has|had|have|can|could|tell|name|list|in|on|at|for|to|that|with|"
    r"from|of)\b))"
)


def excluded_value(question: str) -> str | None:
    """The value `question` leaves out ("besides brad bryant, who was the other runner-up" →
    "brad bryant"), in its words; None when it leaves none out. Of wtq-train's 2,000 questions,
    34 are read so; no gold answer names the value left out (a misread span, "hungary
    participate", names no answer either)."""
    found = _EXCLUDED.search(" ".join(question.lower().split()))
    if found is None:
        return None
    return (found.group(1) or found.group(2)).strip("'") or None


# "what class is below s 1.6?", "which group has the most seats won?": a singular question,
# its verb before any plural word ("which years were", "what are the names"), its noun not a
# plural, and nothing that asks for several ("list", "all", "and", "other", "top 3", "by
# region", "monthly", "the distribution of").
_ONE_ASKED: Final = re.compile(
    r"^(?:what|which|who)\b(?: (?!are\b|were\b|and\b|or\b)\S+){0,4}? (?:is|was|has|had|did|does)\b"
)
_SEVERAL_ASKED: Final = re.compile(
    r"\b(?:are|were|list|all|each|every|both|and|other|others|besides|several|many|some|any)\b"
    r"|\b(?:by|per|over time|distribution|breakdown|trend|share|monthly|weekly|daily|yearly)\b"
    r"|\b(?:quarterly|annual|table|chart|plot|graph|histogram|summary)\b"
    r"|\b(?:top|first|last|\d+|two|three|four|five|six|seven|eight|nine|ten) (?:\w+s|\d+)\b"
)
_NOT_PLURAL: Final = frozenset(
    {"is", "was", "has", "does", "this", "his", "its", "series", "bus", "status", "class"}
)


def asks_for_one_value(question: str) -> bool:
    """Whether `question` asks for one value, so a column of them does not answer it ("what
    class is below s 1.6?" answered with every class). Of wtq-train's 2,000 questions, 590 are
    read so: 587 gold answers are one value and 3 are ties of two."""
    text = plain_words(question)
    asked = _ONE_ASKED.search(text)
    if asked is None or _SEVERAL_ASKED.search(text):
        return False
    before_the_verb = asked.group().split()[1:-1]  # "which consecutive years had": plural
    return not any(
        w.endswith("s") and not w.endswith(("ss", "'s")) and w not in _NOT_PLURAL
        for w in before_the_verb
    )


# "name a racer that had at least 20 points", "other than whmb, tell me a station that …": one
# example of several asked for ("list a few", "give the number of" are not)
_EXAMPLE_ASKED: Final = re.compile(
    r"(?:^|, |\. )(?:name|tell me|give me|give|identify|mention|list) (?:a|an|one|any)\b"
    r"(?! (?:few|couple|number|total|list)\b)"
)


def asks_for_an_example(question: str) -> bool:
    """Whether `question` asks for one example of several, any of which answers it. Of
    wtq-train's 2,000 questions 26 are read so, each with one gold answer."""
    return _EXAMPLE_ASKED.search(plain_words(question)) is not None


def _singular(word: str) -> str:
    """'countries' → 'country', 'teams' → 'team' (enough for the nouns in _THINGS)."""
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses")):
        return word[:-2]
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word
