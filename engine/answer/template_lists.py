"""A list inside a part of an answer format, written the way the format writes its items.

A format may ask for several values in one part: `@outlier_ids[id1, id2, ...]`,
`@outlier_countries[country1,country2,...]`, `@fare_outliers[outliers_list]`. The model often
puts a Python list there, brackets and quotes included (`@fare_outliers[[]]`,
`@outlier_countries[['Kuwait', 'Saudi Arabia']]`), or joins the items with another separator
(`904,916` where the format shows `id1, id2`). The values are the same; they are written with
the separator the format shows between its items (", " when it shows none), so the answer
reads as asked (DABench-dev q352 and q528 were scored wrong for exactly this).
"""

from __future__ import annotations

import ast
import re
from typing import Final

from engine.answer_kinds import TEMPLATE_PART

# a part holding a Python list: @name[[...]] (the list's own items hold no brackets)
_LISTED: Final = re.compile(r"@(\w+)\[(\[[^\[\]\n]*\])\]")
# numpy 2 writes the scalars in a list as calls: [np.int64(904), np.float64(1.5)]
_NUMPY_SCALAR: Final = re.compile(r"\b(?:np|numpy)\.(?:u?int|float|str_|bool_?)\d*\(([^()]*)\)")
# an open-ended list of items in a format: "id1, id2, ..." or "country1,country2,…"
_OPEN_LIST: Final = re.compile(r"\w(,\s*)\w[^,]*,\s*(?:\.\.\.|…)")
_BARE_COMMA: Final = re.compile(r",(?=\S)")
_DEFAULT_SEPARATOR: Final = ", "


def in_format_lists(question: str, text: str) -> str:
    """`text` with each part that holds a Python list written as its items, and each part
    whose format is an open-ended list ("id1, id2, ...") joined with the format's separator."""
    formats = dict(reversed(TEMPLATE_PART.findall(question)))  # a part's first description
    if not formats:
        return text

    def unlisted(part: re.Match[str]) -> str:
        name, listed = part.group(1), part.group(2)
        if name not in formats:
            return part.group(0)
        try:
            items = ast.literal_eval(_NUMPY_SCALAR.sub(r"\1", listed))
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return part.group(0)
        if not isinstance(items, list) or any(isinstance(i, list | dict) for i in items):
            return part.group(0)
        separator = _separator(formats[name]) or _DEFAULT_SEPARATOR
        return f"@{name}[{separator.join(str(item) for item in items)}]"

    def respaced(part: re.Match[str]) -> str:
        name, inside = part.group(1), part.group(2)
        separator = _separator(formats.get(name, ""))
        if separator != ", " or not _OPEN_LIST.search(formats[name]):
            return part.group(0)  # spaces are added after bare commas, never taken away
        return f"@{name}[{_BARE_COMMA.sub(separator, inside)}]"

    return TEMPLATE_PART.sub(respaced, _LISTED.sub(unlisted, text))


def _separator(placeholder: str) -> str | None:
    """The separator a format shows between its items (", " or ","); None when it has none."""
    found = re.search(r",\s?", placeholder)
    return found.group(0) if found else None
