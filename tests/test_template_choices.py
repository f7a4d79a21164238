"""An answer format that lists the words a part may take: read, and held to (issue 13)."""

from __future__ import annotations

import pytest

from engine.answer.expectations import answer_mismatch
from engine.answer.template_choices import in_stated_words, off_choices, stated_choices
from engine.types import Answer
from tests.fake_openai import FakeOpenAI, Reply
from tests.test_answer_loop import ask, fenced


@pytest.mark.parametrize(
    ("question", "choices"),
    [
        # in the brackets
        (
            'Is the price skewed? @skew[A string that is either "Skewed" or "Not skewed"]',
            {"skew": ("Skewed", "Not skewed")},
        ),
        ('@all_sold["Yes"/"No"]', {"all_sold": ("Yes", "No")}),
        # in a clause that describes the placeholder, quoted or not, after other clauses
        (
            '@r[r_value] @trend[trend] where "r_value" is a number between -1 and 1, rounded to '
            'two decimals. where "trend" is a string that can be "up", "down", or "flat".',
            {"trend": ("up", "down", "flat")},
        ),
        (
            "@r[r_value] @kind[kind] where 'r_value' is a float with three decimals and 'kind' "
            "is a string that is either 'linear', 'nonlinear'.",
            {"kind": ("linear", "nonlinear")},
        ),
        (
            "@busy[busy] where busy is a string that can either be 'yes' or 'no'.",
            {"busy": ("yes", "no")},
        ),
        # one clause per placeholder: a number's clause does not take the next one's words
        (
            '@p[value] @shape[type], where "value" is the p-value, rounded to four decimals, and '
            '"type" is a string that can either be "normal" or "not normal".',
            {"shape": ("normal", "not normal")},
        ),
        # each word with its condition (DABench-dev q10, q602, q130)
        (
            '@is_normal[response], where "response" is a string that takes the value "yes" if '
            'the data follows a normal distribution, and "no" if it does not.',
            {"is_normal": ("yes", "no")},
        ),
        (
            '@status[status], where "status" is a string that is either "Normal" if the p-value '
            '> 0.05, or "Not Normal" if p-value < 0.05.',
            {"status": ("Normal", "Not Normal")},
        ),
        (
            '@p[pvalue] @is_normal[isNormal] where "pvalue" is a decimal number rounded to four '
            "decimal places and \"isNormal\" is a boolean value, 'True' if the values follow a "
            "normal distribution and 'False' otherwise.",
            {"is_normal": ("True", "False")},  # not the p-value's: its sentence ends there
        ),
        ('@n[count] where "count" is 0 if none are found.', {}),  # one word with a condition
        # named things, an example, or no list: no choices
        ("@a[x], @b[y] where 'x' and 'y' are the means for 'Mr.', 'Mrs.' and 'Miss.'.", {}),
        ('@scale[range] where "range" is a string, for example "0-1" or "1-10".', {}),
        ("@mean_price[value] rounded to 2 decimals", {}),
        ("which region sold more, north or south?", {}),
    ],
)
def test_the_words_a_format_allows(question: str, choices: dict) -> None:
    assert stated_choices(question) == choices


FORMAT = (
    "Test whether prices are normal (Shapiro-Wilk, alpha 0.05).\n"
    'Answer format: @p_value[p], @verdict[v] where "p" is rounded to 4 decimals and "v" is a '
    'string that is either "Normal" or "Not Normal".'
)


def text(value: str) -> Answer:
    return Answer("text", value, value=value)


@pytest.mark.parametrize(
    ("answer", "off"),
    [
        ("@p_value[0.0123] @verdict[Not Normal]", {}),
        ("@p_value[0.0123] @verdict[ not normal ]", {}),  # case and spaces aside
        ('@p_value[0.0123] @verdict["Normal"]', {}),  # and quotes
        ("@p_value[0.0123] @verdict[False]", {"verdict": ("False", ("Normal", "Not Normal"))}),
        ("@p_value[0.0123] @verdict[0.0123]", {"verdict": ("0.0123", ("Normal", "Not Normal"))}),
    ],
)
def test_parts_that_are_not_one_of_the_words(answer: str, off: dict) -> None:
    assert off_choices(FORMAT, answer) == off
    mismatch = answer_mismatch(FORMAT, text(answer))
    assert (mismatch is None) == (not off)
    if mismatch is not None:
        assert '"Normal" or "Not Normal"' in mismatch.for_user
        assert "@verdict[…] as one of" in mismatch.for_model


