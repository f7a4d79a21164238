"""Names for tables and columns: valid, readable, unique, and quoted for DuckDB.

`Sales 2024.csv` becomes table `sales_2024`; blank and duplicate headers become `column_3`,
`price_2`, so generated code can name every column. `quote_ident` is the one place SQL quotes a
name (loading, profiling, the planner's SQL): a column called `a "b"` must not end the quote.
"""

from __future__ import annotations

import keyword
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable
from pathlib import Path

from engine.code_names import RESERVED  # names the code already has: no table shadows them

_NON_WORD = re.compile(r"[^0-9a-zA-Z_]+")
_INVISIBLE = re.compile("[\u00ad\u200b\u2060\ufeff]")  # soft hyphen, zero-width space...
_TABLE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,62}")
# SQL words a table must not be called: `SELECT * FROM select` would not parse in sql().
_SQL_WORDS = frozenset(
    "all and as asc by case cast create delete desc distinct drop else end except from group "
    "having in insert intersect into is join like limit not null offset on or order select set "
    "table then union update using values when where with".split()
)


def identifier_from_text(text: str, *, fallback: str = "table") -> str:
    """A lower-case Python/SQL identifier made from any text (accents folded, symbols to `_`)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    name = _NON_WORD.sub("_", folded).strip("_").lower()
    name = re.sub(r"_+", "_", name)
    if not name:
        name = fallback
    if name[0].isdigit():
        name = f"{fallback}_{name}"
    if keyword.iskeyword(name) or name in RESERVED:
        name = f"{name}_"
    return name


def table_name_problem(name: object, taken: Iterable[str], *, replace: bool = False) -> str | None:
    """Why `name` cannot be a new session table (`save_table`, "Save as table"), or None.

    A plain identifier, never a name the code already has (`df`, `sql`...) nor a SQL word, and
    not an existing table unless `replace`. Case-insensitive, as DuckDB is. The words say the
    fix, since they reach the code's traceback and the model's repair.
    """
    if not isinstance(name, str):
        return f"A table name is text, not {type(name).__name__}: save_table('totals', frame)."
    if not _TABLE_NAME.fullmatch(name):
        return (
            f"{name[:80]!r} cannot be a table name: use up to 63 letters, digits and _, "
            f"starting with a letter, e.g. {identifier_from_text(name[:80], fallback='saved')[:63]!r}."
        )
    lowered = name.lower()
    if keyword.iskeyword(name) or lowered in _SQL_WORDS:
        return f"{name!r} is a Python or SQL word; choose another table name, e.g. {name}_table."
    if lowered in {n.lower() for n in RESERVED}:
        return f"{name!r} is already a name in the code's namespace; choose another table name."
    if not replace and lowered in {t.lower() for t in taken}:
        return (
            f"A table named {name!r} exists already. Choose another name, or pass replace=True "
            "to replace it."
        )
    return None


def quote_ident(name: str) -> str:
    """A DuckDB identifier in double quotes, with embedded quotes doubled: `a"b` -> `"a""b"`."""
    return '"' + name.replace('"', '""') + '"'


def table_name_from_path(path: str | Path, taken: Iterable[str] = ()) -> str:
    """The table name for a file: its stem as an identifier, made unique against `taken`."""
    return unique_name(identifier_from_text(Path(path).stem), set(taken))


def unique_name(
    name: str,
    taken: Collection[str],
    *,
    ignore_case: bool = True,
    numbered: Callable[[int], str] | None = None,
) -> str:
    """`name`, or `name_2`, `name_3`, ... whichever is not in `taken`.

    Case-insensitive by default (DuckDB identifiers are); `ignore_case=False` for names that
    differ by case only, like pandas columns or files. `numbered(n)` spells the n-th candidate
    another way, e.g. `sales-2.csv` for a file.
    """
    seen = {t.lower() for t in taken} if ignore_case else taken
    spell = numbered or (lambda n: f"{name}_{n}")
    candidate, n = name, 2
    while (candidate.lower() if ignore_case else candidate) in seen:
        candidate, n = spell(n), n + 1
    return candidate


def clean_column_names(names: Iterable[str | None]) -> list[str]:
    """Readable, non-empty, unique column names; the original text is kept where possible.

    Blank headers become `column_<position>` (1-based); whitespace is trimmed; invisible
    characters (soft hyphens, zero-width spaces: web tables carry them) are dropped, since no one
    can type them in a question or code; duplicates get `_2`, `_3`. Case-insensitive uniqueness,
    because DuckDB identifiers are case-insensitive.
    """
    out: list[str] = []
    taken: set[str] = set()
    for position, raw in enumerate(names, start=1):
        name = " ".join(_INVISIBLE.sub("", str(raw)).split()) if raw is not None else ""
        if not name or _is_auto_name(name):
            name = f"column_{position}"
        name = unique_name(name, taken)
        taken.add(name)
        out.append(name)
    return out


def _is_auto_name(name: str) -> bool:
    """DuckDB names blank headers `column0`, `column1`...; those are blanks in the file."""
    return re.fullmatch(r"column\d+", name) is not None
