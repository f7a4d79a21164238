"""Column names that generated code references, checked against the schema before it runs.

A misspelt column is the most common bug in generated pandas code; catching it here costs no
sandbox run, and the repair prompt gets "column X does not exist; did you mean Y" (issue 4). The
check is deliberately conservative: it looks only at plain string keys on a table variable (or a
column-preserving chain like `df.groupby(...)[...]`), column arguments of common methods and
plotly express calls, and it ignores any name the code itself creates.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Final

from engine.code_names import DECLINE, FIRST_TABLE
from engine.extraction import called_name, spliced
from engine.sql_reading import sql_queries, sql_unknown_columns
from engine.types import TableProfile
from engine.year_columns import years_in_names

# Methods whose result still has the table's columns, so `x.method(...)[col]` refers to them.
_PRESERVING: Final = frozenset(
    "groupby sort_values dropna fillna head tail copy drop_duplicates nlargest nsmallest sample "
    "query loc iloc at astype where mask sort_index rolling expanding resample".split()
)
# Methods whose string arguments name columns: method -> (positional indexes, keywords).
_COLUMN_ARGS: Final[dict[str, tuple[tuple[int, ...], tuple[str, ...]]]] = {
    "groupby": ((0,), ("by",)),
    "sort_values": ((0,), ("by",)),
    "value_counts": ((0,), ("subset",)),
    "dropna": ((), ("subset",)),
    "drop_duplicates": ((0,), ("subset",)),
    "nlargest": ((1,), ("columns",)),
    "nsmallest": ((1,), ("columns",)),
    "set_index": ((0,), ("keys",)),
    "pivot_table": ((), ("values", "index", "columns")),
}
_PX_COLUMN_KEYWORDS: Final = frozenset(
    "x y z color size symbol facet_col facet_row hover_name text names values line_group "
    "animation_frame".split()
)
# A "did you mean" is offered only for a near-spelling of a real column: similar letters
# (rapidfuzz ratio ≥ 80: "prices", "regio", "lenght") or the same words shortened ("bill_len",
# "mass" for body_mass_g). A different concept ("customer" for order_id) gets none: it would
# steer a repair to answer another question (issue 13).
_SUGGEST_CUTOFF: Final = 80.0
_WORD: Final = re.compile(r"[a-z]+|\d+")
_NOT_LETTERS: Final = re.compile(r"[\W_]+")  # spaces, punctuation, soft hyphens


@dataclass(frozen=True)
class ColumnProblem:
    """A referenced column that no table has, with the closest real name if there is one."""

    table: str
    column: str
    suggestion: str | None
    available: tuple[str, ...]

    @property
    def for_user(self) -> str:
        """The facts: the column is missing; the near name, or the columns there are."""
        missing = f"column {self.column!r} does not exist in table {self.table}"
        if self.suggestion:
            return f"{missing}; did you mean {self.suggestion!r}?"
        shown = ", ".join(repr(c) for c in self.available[:40])
        more = f" (and {len(self.available) - 40} more)" if len(self.available) > 40 else ""
        years = f" {self.years}" if self.years else ""
        return f"{missing}. Its columns are: {shown}{more}.{years}"

    @cached_property
    def years(self) -> str:
        """Where the years are when the missing column is a year and the names hold them."""
        return years_in_names(self.column, self.available)

    @property
    def message(self) -> str:
        """For the model's repair: the facts, and to decline when no column fits (issue 16:
        the page shows `for_user`, which does not tell you to call a function)."""
        if self.suggestion or self.years:
            return self.for_user
        return (
            f"{self.for_user} If the question needs a column the tables do not have, call "
            f"{DECLINE}(...) instead of using another one."
        )


def unknown_columns(code: str, profiles: Sequence[TableProfile]) -> list[ColumnProblem]:
    """Columns the code reads that its tables do not have, in pandas or in the SQL it runs
    (empty when the code does not parse)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    found = [(t, node.value, columns) for t, columns, node in _unknown_references(tree, profiles)]
    tables = {p.name: p.column_names for p in profiles}
    if profiles:
        tables.setdefault(FIRST_TABLE, profiles[0].column_names)
    found += [ref for query in sql_queries(tree) for ref in sql_unknown_columns(query, tables)]
    problems: dict[tuple[str, str], ColumnProblem] = {}
    for table, column, columns in found:
        display = profiles[0].name if table == FIRST_TABLE and profiles else table
        problems.setdefault(
            (display, column),
            ColumnProblem(display, column, _closest(column, columns), tuple(columns)),
        )
    return list(problems.values())


