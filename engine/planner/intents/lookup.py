"""Intents that read cells of the rows a value names: 'how many goals did Lyon
score', 'what year was X released', 'the difference in points between A and B' (issue 13).

The value comes from the question (the value index knows every text value of a small table),
and the rows it names are read, not aggregated: one row, or several that agree. When that does
not hold, the code says so with `cannot_answer` instead of picking a row silently.
"""

from __future__ import annotations

from typing import Final

from engine.code_names import DECLINE
from engine.errors import UnsupportedError
from engine.planner.filters import Filter
from engine.planner.intents.values import FILTER_WORDS
from engine.planner.plans import Intent, Plan, new_plan
from engine.planner.query import Query
from engine.planner.snippets import col, condition, measure_words, py
from engine.planner.text_numbers import numberish
from engine.types import ColumnProfile

# Keywords a lookup may contain besides its value and column: "what", "in 2004", "how many",
# "won by X", and the rows' noun ("attended the Oklahoma game": the row the value names).
LOOKUP_WORDS: Final = frozenset(
    {"which", "during", "amount", "and", "listed", "link", "gain", "group", "both", "row"}
)


def _said(q: Query) -> set[str]:
    return {f for _, f, _ in q.keywords}


def _target(q: Query) -> ColumnProfile | None:
    """The one column the question asks about, besides the columns its values are in; named
    by its whole name ("episode" for "Episode title" may mean another column, or a verb)."""
    mentions = list(q.measures) + ([q.which] if q.which else [])
    if any(m.score < 1 for m in mentions):
        return None
    named = [m.column for m in mentions] or ([q.who] if q.who else [])  # "who has X as …"
    filtered = {f.column.name for f in q.filters}
    names = {c.name: c for c in named if c.name not in filtered}
    return next(iter(names.values())) if len(names) == 1 and len(named) == len(names) else None


def _one_day(f: Filter) -> bool:
    """A filter that names one day of a date column: it names rows as a value does."""
    return f.op == "dates" and (f.value[1] - f.value[0]).days == 1


class CellValue(Intent):
    """'how many points did Germany have', 'what team were A and B on': one column's value in
    the row a value or a day names (several rows must agree on it). 'A and B both scored how many
    points': the value the two share, whatever its kind (they must agree)."""

    every_row = False
    computes = False  # a cell is read as written: "19 floors" answers "how many floors"
    reads = frozenset({"link", "gain", "both"})

    def match(self, q: Query) -> Plan | None:
        days = [f for f in q.filters if _one_day(f)]  # "the attendance on october 25, 1981"
        if not (q.values or days) or q.groups or _said(q) - LOOKUP_WORDS:
            return None
        if any(f.op not in ("==", "in") and f not in days for f in q.filters):
            return None
        target = _target(q)
        if target is None:
            return None
        if q.has("both"):  # two values of one column, and what their rows share
            if len(q.values) != 2 or len(q.filters) != 1 or q.filters[0].op != "in":
                return None
            return new_plan(q, self, measures=(target,))
        several = [v for v in q.values if v.rows != 1]  # or not known
        amount = target.kind == "number" or numberish(target)
        if q.has("gain") and not amount:
            return None  # "what year did X win": X may be in that row as the loser
        alone = len(q.filters) == len({v.column.name for v in q.values})  # no other condition
        if several and alone and not amount:
            return None  # "countries in Europe": a listing (FilteredValues)
        if amount and several and alone:
            v = several[0]
            raise UnsupportedError(
                f"{v.value} is in {v.rows or 'several'} rows, so “{target.name}” has several "
                "values; ask for their total, or name one row."
            )
        if amount and any(f.op == "in" for f in q.filters):  # "X and Y": two rows at least
            names = " and ".join(str(v.value) for v in q.values)
            raise UnsupportedError(
                f"{names} name different rows, so “{target.name}” has several values; ask for "
                "their total, or about one of them."
            )
        return new_plan(q, self, measures=(target,), n=1 if amount else None)

    def explain(self, plan: Plan) -> str:
        return f"The value of {measure_words(plan)}"

    def gives(self, plan: Plan) -> str:
        target = plan.measures[0]
        return "number" if target.kind == "number" or numberish(target) else "label"

    def pandas(self, plan: Plan, rows: str, frame: str) -> list[str]:
        target = plan.measures[0]
        if plan.n == 1:
            return [
                f"if len({rows}) != 1:",
                f'    {DECLINE}(f"{{len({rows})}} rows match, not one")',
                f"result = {col(rows, target)}.iloc[0]",
            ]
        return [
            f"found = {col(rows, target)}.dropna().unique()",
            "if len(found) != 1:",
            f'    {DECLINE}(f"the matching rows hold {{len(found)}} different values, not one")',
            "result = found[0]",
        ]


