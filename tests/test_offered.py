"""The two options a choice question offers, read from its words (engine/offered.py)."""

from __future__ import annotations

import pytest

from engine.offered import named_option, offered_options


@pytest.mark.parametrize(
    ("question", "options"),
    [
        ("did the north or the south region sell more chairs?", ("north", "south region")),
        ("which sold more units, north or south?", ("north", "south")),
        ("was revenue in march more or less than in april?", ("more", "less")),
        ("is the average discount above or below 10%?", ("above", "below")),
        ("did the order ship before or after the holiday?", ("before", "after")),
        ("were there more orders in 2023 or 2024?", ("2023", "2024")),
        (
            "did the costa rica office or the main branch sell more?",
            ("costa rica office", "main branch"),
        ),
        ("did the team score more when at home or when they were away?", ("home", "away")),
        ("which year had fewer returns,2021 or 2022?", ("2021", "2022")),
        (
            "is the price of a chair higher or lower than 100 for the north region or the south?",
            ("higher", "lower"),
        ),
        # written as the question writes them; "More or less" in lower case
        ("Did the North or the South region sell more?", ("North", "South region")),
        ("Was revenue MORE or LESS than 5?", ("more", "less")),
        # unclear: no options, three of them, two "or"s, or both sides alike
        ("which region sold the most?", None),
        ("was the discount higher, lower, or the same?", None),
        ("did chairs or desks sell more in north or south?", None),
        ("or what?", None),
    ],
)
def test_the_options_a_question_offers(question: str, options: tuple[str, str] | None) -> None:
    assert offered_options(question) == options


@pytest.mark.parametrize(
    ("value", "picked"),
    [
        ("North", 0),
        ("south region", 1),
        ("The South Region", 1),
        (2023, 0),
        ("2024", 1),
        ("Less", None),  # neither
        ("north and south", None),  # both
        ("", None),
    ],
)
def test_which_option_a_value_names(value: object, picked: int | None) -> None:
    options = ("north", "south region") if not str(value).isdigit() else ("2023", "2024")
    assert named_option(value, options) == picked


def test_an_option_is_named_by_a_word_the_other_lacks() -> None:
    options = ("chicago daily news", "chicago tribune")
    assert named_option("Chicago Tribune", options) == 1
    assert named_option("Chicago", options) is None  # both have it