def test_a_word_off_the_list_goes_back_once_then_the_listed_word_answers() -> None:
    """`False` where the format says "Normal" or "Not Normal" goes back with the words to use;
    the repair's answer, in those words, is the answer."""
    boolean = 'result = "@p_value[0.0100] @verdict[" + str(df["price"].max() < 4) + "]"'
    worded = 'result = "@p_value[0.0100] @verdict[Not Normal]"'
    with FakeOpenAI([Reply(fenced(boolean)), Reply(fenced(worded))]) as server:
        turn, _, _ = ask(server.base_url, FORMAT)
    assert turn.ok and turn.result.answer.value == "@p_value[0.0100] @verdict[Not Normal]"
    (attempt,) = turn.attempts
    assert attempt.code == boolean and attempt.result.error.kind == "unsupported"
    sent = server.requests[1].messages[-1]["content"]
    assert "@verdict[False], where the format allows only" in sent
    assert 'as one of "Normal" or "Not Normal", in exactly those words' in sent


def test_still_off_the_list_after_the_repair_is_declined_with_what_was_computed() -> None:
    boolean = 'result = "@p_value[0.0100] @verdict[False]"'
    with FakeOpenAI([Reply(fenced(boolean)), Reply(fenced(boolean + "  # fixed"))]) as server:
        turn, _, _ = ask(server.base_url, FORMAT)
    assert len(server.requests) == 2
    assert not turn.ok and turn.result.error.kind == "unsupported"
    assert '@verdict[False], where the format allows only "Normal" or "Not Normal"' in (
        turn.result.error.message
    )
    assert turn.result.answer.value == "@p_value[0.0100] @verdict[False]"  # kept, to check


YES_NO = (
    "Is any price above 0? @busy[answer] @p[p] where 'answer' is a string that takes the value "
    '"yes" if there is, and "no" if there is not. "p" is a number.'
)
TRUE_FALSE = '@is_normal[x] where "x" is either "True" or "False".'


@pytest.mark.parametrize(
    ("question", "answer", "written"),
    [
        (YES_NO, "@busy[False] @p[0.5]", "@busy[no] @p[0.5]"),
        (YES_NO, "@busy[ True ] @p[False]", "@busy[yes] @p[False]"),  # only the part with words
        (TRUE_FALSE, "@is_normal[No]", "@is_normal[False]"),
        (TRUE_FALSE, "@is_normal[yes]", "@is_normal[True]"),
        (YES_NO, "@busy[yes] @p[0.5]", None),  # already in the format's words
        (YES_NO, "@busy[maybe] @p[0.5]", None),  # no yes or no: off the list, goes back
        (FORMAT, "@p_value[0.0123] @verdict[False]", None),  # "Normal": no meaning of False
    ],
)
def test_yes_or_no_is_written_in_the_words_the_format_gives(
    question: str, answer: str, written: str | None
) -> None:
    assert in_stated_words(question, answer) == written
    if written is not None:
        assert off_choices(question, written) == {}


def test_a_boolean_where_the_format_says_yes_or_no_answers_without_a_repair() -> None:
    """DABench-dev q10: `@is_normal[False]` went back, the repair kept it, declined."""
    boolean = 'result = "@busy[" + str(df["price"].max() > 0) + "] @p[0.5]"'
    with FakeOpenAI([Reply(fenced(boolean))]) as server:
        turn, _, _ = ask(server.base_url, YES_NO)
    assert len(server.requests) == 1
    assert turn.ok and turn.result.answer.value == "@busy[yes] @p[0.5]"
