"""Several candidate programs for one question: the most frequent answer wins (issue 13).

A small model that is unsure writes different programs from one sampling to the next, and they
compute different answers; when it knows, they agree. So when `llm_candidates` > 1, the first
(greedy) program is joined by samples at `llm_candidate_temperature`, every one is run, and the
answer with the most votes wins (the greedy one on a tie). With no majority the question is
declined, with the answers that disagreed. Charts are not voted on: two good charts differ.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from engine.types import Answer

CELLS_COMPARED: Final = 200  # rows of a table answer that must agree
SIGNIFICANT_DIGITS: Final = 6  # 0.1 + 0.2 and 0.3 are the same answer


def answer_key(answer: Answer | None) -> Hashable | None:
    """What two answers must share to count as the same; None: not voted on (charts, none)."""
    if answer is None or answer.kind == "figure":
        return None
    if answer.kind == "table" and answer.table is not None:
        rows = answer.table.rows[:CELLS_COMPARED]
        if rows and all(len(r) == 1 for r in rows):  # a column of values, as a list would be
            return _values([r[0] for r in rows], answer.table.row_count)
        return ("table", answer.table.row_count, tuple(tuple(map(_cell, r)) for r in rows))
    value = answer.value
    parts = _PARTS.findall(value) if isinstance(value, str) else []
    if parts:  # "@mean[2.50], @sd[1.2]" and "@sd[1.20] @mean[2.5]": the same answer
        return ("parts", tuple(sorted((name.casefold(), _cell(v)) for name, v in parts)))
    if isinstance(value, list | tuple):
        return _values(list(value)[:CELLS_COMPARED], len(value))
    return ("value", _cell(value))


def _values(cells: list[Any], count: int) -> Hashable:
    """One value, or several: 'Norway' is the same answer as a table of one cell 'Norway'."""
    if count == 1 and cells:
        return ("value", _cell(cells[0]))
    return ("values", count, tuple(map(_cell, cells)))


# what each word of a yes or no says ("Yes" and True agree; template_choices respells by it)
TRUTHS: Final = {"yes": True, "true": True, "no": False, "false": False}
# The parts of an answer written in a requested format "@name[value] …" (answer_kinds.py)
_PARTS: Final = re.compile(r"@(\w+)\[([^\]]*)\]")


def _cell(value: Any) -> Hashable:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return str(value)
        return float(f"{value:.{SIGNIFICANT_DIGITS}g}")
    if isinstance(value, str):
        text = " ".join(value.split()).casefold()
        if text in TRUTHS:  # "Yes" and True
            return TRUTHS[text]
        try:
            number = float(text.replace(",", ""))
        except ValueError:
            return text
        # "nan" twice is one answer: as floats they differ (DABench-dev q554, gold nan, declined)
        return _cell(number)
    if isinstance(value, list | tuple):
        return tuple(_cell(v) for v in value)
    return str(value)


@dataclass(frozen=True)
class Tally:
    """The votes of the candidates that answered, in the order they ran (the greedy first)."""

    keys: tuple[Hashable, ...]

    @property
    def winner(self) -> int | None:
        """The index of the winning candidate: most votes, the earliest on a tie."""
        if not self.keys:
            return None
        counts = Counter(self.keys)
        best = max(counts.values())
        return next(i for i, k in enumerate(self.keys) if counts[k] == best)

    def votes(self, index: int) -> int:
        return sum(k == self.keys[index] for k in self.keys)

    def settled(self, remaining: int) -> bool:
        """True when the candidates still to run cannot change the winner."""
        counts = sorted(Counter(self.keys).values(), reverse=True) or [0]
        second = counts[1] if len(counts) > 1 else 0
        return counts[0] > second + remaining


def has_majority(votes: int, candidates: int) -> bool:
    """More than half of the candidates agree (2 of 3, 3 of 5; 2 of 2)."""
    return votes * 2 > candidates


def disagreement(answers: Sequence[Answer]) -> str:
    """'3.5 / 4 / a table of 2 rows × 1 column': what the candidates computed."""
    return " / ".join(a.text if a.kind != "table" else f"a table of {a.text}" for a in answers)
