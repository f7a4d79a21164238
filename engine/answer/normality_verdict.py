"""A normality test's p-value read the right way round: below the level, the data is not normal.

A normality test (Shapiro-Wilk, D'Agostino's, Jarque-Bera, Kolmogorov-Smirnov, Lilliefors)
takes "normal" as its null hypothesis, so a p-value below the significance level rejects it.
The embedded model reads it backwards often: of the 12 DABench-dev programs that turned a
normality test's p-value into a labelled verdict, 5 called the data normal when p < 0.05
(q10 `is_normal = shapiro_result.pvalue < 0.05`, q72, q130, q244, q644), all shown as answers.
Statistics, not the question, fixes the direction, so the comparison is turned round before the
code runs, as the named spread formula is written in, with a comment above it that says so.

Only a comparison of a value with a level (a number in (0, 0.1], or a name such as `alpha`)
whose outcome is labelled is read: a name or dict key that says normal or not (`is_normal =
p < 0.05`), a label that does ("Normal" if p < 0.05 else "Not normal"), or an `if` whose body
sets one. The answer itself (`result = p < 0.05`, or a part of the question's answer format,
`{'normality_test_result': p < 0.05}`) is labelled by the question when it asks whether the
data is normal ("Check if the fare variable follows a normal distribution": True means normal;
DABench-dev q304 answered True for a p-value below 0.05). Any other verdict with no label is
left as written.
"""

from __future__ import annotations

import ast
import re
from typing import Final, TypeGuard

from engine.answer_kinds import TEMPLATE_SLOT
from engine.code_names import RESULT
from engine.extraction import Edit, span, spliced

# Tests whose null hypothesis is "the sample comes from a normal distribution" (scipy.stats,
# statsmodels); `anderson` gives critical values, not a p-value.
NORMALITY_TESTS: Final = frozenset(
    {"shapiro", "normaltest", "jarque_bera", "kstest", "ks_1samp", "lilliefors"}
)
FIX_COMMENT: Final = (
    "# a normality test's p-value below the level rejects normality (Decipher turned this "
    "comparison round)"
)
_FLIPPED: Final = {ast.Lt: ">=", ast.LtE: ">", ast.Gt: "<=", ast.GtE: "<"}
_WORD: Final = re.compile(r"[a-z]+")
_NORMAL: Final = frozenset({"normal", "normally", "gaussian"})
_NEGATIONS: Final = frozenset(
    {"not", "non", "no", "isn", "doesn", "nonnormal", "deviates", "rejected", "reject", "fails"}
)
_YES: Final = frozenset({"yes", "true", "y"})
_NO: Final = frozenset({"no", "false", "n"})
_LEVEL_NAME: Final = re.compile(r"(?i)alpha|significance|^level$")
# "check if X follows a normal distribution", "is X normally distributed?": its words say
# whether it asks "normal?" or "not normal?" (`_polarity`)
_ASKS_IF_NORMAL: Final = re.compile(
    r"(?i)\b(?:if|whether|is|are|does|do)\b[^.?!\n]{0,80}?\b(?:normal|normally|gaussian)\b"
)


