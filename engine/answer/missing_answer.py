"""An answer that shows a missing value (nan) among others: "@p_value[nan]", "r = 0.1, p = nan".

pandas skips missing values, but scipy.stats (pearsonr, shapiro, ttest_ind, ...) and numpy do
not: one missing value makes the whole result nan. A mean over rows a filter did not find is nan
too. In the bench records on the shared DABench-dev so far, answers holding nan were wrong on 3
questions and right on 1, a median of no rows, where nan is the answer. So a nan goes back to the
model once, which may keep it by giving the same code again. An answer that is nothing but a
missing value is an empty one, which engine/answer/nothing_found.py explains.
"""

from __future__ import annotations

import re
from typing import Final

from engine.types import Answer

# As Python, pandas and numpy print a missing value; "Nan" (a name) and "banana" are not one.
_MISSING: Final = re.compile(r"(?<![\w.])(?:nan|NaN|NaT|<NA>)(?![\w])")
_MISSING_PART: Final = re.compile(rf"@\w+\[\s*{_MISSING.pattern}\s*\]")  # of an answer format

MISSING_DOUBT: Final = (
    "its answer holds nan, a missing number. This usually means a statistic was taken over a "
    "column with missing values (scipy.stats functions such as pearsonr, shapiro or ttest_ind, "
    "and numpy, return nan then), or over rows a filter did not find. Drop the rows with "
    "missing values in the columns used first, e.g. df[['a', 'b']].dropna(), and check the "
    "filter. If no value exists and nan is the right answer, give the same code again."
)


def missing_in(answer: Answer | None) -> bool:
    """True for a one-line answer that shows a missing value, or for a filled-in answer format
    with a part that is one (`@p_value_male[nan]` on the second of six lines, DABench-dev 530).

    Tables and printed listings may show missing cells that are the data itself: left alone.
    """
    if answer is None or answer.kind not in ("value", "text"):
        return False
    one_line = "\n" not in str(answer.value if answer.value is not None else "").strip()
    if one_line:
        return bool(_MISSING.search(answer.text))
    return bool(_MISSING_PART.search(str(answer.value)))
