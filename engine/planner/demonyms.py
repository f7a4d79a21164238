"""A nationality said as an adjective names its country (issue 13): "the last Japanese player to
finish" beside a Nationality column of "Japan" (or "JPN") cells is the last player of Japan.

The adjective is replaced by the country's name, or its three-letter code, only when the table
holds that name or code as a cell, so "the French Super Series" stays a name where no cell says
France. The list is the countries' usual English adjectives, with their IOC codes.
"""

from __future__ import annotations

import re
from typing import Final

from engine.value_index import ValueIndex, value_words

# adjective -> (country as tables write it, IOC code); vocabulary.DEMONYMS adds peoples
COUNTRIES: Final[dict[str, tuple[str, str]]] = {
    "american": ("United States", "USA"),
    "argentine": ("Argentina", "ARG"),
    "argentinian": ("Argentina", "ARG"),
    "australian": ("Australia", "AUS"),
    "austrian": ("Austria", "AUT"),
    "belgian": ("Belgium", "BEL"),
    "brazilian": ("Brazil", "BRA"),
    "british": ("Great Britain", "GBR"),
    "bulgarian": ("Bulgaria", "BUL"),
    "canadian": ("Canada", "CAN"),
    "chilean": ("Chile", "CHI"),
    "chinese": ("China", "CHN"),
    "colombian": ("Colombia", "COL"),
    "croatian": ("Croatia", "CRO"),
    "cuban": ("Cuba", "CUB"),
    "czech": ("Czech Republic", "CZE"),
    "danish": ("Denmark", "DEN"),
    "dutch": ("Netherlands", "NED"),
    "egyptian": ("Egypt", "EGY"),
    "english": ("England", "ENG"),
    "estonian": ("Estonia", "EST"),
    "ethiopian": ("Ethiopia", "ETH"),
    "finnish": ("Finland", "FIN"),
    "french": ("France", "FRA"),
    "german": ("Germany", "GER"),
    "greek": ("Greece", "GRE"),
    "hungarian": ("Hungary", "HUN"),
    "indian": ("India", "IND"),
    "iranian": ("Iran", "IRI"),
    "irish": ("Ireland", "IRL"),
    "israeli": ("Israel", "ISR"),
    "italian": ("Italy", "ITA"),
    "jamaican": ("Jamaica", "JAM"),
    "japanese": ("Japan", "JPN"),
    "kenyan": ("Kenya", "KEN"),
    "korean": ("South Korea", "KOR"),
    "latvian": ("Latvia", "LAT"),
    "lithuanian": ("Lithuania", "LTU"),
    "mexican": ("Mexico", "MEX"),
    "moroccan": ("Morocco", "MAR"),
    "nigerian": ("Nigeria", "NGR"),
    "norwegian": ("Norway", "NOR"),
    "polish": ("Poland", "POL"),
    "portuguese": ("Portugal", "POR"),
    "romanian": ("Romania", "ROU"),
    "russian": ("Russia", "RUS"),
    "scottish": ("Scotland", "SCO"),
    "serbian": ("Serbia", "SRB"),
    "slovak": ("Slovakia", "SVK"),
    "slovenian": ("Slovenia", "SLO"),
    "spanish": ("Spain", "ESP"),
    "swedish": ("Sweden", "SWE"),
    "swiss": ("Switzerland", "SUI"),
    "turkish": ("Turkey", "TUR"),
    "ukrainian": ("Ukraine", "UKR"),
    "welsh": ("Wales", "WAL"),
}
_ADJECTIVE: Final = re.compile(rf"\b({'|'.join(COUNTRIES)})\b", re.IGNORECASE)


def demonyms_said(text: str, index: ValueIndex | None) -> str:
    """`text` with each nationality adjective replaced by the country name or code a cell of
    the table holds; unchanged without a value index or such a cell."""
    if index is None:
        return text

    def country(m: re.Match[str]) -> str:
        for name in COUNTRIES[m[1].lower()]:
            if index.find(value_words(name)):
                return name
        return m[0]

    return _ADJECTIVE.sub(country, text)
