"""The standard deviation (or variance) formula a question names, written into the code.

"The population standard deviation" divides by n, "the sample standard deviation" by n - 1.
pandas' `.std()` and `.var()` divide by n - 1 unless told `ddof=0`; numpy's `std`, `var` and
scipy's `zscore` divide by n unless told `ddof=1`. A small model writes the default whatever the
question says: on DABench-dev q724 ("using the population standard deviation formula") its
`.std()` gave 2.69 for 2.68. So every such call without a `ddof` gets the one the question
names; where the library's default already matches, the call computes the same as before.
"""

from __future__ import annotations

import ast
import re
from typing import Final

from engine.extraction import Edit, called_name, keyword_added, spliced

SPREAD_CALLS: Final = frozenset({"std", "var", "zscore"})  # each takes `ddof`
_NAMED: Final = re.compile(
    r"\b(population|sample)(?:\s+(?:and|or)\s+(population|sample))?"
    r"\s+(?:standard\s+deviation|std|variance)\b",
    re.IGNORECASE,
)
_NOT_BEFORE: Final = re.compile(r"\b(?:not|instead\s+of|rather\s+than)\s+(?:the\s+|a\s+)?$")
_DDOF: Final = {"population": 0, "sample": 1}


def named_ddof(question: str) -> int | None:
    """0 when the question asks for the population formula, 1 for the sample one; None when it
    names neither or both ("the population formula, not the sample one" names the first)."""
    named = {
        kind.lower()
        for m in _NAMED.finditer(question)
        if not _NOT_BEFORE.search(question[: m.start()])
        for kind in m.groups()
        if kind
    }
    return _DDOF[named.pop()] if len(named) == 1 else None


def with_named_spread(code: str, question: str) -> str:
    """`code` with `ddof=` the question's formula added to each std/var/zscore call that does
    not say it (nor may pass it by position, `*` or `**`); code that does not parse stays."""
    ddof = named_ddof(question)
    if ddof is None:
        return code
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return code
    inserts: list[Edit] = [  # empty spans: the text goes in at that point
        edit
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and _spread_call(node)
        and (edit := keyword_added(node, f"ddof={ddof}")) is not None
    ]
    return spliced(code, inserts)


def _spread_call(node: ast.Call) -> bool:
    """A std/var/zscore call that leaves `ddof` to the library's default."""
    return (
        called_name(node.func) in SPREAD_CALLS
        and len(node.args) < 3  # positional ddof: pandas' third, numpy's fifth
        and not any(isinstance(a, ast.Starred) for a in node.args)
        and not any(k.arg in (None, "ddof") for k in node.keywords)
    )
