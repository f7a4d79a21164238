"""What a failing program's exception usually means in pandas code, in plain words.

Python names the symptom ("'numpy.float64' object has no attribute 'pvalue'"); the cause is
usually a step earlier (`.corr()` returns the coefficient alone). A repair that only sees the
symptom often rewrites the same code: on DABench-dev at stop 46, 4 of 5 traced failures ended
with "the model wrote the same code again". The meaning goes with the traceback to the repair,
and is what a turn that still fails shows you, the exception one click away.

Each entry is a class of mistake seen in the model's code on the shared benchmarks, not one
question's: a single number used as a column, text in arithmetic, a value formatted as the
wrong type, a column used as one True/False, scikit-learn fitted on missing values or on a
numeric target with a classifier, times of day (a duration's 00:01:23) in arithmetic, a table
used as one column of text, numbers written with "%", "$" or thousands separators, a name
used before the code sets it.
"""

from __future__ import annotations

import re
from typing import Final

_NUMBER: Final = r"(?:numpy\.)?(?:float|int|bool_?)(?:\d\d)?"
# the cell a conversion could not read: "could not convert string to float: '15.17%'",
# pd.to_numeric's "Unable to parse string "1,234" at position 0"
_UNREAD_CELL: Final = (
    r"(?:could not convert string to float: |Unable to parse string )['\"]\s*[-+]?"
)
# ... when it is a number with a percent sign, a currency sign or thousands separators
_WRITTEN_NUMBER: Final = (
    _UNREAD_CELL + r"(?:[$€£]\s*[\d.,]*\d|\d[\d.]*\s*%|\d{1,3}(?:,\d{3})+(?:\.\d+)?)\s*['\"]"
)
# the cell starts with a number and goes on with words or a note: '1,440 tonnes', '1574 (1.6%)'
_NUMBER_AND_WORDS: Final = _UNREAD_CELL + r"\d[\d,]*(?:\.\d+)?\s*(?:[^\W\d_]|[(\[])[^'\"]*['\"]"

ONE_NUMBER: Final = (
    "a single number was used as if it were a column, a list or a pair: an earlier step "
    "(.sum(), .mean(), .corr(), .count() on one column) already returned one number, or "
    ".apply(f) on a column called f with each single value. For a value per group, group "
    "first (df.groupby(key)[column].mean()). For a correlation with its p-value, "
    "scipy.stats.pearsonr returns the coefficient and the p-value (pandas' .corr() returns the "
    "coefficient alone); give it the rows where both values are present "
    "(both = df[[x, y]].dropna(); pearsonr(both[x], both[y])), as it gives nan for a missing "
    "value."
)
TEXT_AS_NUMBER: Final = (
    "text went into arithmetic or a statistic: a text column, or a whole table that has text "
    "columns. Take the statistic of the numeric columns only (df.select_dtypes('number'), or "
    "numeric_only=True in .mean(), .median(), .corr()), or convert numbers written as text "
    "with pd.to_numeric(column, errors='coerce') first."
)
NUMBERS_AS_WRITTEN: Final = (
    "numbers were written as text with a sign or separators ('15.17%', '1,234', '$5'): take "
    "those characters out first, then convert (pd.to_numeric(df[column].astype(str).str.replace("
    "r'[%,$€£\\s]', '', regex=True), errors='coerce')); errors='coerce' alone makes every such "
    "value missing."
)
NUMBERS_WITH_WORDS: Final = (
    "numbers were written with words or a note after them ('1,440 tonnes', '1574 (1.6%)'): "
    "take the number at the start of each cell first (pd.to_numeric(df[column].astype(str)"
    ".str.replace(',', '').str.extract(r'^\\s*(-?\\d+(?:\\.\\d+)?)', expand=False), "
    "errors='coerce')); astype(float) or errors='coerce' alone cannot read them."
)
TEXT_FORMATTED: Final = (
    "a text value was formatted as a number (as in :.2f): it is not the number meant, or it "
    "needs float() first."
)
MANY_FORMATTED: Final = (
    "a whole column, list or array was formatted as one number (as in :.2f): take the one "
    "value meant (.iloc[0], .item(), a sum or a mean), or format each value."
)
MANY_AS_ONE: Final = (
    "a whole column was used where one True/False is needed (if, and, or, not): join "
    "conditions with & and | in brackets, or reduce them with .any() or .all()."
)
MISSING_IN_FIT: Final = (
    "the rows given to scikit-learn have missing values: drop them from the columns used "
    "(df.dropna(subset=[...])) before taking X and y, so both keep the same rows."
)
NUMERIC_TARGET: Final = (
    "a classifier was given a numeric target: predict it with a regressor, or turn it into "
    "classes first (pd.cut or a threshold), as the question asks."
)
TIME_AS_NUMBER: Final = (
    "a column of times (00:01:23, read as times of day) went into arithmetic or a statistic: "
    "for a duration in seconds use pd.to_timedelta(df[column].astype(str)).dt.total_seconds() "
    "first, then take the statistic of those numbers."
)
TABLE_AS_TEXT: Final = (
    "a table (a DataFrame) was used as one column of text: .str.extract() returns a table, one "
    "column per group in its pattern, so take its column [0] (or pass expand=False with one "
    "group); df[['col']] is a table too, df['col'] the column."
)
# "name 'row' is not defined": the model wrote `result = row['Club']` as if the prompt's example
# lines (i = …; row = df.loc[i + 1]) had run; 25 of the 51 NameErrors in the wtq-train records
# are `row`, 5 are `i`, most others a table it named itself ('zimbabwe_df')
# ... not a module the code did not import ('sns'): what it may import is the prompt's to say
_MODULE_ALIASES: Final = r"(?:sns|plt|np|pd|px|go|sm|stats|scipy|sklearn|math|re|datetime)"
UNSET_NAME: Final = (
    "`{name}` is used before this code sets it: when the code starts, only the loaded tables "
    "(df, and each by its name), sql() and the imported modules exist. Set every other name "
    "in this same code first: a line shown as an example (i = …, row = …) runs only if the "
    "code has it too."
)
MISSING_AS_INTEGER: Final = (
    "a missing value (NaN) was turned into an integer: drop or fill the missing values first."
)

