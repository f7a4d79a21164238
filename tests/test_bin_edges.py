"""Ranges cut from the lowest edge the code writes (engine/answer/bin_edges.py): a value equal
to the first edge is in the first range, not dropped from every group (DABench-dev q6)."""

from __future__ import annotations

import pytest

from engine.answer.bin_edges import with_lowest_edge_included
from tests.test_answer_failures import ask_model, with_table


@pytest.mark.parametrize(
    ("code", "meant"),
    [
        (  # DABench-dev q6, as the local model wrote it
            "df['AgeGroup'] = pd.cut(df['Age'], bins=[0, 12, 19, 59, 100], labels=['C', 'T'])",
            "df['AgeGroup'] = pd.cut(df['Age'], bins=[0, 12, 19, 59, 100], labels=['C', 'T'], "
            "include_lowest=True)",
        ),
        ("g = pd.cut(x, [0, 5, 10])", "g = pd.cut(x, [0, 5, 10], include_lowest=True)"),
        (
            "g = pandas.cut(x, (-1.5, 0, 1.5),)",
            "g = pandas.cut(x, (-1.5, 0, 1.5), include_lowest=True,)",
        ),
        (  # over lines, with `from pandas import cut`
            "g = cut(\n    x,\n    bins=[18, 30, 50],\n)",
            "g = cut(\n    x,\n    bins=[18, 30, 50], include_lowest=True,\n)",
        ),
    ],
)
def test_a_cut_from_written_edges_keeps_the_lowest_edge(code: str, meant: str) -> None:
    assert with_lowest_edge_included(code) == meant


@pytest.mark.parametrize(
    "code",
    [
        "g = pd.cut(x, bins=4)",  # a number of bins: pandas widens the range itself
        "g = pd.cut(x, [0, 5, 10], include_lowest=False)",  # said
        "g = pd.cut(x, [0, 5, 10], right=False)",  # [0, 5): the lowest edge is in already
        "g = pd.cut(x, [0, 5, 10], False)",  # `right` by position
        "g = pd.cut(x, edges)",  # edges made elsewhere
        "g = pd.cut(x, [float('-inf'), 0, 5])",  # nothing equals -inf
        "g = pd.cut(x, **options)",
        "g = df.cut(x, [0, 5])",  # not pandas' cut
        "g = pd.qcut(x, [0, 0.5, 1])",  # quantiles take the lowest edge already
        "g = pd.cut(x, [0, 5]",  # does not parse: the run says so
    ],
)
def test_other_cuts_are_left_as_written(code: str) -> None:
    assert with_lowest_edge_included(code) == code


PASSENGERS = "name,age,fare\nBaby,0,10\nAnna,8,20\nTom,15,30\nEve,40,50\n"


def test_the_youngest_passenger_is_a_child_on_the_real_sandbox(session, tmp_path) -> None:
    """The model's cut from 0 runs with the passenger aged 0 in the first range, no repair
    asked: the children's mean fare is 15 (10 and 20), not 20 (Anna alone)."""
    with_table(session, tmp_path, "passengers", PASSENGERS)
    code = (
        "p = passengers\n"
        "groups = pd.cut(p['age'], bins=[0, 12, 19, 100], labels=['Child', 'Teen', 'Adult'])\n"
        "result = p.groupby(groups, observed=True)['fare'].mean()['Child']"
    )
    turn, server = ask_model(session, "what is the mean fare of children (0-12)?", [code])
    assert turn.ok and len(server.requests) == 1
    assert "include_lowest=True" in turn.code
    assert turn.result.answer.value == 15
