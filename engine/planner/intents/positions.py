"""Intents that read the table in its own order (issue 13): the row next to the one a value
names ('what club is after Lyon', 'which street is above Oak Street'), and the first or
last row on the list ('who was the last driver on the list').

The order is the table's as loaded (a pandas frame keeps it), summary rows left out, so the
row before a "Total" row is the last one. A value in several rows, or a row with no neighbour
on that side, makes the code decline with `cannot_answer` instead of picking one.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Final

from engine.code_names import DECLINE
from engine.errors import UnsupportedError
from engine.planner.intents.lookup import LOOKUP_WORDS
from engine.planner.intents.ranking import RowLabel
from engine.planner.matching import (
    ColumnMention,
    apply_synonyms,
    name_has,
    name_words,
    singular,
    tokenize,
    year_named,
)
from engine.planner.plans import Intent, Plan, new_plan
from engine.planner.query import Query
from engine.planner.snippets import col, measure_words, py
from engine.types import ColumnProfile, TableProfile


def _target(q: Query, fallback: ColumnProfile | None) -> ColumnProfile | None:
    """The one column asked about ('what club', 'who was the coach'), else `fallback`. Named
    loosely ("elected" for "Elected by") it may be a verb: no target then."""
    mentions = list(q.measures) + [m for m in (q.which, q.asked) if m is not None]
    if any(m.score < 1 for m in mentions):
        return None
    named = {m.column.name: m.column for m in mentions}
    if len(named) > 1:
        return None
    if named:
        return next(iter(named.values()))
    filtered = {f.column.name for f in q.filters}
    who = q.who if q.who is not None and q.who.name not in filtered else None
    return who or fallback  # "who was the first …" naming the row the question filters: no


class Neighbour(Intent):
    """'who was the coach after Ann Lee': a column of the row just below (or above) the
    one row a value names, in the table's order."""

    reads = frozenset({"position", "link"})
    computes = False

    def match(self, q: Query) -> Plan | None:
        sides = {v for _, f, v in q.keywords if f == "position"}
        if not sides:
            return None
        if sides - {"+1", "-1"} or len(sides) > 1:
            raise UnsupportedError("Say which side: the row above it, or the row below it.")
        said = {f for _, f, _ in q.keywords} - LOOKUP_WORDS - {"position", "row"}
        if len(q.values) != 1 or len(q.filters) != 1 or q.filters[0].op != "==" or said:
            return None
        value = q.filters[0]
        where = min(pos for pos, f, _ in q.keywords if f == "position")
        # "the next episode after X", "college of the previous pick": the rows' noun, asked
        # for when nothing else is
        nouns = [m for m in q.measures if m.start == where + 1]
        if any(m.start > where for m in q.measures if m not in nouns):
            return None  # "who finished after X in rank": ordered by rank, not by the table
        if nouns:
            q = replace(q, columns=tuple(m for m in q.columns if m not in nouns))
        mentioned = {m.column.name for m in (*q.measures, q.which, q.asked) if m is not None}
        if q.named_values and not q.measures and not q.which:
            target = q.named_values[0].column  # "who was the coach after Bo Chan"
        elif mentioned == {value.column.name}:  # "which church is below Christ the King":
            target = value.column  # the value's own column, however loosely named
        elif nouns and not mentioned:
            target = nouns[0].column
        else:
            target = _target(q, value.column)
        if target is None:
            return None
        side = int(sides.pop())
        parts = {"groups": (value.column,), "filters": (), "values": (value.value,), "n": side}
        return new_plan(q, self, measures=(target,), **parts)

    def explain(self, plan: Plan) -> str:
        side = "below" if plan.n == 1 else "above"
        return (
            f"{measure_words(plan)} of the row {side} the one where "
            f"{plan.groups[0].name} == {plan.values[0]}, in the table's order"
        )

    def gives(self, plan: Plan) -> str:
        return "number" if plan.measures[0].kind == "number" else "label"

    def pandas(self, plan: Plan, rows: str, frame: str) -> list[str]:
        key, value = plan.groups[0], plan.values[0]
        edge = "last" if plan.n == 1 else "first"
        at_edge = "at[0] + 1 == len(order)" if plan.n == 1 else "at[0] == 0"
        step = "at[0] + 1" if plan.n == 1 else "at[0] - 1"
        return [
            f"order = {rows}.reset_index(drop=True)",
            f"at = order.index[{col('order', key)} == {py(value)}]",
            "if len(at) != 1:",
            f'    {DECLINE}(f"that value is in {{len(at)}} rows, not one")',
            f"if {at_edge}:",
            f'    {DECLINE}("that value is in the {edge} row")',
            f"result = order.loc[{step}, {py(plan.measures[0].name)}]",
        ]


