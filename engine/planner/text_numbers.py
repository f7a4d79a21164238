"""Numbers written as text (issue 13): a column of "1,234" or "—" cells that the loader kept as
text. The planner reads it as numbers, and the code converts it exactly or declines.

A text column is read as numbers when 80% of its profiled values start with a digit. The code
that computes with it drops thousands separators, takes a lone dash, "?" or "n/a" for no value,
drops a unit that every filled cell ends with ("3755 km2"; "1 stroke" beside "3 strokes" is one
unit) and what follows the number in brackets or after a slash (the value in another unit:
"157 (48)" under "Height ft (m)", "629 / 192" under "Height ft / m"), and converts only when
every other cell is then a plain number; a footnote, mixed units or a range ("12[3]", "12 km"
beside "3 mi", "2004–05") makes it decline with `cannot_answer`.
A cell that is only read ("how many floors does X have") is returned as written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Final

from engine.code_names import DECLINE
from engine.planner.matching import mostly_months
from engine.types import ColumnProfile, TableProfile

NUMBERISH: Final = re.compile(r"\s*[-+~≈\u2212]?\s*[$€£]?\d")
NUMBERISH_SHARE: Final = 0.8
PLAIN_NUMBER: Final = r"[-+]?\d+(?:\.\d+)?"
NO_VALUE: Final = ("", "-", "–", "—", "?", "n/a", "(n/a)")  # a dash or a mark of no value
UNIT: Final = r"[A-Za-z]+\d?"  # one word of letters, maybe squared or cubed: "km2", "m", "kg"
SPACE_GROUP: Final = r"(?<=\d)[ \u00a0\u2009\u202f](?=\d{3}(?!\d))"  # "20 097 392": thousands
PLURAL: Final = r"(?<=[a-z]{3})s$"  # "1 championship", "35 championships": one unit
# "157 (48)" under "Height ft (m)", "629 / 192" under "Height ft / m", "1.74 m (5 ft 8 in)": the
# same value in another unit, or a note, after the number the column's name names first
OTHER_UNIT: Final = r"\s*\([^()]*\)$|\s+/\s+.*$"


def numberish(column: ColumnProfile) -> bool:
    """A text column whose profiled values mostly start with a number ("1,234", "12[3]"), and
    not dates ("11 September")."""
    if column.kind != "text" or mostly_months(column):
        return False
    seen = [v for v in column.texts if v.strip() not in NO_VALUE]  # a dash says nothing either way
    numeric = [v for v in seen if NUMBERISH.match(v)]
    return bool(seen) and len(numeric) >= NUMBERISH_SHARE * len(seen)


def read_as_numbers(table: TableProfile) -> tuple[TableProfile, tuple[str, ...]]:
    """The profile with its numberish text columns typed as numbers, and their names."""
    names = tuple(c.name for c in table.columns if numberish(c))
    if not names:
        return table, ()
    columns = tuple(replace(c, type="DOUBLE") if c.name in names else c for c in table.columns)
    return replace(table, columns=columns), names


def conversion_lines(frame: str, column: str, py, labels: Sequence[str] = ()) -> list[str]:
    """pandas lines that turn `frame[column]` into numbers, or decline (`py` writes literals).
    A unit that every filled cell ends with ("3755 km2", "1 stroke" and "3 strokes") is dropped,
    and so are spaces between thousands ("20 097 392"); cells with different units or none
    ("12 km", "3 mi", "7") are not converted. `labels` are the summary rows' labels, which such
    a row may repeat in every cell ("Total" under Capacity): no value either."""
    cell = f"{frame}[{py(column)}]"
    empty = list(NO_VALUE) + [w.lower() for w in labels if w.lower() not in NO_VALUE]
    return [
        f'numbers = {cell}.str.replace(",", "").str.replace("\u2212", "-").str.strip()',
        f"numbers = numbers.str.replace({py(SPACE_GROUP)}, '', regex=True)  # 20 097 392",
        f"numbers = numbers.mask(numbers.str.lower().isin({py(empty)}))  # no value",
        f"numbers = numbers.str.replace({py(OTHER_UNIT)}, '', regex=True)  # 157 (48), 629 / 192",
        f'parts = numbers.str.extract(r"^({PLAIN_NUMBER})\\s*({UNIT})?$")',
        "units = parts[1][numbers.notna()].fillna('').str.lower()",
        f"units = units.str.replace({py(PLURAL)}, '', regex=True).unique()  # stroke(s): one",
        "if parts[0][numbers.notna()].isna().any() or len(units) > 1:",
        f"    {DECLINE}({py(f'some {column} values are not plain numbers')})",
        f"{cell} = pd.to_numeric(parts[0])",
    ]
