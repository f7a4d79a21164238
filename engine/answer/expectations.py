"""What kind of answer a question asks for, and whether an answer is of that kind.

"How many …" wants one number, "who …" a name, "is there …" yes or no, a question with an answer
template (`@mean[value]`) that template filled in. A result of another kind ("how many" answered
with four names, "the average attendance" with a list of stadiums) is wrong whatever its values,
so the loop sends it back for one repair, and a planner draft of the wrong kind is not shown.
Only clear cases are judged: anything unsure is `Wanted.ANY`, which every answer fits. The
reading of the question itself is in engine/answer_kinds.py, which the planner uses too.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Final

from engine.answer.template_choices import in_stated_words, off_choices
from engine.answer.template_lists import in_format_lists
from engine.answer_kinds import (
    TEMPLATE_SLOT,
    Wanted,
    asks_for_a_new_value,
    asks_for_an_example,
    asks_for_one_value,
    asks_for_values,
    excluded_value,
    wanted_answer,
)
from engine.offered import named_option, offered_options
from engine.planner.query import NUMBER_WORDS
from engine.planner.snippets import MONTH_PATTERN
from engine.types import ISO_DATE, ISO_DATETIME, Answer
from engine.value_index import listed_items, value_words

__all__ = ["Mismatch", "Wanted", "answer_mismatch", "wanted_answer"]

_YES_NO: Final = frozenset({"yes", "no", "true", "false"})
# "No, the fighting Irish scored more when unranked" (wtq-train nt-14027, gold "ranked"): a yes
# or no in a sentence is no option either; no gold answer to wtq-train's 104 choices starts so.
_YES_NO_FIRST: Final = re.compile(rf"\s*(?:{'|'.join(_YES_NO)})\b(?!-)", re.IGNORECASE)


@dataclass(frozen=True)
class Mismatch:
    """An answer of another kind than the question asks for, worded for the model and for you."""

    wanted: Wanted
    got: str  # what the code left, in a few words
    fix: str  # what the model should do instead
    asked: str = ""  # the kind in words, where `wanted`'s own would misname it

    @property
    def asks(self) -> str:
        """What the question asks for, in words ("a name, not a date")."""
        return self.asked or self.wanted.value

    @property
    def for_model(self) -> str:
        return f"the question asks for {self.asks}, but `result` is {self.got}. {self.fix}"

    @property
    def for_user(self) -> str:
        return (
            f"This does not answer the question as asked: it asks for {self.asks}, and "
            f"the code computed {self.got}. Rephrase the question, or edit the code below."
        )


def answer_mismatch(
    question: str, answer: Answer | None, columns: Collection[str] = ()
) -> Mismatch | None:
    """How `answer` differs from the kind of answer `question` asks for; None when it fits.
    `columns`: the loaded tables' column names, by which a whole row is told from values."""
    wanted = wanted_answer(question)
    if answer is None:
        return None
    got = _described(answer)
    if wanted is Wanted.TEMPLATE:
        slots = list(dict.fromkeys(TEMPLATE_SLOT.findall(question)))
        text = _written(answer)
        if all(f"@{s}[" in text for s in slots):
            return _off_choices(question, text)
        return Mismatch(wanted, got, _template_fix(slots))
    if wanted is Wanted.NUMBER and not _is_number(answer):
        fix = "Set `result` to that number (a count, total, average or difference, as asked)."
        return Mismatch(wanted, got, fix)
    if wanted is Wanted.CHOICE:
        options = offered_options(question)
        if not _may_be_an_option(answer, question) or _names_neither(answer, options):
            return Mismatch(wanted, got, _choose_fix(options))
    if wanted in (Wanted.NAME, Wanted.THING) and (instead := _instead_of_a_name(answer)):
        fix = f"Set `result` to the name (the value of the column that holds it), not {instead}."
        return Mismatch(wanted, got, fix, f"{_NAMES[wanted]}, not {instead}")
    if wanted is Wanted.BOOLEAN and not _is_boolean(answer):
        return Mismatch(wanted, got, "Set `result` to True or False.")
    if wanted not in (Wanted.ANY, Wanted.NAME, Wanted.THING):
        return None
    row = _row_of(answer, columns)
    if row and (wanted is not Wanted.ANY or asks_for_values(question)):
        shown = ", ".join(row[:_ROW_NAMES]) + (", …" if len(row) > _ROW_NAMES else "")
        got = f"one whole row of the table, as a Series ({shown})"
        fix = (
            "Set `result` to that row's value in the column the question asks about "
            "(row['<that column>']), not the whole row."
        )
        return Mismatch(Wanted.CELL, got, fix)
    if wanted is not Wanted.ANY and _whole_rows(answer, columns):
        fix = "Set `result` to those rows' values in the column that holds the names asked for."
        return Mismatch(Wanted.CELL, f"whole rows of the table ({answer.text})", fix)
    if _is_a_column(answer) and asks_for_one_value(question):
        fix = (
            "Set `result` to the one value the question asks about (the row it points at, or "
            "the few rows tied for it), not every value of the column."
        )
        return Mismatch(Wanted.ONE, got, fix)
    if _names_itself(answer, question):
        fix = (
            "That value is named in the question; set `result` to the value the question asks "
            "about (the other, next or earlier one), found in the rows."
        )
        return Mismatch(Wanted.NEW, got, fix)
    left_out = _keeps_left_out(answer, question)
    if left_out is not None:
        fix = (
            f"The question leaves out {left_out!r}: set `result` to the other values only, "
            "without it (where one cell lists several values, split it and drop that one)."
        )
        return Mismatch(Wanted.NEW, got, fix)
    return None


