"""Text columns of numbers that code orders as text: `df['Votes'].max()`, `.idxmax()`,
`.sort_values('Votes')`, `MAX(Votes)`, `ORDER BY Votes` over cells such as '119,106' and
'36,271', or '27 championships' and '4 consecutive Ironbowls'. As text, '4 …' comes after
'35 …', so the largest is the wrong row, with no error. On wtq-train (backend auto, seeds 2026
to 2033, 1,363 records with code) each of the 5 final programs that did so without converting
was wrong or declined (nt-2003, nt-4990, nt-113, nt-8276, nt-178). Sent back with the way to
take the number out, the repairs answered none of the five right, and two that had been declined
became wrong (a new filter, a quote that broke the SQL; stop 66): so the check declines such an
answer, with the reason and the result to check (split from columns.py, which reads the column
names code uses)."""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from engine.columns import (
    checked_tables,
    column_arguments,
    columns_called,
    created_names,
    table_root,
)
from engine.sql_reading import sql_ordered_columns, sql_queries
from engine.types import ColumnProfile, TableProfile

MIN_VALUES_JUDGED: Final = 3  # profiled texts needed to say how a column's values sort
NUMBER_SHARE: Final = 0.8  # of them beginning with a number
# A number at the start of a cell: a sign, a currency, digits with thousands separators.
_LEADING_NUMBER: Final = re.compile(r"\s*([-+−]?)\s*[$£€¥]?\s*(\d[\d,]*(?:\.\d+)?)")
# Methods that order a column's values: on `table['col']`, or naming it (`sort_values('col')`).
_ORDERING: Final = frozenset(
    "max min idxmax idxmin argmax argmin nlargest nsmallest sort_values rank".split()
)
_NAMING: Final = frozenset({"sort_values", "nlargest", "nsmallest"})
FIX: Final = (
    "Take the number out of the text first and order by that: in pandas "
    "df[{name!r}].str.extract(r'(-?\\d[\\d,]*\\.?\\d*)')[0].str.replace(',', '').astype(float); "
    "in SQL TRY_CAST(replace(regexp_extract(\"{name}\", '-?[0-9][0-9,]*[.]?[0-9]*'), ',', '') "
    "AS DOUBLE). A date written out (10 May 1889) needs pd.to_datetime(...) instead."
)


@dataclass(frozen=True)
class OrderedText:
    """A text column of numbers the code orders as text, with two of its values that show it."""

    column: str
    how: str  # the step that orders it: ".max()", "ORDER BY Votes"
    first: str  # sorts first as text, though its number is the larger
    second: str

    @property
    def for_user(self) -> str:
        return (
            f"The code orders the text column {self.column!r} as text ({self.how}): its values "
            f"are numbers written in text, and as text {self.second!r} comes after "
            f"{self.first!r}."
        )

    @property
    def for_model(self) -> str:
        return f"{self.for_user} {FIX.format(name=self.column)}"


def ordered_number_texts(code: str, profiles: Sequence[TableProfile]) -> list[OrderedText]:
    """The text columns of numbers the code orders as they are stored, in pandas or in the SQL
    it runs. A column the code assigns or converts itself is left out, as is a table it rebinds
    and one a query does not read alone (its own WITH, a subquery in FROM)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    checked = checked_tables(tree, profiles)
    created = created_names(tree)
    found: dict[str, OrderedText] = {}

    def note(profile: TableProfile, name: str, how: str) -> None:
        column = profile.column(name)
        pair = _misordered(column) if column is not None and name not in created else None
        if pair is not None:
            found.setdefault(name, OrderedText(name, how, *pair))

    for profile, name, method in columns_called(tree, checked, _ORDERING):
        note(profile, name, f".{method}()")
    for node in ast.walk(tree):  # a table sorted by a column it names: .sort_values('Votes')
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _NAMING
        ):
            continue
        root, preserving = table_root(node.func.value)
        profile = checked.get(root or "")
        if profile is not None and preserving:
            for name in column_arguments(node):
                note(profile, name, f".{node.func.attr}()")
    columns = {name: p.column_names for name, p in checked.items()}
    for query in sql_queries(tree):
        for table, name, how in sql_ordered_columns(query, columns):
            note(checked[table], name, how)
    return list(found.values())


def _misordered(column: ColumnProfile) -> tuple[str, str] | None:
    """Two of a text column's profiled values whose text order is not their numbers' order
    ('27 championships' before '4 consecutive Ironbowls'), when most of its values begin with a
    number; None when text order is number order (years, ISO dates, numbers of one width)."""
    if column.kind != "text":
        return None
    texts = list(dict.fromkeys(t for t in column.texts if t.strip()))
    numbered = [(t, n) for t in texts if (n := _leading_number(t)) is not None]
    if len(texts) < MIN_VALUES_JUDGED or len(numbered) < NUMBER_SHARE * len(texts):
        return None
    numbered.sort()
    for (first, low), (second, high) in zip(numbered, numbered[1:], strict=False):
        if low > high:
            return first, second
    return None


def _leading_number(text: str) -> float | None:
    match = _LEADING_NUMBER.match(text)
    if match is None:
        return None
    sign, digits = match.groups()
    return float(digits.replace(",", "")) * (-1 if sign in ("-", "−") else 1)
