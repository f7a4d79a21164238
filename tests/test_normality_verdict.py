"""A normality test's p-value below the level means "not normal", whichever way the code read it."""

from __future__ import annotations

import pandas as pd
import pytest
from scipy.stats import shapiro

from engine.answer.checks import explained
from engine.answer.normality_verdict import FIX_COMMENT, with_normality_read_right
from tests.conftest import SAMPLE_DATA
from tests.test_answer_failures import ask_model

TEST = "from scipy import stats\np = stats.shapiro(df['a']).pvalue\n"


@pytest.mark.parametrize(
    ("verdict", "turned"),
    [
        # the forms the embedded model wrote on DABench-dev (q10, q244, q644, q72)
        ("is_normal = p < 0.05", "is_normal = p >= 0.05"),
        (
            "normality = 'normal' if p < 0.05 else 'not_normal'",
            "normality = 'normal' if p >= 0.05 else 'not_normal'",
        ),
        (
            "result = {'p': p, 'result': 'Normal distribution' if p < 0.05 else 'Not a normal "
            "distribution'}",
            "result = {'p': p, 'result': 'Normal distribution' if p >= 0.05 else 'Not a normal "
            "distribution'}",
        ),
        (
            "result = 'Non-normal'\nif p < 0.05:\n    result = 'Normal'",
            "result = 'Non-normal'\n" + FIX_COMMENT + "\nif p >= 0.05:\n    result = 'Normal'",
        ),
        # the other ways round: the level first, "not normal" when p is above it, <=, a name
        ("is_normal = 0.05 > p", "is_normal = 0.05 <= p"),
        ("verdict = 'not normal' if p > 0.05 else 'normal'", None),
        ("verdict = 'Not Normal' if p > alpha else 'Normal'", "'Not Normal' if p <= alpha else"),
        ("normal = p <= 0.01", "normal = p > 0.01"),
        # yes/no and True/False under a name that says normal; else a label
        ("out = {'is_normal': 'yes' if p < 0.05 else 'no'}", "'yes' if p >= 0.05 else 'no'"),
        ("follows_normal = True if p < 0.05 else False", "True if p >= 0.05 else False"),
        ("if p < 0.05:\n    x = 'Gaussian'\nelse:\n    x = 'no'", "if p >= 0.05:"),
        ("print('normally distributed' if p < 0.05 else 'skewed')", "if p >= 0.05 else"),
    ],
)
def test_a_verdict_read_backwards_is_turned_round(verdict: str, turned: str | None) -> None:
    fixed = with_normality_read_right(TEST + verdict)
    assert fixed != TEST + verdict
    assert FIX_COMMENT in fixed and fixed.count(FIX_COMMENT) == 1
    if turned is None:  # "not normal" above the level: the comparison turned, labels kept
        assert "p <= 0.05 else 'normal'" in fixed
    else:
        assert turned in fixed
    compile(fixed, "<fixed>", "exec")


@pytest.mark.parametrize(
    "verdict",
    [
        "is_normal = p > 0.05",  # read the right way
        "is_normal = p >= alpha",
        "not_normal = p < 0.05",
        "non_normal = p < 0.05",
        "verdict = 'Not normal' if p < 0.05 else 'Normal'",
        "result = {'normal_distribution': 'False' if p < 0.05 else 'True'}",
        "if p < 0.05:\n    x = 'Non-normal'",
        "if p > 0.05:\n    x = 'Normal'\nelse:\n    x = 'Not normal'",
        "result = p < 0.05",  # no label: "True" could mean either
        "normality_test = p < 0.05",  # "normality" names the test, not a verdict
        "outcome = 'rejected' if p < 0.05 else 'kept'",
        "is_normal = p < 0.5",  # not a significance level
        "is_normal = p < 0.05 and n > 30",  # a condition of several parts: left alone
    ],
)
def test_a_verdict_read_the_right_way_or_without_a_label_stays(verdict: str) -> None:
    code = TEST + verdict
    assert with_normality_read_right(code) == code


ASKS_IF_NORMAL = (
    "Check if the fare variable follows a normal distribution.\nIf the p-value is less than "
    "0.05, conclude that the data is not normally distributed.\nAnswer format: "
    "@normality_test_result[normality_test_result] where True means normal."
)