class ListEnd(Intent):
    """'who was the last driver on the list', 'the operator of the first terminal listed': a
    column of the first or last row, in the table's order. A column named right after "first"
    is the rows' noun ("the first terminal"), kept in `groups` for the explanation."""

    reads = frozenset({"first", "last", "link"})
    computes = False

    def match(self, q: Query) -> Plan | None:
        said_edges = {v for _, f, v in q.keywords if f == "listed" and v}  # "at the top"
        edges = said_edges | {f for _, f, _ in q.keywords if f in ("first", "last")}
        if not q.has("listed") or len(edges) != 1 or q.n:
            return None
        said = {f for _, f, _ in q.keywords} - {"first", "last", "listed", "which", "row", "link"}
        if said - {"during", "and"} or q.groups:
            return None
        last = "last" in edges
        edge = next(p for p, f, v in q.keywords if f in ("first", "last") or v in edges)
        nouns = [m for m in q.measures if m.start == edge + 1]
        others = [m for m in q.measures if m.start != edge + 1]
        if others or q.which or q.asked:
            target = _target(replace(q, columns=tuple(others)), None)
        else:
            target = _target(q, None) or _headed(q, nouns)
            nouns = []
        if target is None:
            return None
        noun = tuple(m.column for m in nouns if m.column.name != target.name)
        return new_plan(q, self, measures=(target,), groups=noun, n=-1 if last else 0)

    def explain(self, plan: Plan) -> str:
        which = "last" if plan.n == -1 else "first"
        return f"{measure_words(plan)} of the {which} row, in the table's order"

    def gives(self, plan: Plan) -> str:
        return "label"

    def pandas(self, plan: Plan, rows: str, frame: str) -> list[str]:
        return [f"result = {col(rows, plan.measures[0])}.iloc[{plan.n}]"]


WHERE_WHEN: Final = re.compile(r"\s*(?:where|when)\b", re.IGNORECASE)


def _headed(q: Query, nouns: list[ColumnMention]) -> ColumnProfile | None:
    """'the last city listed' beside a column "City 2010 census": a noun right after first or
    last that is the first word of one column's name names it, though loosely (a loose name
    elsewhere may be a verb)."""
    if len(nouns) != 1 or nouns[0].end - nouns[0].start != 1 or WHERE_WHEN.match(q.question):
        return None  # "where is the last plant located": its place, not the plant
    word = singular(apply_synonyms(tokenize(q.question), [q.table])[nouns[0].start].text)
    return nouns[0].column if name_words(nouns[0].column.name)[:1] == (word,) else None


class LatestRow(RowLabel):
    """'who was the last flag bearer', 'the first coach': a column of the row with the latest
    (or earliest) date or year, every tied row's. The table's one date column, or its one
    year column, says when; without one, "first" has no order to follow and this declines."""

    reads = frozenset({"first", "last", "link"})

    def match(self, q: Query) -> Plan | None:
        if not _first_or_last(q):
            return None
        time = time_column(q.table)
        target = _target(q, None)
        if time is None or target is None or (target.name == time.name and not q.filters):
            return None  # "the last year Chasetown won": the latest year of those rows
        parts = {"groups": (target,), "measures": (time,), "descending": q.has("last")}
        return new_plan(q, self, **parts)

    def explain(self, plan: Plan) -> str:
        when = "latest" if plan.descending else "earliest"
        return f"The {plan.groups[0].name} of the row with the {when} {plan.measures[0].name}"


