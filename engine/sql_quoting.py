"""Column names with spaces or punctuation, written unquoted in generated SQL, quoted before the
code runs.

The local model writes `WHERE Awarding_Body = 'Nigeria'` or `ORDER BY Total Points` for the
columns "Awarding Body" and "Total Points": DuckDB then fails ("Referenced column not found",
"syntax error at or near Points"), or, worse, reads `SELECT Total Points` as the column Total
renamed Points. Repairs rarely help: on 62 wtq-train questions the model wrote the same code
again after 3 such errors. The name it meant is not in doubt when its words, joined by spaces or
underscores, spell exactly one column, so the code is fixed here, where the code you see is the
code that runs. Text inside quoted names and comments is never touched.

A column written as a string ('Years until retirement' = '17 years', ORDER BY CAST(REPLACE('% of
popular vote', '%', '') AS REAL)) is a constant to SQL: the filter matches no row, the sort
does nothing, the cast fails. On wtq-train 2 of the 26 SQL programs of one 100-question run
did that. Such a string becomes the quoted column where a constant means nothing: compared or
combined with another constant, sorted or grouped by, or the first argument of a cast or a
function of a column's values. A string compared with a column is a value, and stays one.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

from engine.code_names import SQL
from engine.columns import letters_of
from engine.databases.guard import SOURCE_DIALECT
from engine.extraction import spliced
from engine.sql_reading import sql_literals
from engine.types import TableProfile

_PLAIN: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# What SQL text may hold that is not code: a string, a quoted name, a comment.
_PROTECTED: Final = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|/\*.*?\*/", re.DOTALL)
_WORD_PART: Final = re.compile(r"\w+")
_RUN: Final = re.compile(r"[^\W_]+")  # letters and digits


def sql_with_quoted_columns(code: str, profiles: Sequence[TableProfile]) -> str:
    """`code` with each unquoted spelling of a spaced column name in its SQL text quoted.

    Only literal SQL is rewritten: a string passed to `sql(...)` directly or through a name
    assigned once. Literals with escapes or prefixes (f-strings, raw strings) are left alone, as
    is code that does not parse.
    """
    names = frozenset(c.name for p in profiles for c in p.columns)
    if not names or SQL not in code:
        return code
    spellings = _spellings(names)
    keywords = _keyword_columns(names)
    folded: dict[str, list[str]] = {}
    for name in names:
        folded.setdefault(name.casefold(), []).append(name)

    def fixed(sql: str) -> str:
        quoted = spellings.quoted(sql) if spellings is not None else sql
        return _keyword_columns_quoted(_strings_as_columns(quoted, folded), keywords)

    return sql_texts_rewritten(code, fixed)


def sql_texts_rewritten(code: str, fix: Callable[[str], str]) -> str:
    """`code` with `fix` applied to the text of each literal SQL string it runs (a string passed
    to `sql(...)` directly or through a name assigned once), written back as a Python literal.
    Literals with escapes or prefixes (f-strings, raw strings) are left alone, as is code that
    does not parse."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return code
    edits = []
    for node in sql_literals(tree):
        source = ast.get_source_segment(code, node)
        if source is None or not isinstance(node.value, str):
            continue
        quote = _delimiter(source)
        if quote is None or source[len(quote) : -len(quote)] != node.value:
            continue  # escapes or a prefix: the text is not the value
        fixed = fix(node.value)
        literal = _literal(fixed, multiline=len(quote) == 3) if fixed != node.value else None
        if literal is not None and node.end_lineno is not None and node.end_col_offset is not None:
            edits.append(
                (node.lineno, node.col_offset, node.end_lineno, node.end_col_offset, literal)
            )
    return spliced(code, edits)


def _strings_as_columns(sql: str, folded: dict[str, list[str]]) -> str:
    """`sql` with each string that spells a column (exactly, or in other case when only one
    column is spelt so), where a constant means nothing, written as the quoted column.
    `folded`: the columns by their case-folded name."""

    def as_column(literal: Any, _: str) -> str | None:
        same = folded.get(literal.this.casefold(), [])
        name = literal.this if literal.this in same else same[0] if len(same) == 1 else None
        if name is None or not _means_a_column(literal):
            return None
        return '"' + name.replace('"', '""') + '"'

    return sql_strings_replaced(sql, as_column)


def sql_strings_replaced(sql: str, replaced: Callable[[Any, str], str | None]) -> str:
    """`sql` with each string literal that `replaced` gives a text for (it is passed sqlglot's
    literal and the literal as written, quotes included) written so; `sql` itself when it does
    not parse. Quoted names and comments are never touched."""
    from sqlglot import exp, parse_one
    from sqlglot.errors import SqlglotError

    try:
        tree = parse_one(sql, read=SOURCE_DIALECT)
    except SqlglotError:
        return sql
    edits = []
    for literal in tree.find_all(exp.Literal):
        start, end = literal.meta.get("start"), literal.meta.get("end")
        if not literal.is_string or start is None or end is None:
            continue
        text = replaced(literal, sql[start : end + 1])
        if text is not None:
            edits.append((start, end + 1, text))
    for start, end, text in sorted(edits, reverse=True):
        sql = sql[:start] + text + sql[end:]
    return sql


def _keyword_columns_quoted(sql: str, keywords: re.Pattern[str] | None) -> str:
    """`sql` with each column `_keyword_columns` spells quoted where it is written in the
    column's own case, outside strings, quoted names and comments: `WHERE From = '1464-08-01'`
    does not parse (wtq-train nt-1998 failed so). The model writes the keywords themselves in
    capitals, so `FROM` stays a keyword. Done only when the query does not parse as written and
    does once quoted."""
    if keywords is None or _parses(sql):
        return sql
    quoted = _outside_protected(sql, lambda text: keywords.sub(r'"\1"', text))
    return quoted if quoted != sql and _parses(quoted) else sql