@pytest.mark.parametrize(
    ("verdict", "turned"),
    [
        ("result = p < 0.05", "result = p >= 0.05"),  # DABench-dev q304, as written
        (
            "result = {'normality_test_result': p < 0.05}",  # a part of the answer's format
            "result = {'normality_test_result': p >= 0.05}",
        ),
    ],
)
def test_the_answer_itself_is_labelled_by_a_question_that_asks_if_the_data_is_normal(
    verdict: str, turned: str
) -> None:
    fixed = with_normality_read_right(TEST + verdict, ASKS_IF_NORMAL)
    assert turned in fixed and fixed.count(FIX_COMMENT) == 1


@pytest.mark.parametrize(
    "question", ["Is the price normally distributed?", "Does it follow a Gaussian?"]
)
def test_a_question_that_asks_if_the_data_is_normal_in_other_words_labels_it(question) -> None:
    assert "result = p >= 0.05" in with_normality_read_right(TEST + "result = p < 0.05", question)


@pytest.mark.parametrize(
    ("verdict", "question"),
    [
        ("result = p < 0.05", ""),  # no question: "True" could mean either
        ("result = p < 0.05", "Is the fare not normally distributed?"),  # True: not normal
        ("result = p < 0.05", "Check whether the fare deviates from a normal distribution."),
        ("result = p < 0.05", "What is the p-value of the Shapiro-Wilk test on fare?"),
        ("result = p >= 0.05", ASKS_IF_NORMAL),  # read the right way
        ("rejected = p < 0.05\nresult = p", ASKS_IF_NORMAL),  # not the answer
    ],
)
def test_an_answer_the_question_does_not_label_or_that_reads_right_stays(
    verdict: str, question: str
) -> None:
    assert with_normality_read_right(TEST + verdict, question) == TEST + verdict


def test_no_normality_test_or_code_that_does_not_parse_stays() -> None:
    ttest = "from scipy import stats\np = stats.ttest_ind(a, b).pvalue\nis_normal = p < 0.05"
    assert with_normality_read_right(ttest) == ttest  # no normality test: a label is a label
    broken = TEST + "is_normal = p < 0.05 +"
    assert with_normality_read_right(broken) == broken


def test_the_explanation_gains_the_step_the_engine_wrote() -> None:
    before = TEST + "# is it normal\nis_normal = p < 0.05"
    after = with_normality_read_right(before)
    step = FIX_COMMENT.lstrip("# ")
    assert explained("Shapiro-Wilk test; is it normal", before, after) == (
        f"Shapiro-Wilk test; is it normal; {step}"
    )
    assert explained("", before, after) == step
    assert explained("mean price", "x = 1", "result = x = 1") == "mean price"  # no comment added


def test_a_skewed_column_is_not_normal_on_the_real_sandbox(session) -> None:
    """The model reads Shapiro-Wilk backwards on a skewed column; the code that runs, and is
    shown, reads it the right way, and the one-line explanation says what changed."""
    prices = pd.read_csv(SAMPLE_DATA / "sales.csv")["unit_price"]
    assert shapiro(prices).pvalue < 0.05  # skewed, or this proves nothing
    reply = (
        "from scipy.stats import shapiro\n"
        "# Shapiro-Wilk test of the unit price\n"
        "p = shapiro(df['unit_price']).pvalue\n"
        "result = 'normal' if p < 0.05 else 'not normal'"
    )
    turn, _ = ask_model(session, "Check if the unit price follows a normal distribution.", [reply])
    assert turn.ok and turn.result.answer.value == "not normal"
    assert "p >= 0.05" in turn.code and FIX_COMMENT in turn.code
    assert turn.explanation.startswith("Shapiro-Wilk test of the unit price; ")
    assert "Decipher turned this comparison round" in turn.explanation


def test_a_verdict_inside_a_compound_statement_is_turned_once() -> None:
    """Each statement is read on its own: a verdict in a `match` case or a loop is not read a
    second time through the statement around it (two splices of one span would break it)."""
    for verdict in (
        "match k:\n    case 1:\n        r = {'is_normal': p < 0.05}",
        "for k in ks:\n    r = {'is_normal': p < 0.05}",
    ):
        fixed = with_normality_read_right(TEST + verdict)
        assert "{'is_normal': p >= 0.05}" in fixed and fixed.count(FIX_COMMENT) == 1
        compile(fixed, "<fixed>", "exec")