def _template_fix(slots: list[str]) -> str:
    """What the model should set instead: a dict keyed by the format's parts, which
    `filled_template` writes in the format (a small model wrote '@36.45[36.45]' and '@0' for
    such formats itself, the values right)."""
    keyed = ", ".join(f"'{s}': …" for s in slots)
    return (
        f"Set `result` to a dict with one computed value for each part of that format: "
        f"{{{keyed}}}, each rounded as the question asks. The answer is written in the "
        "format from it."
    )


def _off_choices(question: str, text: str) -> Mismatch | None:
    """A filled-in format with a part that is not one of the words the format allows there
    ("False" where it says "Normal" or "Not Normal"); None when every part fits."""
    off = off_choices(question, text)
    if not off:
        return None
    name, (value, choices) = next(iter(off.items()))
    quoted = [f'"{c}"' for c in choices]
    allowed = f"{', '.join(quoted[:-1])} or {quoted[-1]}"
    got = f"a string with @{name}[{value}], where the format allows only {allowed}"
    fix = (
        f"Write @{name}[…] as one of {allowed}, in exactly those words: the one that the "
        "computed result supports, by the rule the question gives."
    )
    if len(off) > 1:
        fix += " The same for " + ", ".join(f"@{n}[…]" for n in list(off)[1:]) + "."
    return Mismatch(Wanted.TEMPLATE, got, fix)


def filled_template(question: str, answer: Answer | None) -> Answer | None:
    """The question's answer format ("@median_age[value]") filled in by the engine, so a right
    value is not lost to its presentation: a one-part format with the one value the code
    computed (on DABench-dev, 6 of 43 auto answers were declined for their format alone, one
    of them the right 31.5), any format with values the code named by its parts (a dict or a
    Series keyed by them, or one row with them as columns). None when the question gives no
    such format, or the answer is neither."""
    if answer is None or wanted_answer(question) is not Wanted.TEMPLATE:
        return None
    slots = list(dict.fromkeys(TEMPLATE_SLOT.findall(question)))
    decimals = _named_decimals(question)
    named = _by_part(answer, slots)
    if named is not None:
        parts = (f"@{s}[{_rounded(named[s.lower()], decimals)}]" for s in slots)
        text = " ".join(parts)
        return Answer("text", text, value=text)
    value = one_value(answer)
    if len(slots) != 1 or value is None or "@" in str(value):
        return None
    text = f"@{slots[0]}[{_rounded(value, decimals)}]"
    return Answer("text", text, value=text)


def in_format_words(question: str, answer: Answer | None) -> Answer | None:
    """The filled-in format with a yes-or-no part written in the words the format gives for it
    (`@is_normal[False]` as `@is_normal[no]`), and a list in a part written as the format
    writes its items (`@ids[[1, 2]]` as `@ids[1, 2]`): the same answer, so it is not sent back
    for its spelling (DABench-dev q10: sent back, the repair kept `False`, declined). None
    otherwise."""
    if answer is None or wanted_answer(question) is not Wanted.TEMPLATE:
        return None
    text = _written(answer)
    written = in_format_lists(question, in_stated_words(question, text) or text)
    return Answer("text", written, value=written) if written != text else None


