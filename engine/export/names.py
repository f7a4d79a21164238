"""Download names for a turn's result (issue 16): `revenue_by_region.csv`, not `result.csv`.

A new user's downloads folder filled with `result.csv`, `result (1).csv`...: the name now comes
from the question (or the table the turn saved), safe on any file system, one per turn.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Final

from engine.types import Turn

MAX_STEM_CHARS: Final = 48
# Words that say "a question" rather than what it is about: "what is the total revenue by
# region?" -> total_revenue_by_region.
_FILLER: Final = frozenset(
    "a an the what whats which who is are was were show me give tell please list can could "
    "you i do does did find get my".split()
)
_WORD: Final = re.compile(r"[a-z0-9]+")
# Names Windows refuses for a file whatever its extension.
_DEVICE_NAMES: Final = frozenset(
    ["con", "prn", "aux", "nul"] + [f"{d}{i}" for d in ("com", "lpt") for i in range(1, 10)]
)


def stem_from_text(text: str, fallback: str = "result") -> str:
    """A short file-name stem from a question: lower-case ASCII words joined by `_` (accents
    folded, symbols dropped), filler words left out, at most MAX_STEM_CHARS, cut at a word."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = _WORD.findall(folded.lower())
    kept = [w for w in words if w not in _FILLER] or words
    stem = ""
    for word in kept:
        longer = f"{stem}_{word}" if stem else word
        if len(longer) > MAX_STEM_CHARS:
            break
        stem = longer
    stem = stem or (kept[0][:MAX_STEM_CHARS] if kept else fallback)
    return f"{stem}_" if stem in _DEVICE_NAMES else stem


def download_stem(turn: Turn, earlier: Sequence[Turn] = ()) -> str:
    """The stem of `turn`'s downloads: its question's, else the table its code saved, else
    "result"; `_2`, `_3` when an `earlier` turn of the session has the same one."""
    stem = _own_stem(turn)
    same = sum(1 for t in earlier if _own_stem(t) == stem)
    return f"{stem}_{same + 1}" if same else stem


def _own_stem(turn: Turn) -> str:
    if turn.question:
        return stem_from_text(turn.question)
    saved = [t.name for t in turn.result.saved_tables]
    return stem_from_text(saved[0]) if saved else "result"
