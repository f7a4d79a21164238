"""A reply caught in a loop: the same piece of text over and over, until the token limit.

The embedded 1.5B model does this now and then at temperature 0: on wtq-train nt-9393 it wrote
`AND Reign != '—'` some sixty times, to the 1,024-token limit, in each of its replies, and the
question took 328 s to end with no answer. Nothing after the first few repeats can be code
worth running, so the client stops reading there (the stream is closed, which ends the
generation) and the reply counts as cut, as at the token limit.

A loop is a piece of 4 to 120 characters, with at least 3 different characters other than
spaces, that ends the text MIN_REPEATS times in a row over at least MIN_SPAN characters. A
comment rule (`# ------`), a row of zeros or a short list of one value is none of these.
"""

from __future__ import annotations

from typing import Final

MIN_UNIT: Final = 4
MAX_UNIT: Final = 120
MIN_REPEATS: Final = 8
MIN_SPAN: Final = 160
MIN_DISTINCT: Final = 3


def looping(text: str) -> str | None:
    """The piece the end of `text` repeats, when it has fallen into a loop; None otherwise."""
    for size in range(MIN_UNIT, MAX_UNIT + 1):
        if len(text) < size * MIN_REPEATS:
            return None
        unit = text[-size:]
        repeats = 1
        while text.endswith(unit, 0, len(text) - repeats * size):
            repeats += 1
            if repeats * size >= MIN_SPAN and repeats >= MIN_REPEATS:
                return unit if len(set(unit) - {" ", "\n", "\t"}) >= MIN_DISTINCT else None
    return None