class Difference(Intent):
    """'the difference in points between A and B', 'how many more goals did A score than B':
    one numeric column read in the two rows two values name, subtracted."""

    every_row = False
    reads = frozenset({"more", "link", "gain"})

    def match(self, q: Query) -> Plan | None:
        if not (q.has("difference") or q.has("more")) or q.groups or q.has("agg"):
            return None
        if _said(q) - FILTER_WORDS - LOOKUP_WORDS - {"difference", "more"}:
            return None
        pairs = [f for f in q.filters if f.op == "in" and len(f.value) == 2]
        if any(v.rows != 1 for v in q.values):
            return None  # groups of rows: compared by a statistic (Aggregate)
        numbers = [m.column for m in q.measures if m.column.kind == "number"]
        if len(pairs) != 1 or len(q.filters) != 1 or len(numbers) != 1 or len(q.measures) != 1:
            return None
        first, second = (Filter(pairs[0].column, "==", v) for v in pairs[0].value)
        return new_plan(q, self, measures=(numbers[0],), filters=(), values=(first, second))

    def explain(self, plan: Plan) -> str:
        first, second = plan.values
        return (
            f"Difference in {measure_words(plan)} between {first.value} and {second.value} "
            f"({first.column.name})"
        )

    def gives(self, plan: Plan) -> str:
        return "number"

    def pandas(self, plan: Plan, rows: str, frame: str) -> list[str]:
        m = plan.measures[0].name
        first, second = plan.values
        return [
            f"first = {frame}.loc[{condition(frame, first)}, {py(m)}]",
            f"second = {frame}.loc[{condition(frame, second)}, {py(m)}]",
            "if len(first) != 1 or len(second) != 1:",
            f'    {DECLINE}("each of the two names must pick exactly one row")',
            "result = abs(first.iloc[0] - second.iloc[0])",
        ]


def _two_options(q: Query, among: bool = False) -> tuple[ColumnProfile, bool] | None:
    """The column of the two options "A or B" names, and whether more (True) or less is
    asked: one comparative or superlative, one filter picking the two values, nothing else
    said. None when the question is not such a choice. `among`: other filters may say which
    rows count ("who had more draws, A or B": the rows where Result is Draw)."""
    if not q.has("or") or q.groups or q.has("agg"):
        return None
    directions = {v for _, f, v in q.keywords if f in ("comparative", "super")}
    said = _said(q) - LOOKUP_WORDS - {"or", "comparative", "super"}
    pairs = [f for f in q.filters if f.op == "in" and len(f.value) == 2]
    if len(directions) != 1 or said or len(pairs) != 1:
        return None
    others = [f for f in q.filters if f is not pairs[0]]
    if others and not (among and all(f.column != pairs[0].column for f in others)):
        return None
    return pairs[0].column, directions.pop() == "desc"


class Choice(Intent):
    """'which team had more titles, A or B', 'who had the most wins, A or B': of two named
    rows, the one with the higher (or lower) value of one numeric column; both when tied."""

    every_row = False
    reads = frozenset({"comparative", "link", "or", "super", "gain"})  # "won the most silver"
    picks_an_option = True  # "did A or B win more": A or B, not yes or no

    def match(self, q: Query) -> Plan | None:
        options = _two_options(q)
        if options is None:
            return None
        key, descending = options
        numbers = [m.column for m in q.measures if m.column.kind == "number"]
        if len(numbers) != 1 or len(q.measures) != 1 or any(v.rows != 1 for v in q.values):
            return None
        parts = {"measures": (numbers[0],), "groups": (key,)}
        return new_plan(q, self, descending=descending, **parts)

    def explain(self, plan: Plan) -> str:
        more = "higher" if plan.descending else "lower"
        return f"The {plan.groups[0].name} of the two with the {more} {measure_words(plan)}"

    def gives(self, plan: Plan) -> str:
        return "label"

    def pandas(self, plan: Plan, rows: str, frame: str) -> list[str]:
        g, m = plan.groups[0].name, plan.measures[0].name
        extreme = "max" if plan.descending else "min"
        return [
            f"if len({rows}) != 2 or {col(rows, m)}.isna().any():",
            f"    {DECLINE}({py(f'each of the two names must pick one row with a {m}')})",
            f"best = {rows}.loc[{col(rows, m)} == {col(rows, m)}.{extreme}(), {py(g)}]",
            "result = best.iloc[0] if len(best) == 1 else best.reset_index(drop=True)  # a tie",
        ]


