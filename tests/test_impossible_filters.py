"""A filter no row can pass (engine/answer/impossible_filters.py): one column equal to two
values at once, in pandas and in SQL."""

from __future__ import annotations

import pytest

from engine.answer.impossible_filters import impossible_filters


@pytest.mark.parametrize(
    ("code", "said"),
    [
        (  # wtq-train nt-8339: "is the total score for december 26 the same as january 2?"
            "rows = df[(df['Date'] == 'December 26') & (df['Date'] == 'January 2')]\n"
            "result = rows['Score'].sum() == rows['Score'].sum()",
            "`df['Date']` is 'December 26' and 'January 2' at once",
        ),
        (  # a longer chain, another condition between
            "result = df[(df['Date'] == 'a') & (df['Team'] == 'x') & (df['Date'] == 'b')]",
            "`df['Date']` is 'a' and 'b' at once",
        ),
        ("ok = row['Year'] == 2001 and row['Year'] == 2002", "`row['Year']` is 2001 and 2002"),
        (
            "result = sql(\"SELECT SUM(Score) FROM t WHERE Date = 'a' AND x > 1 AND Date = 'b'\")",
            "`Date` is 'a' and 'b' at once",
        ),
        ('result = sql("SELECT * FROM t WHERE Year = 2001 AND Year = 2002")', "`Year` is 2001 and"),
    ],
)
def test_one_column_equal_to_two_values_at_once_is_named(code: str, said: str) -> None:
    (found,) = impossible_filters(code)
    assert said in found and found.endswith("which no row is")


@pytest.mark.parametrize(
    "code",
    [
        "result = df[(df['Date'] == 'a') | (df['Date'] == 'b')]",  # either: what is meant
        "result = df[df['Date'].isin(['a', 'b'])]",
        "result = df[(df['Date'] == 'a') & (df['Team'] == 'b')]",  # two columns
        "result = df[(df['Date'] == 'a') & (df['Date'] == 'a')]",  # the same value twice
        "a = df[df['Date'] == 'a']\nb = df[df['Date'] == 'b']\nresult = len(a) == len(b)",
        "result = df[((df['D'] == 'a') | (df['D'] == 'b')) & (df['T'] == 'x')]",
        "result = sql(\"SELECT * FROM t WHERE Date = 'a' OR Date = 'b'\")",
        "result = sql(\"SELECT * FROM t1, t2 WHERE t1.Date = 'a' AND t2.Date = 'b'\")",  # two tables
        "result = sql(\"SELECT * FROM t WHERE (Date = 'a' OR Date = 'b') AND x = 1\")",
        "result = (",  # does not parse: the run says so
    ],
)
def test_other_filters_are_left_alone(code: str) -> None:
    assert impossible_filters(code) == []