def _keyword_columns(names: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern for the columns named by a word DuckDB reserves ("From", "To", "Group",
    "Order": 32 of wtq-train's 1,174 tables have one), each in its own case; None when there is
    none. A column named in capitals or in lower case, like the keywords, is left out."""
    reserved = _reserved_words()
    named = [n for n in names if n.casefold() in reserved and not (n.isupper() or n.islower())]
    if not named:
        return None
    return re.compile(rf"(?<![\w\"])({'|'.join(map(re.escape, named))})(?![\w\"])")


@cache
def _reserved_words() -> frozenset[str]:
    """The words DuckDB's parser reserves, in lower case, as this DuckDB lists them."""
    import duckdb

    with duckdb.connect() as con:
        rows = con.execute(
            "SELECT keyword_name FROM duckdb_keywords() WHERE keyword_category = 'reserved'"
        ).fetchall()
    return frozenset(str(word).casefold() for (word,) in rows)


def _parses(sql: str) -> bool:
    """True when DuckDB's own parser reads `sql` (nothing is run)."""
    import duckdb

    try:
        duckdb.extract_statements(sql)
    except duckdb.Error:
        return False
    return True


def _means_a_column(literal: Any) -> bool:
    """A string where only a column makes sense: an operand of a comparison or arithmetic whose
    other side names no column, a sort or group key, or the first argument of a cast or of a
    function of a column's values."""
    from sqlglot import exp

    parent, key = literal.parent, literal.arg_key
    if isinstance(parent, exp.Ordered | exp.Group):
        return True
    of_values = (exp.Cast, exp.AggFunc, exp.Replace, exp.Lower, exp.Upper, exp.Trim, exp.Length)
    if isinstance(parent, (*of_values, exp.Abs, exp.Round)):
        return key == "this"
    if isinstance(parent, exp.Binary) and not isinstance(parent, exp.Connector):
        other = parent.expression if key == "this" else parent.this
        return other is not None and other.find(exp.Column) is None
    return False


def _spellings(names: Iterable[str]) -> _Spellings | None:
    """One pattern for every name that needs quoting, longest first, each space matching spaces
    or an underscore. A name whose word parts are all columns of their own ("Goals-Against"
    beside Goals and Against) may be meant as arithmetic, and is left out.

    A name of several runs of letters and digits also matches them joined by underscores, as
    the model makes a name an identifier ('No_of_villages' for "No. of villages", 'B_sides' for
    "B-sides": on wtq-train seed 2032 it wrote them again after "did you mean", and the turn
    failed), when no other column has those letters (`letters_of`) and no call follows."""
    names = set(names)
    lowered = {n.casefold() for n in names}
    keys = Counter(letters_of(n) for n in names)
    spellings = {}
    for name in names:
        if _PLAIN.fullmatch(name) or not re.search(r"[A-Za-z]", name) or "\n" in name:
            continue
        parts = _WORD_PART.findall(name)
        if len(parts) > 1 and all(p.casefold() in lowered for p in parts):
            continue
        body = r"(?:\s+|_)".join(re.escape(w) for w in name.split())
        head = r"(?<![\w\"])" if re.match(r"\w", name) else ""
        tail = r"(?![\w\"])" if re.search(r"\w$", name) else ""
        spelt = [f"{head}{body}{tail}"]
        runs = _RUN.findall(name)
        if len(runs) > 1 and keys[letters_of(name)] == 1:
            joined = "_+".join(re.escape(r) for r in runs)
            spelt.append(rf"(?<![\w\"]){joined}(?![\w\"]|\s*\()")
        spellings[name] = "|".join(spelt)
    if not spellings:
        return None
    ordered = tuple(sorted(spellings, key=len, reverse=True))
    pattern = re.compile("|".join(f"({spellings[n]})" for n in ordered), re.IGNORECASE)
    return _Spellings(pattern, ordered)


@dataclass(frozen=True)
class _Spellings:
    pattern: re.Pattern[str]
    names: tuple[str, ...]  # the column each group of the pattern spells, in group order

    def quoted(self, sql: str) -> str:
        """`sql` with the names outside strings, quoted names and comments quoted."""
        return _outside_protected(sql, lambda text: self.pattern.sub(self._quote, text))

    def _quote(self, match: re.Match[str]) -> str:
        name = self.names[(match.lastindex or 1) - 1]
        return '"' + name.replace('"', '""') + '"'


def _outside_protected(sql: str, edit: Callable[[str], str]) -> str:
    """`sql` with `edit` applied to each stretch outside strings, quoted names and comments."""
    out, at = [], 0
    for protected in _PROTECTED.finditer(sql):
        out += [edit(sql[at : protected.start()]), protected.group()]
        at = protected.end()
    return "".join([*out, edit(sql[at:])])


def _delimiter(source: str) -> str | None:
    """The quotes around a plain literal's source ('""" ' , "' ", …); None for prefixed ones." ""
    for quote in ('"""', "'''", '"', "'"):
        if source.startswith(quote) and source.endswith(quote) and len(source) >= 2 * len(quote):
            return quote
    return None


def _literal(value: str, *, multiline: bool) -> str:
    """A Python literal for `value`: triple-quoted when the original was, else one quote, else
    triple quotes (the quoted names add double quotes to text that often has single ones)."""
    singles = ("'", '"')
    triples = ('"""', "'''")
    for quote in triples + singles if multiline else singles + triples:
        if "\\" in value or quote in value:
            continue
        if len(quote) == 1 and "\n" in value or len(quote) == 3 and value.endswith(quote[0]):
            continue
        return f"{quote}{value}{quote}"
    return repr(value)