class TableOrder(Intent):
    """'what was the last team he played for' with no one date or year column to order by: a
    column of the first or last row in the table's order. When run, every date or year column
    must run forward in that order (else "first" is unclear and it declines). A table with a
    place column (Rank, Pos …) is left to Placing: there "who was last" is the last place."""

    reads = LatestRow.reads
    computes = False

    def match(self, q: Query) -> Plan | None:
        if not _first_or_last(q):
            return None
        target = _target(q, None)
        if time_column(q.table) is not None or place_column(q.table) is not None or not target:
            return None
        times = tuple(c for c in q.table.columns if c.kind == "date" or _years(c))
        return new_plan(q, self, measures=(target,), groups=times, n=-1 if q.has("last") else 0)

    def explain(self, plan: Plan) -> str:
        which = "last" if plan.n == -1 else "first"
        return f"{measure_words(plan)} of the {which} row, in the table's order"

    def gives(self, plan: Plan) -> str:
        return "label"  # a cell as written, like ListEnd's

    def pandas(self, plan: Plan, rows: str, frame: str) -> list[str]:
        lines = []
        for c in plan.groups:  # the table's order must be the order in time
            read = "pd.to_datetime" if c.kind == "date" else "pd.to_numeric"
            lines += [
                f"if not {read}({col(rows, c)}, errors='coerce').dropna().is_monotonic_increasing:",
                f"    {DECLINE}({py(f'{c.name} does not run in the order of the table')})",
            ]
        return [*lines, f"result = {col(rows, plan.measures[0])}.iloc[{plan.n}]"]


def _first_or_last(q: Query) -> bool:
    """'who was the last coach': first or last (not both, not "listed"), and nothing else to
    compute."""
    if q.has("listed") or q.has("first") == q.has("last") or q.n or q.groups:
        return False
    said = {f for _, f, _ in q.keywords}
    return not said - {"first", "last", "which", "link", "during", "row"}


def _years(column: ColumnProfile) -> bool:
    return column.kind == "number" and year_named(column)


def time_column(table: TableProfile) -> ColumnProfile | None:
    """The table's one date column, or else its one numeric year column ("Year", "Event
    year"); None when there is none, or several."""
    dates = [c for c in table.columns if c.kind == "date"]
    years = [c for c in table.columns if _years(c)]
    found = dates or years
    return found[0] if len(found) == 1 else None


PLACE_COLUMN_WORDS: Final = frozenset(
    "rank ranking place placing position pos standing finish fin".split()
)
# A place as ranking tables write it: 1, "1st", "T3" (tied), "=3", "#1"
PLACE_PATTERN: Final = r"^\s*(?:[Tt]|=|#)?\s*(\d+)"


