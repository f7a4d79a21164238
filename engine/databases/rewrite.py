"""DuckDB constructs the target database lacks, rewritten before translation (issue 15).

- `contains(a, b)` (DuckDB, Spark): PostgreSQL gets `(strpos(a, b) > 0)`; `round(x, n)`:
  PostgreSQL has it for numeric only, so x is cast to numeric (sqlglot casts `/` to double).
- `GROUP BY ALL` (DuckDB, Spark 3.4+; not PostgreSQL 15): PostgreSQL gets the positions of the
  select items that hold no aggregate, `GROUP BY 1, 2`.
- `USING SAMPLE n ROWS` / `TABLESAMPLE n ROWS` (DuckDB): PostgreSQL has only percentage methods
  and Spark's `n ROWS` is a plain LIMIT (not random), so both get
  `(SELECT * FROM t ORDER BY random() LIMIT n) AS t`. A percentage sample becomes the table's
  `TABLESAMPLE BERNOULLI|SYSTEM (p) REPEATABLE (seed)`, which both support (sqlglot 30 writes
  Spark's seed as `SEED (n)`, which Spark 4.3 rejects: `writer_for` fixes the keyword).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from engine.databases.base import Dialect
from engine.errors import UnsupportedError


@cache
def writer_for(dialect: Dialect) -> Any:
    """The sqlglot dialect that writes SQL for `dialect` exactly as its server parses it."""
    if dialect != "spark":
        return dialect
    from sqlglot.dialects.spark import Spark

    class DecipherSpark(Spark):
        class Generator(Spark.Generator):
            TABLESAMPLE_SEED_KEYWORD = "REPEATABLE"  # Spark: TABLESAMPLE (p PERCENT) REPEATABLE (s)

    return DecipherSpark


def rewrite_for(tree: Any, dialect: Dialect) -> Any:
    """The same query in constructs `dialect` understands (the tree is changed in place)."""
    from sqlglot import exp

    if dialect == "postgres":
        _postgres_functions(tree)
    for select in list(tree.find_all(exp.Select)):
        if dialect == "postgres":
            _group_by_positions(select)
        _sample_on_table(select)
    for table in list(tree.find_all(exp.Table)):
        sample = table.args.get("sample")
        if sample is not None:
            _rewrite_sample(table, sample, dialect)
    return tree


def _postgres_functions(tree: Any) -> None:
    from sqlglot import exp

    for node in list(tree.find_all(exp.Contains)):  # DuckDB contains(a, b): strpos(a, b) > 0
        found = exp.StrPosition(this=node.this.copy(), substr=node.expression.copy())
        node.replace(exp.paren(exp.GT(this=found, expression=exp.Literal.number(0))))
    for node in list(tree.find_all(exp.Round)):  # PostgreSQL: round(numeric, int) only
        if node.args.get("decimals") is not None:
            node.set("this", exp.cast(node.this.copy(), "NUMERIC"))


def _group_by_positions(select: Any) -> None:
    from sqlglot import exp

    group = select.args.get("group")
    if group is None or not group.args.get("all"):
        return
    positions = [
        exp.Literal.number(i + 1)
        for i, item in enumerate(select.expressions)
        if not item.find(exp.AggFunc) and not item.find(exp.Window)
    ]
    select.set("group", exp.Group(expressions=positions) if positions else None)


def _sample_on_table(select: Any) -> None:
    """DuckDB's `USING SAMPLE` samples the FROM table: move it onto that table."""
    from sqlglot import exp

    sample = select.args.get("sample")
    if sample is None:
        return
    source = select.args.get("from_") or select.args.get("from")
    table = source.this if source is not None else None
    if not isinstance(table, exp.Table) or select.args.get("joins"):
        raise UnsupportedError(
            "USING SAMPLE over a join or subquery cannot be translated for the database; "
            "sample one table: FROM t TABLESAMPLE 10 PERCENT."
        )
    select.set("sample", None)
    table.set("sample", sample)


def _rewrite_sample(table: Any, sample: Any, dialect: Dialect) -> None:
    from sqlglot import exp

    seed = sample.args.get("seed")
    size = sample.args.get("size") or sample.args.get("rows")
    percent = sample.args.get("percent")
    if size is not None and percent is None:
        table.set("sample", None)
        alias = table.args.get("alias")
        name = alias.name if alias is not None else table.name
        table.set("alias", None)
        random = exp.Rand(this=seed.copy()) if dialect == "spark" and seed else exp.Rand()
        inner = exp.select("*").from_(table.copy()).order_by(random).limit(size.copy())
        table.replace(inner.subquery(exp.to_identifier(name, quoted=True)))
        return
    if percent is None:
        return
    method = str(sample.args.get("method") or "").upper()
    rewritten = exp.TableSample(percent=percent.copy())
    if dialect == "postgres":
        rewritten.set("method", exp.var("SYSTEM" if method == "SYSTEM" else "BERNOULLI"))
    if seed is not None:
        rewritten.set("seed", seed.copy())
    table.set("sample", rewritten)