def columns_as_stored(code: str, profiles: Sequence[TableProfile]) -> str:
    """`code` with each column name it spells with other spaces, punctuation or case than the
    table does written as stored: 'Pick' for "Pick #", 'Name_of_ship' for "Name of ship",
    'Subdivisions' for a header holding an invisible soft hyphen. The name meant is not in doubt
    when its letters and digits, in order, are those of exactly one column, and the small model
    does not fix it when asked: on wtq-train it wrote `df['Pick']` again after "did you mean
    'Pick #'?" on both samples. Anything else unknown is left to `unknown_columns`."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return code
    edits = []
    for _, columns, node in _unknown_references(tree, profiles):
        key = letters_of(node.value)
        same = [c for c in columns if key and letters_of(c) == key]
        if len(same) == 1 and node.end_lineno is not None and node.end_col_offset is not None:
            edits.append(
                (node.lineno, node.col_offset, node.end_lineno, node.end_col_offset, repr(same[0]))
            )
    return spliced(code, edits)


def _unknown_references(
    tree: ast.Module, profiles: Sequence[TableProfile]
) -> list[tuple[str, tuple[str, ...], ast.Constant]]:
    """The column names the code reads from a table it does not rebind, that the table does not
    have and the code does not make itself: each with its table (as named in the code) and the
    table's columns. What the column check reports and the respelling rewrites."""
    checked = {name: p.column_names for name, p in checked_tables(tree, profiles).items()}
    source = _taken_rows(tree, checked)
    created = created_names(tree)
    return [
        (source[name], checked[source[name]], node)
        for name, node in _reference_nodes(tree, source)
        if node.value not in checked[source[name]] and node.value not in created
    ]


def _taken_rows(tree: ast.Module, tables: Collection[str]) -> dict[str, str]:
    """Each table, and each name bound once to some of its rows (a filter, a sort, `.copy()`,
    `.loc[mask]`, `.head()`), with that table: they have its columns. DABench-dev 492's
    `df_2010 = df[df['Year'] == 2010]` then read `df_2010.loc[..., 'Field']`, which the table
    does not have, and failed in the sandbox as a bare KeyError; its repair wrote it again."""
    stores = Counter(
        n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    )
    renamed = _renamed(tree)
    bound: list[tuple[str, str | None]] = []  # each name bound once, and the chain's root
    for node in ast.walk(tree):
        one = isinstance(node, ast.Assign) and len(node.targets) == 1
        target = node.targets[0] if one else None
        if isinstance(target, ast.Name) and stores[target.id] == 1 and target.id not in renamed:
            root, preserving = table_root(node.value)
            if preserving:
                bound.append((target.id, root))
    source = {table: table for table in tables}
    grew = True
    while grew:  # rows taken from rows taken from a table
        grew = False
        for name, root in bound:
            if name not in source and root in source:
                source[name] = source[root]
                grew = True
    return source


def _renamed(tree: ast.Module) -> set[str]:
    """Names whose columns the code renames in place (`df.columns = [...]`)."""
    return {
        node.value.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.ctx, ast.Store)
        and node.attr == "columns"
        and isinstance(node.value, ast.Name)
    }


def letters_of(name: str) -> str:
    """A name's letters and digits, in order and in one case: two spellings of one column
    ('Name_of_ship', "Name of ship") have the same."""
    return _NOT_LETTERS.sub("", name.casefold())


def checked_tables(tree: ast.Module, profiles: Sequence[TableProfile]) -> dict[str, TableProfile]:
    """The tables the code reads by name (the first one also as `df`) and does not rebind to
    something with other columns: the ones whose columns a check can trust."""
    tables = {p.name: p for p in profiles}
    if profiles and FIRST_TABLE not in tables:
        tables[FIRST_TABLE] = profiles[0]
    names = {name: p.column_names for name, p in tables.items()}
    rebound = _rebound(tree, names) | _renamed(tree)
    return {name: p for name, p in tables.items() if name not in rebound}


