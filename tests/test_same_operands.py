"""Arithmetic on one value twice (engine/answer/same_operands.py): found in the code's own words."""

from __future__ import annotations

import pytest

from engine.answer.same_operands import same_operands


@pytest.mark.parametrize(
    ("code", "said"),
    [
        (
            "result = df['Left office'] - df['Left office']",
            "subtracts `df['Left office']` from itself, which is always 0",
        ),
        (
            "a = df[df['Name'] == 'X']['Votes'].sum()\nresult = a / a",
            "divides `a` by itself, which is always 1",
        ),
        ("result = sql('select 1')['x'] // sql('select 1')['x']", "divides `sql('select 1')['x']`"),
    ],
)
def test_the_same_expression_on_both_sides_is_named(code: str, said: str) -> None:
    (found,) = same_operands(code)
    assert found.startswith(said)


@pytest.mark.parametrize(
    "code",
    [
        "result = df['Left office'] - df['Took office']",  # two columns: a real difference
        "a = rows_a['Votes'].sum()\nb = rows_b['Votes'].sum()\nresult = a - b",
        "result = 1 - 1",  # constants are written on purpose
        "result = df[df['x'] != df['x']]",  # the missing-value idiom is a comparison
        "result = df['x'] + df['x']",  # doubling is a real value
        "result = (",  # does not parse: the run says so
    ],
)
def test_other_code_is_left_alone(code: str) -> None:
    assert same_operands(code) == []


def test_each_finding_is_named_once() -> None:
    code = "result = (df['a'] - df['a']) + (df['a'] - df['a'])"
    assert len(same_operands(code)) == 1