def _written(answer: Answer) -> str:
    """The text an answer format is read from: the value when the code set a string, else the
    answer's text."""
    return str(answer.value if isinstance(answer.value, str) else answer.text)


_DECIMALS: Final = re.compile(r"\b(\w+)[\s-]+decimals?\b", re.IGNORECASE)


def _named_decimals(question: str) -> int | None:
    """The decimal places the question asks for ("rounded to two decimal places"); None when it
    names none, or several (DABench-dev: 71 of 134 name one, 24 two or more, "two decimal
    places" for a coefficient and "four" for its p-value)."""
    named = {NUMBER_WORDS.get(w.lower(), w) for w in _DECIMALS.findall(question)}
    digits = {n for n in named if n.isdigit()}
    return int(digits.pop()) if len(digits) == 1 else None


def _rounded(value: object, decimals: int | None) -> object:
    """A float to the decimal places the question asks for: writing the format is the
    engine's, so is rounding as the format asks."""
    if decimals is None or not isinstance(value, float) or not math.isfinite(value):
        return value
    return round(value, decimals)


def _by_part(answer: Answer, slots: list[str]) -> dict[str, object] | None:
    """The answer's values keyed by the format's parts (lowercase), when it names each part
    once and nothing else: two columns whose first holds the names (a dict, or a Series), or
    one row with them as its columns. None otherwise."""
    table, wanted = answer.table, {s.lower() for s in slots}
    if table is None or table.truncated:
        return None
    if len(table.columns) == 2 and len(table.rows) == len(wanted):
        named = {str(name).lower(): value for name, value in table.rows}
    elif len(table.rows) == 1 and len(table.columns) == len(wanted):
        named = {
            str(name).lower(): value
            for name, value in zip(table.columns, table.rows[0], strict=True)
        }
    else:
        return None
    if set(named) != wanted:
        return None
    # one column holds every part's value, so a count next to a mean came back as 120107.0
    return {k: int(v) if isinstance(v, float) and v.is_integer() else v for k, v in named.items()}


def one_example(question: str, answer: Answer | None) -> Answer | None:
    """For a question that asks for one example ("name a racer that had at least 20 points"),
    a column of several values answered by its first, the others named after it and the table
    kept: any of them answers the question. In the wtq-train records, 4 such questions were
    answered with 2 to 13 values, and each time the first was the gold answer. None when the
    question asks for no example, or the answer is not one column of 2 or more values."""
    table = answer.table if answer is not None else None
    if (
        answer is None
        or answer.kind != "table"
        or table is None
        or len(table.columns) != 1
        or len(table.rows) < 2  # so row_count is 2 or more too
        or not asks_for_an_example(question)
    ):
        return None
    first, others = table.rows[0][0], [row[0] for row in table.rows[1 : _NAMED_OTHERS + 1]]
    more = ", …" if table.row_count > len(others) + 1 else ""
    text = f"{first} (one of {table.row_count}; also {', '.join(map(str, others))}{more})"
    return Answer("text" if isinstance(first, str) else "value", text, value=first, table=table)


_NAMED_OTHERS: Final = 3


def one_value(answer: Answer) -> object:
    """The answer's one value: a value, or the only cell of a 1×1 table; else None."""
    if answer.kind in ("value", "text"):
        return answer.value
    table = answer.table
    if table is not None and table.row_count == 1 and len(table.columns) == 1 and table.rows:
        return table.rows[0][0]
    return None


def _is_number(answer: Answer) -> bool:
    value = one_value(answer)
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    return isinstance(value, str) and _NUMBER_TEXT.fullmatch(value.strip()) is not None


def _number(text: str) -> object:
    """The number a text holds ("1,994" → 1994), or the text when it is not a plain number."""
    try:
        return int(text.strip().replace(",", ""))
    except ValueError:
        try:
            return float(text.strip().replace(",", ""))
        except ValueError:
            return text


