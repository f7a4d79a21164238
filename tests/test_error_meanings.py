"""What a failing program's exception usually means (engine/answer/error_meanings.py): read from
the exceptions pandas, numpy and scikit-learn really raise, sent to the model's repair beside the
traceback, and shown on a turn that still fails, with the exception one click away."""

from __future__ import annotations

import datetime
import warnings

import numpy as np
import pandas as pd
import pytest

from engine.answer import error_meanings as m
from engine.answer.error_meanings import error_meaning
from tests.test_answer_failures import ask_model


def _table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region": ["North", "South", "East", "West"],
            "price": [2.5, 3.0, np.nan, 4.0],
            "qty": [1, 2, 3, 4],
        }
    )


def _times() -> pd.Series:
    """A duration column as DuckDB reads '00:01:23': times of day."""
    return pd.Series([datetime.time(0, 1, 23), datetime.time(0, 0, 5)])


def _fit_with_missing() -> None:
    from sklearn.linear_model import LinearRegression

    df = _table()
    LinearRegression().fit(df[["price"]], df["qty"])


def _classify_a_number() -> None:
    from sklearn.linear_model import LogisticRegression

    df = _table()
    LogisticRegression().fit(df[["qty"]], df["qty"] * 1.5)


def _ambiguous() -> None:
    df = _table()
    if df["qty"] > 1:
        pass


def _unpack() -> None:
    df = _table()
    r, p = np.corrcoef(df["qty"], df["qty"])[0, 1]


# Code of the kinds the model wrote on the shared benchmarks, each raising what the library raises.
RAISES = {
    "p-value of .corr()": (lambda: _table()["price"].corr(_table()["qty"]).pvalue, m.ONE_NUMBER),
    "idxmax of a count": (lambda: _table()["price"].isna().sum().idxmax(), m.ONE_NUMBER),
    "r, p from corrcoef": (_unpack, m.ONE_NUMBER),
    "index of a number": (lambda: np.float64(1.0)[0], m.ONE_NUMBER),
    "median of a table with text": (lambda: _table().median(), m.TEXT_AS_NUMBER),
    "corr of a table with text": (lambda: _table().corr(), m.TEXT_AS_NUMBER),
    "text plus a number": (lambda: _table()["region"][0] + 1, m.TEXT_AS_NUMBER),
    "text to float": (lambda: _table()["region"].astype(float), m.TEXT_AS_NUMBER),
    "percentages to float": (  # DABench-dev q142: per_point_diff holds '15.17%'
        lambda: pd.Series(["15.17%", "3.2%"]).astype(float),
        m.NUMBERS_AS_WRITTEN,
    ),
    "thousands to_numeric": (lambda: pd.to_numeric(pd.Series(["1,234"])), m.NUMBERS_AS_WRITTEN),
    "money to float": (lambda: float("$1,234.50"), m.NUMBERS_AS_WRITTEN),
    "a unit to float": (  # wtq-train nt-11888: Displacement holds '1,440 tonnes'
        lambda: pd.Series(["1,440 tonnes", "1,500 tonnes"]).astype(float),
        m.NUMBERS_WITH_WORDS,
    ),
    "a note to_numeric": (lambda: pd.to_numeric(pd.Series(["1574 (1.6%)"])), m.NUMBERS_WITH_WORDS),
    "a time to float": (lambda: float("3:46"), m.TEXT_AS_NUMBER),  # not a number and a unit
    "text formatted :.2f": (lambda: f"{_table()['region'][0]:.2f}", m.TEXT_FORMATTED),
    "column formatted :.2f": (lambda: f"{_table()['qty']:.2f}", m.MANY_FORMATTED),
    "column as a condition": (_ambiguous, m.MANY_AS_ONE),
    "fit with missing values": (_fit_with_missing, m.MISSING_IN_FIT),
    "classifier on a number": (_classify_a_number, m.NUMERIC_TARGET),
    "int of a missing value": (lambda: int(_table()["price"][2]), m.MISSING_AS_INTEGER),
    "mean of times": (lambda: _times().mean(), m.TIME_AS_NUMBER),  # DABench-dev q588
    "times added up": (lambda: _times() + _times(), m.TIME_AS_NUMBER),
    "times to float": (lambda: _times().astype(float), m.TIME_AS_NUMBER),
    "str of an extract's table": (  # DABench-dev q522: two groups make a table
        lambda: _table()["region"].str.extract(r"(\w)(\w+)").str[0],
        m.TABLE_AS_TEXT,
    ),
    "str of a one-column table": (lambda: _table()[["region"]].str.upper(), m.TABLE_AS_TEXT),
}


