"""Numbers written as text (issue 13): a column of "1,234" or "—" cells that the loader kept as
text. The planner reads it as numbers, and the code converts it exactly or declines.

A text column is read as numbers when 80% of its profiled values start with a digit. The code
that computes with it drops thousands separators, takes a lone dash for no value, and converts
only when every other cell is then a plain number; a footnote, a unit or a range ("12[3]",
"19 floors", "2004–05") makes it decline with `cannot_answer`. A cell that is only read ("how
many floors does X have") is returned as written.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Final

from engine.code_names import DECLINE
from engine.planner.matching import mostly_months
from engine.types import ColumnProfile, TableProfile

NUMBERISH: Final = re.compile(r"\s*[-+~≈]?\s*[$€£]?\d")
NUMBERISH_SHARE: Final = 0.8
PLAIN_NUMBER: Final = r"[-+]?\d+(\.\d+)?"
NO_VALUE: Final = ("", "-", "–", "—")


def numberish(column: ColumnProfile) -> bool:
    """A text column whose profiled values mostly start with a number ("1,234", "12[3]"), and
    not dates ("11 September")."""
    if column.kind != "text" or mostly_months(column):
        return False
    seen = [v for v, _ in column.top_values if isinstance(v, str)]
    seen += [v for v in column.examples if isinstance(v, str)]
    seen = [v for v in seen if v.strip() not in NO_VALUE]  # a dash says nothing either way
    numeric = [v for v in seen if NUMBERISH.match(v)]
    return bool(seen) and len(numeric) >= NUMBERISH_SHARE * len(seen)


def read_as_numbers(table: TableProfile) -> tuple[TableProfile, tuple[str, ...]]:
    """The profile with its numberish text columns typed as numbers, and their names."""
    names = tuple(c.name for c in table.columns if numberish(c))
    if not names:
        return table, ()
    columns = tuple(replace(c, type="DOUBLE") if c.name in names else c for c in table.columns)
    return replace(table, columns=columns), names


def conversion_lines(frame: str, column: str, py) -> list[str]:
    """pandas lines that turn `frame[column]` into numbers, or decline (`py` writes literals)."""
    cell = f"{frame}[{py(column)}]"
    return [
        f'numbers = {cell}.str.replace(",", "").str.strip()',
        f"numbers = numbers.mask(numbers.isin({py(list(NO_VALUE))}))  # a dash: no value",
        f'if not numbers.dropna().str.fullmatch(r"{PLAIN_NUMBER}").all():',
        f"    {DECLINE}({py(f'some {column} values are not plain numbers')})",
        f"{cell} = pd.to_numeric(numbers)",
    ]