def with_normality_read_right(code: str, question: str = "") -> str:
    """`code` with each normality verdict that calls rejected data normal (or accepted data not
    normal) turned round; unchanged when it does not parse or tests nothing for normality.
    `question` labels a verdict that is the answer itself."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return code
    if not _tests_normality(tree):
        return code
    edits: list[Edit] = []
    lines: set[int] = set()  # where a statement with a turned comparison starts
    for statement, compare, says_normal in _verdicts(tree, _answer_labels(question)):
        if says_normal is None or _rejects(compare) != says_normal:
            continue
        edit = _turned(code, compare)
        if edit is not None:
            edits.append(edit)
            lines.add(statement.lineno)
    fixed = spliced(code, edits)
    if not lines:
        return fixed
    rows = fixed.splitlines(keepends=True)
    for line in sorted(lines, reverse=True):
        indent = re.match(r"[ \t]*", rows[line - 1]).group()  # type: ignore[union-attr]
        rows.insert(line - 1, f"{indent}{FIX_COMMENT}\n")
    return "".join(rows)


def _tests_normality(tree: ast.AST) -> bool:
    return any(
        isinstance(node, ast.Call) and _name(node.func) in NORMALITY_TESTS
        for node in ast.walk(tree)
    )


def _answer_labels(question: str) -> dict[str, bool | None]:
    """The names of the answer (`result`, the parts of the question's format) with what their
    True says, when the question asks whether the data is normal (or not normal); else none."""
    asked = _ASKS_IF_NORMAL.search(question)
    if asked is None:
        return {}
    return dict.fromkeys((RESULT, *TEMPLATE_SLOT.findall(question)), _polarity(asked.group()))


def _verdicts(
    tree: ast.AST, answer: dict[str, bool | None]
) -> list[tuple[ast.stmt, ast.Compare, bool | None]]:
    """(the statement, a level comparison, whether its True side says normal) for each
    labelled verdict; None where the label says neither. `answer`: the answer's names, with
    what their True says (the question's words)."""
    found: list[tuple[ast.stmt, ast.Compare, bool | None]] = []
    for statement in ast.walk(tree):
        if not isinstance(statement, ast.stmt):
            continue
        if isinstance(statement, ast.If) and _level_comparison(statement.test):
            found.append((statement, statement.test, _sets(statement.body, statement.orelse)))
        for node, owner in _owned_values(statement):
            if _level_comparison(node):
                said = _polarity(owner)
                found.append((statement, node, answer.get(owner) if said is None else said))
            elif isinstance(node, ast.IfExp) and _level_comparison(node.test):
                found.append((statement, node.test, _branches(node.body, node.orelse, owner)))
    return found


def _owned_values(statement: ast.stmt) -> list[tuple[ast.expr, str]]:
    """The values a simple statement names: an assignment's value by its target, a dict's
    values by their keys, and any other conditional expression in it by no name. A compound
    statement names none: its own statements are walked on their own, so each value is read
    once (a comparison turned twice would be spliced twice)."""
    if hasattr(statement, "body") or isinstance(statement, ast.Match):
        return []
    values: list[tuple[ast.expr, str]] = []
    if isinstance(statement, ast.Assign | ast.AnnAssign) and statement.value is not None:
        target = statement.targets[0] if isinstance(statement, ast.Assign) else statement.target
        values.append((statement.value, _target_name(target)))
    for node in ast.walk(statement):  # a parent before its children
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                name = key.value if isinstance(key, ast.Constant) else ""
                values.append((value, name if isinstance(name, str) else ""))
        elif isinstance(node, ast.IfExp) and all(node is not v for v, _ in values):
            values.append((node, ""))
    return values


def _branches(body: ast.expr, orelse: ast.expr, owner: str) -> bool | None:
    """Whether the True branch of `x if p < level else y` says normal."""
    return _true_side(_label(body, owner), _label(orelse, owner))


def _sets(body: list[ast.stmt], orelse: list[ast.stmt]) -> bool | None:
    """Whether an `if`'s body sets a label that says normal (or its `else`, not normal)."""
    return _true_side(_set_label(body), _set_label(orelse))


def _true_side(true: bool | None, false: bool | None) -> bool | None:
    """Whether the True side says normal, from either side's label; None when neither says, or
    both say the same."""
    if true is None:
        return None if false is None else not false
    return true if false is None or false != true else None


def _set_label(statements: list[ast.stmt]) -> bool | None:
    for statement in statements:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            label = _label(statement.value, _target_name(statement.targets[0]))
            if label is not None:
                return label
    return None


def _label(value: ast.expr, owner: str) -> bool | None:
    """Whether a branch's value says normal: its own words ("Not normal"), or yes/no and
    True/False under a name that says ("is_normal")."""
    if not isinstance(value, ast.Constant):
        return None
    if isinstance(value.value, bool):
        word = "true" if value.value else "false"
    elif isinstance(value.value, str):
        own = _polarity(value.value)
        if own is not None:
            return own
        word = value.value.strip().lower()
    else:
        return None
    named = _polarity(owner)
    if named is None or word not in _YES | _NO:
        return None
    return named if word in _YES else not named


def _polarity(text: str) -> bool | None:
    """True when words say normal, False when they say not normal, None when neither."""
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", text).lower()
    words = _WORD.findall(spaced)
    if "nonnormal" in words:
        return False
    if not _NORMAL & set(words):
        return None
    return not _NEGATIONS & set(words)


def _level_comparison(node: ast.expr) -> TypeGuard[ast.Compare]:
    """`value < level` (or >, <=, >=, either way round), the level a number in (0, 0.1] or a
    name such as `alpha`."""
    if not (isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _FLIPPED):
        return False
    left, right = node.left, node.comparators[0]
    return _is_level(left) != _is_level(right)


def _is_level(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        number = node.value
        return (
            isinstance(number, int | float) and not isinstance(number, bool) and 0 < number <= 0.1
        )
    name = _name(node)
    return bool(name and _LEVEL_NAME.search(name))


def _rejects(compare: ast.Compare) -> bool:
    """Whether the comparison is True when the value is below the level (p < alpha)."""
    below = isinstance(compare.ops[0], ast.Lt | ast.LtE)
    return below if _is_level(compare.comparators[0]) else not below


def _turned(code: str, compare: ast.Compare) -> Edit | None:
    left = ast.get_source_segment(code, compare.left)
    right = ast.get_source_segment(code, compare.comparators[0])
    if left is None or right is None:
        return None
    text = f"{left} {_FLIPPED[type(compare.ops[0])]} {right}"
    return (*span(compare), text)


def _target_name(target: ast.expr) -> str:
    if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant):
        key = target.slice.value
        return key if isinstance(key, str) else ""
    return _name(target)


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""
