"""The two options a choice question offers ("did lantern come out in 1994 or 1997?").

The embedded model answers such questions with the comparison it computed (True, 0.833, a row
of the table) rather than with an option: in this project's wtq-train records it got none of 20
right. Naming the options in the repair message gives it the words to answer in, and an answer
that names neither option ("Less" for "ranked or unranked") is not an answer to the question.
With both, 27 of 50 such questions were answered right where 7 were before (issue 13, stop 43).

The options are read from the words around the question's first "or": the phrase after it up
to a verb, a preposition, a comparative or a comma, and the phrase before it back to such a word
or an article. "more or less", "above or below" and the like are taken as the two words alone.
Only what is sure is returned: None when either side is empty or both read alike.
"""

from __future__ import annotations

import re
from typing import Final

# "more or less", "before or after": the two words are the options, whatever is around them
DIRECTION_WORDS: Final = frozenset(
    """more less fewer greater higher lower larger smaller bigger above below over under
    before after earlier later""".split()
)
_ARTICLES: Final = frozenset({"the", "a", "an"})
# Words that end an option: verbs, prepositions and comparatives of the questions around it
_ENDS: Final = frozenset(
    """is are was were be been has have had do does did held hold holds win won wins lose lost
    score scored play played ride rode produce produced receive received get got come came
    speak spoke appear appeared finish finished place placed constructed built
    choose chose coach coached obtain obtained fly flew record recorded sit take took
    sell sold buy bought make made earn earned pay paid spend spent beat lead led release
    released start started open opened go went need needs
    in on at of to from for with by than when that which who during
    taller older younger bigger larger smaller higher lower longer shorter more less better
    worse earlier later faster slower greater fewer heavier lighter most least""".split()
)
_STRIPPED_FIRST: Final = frozenset(
    "the a an in on at for with from when they he she it was were is are".split()
)  # "… ranked or when they were unranked"
_MAX_WORDS: Final = 4
_OR: Final = re.compile(r"\bor\b", re.IGNORECASE)
_WORD: Final = re.compile(r"[\w.'/-]+")


def offered_options(question: str) -> tuple[str, str] | None:
    """The two options, in the question's words as written, or None when they are unclear."""
    text = " ".join(re.sub(r"[?\"“”]", " ", question).split())
    text = re.sub(r"([,:;])(?=\S)", r"\1 ", text)  # "votes,1994 or 2009"
    ors = list(_OR.finditer(text))
    if not ors:
        return None
    before, after = text[: ors[0].start()], text[ors[0].end() :]
    left, right = _last_words(before), _first_words(after)
    ends = (left[-1].lower(), right[0].lower()) if left and right else ("", "")
    if ends[0] in DIRECTION_WORDS and ends[1] in DIRECTION_WORDS:
        return ends
    if len(ors) > 1 or re.search(r"[,:;]\s*$", before):
        return None  # "… indigenous or campesino … from cochabamba or chuquisaca", "a, b, or c"
    if not left or not right or " ".join(left).lower() == " ".join(right).lower():
        return None
    return " ".join(left), " ".join(right)


def named_option(value: object, options: tuple[str, str]) -> int | None:
    """Which option (0 or 1) `value` names by a word the other option lacks ("Chicago Tribune"
    names "chicago tribune", not "chicago sun-times"); None when it names neither or both."""
    words = set(_WORD.findall(str(value).lower()))
    first, second = (set(_WORD.findall(o.lower())) for o in options)
    names = [bool(words & (first - second)), bool(words & (second - first))]
    return names.index(True) if names.count(True) == 1 else None


def _first_words(text: str) -> list[str]:
    """The option after "or": its words up to a comma or an ending word, at most four."""
    words: list[str] = []
    for raw in text.split():
        word = raw.strip(",.;:")
        if not word:
            break
        low = word.lower()
        if not words and low in _STRIPPED_FIRST:
            continue
        if low in _ENDS and words:
            break
        words.append(word)
        if raw != word or len(words) == _MAX_WORDS:  # a comma ends it
            break
    return words


def _last_words(text: str) -> list[str]:
    """The option before "or": its words back to a comma, an article or an ending word."""
    words: list[str] = []
    for raw in reversed(text.split()):
        word = raw.strip(",.;:")
        if raw.endswith((",", ":", ";")) and words:
            break
        low = word.lower()
        direction = low in DIRECTION_WORDS  # "more or less" alone, not "more special …"
        if (
            low in _ARTICLES
            or (low in _ENDS and not direction)
            or not word
            or (direction and words)
        ):
            break
        words.insert(0, word)
        if direction or len(words) == _MAX_WORDS:
            break
    return words
