"""Conditions joined with `&` or `|` without brackets (engine/answer/precedence.py): bracketed
by the engine where two comparisons are so joined, else named before the run, so the repair is
told the cause, not pandas' "Cannot perform 'rand_'" (issue 13)."""

from __future__ import annotations

import pandas as pd
import pytest

from engine.answer.precedence import unbracketed_conditions, with_bracketed_conditions
from tests.conftest import SAMPLE_DATA
from tests.test_answer_failures import ask_model


@pytest.mark.parametrize(
    ("code", "written"),
    [
        (  # wtq-train nt-1298, as the local model wrote it
            "result = len(df[df['Result'] == 'Won' & df['Score'].astype(int) > 3])",
            "df['Result'] == 'Won' & df['Score'].astype(int) > 3",
        ),
        ("rows = df[df.region == 'North' | df.region == 'South']", "df.region == 'North' | "),
        ("rows = df[f(a & b > 1)]", "a & b > 1"),
        ("x = 'é' == a & b", "'é' == a & b"),  # offsets count bytes
    ],
)
def test_conditions_without_brackets_are_named(code: str, written: str) -> None:
    (found,) = unbracketed_conditions(code)
    assert found.startswith(written)


@pytest.mark.parametrize(
    "code",
    [
        "rows = df[(df.a == 1) & (df.b > 2)]",
        "rows = df[(df.a == 1) | (df.b > 2) & (df.c != 3)]",
        "flags = (df.a & df.b) == df.c",  # bracketed: meant
        "flags = (\n    df.a | df.b\n) != df.c",
        "both = df.a & df.b",  # no comparison
        "result = df[df.a == 1 & ",  # does not parse: the run says so
    ],
)
def test_bracketed_or_plain_combinations_are_left_alone(code: str) -> None:
    assert unbracketed_conditions(code) == []


@pytest.mark.parametrize(
    ("code", "meant"),
    [
        (  # wtq-train nt-1298
            "result = len(df[df['Result'] == 'Won' & df['Score'].astype(int) > 3])",
            "result = len(df[(df['Result'] == 'Won') & (df['Score'].astype(int) > 3)])",
        ),
        (  # DABench-dev q734: one condition bracketed, the other not
            "sig = d['p'] < 0.05 & (d['r'] >= 0.5)",
            "sig = (d['p'] < 0.05) & (d['r'] >= 0.5)",
        ),
        (
            "r = df[df.a == 1 & df.b == 2 | df.c > 3]",
            "r = df[(df.a == 1) & (df.b == 2) | (df.c > 3)]",
        ),
        (  # nested, inside a call inside another comparison
            "r = f(a == 1 & b > 2) == 3",
            "r = f((a == 1) & (b > 2)) == 3",
        ),
        (
            "r = df[df.a == 1 & df[df.x > 1 & df.y < 2].b > 2]",
            "r = df[(df.a == 1) & (df[(df.x > 1) & (df.y < 2)].b > 2)]",
        ),
        (  # over lines; offsets count bytes; the rest of the code is kept as written
            "r = df[\n    df.a == 'é' &\n    df.b > 2\n]  # é\nz = x == 1 | y == 2",
            "r = df[\n    (df.a == 'é') & (df.b > 2)\n]  # é\nz = (x == 1) | (y == 2)",
        ),
        (  # wtq-train nt-9637: a comparison beside a call that makes a mask, kept by 2 repairs
            "r = df[df['Date'].dt.strftime('%Y-%m') == '2008-12' & df['Team'].isin(['E', 'F'])]",
            "r = df[(df['Date'].dt.strftime('%Y-%m') == '2008-12') & df['Team'].isin(['E', 'F'])]",
        ),
        (
            "r = df[df.a.str.contains('x') & df.b >= 3 | df.c.notna()]",
            "r = df[df.a.str.contains('x') & (df.b >= 3) | df.c.notna()]",
        ),
    ],
)
def test_two_conditions_without_brackets_get_them(code: str, meant: str) -> None:
    assert with_bracketed_conditions(code) == meant
    assert unbracketed_conditions(meant) == []


@pytest.mark.parametrize(
    "code",
    [
        "r = n & 1 == 0",  # one comparison: may be meant (bits), left to the check
        "r = df[df.a == 1 & df.flag]",
        "r = df[df.a.isin(x) == b & c]",  # the mask is compared: (b & c) may be meant
        "r = df[(df.a == 1) & (df.b > 2)]",
        "r = a < b < c",
        "r = df[df.a == 1 & ",
    ],
)
def test_what_may_be_meant_is_not_rewritten(code: str) -> None:
    assert with_bracketed_conditions(code) == code


def test_two_conditions_run_bracketed_without_a_repair(session) -> None:
    """On the real sandbox: the draft runs with its conditions bracketed, no repair asked."""
    bad = "result = len(df[df['region'] == 'North' & df['quantity'] > 3])"
    turn, server = ask_model(session, "how many north orders had more than 3 units?", [bad])
    assert turn.ok and len(server.requests) == 1
    assert turn.code == "result = len(df[(df['region'] == 'North') & (df['quantity'] > 3)])"
    sales = pd.read_csv(SAMPLE_DATA / "sales.csv")
    expected = int(((sales.region == "North") & (sales.quantity > 3)).sum())
    assert turn.result.answer.value == expected


def test_a_comparison_beside_a_mask_call_runs_bracketed(session) -> None:
    """On the real sandbox: `a == 'x' & b.isin([...])`, which Python reads as `a == ('x' & …)`
    and pandas refuses, runs as `(a == 'x') & b.isin([...])`, no repair asked."""
    bad = "result = len(df[df['region'] == 'North' & df['product'].isin(['Chair', 'Desk'])])"
    question = "how many north orders were chairs or desks?"
    turn, server = ask_model(session, question, [bad])
    assert turn.ok and len(server.requests) == 1
    assert turn.code == (
        "result = len(df[(df['region'] == 'North') & df['product'].isin(['Chair', 'Desk'])])"
    )
    sales = pd.read_csv(SAMPLE_DATA / "sales.csv")
    expected = int(((sales.region == "North") & sales["product"].isin(["Chair", "Desk"])).sum())
    assert expected > 0 and turn.result.answer.value == expected


def test_the_repair_is_told_to_bracket_the_conditions(session) -> None:
    """On the real sandbox: a condition beside a mask is not rewritten (it may be meant), so
    the first draft is never run; the repair gets the cause and its bracketed code answers."""
    bad = "big = df['quantity'] > 3\nresult = len(df[df['region'] == 'North' & big])"
    good = "big = df['quantity'] > 3\nresult = len(df[(df['region'] == 'North') & big])"
    turn, server = ask_model(session, "how many north orders had more than 3 units?", [bad, good])
    assert turn.ok and turn.code == good
    sales = pd.read_csv(SAMPLE_DATA / "sales.csv")
    expected = int(((sales.region == "North") & (sales.quantity > 3)).sum())
    assert turn.result.answer.value == expected
    repair = server.requests[1].messages[-1]["content"]
    assert "put each condition in brackets" in repair and "rand_" not in repair
    assert [a.code for a in turn.attempts] == [bad]