class Placing(Intent):
    """'who finished first', 'which nation came in last', 'how many times did they place
    1st': the row(s) whose rank column (Rank, Pos, Place …) holds that place. Places are read
    from the cells ("1st", "T3" for a tie), every tied row is named, and "last" is the highest
    place only when every filled cell is a place ("Ret" or "DNF" below the places: declined).
    Blank cells above the first place (medal images in the source: blank, blank, blank, 4, 5
    …) follow the table's order.
    """

    reads = frozenset({"placed", "link"})
    computes = False

    def match(self, q: Query) -> Plan | None:
        places = {v for _, f, v in q.keywords if f == "placed"}
        if not places:
            return None
        if len(places) > 1:
            raise UnsupportedError("The question names two places; ask about one at a time.")
        said = {f for _, f, _ in q.keywords} - {"placed", "which", "during", "link", "row"}
        counting = q.has("count") and q.value("count") == "many"
        if counting and q.value("agg") == "sum":
            said.discard("agg")  # "how many times total did they finish first"
        if said - ({"count"} if counting else set()) or q.groups:
            return None
        rank = place_column(q.table)
        if rank is None:
            raise UnsupportedError(
                "No column holds the places (one named Rank, Place, Pos or Position), so I "
                "cannot tell who finished where."
            )
        place = places.pop()
        parts = {"groups": (rank,), "values": (place,)}
        if counting:  # "how many times …", "how many teams came in 3rd": rows, or names
            named = {m.column.name: m.column for m in q.measures}
            if place == "last" or q.which or q.asked or len(named) > 1:
                return None
            if any(c.kind != "text" or c.name == rank.name for c in named.values()):
                return None
            return new_plan(q, self, agg="count", measures=tuple(named.values()), **parts)
        named = {m.column.name: m.column for m in (*q.measures, q.which, q.asked) if m}
        named.pop(rank.name, None)
        if len(named) > 1 or any(m.score < 1 for m in q.measures):
            return None
        if named:
            target = next(iter(named.values()))
        elif q.asks_who and q.who is not None and q.who.name != rank.name:
            target = q.who  # "who finished first": the column naming each row
        else:
            return None
        return new_plan(q, self, measures=(target,), **parts)

    def explain(self, plan: Plan) -> str:
        place = "the last place" if plan.values[0] == "last" else f"place {plan.values[0]}"
        if plan.agg == "count":
            what = f"distinct {plan.measures[0].name}" if plan.measures else "rows"
            return f"Number of {what} with {place} in {plan.groups[0].name}"
        return f"{measure_words(plan)} of the row with {place} in {plan.groups[0].name}"

    def gives(self, plan: Plan) -> str:
        if plan.agg == "count" or plan.measures[0].kind == "number":
            return "number"
        return "label"

    def pandas(self, plan: Plan, rows: str, frame: str) -> list[str]:
        rank, wanted = plan.groups[0].name, plan.values[0]
        lines = _place_lines(rows, rank)
        if wanted == "last":
            lines += [
                "if (place.isna() & cells.notna()).any():  # 'Ret', 'DNF': below every place",
                f"    {DECLINE}({py(f'some {rank} cells are not places, so the last is unclear')})",
                "wanted = place.max()",
            ]
        else:
            lines.append(f"wanted = {int(wanted)}")
        if plan.agg == "count" and plan.measures:
            named = col(f"{rows}.loc[place == wanted]", plan.measures[0])
            return [*lines, f"result = int({named}.nunique())"]
        if plan.agg == "count":
            return [*lines, "result = int((place == wanted).sum())"]
        target = py(plan.measures[0].name)
        missing = f"f'no row with place {{wanted:g}} in ' + {py(f'{rank} has a ')} + {target}"
        return [*lines, *_tied_pick(rows, "place == wanted", target, missing)]


def _tied_pick(rows: str, where: str, target: str, missing: str) -> list[str]:
    """Lines that set `result` to the `target` cell of the rows `where` keeps, every tied row's
    when several, declining with `missing` (an expression) when none or a blank one."""
    return [
        f"picked = {rows}.loc[{where}, {target}].drop_duplicates()",
        "if picked.empty or picked.isna().any():",
        f"    {DECLINE}({missing})",
        "result = picked.iloc[0] if len(picked) == 1 else picked.reset_index(drop=True)  # ties",
    ]


def _place_lines(rows: str, rank: str) -> list[str]:
    """Lines that read `cells` (the rank column of `rows`) as `place` numbers ("1st", "T3",
    "=3"), declining when none is a number. Blank cells above the first place (medal images
    in the source) take their row's order."""
    return [
        f"cells = {col(rows, rank)}",
        f"place = pd.to_numeric(cells.astype(str).str.extract({PLACE_PATTERN!r}, "
        "expand=False), errors='coerce')",
        "# blank cells above the first place (medals shown as pictures): their row order",
        "lead = cells.isna().astype(int).cummin().astype(bool)",
        "if lead.all() or (lead.any() and place[~lead].iloc[0] == lead.sum() + 1):",
        "    place = place.where(~lead, pd.Series(range(1, len(cells) + 1), index=cells.index))",
        "elif place.isna().all():",
        f"    {DECLINE}({py(f'{rank} holds no places as numbers')})",
    ]