class ChoiceByCount(Intent):
    """'are there more films in Tamil or Telugu', 'which license is listed more, OS or C': of
    the two values one column holds, the one more (or fewer) rows hold, of the rows any other
    filter keeps ('who had more draws, A or B'); both when tied. A noun
    for what is counted must be one per row (a Film column of distinct titles): when a name
    repeats among those rows, rows and names may disagree, and the code declines."""

    every_row = True  # a Total row is not counted
    reads = frozenset({"comparative", "link", "or", "super"})
    picks_an_option = True

    def match(self, q: Query) -> Plan | None:
        options = _two_options(q, among=True)
        if options is None:
            return None
        key, descending = options
        nouns = list(dict.fromkeys(m.column for m in q.measures if m.column.name != key.name))
        if q.which is not None and q.which.column.name != key.name:
            return None  # "which film had more …": a film is asked, not an option
        if len(nouns) > 1 or any(c.kind != "text" for c in nouns):
            return None  # "more silver medals": a number to compare (Choice)
        parts = {"groups": (key,), "measures": tuple(nouns)}
        return new_plan(q, self, descending=descending, **parts)

    def explain(self, plan: Plan) -> str:
        more = "more" if plan.descending else "fewer"
        counted = f"{measure_words(plan)} rows" if plan.measures else "rows"
        return f"The {plan.groups[0].name} of the two with {more} {counted}"

    def gives(self, plan: Plan) -> str:
        return "label"

    def pandas(self, plan: Plan, rows: str, frame: str) -> list[str]:
        g = plan.groups[0].name
        extreme = "max" if plan.descending else "min"
        out = []
        if plan.measures:
            m = plan.measures[0].name
            out += [
                f"if {col(rows, m)}.duplicated().any():",
                f"    {DECLINE}({py(f'some {m} values are in several rows: count rows or names?')})",
            ]
        options = next(f.value for f in plan.filters if f.op == "in" and f.column.name == g)
        return out + [
            f"options = {py(list(options))}",
            f"if not all(({col(frame, g)} == option).any() for option in options):",
            f"    {DECLINE}({py(f'each of the two names must be a {g} of some rows')})",
            f"counts = {col(rows, g)}.value_counts().reindex(options, fill_value=0)  # none: 0",
            f"best = counts[counts == counts.{extreme}()].index",
            "result = best[0] if len(best) == 1 else pd.Series(best)  # a tie",
        ]


class SameAs(Intent):
    """'which countries had the same number of wins as X', 'which player had the same result as
    X': the other rows whose value of one column equals the one row X names."""

    reads = frozenset({"same", "link", "gain"})

    def match(self, q: Query) -> Plan | None:
        if not q.has("same") or q.groups or q.has("agg") or len(q.filters) != 1:
            return None
        if _said(q) - LOOKUP_WORDS - {"same"} or len(q.values) != 1 or q.values[0].rows != 1:
            return None
        value = q.filters[0]
        compared = [m.column for m in q.measures if m.column.name != value.column.name]
        label = next((m.column for m in (q.which, q.asked) if m is not None), value.column)
        compared = [c for c in compared if c.name != label.name]
        if len(compared) != 1 or value.op != "==":
            return None
        parts = {"measures": (compared[0],), "groups": (label, value.column)}
        return new_plan(q, self, filters=(), values=(value.value,), **parts)

    def explain(self, plan: Plan) -> str:
        label, key = plan.groups
        return (
            f"The {label.name} of the other rows with the same {measure_words(plan)} as the row "
            f"where {key.name} == {plan.values[0]}"
        )

    def gives(self, plan: Plan) -> str:
        return "values"

    def pandas(self, plan: Plan, rows: str, frame: str) -> list[str]:
        (label, key), measure = plan.groups, plan.measures[0]
        m = measure.name
        named = f"{col(rows, key)} == {py(plan.values[0])}"
        # text compared without case and outer spaces: one web table wrote "Middle blocker" and
        # "Middle Blocker" for one position (wtq-train nt-9)
        same = ".astype(str).str.strip().str.casefold()" if measure.kind == "text" else ""
        return [
            f"named = {rows}.loc[{named}, {py(m)}]",
            "if len(named) != 1 or named.isna().any():",
            f"    {DECLINE}({py(f'the name must pick one row with a {m}')})",
            f"values = {col(rows, m)}{same}",
            f"others = (values == values.loc[named.index[0]]) & ~({named})",
            f"result = {rows}.loc[others, {py(label.name)}].drop_duplicates().reset_index(drop=True)",
            "if result.empty:",
            f"    {DECLINE}({py(f'no other row has the same {m}')})",
        ]