def _closest(column: str, columns: Sequence[str]) -> str | None:
    """The real column `column` is a near-spelling of, if exactly one is that close."""
    folded = {c.casefold().replace(" ", "_"): c for c in columns}
    key = column.casefold().replace(" ", "_")
    if key in folded:
        return folded[key]
    from rapidfuzz import fuzz, process

    found = process.extractOne(key, list(folded), scorer=fuzz.ratio, score_cutoff=_SUGGEST_CUTOFF)
    if found:
        return folded[found[0]]
    shortened = [c for c in columns if _shortens(key, c)]
    return shortened[0] if len(shortened) == 1 else None


def _shortens(name: str, column: str) -> bool:
    """True when each word of `name` is a word of `column`, or its start, in the same order."""
    words, target = _WORD.findall(name), _WORD.findall(column.casefold())
    i = 0
    for word in words:
        while i < len(target) and not (
            target[i] == word or (len(word) >= 3 and target[i].startswith(word))
        ):
            i += 1
        if i == len(target):
            return False
        i += 1
    return bool(words)


def table_root(node: ast.expr) -> tuple[str | None, bool]:
    """The Name a chain starts from, and whether every step keeps the table's columns."""
    preserving = True
    while True:
        if isinstance(node, ast.Name):
            return node.id, preserving
        if isinstance(node, ast.Attribute):
            preserving = preserving and node.attr in _PRESERVING
            node = node.value
        elif isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Attribute) or node.func.attr not in _PRESERVING:
                preserving = False
            node = node.func.value if isinstance(node.func, ast.Attribute) else node.func
        elif isinstance(node, ast.Subscript):
            # df[mask], df.loc[mask] and df.loc[mask, :] keep the columns; df["col"] and
            # df.loc[mask, "col"] select some
            located = _located_columns(node)
            if string_literals(node.slice) or not isinstance(located, ast.Slice | None):
                preserving = False
            node = node.value
        else:
            return None, False


def string_literals(node: ast.expr | None) -> list[str]:
    """The strings of a string literal, or of a list or tuple of nothing but string literals;
    none for anything else."""
    return [c.value for c in _string_nodes(node)]