_MEANINGS: Final = (
    (rf"'{_NUMBER}' object (has no attribute|is not (subscriptable|iterable))", ONE_NUMBER),
    (rf"cannot unpack non-iterable {_NUMBER} object", ONE_NUMBER),
    (r"invalid index to scalar variable", ONE_NUMBER),
    (r"datetime\.time\b", TIME_AS_NUMBER),  # a time of day, not a datetime.timedelta
    (r"Cannot perform reduction '\w+' with string dtype", TEXT_AS_NUMBER),
    (_WRITTEN_NUMBER, NUMBERS_AS_WRITTEN),  # before text in general: the cause is in the cell
    (_NUMBER_AND_WORDS, NUMBERS_WITH_WORDS),
    (r"could not convert string to float", TEXT_AS_NUMBER),
    (r"can only concatenate str \(not \"(int|float)\"\) to str", TEXT_AS_NUMBER),
    (r"unsupported operand type\(s\) for .*'str'", TEXT_AS_NUMBER),
    (r"Unknown format code '\w' for object of type 'str'", TEXT_FORMATTED),
    (
        r"unsupported format string passed to (Series|DataFrame|list|tuple|numpy\.ndarray)\.",
        MANY_FORMATTED,
    ),
    (
        r"The truth value of (a Series|a DataFrame|an array with more than one element) is ambiguous",
        MANY_AS_ONE,
    ),
    (r"'DataFrame' object has no attribute 'str'", TABLE_AS_TEXT),
    (r"Input (X|y) contains NaN", MISSING_IN_FIT),
    (r"Unknown label type: .?continuous", NUMERIC_TARGET),
    (r"cannot convert float NaN to integer", MISSING_AS_INTEGER),
    (rf"name '(?!{_MODULE_ALIASES}')(?P<name>\w+)' is not defined", UNSET_NAME),
)


def error_meaning(message: str) -> str | None:
    """What the exception in `message` usually means and how such code is fixed, as a clause
    that starts lower-case; None when it is not one of the known classes. A meaning may name
    what the message names (`{name}`)."""
    for pattern, meaning in _MEANINGS:
        if found := re.search(pattern, message):
            return meaning.format_map(found.groupdict()) if found.groupdict() else meaning
    return None
