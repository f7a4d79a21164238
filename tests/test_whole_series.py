"""A function of a whole column applied cell by cell (engine/answer/whole_series.py): run on the
column itself, as meant (DABench-dev q180 counted 0 outliers per class)."""

from __future__ import annotations

import pytest

from engine.answer.whole_series import with_whole_series_calls
from tests.test_answer_failures import ask_model, with_table

Z_SCORE = (
    "def z_score(data):\n"
    "    mean = np.mean(data)\n"
    "    std_dev = np.std(data)\n"
    "    return (data - mean) / std_dev\n"
)


@pytest.mark.parametrize(
    ("code", "meant"),
    [
        (  # DABench-dev q180, as the local model wrote it
            Z_SCORE + "n = (df[df['Pclass'] == 1]['Fare'].apply(z_score) > 3).sum()",
            Z_SCORE + "n = (z_score(df[df['Pclass'] == 1]['Fare']) > 3).sum()",
        ),
        (
            "def centred(x):\n    return x - x.mean()\ny = rows['age'].apply(centred)",
            "def centred(x):\n    return x - x.mean()\ny = centred(rows['age'])",
        ),
        (
            "def z(v):\n    return stats.zscore(v)\nout = df['a'].apply(z).abs()",
            "def z(v):\n    return stats.zscore(v)\nout = z(df['a']).abs()",
        ),
    ],
)
def test_a_function_of_a_whole_column_runs_on_the_column(code: str, meant: str) -> None:
    assert with_whole_series_calls(code) == meant


@pytest.mark.parametrize(
    "code",
    [
        # a group's apply hands over each group: a whole column already
        Z_SCORE + "z = df.groupby('Pclass')['Fare'].apply(z_score)",
        Z_SCORE + "z = df[['Fare', 'Age']].apply(z_score)",  # a table's: each column
        Z_SCORE + "z = df.apply(z_score)",
        # functions of one cell
        "def tidy(x):\n    return x.strip()\ny = df['name'].apply(tidy)",
        "def size(x):\n    return len(x)\ny = df['name'].apply(size)",
        "def above(x):\n    return x > MEAN\ny = df['a'].apply(above)",
        # a mean of something else, not of the cell
        "def gap(x):\n    return x - np.mean(other)\ny = df['a'].apply(gap)",
        Z_SCORE + "z = df['Fare'].apply(z_score, args=())",  # more than the function
        Z_SCORE + "z = df['Fare'].apply(",  # does not parse: the run says so
    ],
)
def test_other_applies_are_left_as_written(code: str) -> None:
    assert with_whole_series_calls(code) == code


FARES = "name,fare\n" + "".join(f"p{i},{10 + i % 3}\n" for i in range(30)) + "rich,500\n"


def test_the_outlier_is_found_on_the_real_sandbox(session, tmp_path) -> None:
    """Applied cell by cell every z-score is missing and no fare is an outlier; run on the
    column, the one fare of 500 is, with no repair asked."""
    with_table(session, tmp_path, "fares", FARES)
    code = Z_SCORE + "result = int((fares['fare'].apply(z_score).abs() > 3).sum())"
    turn, server = ask_model(session, "how many fares are outliers by z-score?", [code])
    assert turn.ok and len(server.requests) == 1
    assert "z_score(fares['fare'])" in turn.code
    assert turn.result.answer.value == 1