def _string_nodes(node: ast.expr | None) -> list[ast.Constant]:
    """A string literal, or a list or tuple of nothing but string literals."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node]
    if isinstance(node, ast.List | ast.Tuple):
        if node.elts and all(
            isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts
        ):
            return [e for e in node.elts if isinstance(e, ast.Constant)]
    return []


def _reference_nodes(tree: ast.Module, tables: Collection[str]) -> list[tuple[str, ast.Constant]]:
    """The string literals the code uses as column names of a table, with the table."""
    found: list[tuple[str, ast.Constant]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            root, preserving = table_root(node.value)
            if root in tables and preserving:
                found += [(root, c) for c in _string_nodes(node.slice)]
                found += [(root, c) for c in _string_nodes(_located_columns(node))]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            method = node.func.attr
            owner = node.func.value
            if method in _COLUMN_ARGS:
                root, preserving = table_root(owner)
                if root in tables and preserving:
                    found += [
                        (root, c) for a in _column_argument_nodes(node) for c in _string_nodes(a)
                    ]
            if isinstance(owner, ast.Name) and owner.id == "px":
                data = node.args[0] if node.args else None
                data = next((k.value for k in node.keywords if k.arg == "data_frame"), data)
                if isinstance(data, ast.Name) and data.id in tables:
                    found += [
                        (data.id, c)
                        for k in node.keywords
                        if k.arg in _PX_COLUMN_KEYWORDS
                        for c in _string_nodes(k.value)
                    ]
    return found


def column_arguments(call: ast.Call) -> list[str]:
    """The column names a method's arguments give (`sort_values('Votes')`, `nlargest(3,
    'Votes')`, `groupby(by=['a', 'b'])`), for the methods that take columns so."""
    return [c for a in _column_argument_nodes(call) for c in string_literals(a)]


def _column_argument_nodes(call: ast.Call) -> list[ast.expr]:
    method = call.func.attr if isinstance(call.func, ast.Attribute) else ""
    if method not in _COLUMN_ARGS:
        return []
    positions, keywords = _COLUMN_ARGS[method]
    args = [call.args[i] for i in positions if i < len(call.args)]
    return args + [k.value for k in call.keywords if k.arg in keywords]


def _located_columns(node: ast.Subscript) -> ast.expr | None:
    """The columns of `.loc[rows, columns]` or `.at[row, column]`; None for anything else."""
    located = isinstance(node.value, ast.Attribute) and node.value.attr in ("loc", "at")
    if located and isinstance(node.slice, ast.Tuple) and len(node.slice.elts) == 2:
        return node.slice.elts[1]
    return None


def _rebound(tree: ast.Module, tables: dict[str, tuple[str, ...]]) -> set[str]:
    """Table names the code reassigns to something that may have other columns (merge, agg...).
    A copy of a table with the same columns is no rebinding: the local model opens most
    programs with `df = <first table>.copy()` (20 of 27 on DABench-dev questions 41-67), and
    that left `df` unchecked."""
    rebound: set[str] = set()
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets, value = [node.target], node.value
        elif isinstance(node, ast.For | ast.comprehension):
            targets = [node.target]
        elif isinstance(node, ast.With):
            targets = [i.optional_vars for i in node.items if i.optional_vars is not None]
        for target in targets:
            for name in ast.walk(target):
                if (
                    isinstance(name, ast.Name)
                    and name.id in tables
                    and isinstance(name.ctx, ast.Store)
                ):
                    root, preserving = table_root(value) if value is not None else (None, False)
                    if not (preserving and tables.get(root) == tables[name.id]):
                        rebound.add(name.id)
    return rebound


def created_names(tree: ast.Module) -> set[str]:
    """Names the code makes itself: assigned and inserted columns, keyword names, rename
    targets, aliases."""
    created: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store):
            created.update(string_literals(node.slice))
            if isinstance(node.slice, ast.Tuple):  # df.loc[mask, "new"] = ...
                for element in node.slice.elts:
                    created.update(string_literals(element))
        elif isinstance(node, ast.Call):
            if called_name(node.func) == "insert" and len(node.args) >= 2:
                created.update(string_literals(node.args[1]))  # df.insert(0, "new", values)
            for keyword in node.keywords:
                if keyword.arg:
                    created.add(keyword.arg)  # assign(x=...), agg(total=...)
                if keyword.arg in ("name", "columns", "value_name", "var_name"):
                    created.update(string_literals(keyword.value))
                    if isinstance(keyword.value, ast.Dict):  # rename(columns={"a": "b"})
                        for v in keyword.value.values:
                            created.update(string_literals(v))
        elif isinstance(node, ast.Dict):
            for key in node.keys:
                created.update(string_literals(key) if key is not None else [])
    return created


def summed_text_columns(code: str, profiles: Sequence[TableProfile]) -> list[str]:
    """Text columns the code adds up with `.sum()` (`df[mask]['Score'].sum()`, also after a
    groupby): pandas joins their texts end to end ("3 – 12 – 03 – 11 – 0" for the points of
    five scores), a silent wrong answer. A column the code assigns or converts itself (by name,
    as in `astype({'Score': int})`) is left out, as is a table it rebinds."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    checked = checked_tables(tree, profiles)
    created = created_names(tree)
    found = [
        name
        for profile, name, _ in columns_called(tree, checked, {"sum"})
        if (column := profile.column(name)) is not None
        and column.kind == "text"
        and name not in created
    ]
    return list(dict.fromkeys(found))


def columns_called(
    tree: ast.Module, tables: dict[str, TableProfile], methods: Collection[str]
) -> list[tuple[TableProfile, str, str]]:
    """(table, column, method) for each call of one of `methods` on a table's columns,
    `df[mask]['Score'].sum()` or `df.groupby('a')['Votes'].max()`, where `tables` are the
    tables a check trusts (`checked_tables`) and every step keeps their columns."""
    found: list[tuple[TableProfile, str, str]] = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in methods
            and isinstance(node.func.value, ast.Subscript)
        ):
            continue
        owner = node.func.value
        root, preserving = table_root(owner.value)
        profile = tables.get(root or "")
        if profile is not None and preserving:
            found += [(profile, name, node.func.attr) for name in string_literals(owner.slice)]
    return found