_NUMBER_TEXT: Final = re.compile(
    r"(?:[-+≈~]?\s*[$€£]?\d[\d,:]*(?:\.\d+)?(?:st|nd|rd|th)?"
    r"|one|two|three|four|five|six|seven|eight|nine|ten)"
    r"\b.{0,40}",  # "64 kbit/s", "20.6 km (12.8 mi)", "1st", "Six Roles": a number first
    re.IGNORECASE,
)


def _may_be_an_option(answer: Answer, question: str) -> bool:
    """Whether the answer may be one of the options "A or B" offers: one value, not yes/no,
    and a number only if the question offers it ("1994 or 1997", "number 5 or number 8"; the
    51 of "did italy or norway have 51 medals?" is the condition, not an option). A name is not
    judged: "who scored more, john or peter" is answered "John Smith". On wtq-train, all 104
    gold answers to such questions fit (12 of them numbers beside the "or"); a count (7.0 for
    "were more aired on tv or video"), a crowd (2808 for "the first or third game") or a list
    of titles did not."""
    value = one_value(answer)
    if value is None or _YES_NO_FIRST.match(str(value)):  # True, "no.", "No, the …"
        return False
    if isinstance(value, str) and _NUMBER_TEXT.fullmatch(value.strip()):
        value = _number(value)  # "180" from a text column is a number too
    if isinstance(value, int | float):
        number = f"{value:g}" if isinstance(value, float) else str(value)
        words = re.sub(r"(?<=\d),(?=\d{3})", "", question.lower())
        written = rf"(?<![\w.]){re.escape(number)}(?!\w|\.\d)"
        return re.search(rf"{written},? or\b|\bor (?:\w+ )?{written}", words) is not None
    return True


def _names_neither(answer: Answer, options: tuple[str, str] | None) -> bool:
    """A text answer that names neither option, or both ("Less" for "did they score more when
    ranked or when unranked", "equal" for "more or less"). Of wtq-train's 104 choice questions,
    99 gold answers name one option, 3 have options too unclear to read, and 2 name neither
    ("Dina" for "diana or kali", misspelt; "Devakanya" for "what title is below a or b").
    A plain number is left to `_may_be_an_option`; a text that only starts with one is judged
    here: '10-07-1945' names neither of "which was scuttled earlier, ha-206 or ha-208?" (wtq-train
    nt-1947), and no choice gold of wtq-train is such a text naming neither."""
    value = one_value(answer)
    if options is None or not isinstance(value, str) or not isinstance(_number(value), str):
        return False
    return named_option(value, options) is None


def _choose_fix(options: tuple[str, str] | None) -> str:
    """What the model should do for a choice question: name the two options, with a line of
    code that picks one, when they can be read."""
    if options is None:
        return (
            "The question offers a choice: set `result` to the one option that holds, in the "
            "question's words (for example 'more' or 'less'), not True/False, not a count or "
            "another number the question does not name, not several values."
        )
    first, second = options
    return (
        f"The question offers a choice between '{first}' and '{second}': compute the value "
        "the question compares for each, then set `result` to the one that holds, as text, for "
        f"example `result = '{first}' if value_1 > value_2 else '{second}'` with the comparison "
        "the question asks for. Not True/False, not the values compared, not several values."
    )


def _names_itself(answer: Answer, question: str) -> bool:
    """A one-text answer (not a number) whose words are a phrase of a question that asks for a
    value it does not name (answer_kinds.asks_for_a_new_value)."""
    value = one_value(answer)
    if not isinstance(value, str) or not asks_for_a_new_value(question):
        return False
    words = " ".join(_WORD.findall(value.lower()))
    if not words or _NUMBER_TEXT.fullmatch(value.strip()):
        return False
    return f" {words} " in f" {' '.join(_WORD.findall(question.lower()))} "


_WORD: Final = re.compile(r"[a-z0-9]+")


def _keeps_left_out(answer: Answer, question: str) -> str | None:
    """The value the question leaves out ("besides brad bryant, who …") when the answer still
    names it as one of its values: a cell of a one-column table, or an item of a text that
    lists several ("Brad Bryant, Pat McGowan": wtq-train nt-5034, from the one cell that
    lists both runners-up). None otherwise; a count or another number is not judged."""
    left_out = excluded_value(question)
    if left_out is None:
        return None
    words = value_words(left_out)
    table = answer.table
    if answer.kind in ("value", "text"):
        cells = [answer.value]
    elif table is not None and len(table.columns) == 1:
        cells = [row[0] for row in table.rows]
    else:
        return None
    items = (i for c in cells if isinstance(c, str) for i in listed_items(c))
    return left_out if words and any(value_words(i) == words for i in items) else None


