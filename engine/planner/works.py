"""'what is the last song listed', 'the track before "Melodies from Heaven"', 'what was the
last episode called': in a list of works (a discography, a filmography, a list of video games)
the rows are the works, and the column that names them is their Title. A noun for a work (song,
film, game …) that no column is named by and no cell holds reads as that column ("title", its
plural kept), so "which film" asks for the Title (issue 13).

Only a table with exactly one column whose name ends in "title" ("Title", "Film title") is read
so; with two ("English title", "Russian title") the noun stays unexplained and the planner
declines.
"""

from __future__ import annotations

from typing import Final

from engine.planner.matching import Token, name_words, singular
from engine.types import TableProfile
from engine.value_index import ValueIndex

WORK_NOUNS: Final = frozenset(
    "song single album film movie game track book novel episode video opera".split()
)


def titles_named(tokens: list[Token], table: TableProfile, index: ValueIndex | None) -> list[Token]:
    """`tokens` with each work noun read as the table's one Title column (see the module). A
    noun that is a word of a cell ("Live Album" in a Format column, "Video") is data there,
    and left to be read as such; without a value index (a big table) nothing is read so."""
    titles = [
        c for c in table.columns if c.kind == "text" and name_words(c.name)[-1:] == ("title",)
    ]
    if len(titles) != 1:
        return tokens
    named = {singular(w) for c in table.columns for w in name_words(c.name)}
    for t in tokens:
        noun = singular(t.text)
        if noun not in WORK_NOUNS or noun in named or t.quoted or t.used:
            continue
        if index is not None and not (index.has_word(noun) or index.has_word(t.text)):
            t.text = "titles" if noun != t.text else "title"
    return tokens