class PlaceAmong(Intent):
    """'who was the first finisher from Russia', 'the top finisher from Poland', 'who was
    last': in a table with a place column (Rank, Pos …) and no one date or year column, the
    row with the best (or worst) place among the rows the question asks about. For "first"
    and "last" the places must run forward in the table's order when run (a results list; a
    season's games beside a poll rank do not), so that they mean the same by place and by
    position in the list, else it declines; "top" is said of places only. Tied rows are all
    named; "last" declines when a cell of those rows is not a place (blank, "DNF": did that
    player finish last, or not at all?)."""

    reads = frozenset({"first", "last", "super", "link"})
    computes = False

    def match(self, q: Query) -> Plan | None:
        edge = _ranked_edge(q)
        if edge is None:
            return None
        rank = place_column(q.table)
        if rank is None or time_column(q.table) is not None:
            return None
        # "the top placed country": the place column named beside the edge is what it ranks by
        q = replace(q, columns=tuple(m for m in q.columns if m.column.name != rank.name))
        target = _target(q, None)
        if target is None:
            return None
        if q.asks_who and q.who is not None and target.name != q.who.name:
            return None  # "who was picked in the first round": Round is no one's name
        n = -1 if edge == "last" else 0
        return new_plan(q, self, measures=(target,), groups=(rank,), n=n, values=(edge,))

    def explain(self, plan: Plan) -> str:
        which = "highest" if plan.n == -1 else "lowest"
        return f"{measure_words(plan)} of the row with the {which} {plan.groups[0].name}"

    def gives(self, plan: Plan) -> str:
        return "number" if plan.measures[0].kind == "number" else "label"

    def pandas(self, plan: Plan, rows: str, frame: str) -> list[str]:
        rank, target = plan.groups[0].name, py(plan.measures[0].name)
        lines = _place_lines(frame, rank)  # the whole table's order, not only these rows'
        if plan.values != ("top",):  # "first" and "last" could also be the list's order
            lines += [
                "if not place.dropna().is_monotonic_increasing:",
                f"    {DECLINE}({py(f'{rank} does not run in the order of the table')})",
            ]
        lines.append(f"among = place.loc[{rows}.index]")
        if plan.n == -1:
            lines += [
                "if among.isna().any():  # blank, 'DNF', 'Ret': below every place, or not placed",
                f"    {DECLINE}({py(f'some {rank} cells are not places, so the last is unclear')})",
            ]
        pick = "max" if plan.n == -1 else "min"
        missing = f"{py(f'no row asked about has both a place in {rank} and a ')} + {target}"
        return [*lines, *_tied_pick(rows, f"among == among.{pick}()", target, missing)]


# The word that asks for an end of a ranking, and the keyword it must have been read as
_RANKED_EDGES: Final = {"first": "first", "last": "last", "top": "super"}


def _ranked_edge(q: Query) -> str | None:
    """ "first", "last" or "top" (said as such: "oldest" is no place) when it is the one thing
    to compute besides the rows' filters; "from" before a value ("from Russia") is no
    comparison."""
    said = {w.lower() for w in re.findall(r"\b(first|last|top)\b", q.question, re.IGNORECASE)}
    if len(said) != 1 or q.has("listed") or q.n or q.groups:
        return None
    edge = said.pop()
    feature = _RANKED_EDGES[edge]
    if feature == "super" and q.value("super") != "desc":
        return None
    features = {f for _, f, _ in q.keywords}
    if "tcmp" in features and all(f.op == "==" for f in q.filters):
        features.discard("tcmp")  # "from Poland": a value, not a time
    if edge == "top":
        at = next(p for p, f, _ in q.keywords if f == "super")
        if any(p == at + 1 and f in ("link", "gain") for p, f, _ in q.keywords):
            return None  # "the top scoring team": the most goals, not the best place
        if re.search(r"\btop[- ]ranked\b", q.question, re.IGNORECASE):
            features.discard("sort")  # "the top ranked competitor": the lowest place
    if feature not in features or features - {feature, "which", "link", "during", "row"}:
        return None
    return edge


def place_column(table: TableProfile) -> ColumnProfile | None:
    """The table's one column of places (Rank, Pos, Place, Position …); None when none or
    several."""
    found = [c for c in table.columns if name_has(c, PLACE_COLUMN_WORDS)]
    return found[0] if len(found) == 1 else None
