"""Intents that compute a statistic over all rows or per group: aggregates, shares and pivots
(issue 5). Trends per period are in `dates`."""

from __future__ import annotations

from typing import Final

from engine.code_names import DECLINE
from engine.errors import UnsupportedError
from engine.identifiers import quote_ident
from engine.planner.plans import (
    GUESSED_AGG_PENALTY,
    Intent,
    Plan,
    group_columns,
    new_plan,
    numeric_measures,
    one_measure,
    said_agg,
)
from engine.planner.query import Query
from engine.planner.snippets import (
    PANDAS_AGG,
    agg_expr,
    agg_word,
    by,
    call,
    col,
    group_words,
    grouped_by,
    measure_words,
    not_null,
    py,
    sql_condition,
    where,
)

AGG_VERBS: Final = {"sum": "add up", "mean": "average", "median": "take the median of",
             "min": "take the minimum of", "max": "take the maximum of", "count": "count",
             "std": "take the standard deviation of", "var": "take the variance of"}  # fmt: skip


class Aggregate(Intent):
    """'average price by region', 'total sales', 'how much rain fell in 2013': one statistic of
    one numeric column, over all rows or per one or two groups."""

    def match(self, q: Query) -> Plan | None:
        agg, confidence = said_agg(q)
        groups = group_columns(q)
        compare = q.has("compare") or q.has("difference")
        if agg is None and not (groups or compare or q.has("much")):
            return None
        if q.has("distinct"):  # "the mean of the distinct prices": not over every row
            return None
        if not groups and compare:
            groups = tuple(f.column for f in q.filters if f.op == "in")
        if agg is None and q.has("much"):  # "how much precipitation fell in 2013": a total
            agg = "sum"
        measure = one_measure(q, AGG_VERBS.get(agg or "mean", "use"))
        if agg is None:
            agg, confidence = "mean", confidence - GUESSED_AGG_PENALTY
        if len(groups) > 2:
            raise UnsupportedError("Group by at most two columns at a time.")
        return new_plan(q, self, measures=(measure,), agg=agg, groups=groups, confidence=confidence)

    def explain(self, plan: Plan) -> str:
        return f"{agg_word(plan)} of {measure_words(plan)}{grouped_by(plan)}"

    def gives(self, plan: Plan) -> str:
        return "table" if plan.groups else "number"

    def pandas(self, plan: Plan, rows: str, frame: str) -> list[str]:
        m = plan.measures[0].name
        agg = PANDAS_AGG[plan.agg]
        if not plan.groups:
            return [f"result = {col(rows, m)}.{agg}()"] + _stated_total(plan, frame)
        g = plan.groups[0].name
        per_group = f"{rows}.groupby({by(plan)})[{py(m)}].{agg}()"
        if len(plan.groups) == 1:
            return [
                f"result = {per_group}.sort_values(ascending=False).reset_index()",
                f"fig = px.bar(result, x={py(g)}, y={py(m)})",
            ]
        h = plan.groups[1].name
        return [
            f"result = {per_group}.reset_index()",
            f'fig = px.bar(result, x={py(g)}, y={py(m)}, color={py(h)}, barmode="group")',
        ]

    def sql(self, plan: Plan, table: str) -> list[str] | None:
        m = plan.measures[0]
        expr = f"{agg_expr(plan, m)} AS {quote_ident(m.name)}"
        if not plan.groups:
            return [
                call(f"SELECT {expr} FROM {table}{where(plan)}"),
                f"result = result[{py(m.name)}].iloc[0]",
            ]
        g = ", ".join(quote_ident(c.name) for c in plan.groups)
        order = quote_ident(m.name) + " DESC" if len(plan.groups) == 1 else g
        q = (
            f"SELECT {g}, {expr}\nFROM {table}{where(plan, *not_null(plan.groups))}\n"
            f"GROUP BY {g}\nORDER BY {order}"
        )
        x = py(plan.groups[0].name)
        if len(plan.groups) == 1:
            return [call(q), f"fig = px.bar(result, x={x}, y={py(m.name)})"]
        h = py(plan.groups[1].name)
        return [call(q), f'fig = px.bar(result, x={x}, y={py(m.name)}, color={h}, barmode="group")']


def _stated_total(plan: Plan, frame: str) -> list[str]:
    """A total of every row checked against the table's own Total row: when they disagree
    (a footnote, a late correction), which one the question means is not known (issue 13)."""
    labelled = [r for r in plan.drop_rows if r.column is not None]
    if plan.agg != "sum" or plan.filters or len(labelled) != 1:
        return []
    row, m = labelled[0], plan.measures[0].name
    return [
        f"stated = {frame}.loc[{col(frame, row.column or '')} == {py(row.label)}, {py(m)}]",
        "if len(stated) == 1 and not np.isclose(stated.iloc[0], result):",
        f"    {DECLINE}({py(f'the {row.label} row says')} "
        '+ f" {stated.iloc[0]}, the other rows add up to {result}")',
    ]


