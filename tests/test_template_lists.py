"""A list in a part of an answer format, written the way the format writes its items."""

from __future__ import annotations

import pytest

from engine.answer.template_lists import in_format_lists
from tests.fake_openai import FakeOpenAI, Reply
from tests.test_answer_loop import ask, fenced

INTEGERS = "@fare_outliers[outliers_list] where outliers_list is a list of integers."
IDS = "@outlier_count[count], @outlier_ids[id1, id2, ...]. The ids are separated by commas."
COUNTRIES = "@outlier_countries[country1,country2,...] where each is a country."


@pytest.mark.parametrize(
    ("question", "answer", "written"),
    [
        (INTEGERS, "@fare_outliers[[]]", "@fare_outliers[]"),  # DABench-dev q352
        (INTEGERS, "@fare_outliers[[1, 5, 9]]", "@fare_outliers[1, 5, 9]"),
        # DABench-dev q528: the format's ", " between bare commas; the other part untouched
        (
            IDS,
            "@outlier_count[2], @outlier_ids[904,916]",
            "@outlier_count[2], @outlier_ids[904, 916]",
        ),
        (IDS, "@outlier_ids[[np.int64(904), np.int64(916)]]", "@outlier_ids[904, 916]"),  # numpy 2
        (
            COUNTRIES,
            "@outlier_countries[['Kuwait', 'Saudi Arabia']]",
            "@outlier_countries[Kuwait,Saudi Arabia]",
        ),
    ],
)
def test_a_list_is_written_as_the_format_writes_its_items(
    question: str, answer: str, written: str
) -> None:
    assert in_format_lists(question, answer) == written


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        # a fixed set of values, not an open-ended list: what the code wrote stays
        ("@scaled[min_fare, max_fare, mean_fare]", "@scaled[0.0,1.0,0.06]"),
        (COUNTRIES, "@outlier_countries[Korea, Rep.,Kuwait]"),  # spaces are never taken away
        (INTEGERS, "@fare_outliers[[1 5 9]]"),  # not a Python list
        (INTEGERS, "@fare_outliers[[[1, 2], [3]]]"),  # nested
        (INTEGERS, "@other[[1, 2]]"),  # a part the format does not have
        ("How many rows?", "[1, 2]"),
    ],
)
def test_what_is_not_a_list_in_a_format_is_left_alone(question: str, answer: str) -> None:
    assert in_format_lists(question, answer) == answer


def test_a_python_list_in_the_format_answers_without_a_repair() -> None:
    """The code puts a list in the part; the answer lists its items as the format does."""
    listed = "result = f\"@low_prices[{sorted(df['price'].tolist())[:2]}]\""
    with FakeOpenAI([Reply(fenced(listed))]) as server:
        turn, _, _ = ask(server.base_url, "The two lowest prices? @low_prices[p1, p2, ...].")
    assert len(server.requests) == 1
    assert turn.ok and turn.result.answer.value == "@low_prices[1.0, 2.0]"