_MANY_ROWS: Final = 4  # ties of 2 or 3 are answers (see asks_for_one_value)
_ROW_FIELDS: Final = 3  # a Series of fewer of a table's columns may be the values asked for
_ROW_NAMES: Final = 4  # of a whole row's columns, named in the repair


def _row_of(answer: Answer, columns: Collection[str]) -> list[str]:
    """The column names of a whole table row the code left as a Series (`df.loc[i + 1]`, whose
    index is the table's columns), or [] when it is not one. "who was picked after X?" was
    answered so 8 times in the wtq-train records, never right: the value asked for is one of
    its cells."""
    table = answer.table
    if answer.kind != "table" or table is None or len(table.columns) != 2 or table.truncated:
        return []
    names = [row[0] for row in table.rows]
    if len(names) < _ROW_FIELDS or not all(isinstance(n, str) and n in columns for n in names):
        return []
    return names


def _whole_rows(answer: Answer, columns: Collection[str]) -> bool:
    """Rows with 3 or more of the table's own columns, where a name was asked for: "who appeared
    first, tom segura or jay larson?" was answered with both rows (wtq-train nt-11142, 5
    columns), its name printed; the planner never answers a who or which question so."""
    table = answer.table
    if answer.kind != "table" or table is None or not table.row_count:
        return False
    return sum(isinstance(c, str) and c in columns for c in table.columns) >= _ROW_FIELDS


def _is_a_column(answer: Answer) -> bool:
    """A table of 4 or more rows: many values, where one was asked for."""
    table = answer.table
    return answer.kind == "table" and table is not None and table.row_count >= _MANY_ROWS


def _is_bare_number(answer: Answer) -> bool:
    """A number, also one written as text ('1' from a text column of wins, '8.0'): in the
    wtq-train records 4 such answers to a who, which or what-team question, all wrong."""
    value = one_value(answer)
    if isinstance(value, str):
        return _PLAIN_NUMBER.fullmatch(value.strip()) is not None
    return isinstance(value, int | float) and not isinstance(value, bool)


_PLAIN_NUMBER: Final = re.compile(r"[-+−]?\d[\d,]*(?:\.\d+)?")


# A who or which-team question's kind, worded for what its answer was instead ("not a date",
# where Wanted.NAME says "not a count").
_NAMES: Final = {Wanted.NAME: "a name", Wanted.THING: "the name of a thing (a team, a person …)"}


def _instead_of_a_name(answer: Answer) -> str | None:
    """What an answer to a who or which-team question is instead of a name: "a number" (also
    one written as text), "a date"; None when it may be a name."""
    if _is_bare_number(answer):
        return "a number"
    return "a date" if _is_date(answer) else None


def _is_date(answer: Answer) -> bool:
    """A date ('1987-01-21', also written out: '21 January 1987', 'Jan 21, 1987'): "who was
    the first death in the republican party?" answered with the earliest date of death
    (wtq-train nt-3872). None of wtq-train's 395 who/which-team questions has a date for its
    gold answer."""
    value = one_value(answer)
    if not isinstance(value, str):
        return False
    text = value.strip()
    return any(p.fullmatch(text) for p in (ISO_DATE, ISO_DATETIME, _WRITTEN_DATE))


_WRITTEN_DATE: Final = re.compile(
    rf"\d{{1,2}} {MONTH_PATTERN}\.?,? \d{{4}}|{MONTH_PATTERN}\.? \d{{1,2}},? \d{{4}}",
    re.IGNORECASE,
)


def _is_boolean(answer: Answer) -> bool:
    value = one_value(answer)
    return isinstance(value, bool) or (
        isinstance(value, str) and value.strip().lower().rstrip(".") in _YES_NO
    )


def _described(answer: Answer) -> str:
    """What the code left, in a few words: 'a table of 4 rows × 1 column', 'the text "…"'."""
    if answer.kind == "table" and answer.table is not None:
        return f"a table of {answer.text}"
    if answer.kind == "figure":
        return "a chart"
    value = answer.value
    if isinstance(value, str):
        return f'the text "{value[:80]}"'
    return f"the value {answer.text}"
