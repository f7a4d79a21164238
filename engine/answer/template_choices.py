"""The values an answer format allows for a part, and the parts of an answer that use others.

A question may give the format of its answer and, for a part of it, the words to choose from:
`@normality[A string that is either "Normal" or "Not Normal"]`, or `@result[result]` with
`where "result" is a string that can be "normal" or "not_normal"`. An answer that writes `False`,
`0.0` or `moderately weak` there is not one of them, whatever it computed, so the loop sends it
back once (engine/answer/expectations.py). On DABench-dev 28 of 134 formats name such choices
(3 of them as words each with its condition: `"yes" if …, and "no" if …`); every gold answer is
one of them (after the quotes around three of them). A yes or no in the other spelling
(`False` where the format says "yes" or "no") is the same answer, so it is written in the
format's words instead (`in_stated_words`; 5 of the 28 formats are such a pair).
"""

from __future__ import annotations

import re
from typing import Final

from engine.answer.consensus import TRUTHS
from engine.answer_kinds import TEMPLATE_PART

_QUOTED: Final = r"""(?:"([^"\n]{1,40})"|'([^'\n]{1,40})')"""
# two or more quoted words joined by "or" (or "/"): "a", "b", or "c"; "Yes"/"No"
_CHOICES: Final = re.compile(rf"{_QUOTED}(?:\s*(?:,\s*or|,|or|/)\s*{_QUOTED})+")
_JOINED_BY_OR: Final = re.compile(r"\bor\b|/")
# where a description of one part ends: its sentence, its line, or the next part's description
_CLAUSE_END: Final = re.compile(
    r"""\.(?:\s|$)|\n|\band\s+["']|,\s*["'][\w\- ]+["']\s+(?:is|should|can)\b"""
    r"|\bfor example\b|\be\.g\.|\bsuch as\b",
    re.IGNORECASE,
)
_PLACEHOLDER: Final = re.compile(r"[\w\- ]{1,40}")
# each quoted word followed by its condition: "yes" if it follows …, and "no" if it does not
_CONDITIONAL: Final = re.compile(rf"{_QUOTED}\s+(?:if|when|otherwise)\b")
# its sentence, or the next placeholder's description ("… places and "isNormal" is a …")
_SENTENCE_END: Final = re.compile(r"""\.(?:\s|$)|\n|["'][\w\- ]+["']\s+(?:is|should|can)\b""")


def stated_choices(question: str) -> dict[str, tuple[str, ...]]:
    """Each part of the question's answer format whose description lists the values it may
    take ("either 'linear', 'nonlinear'" counts; "'Mr.', 'Mrs.' and 'Miss.'" names three
    things, not choices), with those values."""
    found: dict[str, tuple[str, ...]] = {}
    for name, inside in TEMPLATE_PART.findall(question):
        if name in found:
            continue
        for description in _descriptions(question, inside.strip()):
            choices = _choices_in(description, inside.strip())
            if choices:
                found[name] = choices
                break
        else:
            choices = _conditional_choices(question, inside.strip())
            if choices:
                found[name] = choices
    return found


def off_choices(question: str, text: str) -> dict[str, tuple[str, tuple[str, ...]]]:
    """The parts of the answer `text` whose value is not one of the choices the question states
    for it (compared without case and quotes): name -> (value, choices)."""
    choices = stated_choices(question)
    if not choices:
        return {}
    off: dict[str, tuple[str, tuple[str, ...]]] = {}
    for name, value in TEMPLATE_PART.findall(text):
        allowed = choices.get(name)
        if allowed and _plain(value) not in {_plain(c) for c in allowed}:
            off.setdefault(name, (value.strip(), allowed))
    return off


def in_stated_words(question: str, text: str) -> str | None:
    """`text` with each part that answers yes or no in the other spelling the format allows
    (`@is_normal[False]` where it says "yes" or "no", `@is_normal[yes]` where it says "True" or
    "False") written in the format's words; None when there is none. Only between these two
    pairs: the one meaning each word has, so nothing is read into the answer."""
    choices = stated_choices(question)

    def respelled(part: re.Match[str]) -> str:
        allowed = choices.get(part.group(1), ())
        value = _plain(part.group(2))
        if value not in TRUTHS or value in {_plain(c) for c in allowed}:
            return part.group(0)
        words = {TRUTHS[_plain(c)]: c for c in allowed if _plain(c) in TRUTHS}
        if len(allowed) != 2 or len(words) != 2:
            return part.group(0)
        return f"@{part.group(1)}[{words[TRUTHS[value]]}]"

    written = TEMPLATE_PART.sub(respelled, text) if choices else text
    return written if written != text else None


def _descriptions(question: str, placeholder: str, end: re.Pattern[str] = _CLAUSE_END) -> list[str]:
    """What the format says of one part: inside its brackets, and each clause (or other span
    up to `end`) that describes its placeholder (`where "result" is …`)."""
    found = [placeholder]
    if not _PLACEHOLDER.fullmatch(placeholder):
        return found
    subject = re.compile(
        rf"""["']?\b{re.escape(placeholder)}\b["']?\s+(?:is|a|should|can|could)\b"""
    )
    for match in subject.finditer(question):
        rest = question[match.end() :]
        stop = end.search(rest)
        found.append(rest[: stop.start()] if stop else rest)
    return found


def _conditional_choices(question: str, placeholder: str) -> tuple[str, ...]:
    """The words a sentence describing the placeholder gives each with its condition
    (`where "response" is a string that takes the value "yes" if the data follows a normal
    distribution, and "no" if it does not`; DABench-dev q10, q602): two or more."""
    for sentence in _descriptions(question, placeholder, _SENTENCE_END)[1:]:
        values = tuple(dict.fromkeys(a or b for a, b in _CONDITIONAL.findall(sentence)))
        if len(values) >= 2 and placeholder not in values:
            return values
    return ()


def _choices_in(description: str, placeholder: str) -> tuple[str, ...]:
    for match in _CHOICES.finditer(description):
        words = match.group(0)
        either = "either" in description[: match.start()].lower()
        if not (_JOINED_BY_OR.search(words) or either):
            continue
        values = tuple(a or b for a, b in re.findall(_QUOTED, words))
        if placeholder not in values:
            return values
    return ()


def _plain(value: str) -> str:
    return value.strip().strip("\"'").strip().lower()