@pytest.mark.parametrize("name", RAISES)
def test_the_library_s_own_exception_is_read(name: str) -> None:
    code, meaning = RAISES[name]
    with warnings.catch_warnings(), pytest.raises(Exception) as raised:
        warnings.simplefilter("ignore")
        code()
    message = f"{type(raised.value).__name__}: {raised.value} (line 3)"  # as the sandbox says it
    assert error_meaning(message) == meaning


@pytest.mark.parametrize("name", ["row", "zimbabwe_df"])
def test_a_name_used_before_the_code_sets_it_is_named_with_what_exists(name: str) -> None:
    """wtq-train: `result = row['Club']`, as if the prompt's example lines had run (25 of the
    51 NameErrors in the records). The meaning names it and says what exists when code starts."""
    with pytest.raises(NameError) as raised:
        exec(f"result = {name}['Club']", {})
    meaning = error_meaning(f"NameError: {raised.value} (line 1)")
    assert meaning is not None and meaning.startswith(f"`{name}` is used before this code sets it")
    assert "only the loaded tables (df, and each by its name), sql()" in meaning


@pytest.mark.parametrize(
    "message",
    [
        "ZeroDivisionError: division by zero (line 1)",
        "KeyError: 'Field' (line 13)",
        "AttributeError: 'DataFrame' object has no attribute 'fit' (line 10)",
        "AttributeError: 'str' object has no attribute 'mean' (line 2)",
        "NameError: name 'sns' is not defined (line 14)",
        "ValueError: Input contains infinity (line 4)",
    ],
)
def test_other_exceptions_have_no_meaning_read_into_them(message: str) -> None:
    assert error_meaning(message) is None


# `.corr(...).pvalue` itself is rewritten as scipy's test before it runs (library_forms.py)
P_OF_CORR = "result = df['unit_price'].corr(df['quantity'])[1]"
PEARSONR = (
    "from scipy.stats import pearsonr\nresult = pearsonr(df['unit_price'], df['quantity'])[1]"
)


def test_the_repair_is_told_what_the_exception_means(session) -> None:
    """On the real sandbox: `.corr()` read as if it returned a test result, by position. The repair request
    carries the traceback and its meaning, which names pearsonr; the repaired code answers."""
    turn, server = ask_model(
        session, "p-value of the correlation of unit price and quantity", [P_OF_CORR, PEARSONR]
    )
    assert turn.ok and 0.0 <= float(turn.result.answer.text) <= 1.0
    repair = server.requests[1].messages[-1]["content"]
    assert "IndexError: invalid index to scalar variable" in repair
    assert f"This usually means {m.ONE_NUMBER}" in repair and "pearsonr" in repair


def test_a_turn_that_still_fails_says_what_it_means(session) -> None:
    """Out of repairs (and the plain prompt's fresh program failing the same way), the turn
    says in plain words what went wrong; the exception and its line are the detail."""
    turn, _ = ask_model(
        session, "p-value of unit price vs quantity", [P_OF_CORR] * 3, repair_attempts=0
    )
    error = turn.result.error
    assert not turn.ok and error.kind == "runtime"
    assert error.message == f"The code failed: {m.ONE_NUMBER}"
    assert error.detail.startswith(
        "The last attempt failed with IndexError: invalid index to scalar variable. (line 1)"
    )


def test_the_fix_for_numbers_with_words_reads_them() -> None:
    """The code the meaning gives, run on cells like those it names, gives their numbers."""
    df = pd.DataFrame({"column": ["1,440 tonnes", "1574 (1.6%)", " 20.6 km (12.8 mi)", "-3 m"]})
    code = m.NUMBERS_WITH_WORDS.split("(pd.to_numeric", 1)[1].split("); ", 1)[0]
    names = {"pd": pd, "df": df, "column": "column"}
    numbers = eval("pd.to_numeric" + code, names)  # noqa: S307 - our own constant
    assert numbers.tolist() == [1440.0, 1574.0, 20.6, -3.0]