class Share(Intent):
    """'share of sales by region' (percent per group), or 'what percentage of penguins are
    female' (percent of rows that match the filters: a plan without groups)."""

    def match(self, q: Query) -> Plan | None:
        if not q.has("share"):
            return None
        groups = group_columns(q) or tuple(
            m.column for m in q.measures if m.column.kind != "number"
        )
        numbers = [c for c in numeric_measures(q) if c not in groups]
        if not groups and q.filters:  # "what percentage of penguins are female"
            if any(f.op == "in" for f in q.filters):
                raise UnsupportedError(
                    "Ask for the share by that column, e.g. “share of rows by sex”."
                )
            return new_plan(q, self)
        if len(groups) != 1 or len(numbers) > 1:
            raise UnsupportedError("Name one column to split by, e.g. “share of rows by region”.")
        return new_plan(q, self, groups=groups, measures=tuple(numbers), agg="sum")

    def explain(self, plan: Plan) -> str:
        if not plan.groups:
            return "Share of rows that match, in percent"
        m = measure_words(plan)
        return f"Share of {'total ' + m if m else 'rows'} per {group_words(plan)}, in percent"

    def gives(self, plan: Plan) -> str:
        return "table" if plan.groups else "number"

    def pandas(self, plan: Plan, rows: str, frame: str) -> list[str]:
        if not plan.groups:
            return [f"result = round(len({rows}) / len({frame}) * 100, 2)"]
        g = plan.groups[0].name
        if plan.measures:
            out = [f"totals = {rows}.groupby({py(g)})[{py(plan.measures[0].name)}].sum()"]
        else:
            out = [f"totals = {rows}.groupby({py(g)}).size()"]
        return out + [
            "percent = (totals / totals.sum() * 100).round(2)",
            'result = percent.sort_values(ascending=False).reset_index(name="percent")',
            f'fig = px.pie(result, names={py(g)}, values="percent")',
        ]

    def sql(self, plan: Plan, table: str) -> list[str] | None:
        if not plan.groups:
            cond = " AND ".join(sql_condition(f) for f in plan.filters)
            q = (
                f"SELECT round(count(*) FILTER (WHERE {cond}) * 100.0 / count(*), 2) AS percent "
                f"FROM {table}"
            )
            return [call(q), 'result = float(result["percent"].iloc[0])']
        g = quote_ident(plan.groups[0].name)
        amount = f"sum({quote_ident(plan.measures[0].name)})" if plan.measures else "count(*)"
        q = (
            f"SELECT {g}, round({amount} * 100.0 / sum({amount}) OVER (), 2) AS percent\n"
            f"FROM {table}{where(plan, *not_null(plan.groups))}\nGROUP BY {g}\n"
            "ORDER BY percent DESC"
        )
        return [call(q), f'fig = px.pie(result, names={py(plan.groups[0].name)}, values="percent")']


class Pivot(Intent):
    """'pivot of mean body mass by species and sex': a two-way table (a crosstab of counts
    when no value column is named)."""

    def match(self, q: Query) -> Plan | None:
        if not q.has("pivot"):
            return None
        groups = group_columns(q) or tuple(
            m.column for m in q.measures if m.column.kind != "number"
        )
        numbers = [c for c in numeric_measures(q) if c not in groups]
        if len(groups) != 2 or len(numbers) > 1:
            raise UnsupportedError(
                "A pivot needs two columns to split by and at most one value column."
            )
        agg, confidence = said_agg(q)
        if numbers and agg is None:
            agg, confidence = "mean", confidence - GUESSED_AGG_PENALTY
        return new_plan(
            q,
            self,
            groups=groups,
            measures=tuple(numbers),
            agg=agg or "count",
            confidence=confidence,
        )

    def explain(self, plan: Plan) -> str:
        what = measure_words(plan) or "rows"
        return f"Pivot of {agg_word(plan).lower()} {what} by {group_words(plan)}"

    def pandas(self, plan: Plan, rows: str, frame: str) -> list[str]:
        a, b = (g.name for g in plan.groups)
        if not plan.measures:
            return [f"result = pd.crosstab({col(rows, a)}, {col(rows, b)})"]
        m = plan.measures[0].name
        return [
            f"result = {rows}.pivot_table(index={py(a)}, columns={py(b)}, values={py(m)}, "
            f'aggfunc="{PANDAS_AGG[plan.agg]}")'
        ]

    def sql(self, plan: Plan, table: str) -> list[str] | None:
        a, b = (c.name for c in plan.groups)
        m = plan.measures[0] if plan.measures else None
        y = m.name if m else "count"
        q = (
            f"SELECT {quote_ident(a)}, {quote_ident(b)}, {agg_expr(plan, m)} AS {quote_ident(y)}\n"
            f"FROM {table}{where(plan, *not_null(plan.groups))}\nGROUP BY ALL"
        )
        return [
            call(q, "long"),
            f"result = long.pivot(index={py(a)}, columns={py(b)}, values={py(y)})",
        ]
