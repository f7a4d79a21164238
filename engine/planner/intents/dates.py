"""Intents about time: the first and last date, and trends per period (issue 5)."""

from __future__ import annotations

import re
from typing import Final

from engine.errors import UnsupportedError
from engine.identifiers import quote_ident
from engine.planner.plans import (
    GUESSED_AGG_PENALTY,
    Intent,
    Plan,
    group_columns,
    new_plan,
    numeric_measures,
    said_agg,
)
from engine.planner.query import Query
from engine.planner.snippets import (
    AGG_WORDS,
    PANDAS_AGG,
    PERIOD_CODES,
    agg_expr,
    call,
    col,
    not_null,
    py,
    where,
)

# Columns whose per-period total is what people mean ("quantity by month"); others get the mean
# (a "body mass trend" is not a sum of body masses).
WHEN: Final = re.compile(r"\s*(?:when|what date|which date|what day|what time)\b", re.I)
AMOUNT_NAME: Final = re.compile(
    r"quantit|qty|count|units|amount|sales|revenue|total|number|orders|visits|clicks|spend|cost"
)


class FirstLast(Intent):
    """'first date', 'last order date', 'date range': min and/or max of the one date column.
    `plan.period` says which: first, last or range."""

    reads = frozenset({"first", "last"})

    def match(self, q: Query) -> Plan | None:
        if not (q.has("first") or q.has("last") or q.has("range")) or q.has("agg") or q.n:
            return None
        dates = [m.column for m in q.columns if m.column.kind == "date"]
        if not dates:
            dates = [c for c in q.table.columns if c.kind == "date"]
            if len(dates) != 1 or any(m.column.kind != "date" for m in q.measures):
                return None
            if not (WHEN.match(q.question) or q.has("range") or q.has("row")):
                return None  # "what was the first album released in 2011" asks for an album
        if len(dates) != 1:
            raise UnsupportedError(f"Which date column: {' or '.join(c.name for c in dates)}?")
        which = "range" if q.has("range") or (q.has("first") and q.has("last")) else None
        which = which or ("first" if q.has("first") else "last")
        return new_plan(q, self, time=dates[0], period=which)

    def explain(self, plan: Plan) -> str:
        return f"{(plan.period or '').title()} date in {plan.time.name if plan.time else ''}"

    def gives(self, plan: Plan) -> str:
        return "table" if plan.period == "range" else "date"

    def pandas(self, plan: Plan, rows: str, frame: str) -> list[str]:
        assert plan.time is not None
        out = [f"dates = pd.to_datetime({col(rows, plan.time)})"]
        if plan.period == "range":
            return out + ['result = pd.Series({"first": dates.min(), "last": dates.max()})']
        return out + [f"result = dates.{'min' if plan.period == 'first' else 'max'}()"]

    def sql(self, plan: Plan, table: str) -> list[str] | None:
        assert plan.time is not None
        c = quote_ident(plan.time.name)
        if plan.period == "range":
            q = f"SELECT min({c}) AS first, max({c}) AS last FROM {table}{where(plan)}"
            return [call(q), "result = result.iloc[0]"]
        fn = "min" if plan.period == "first" else "max"
        q = f"SELECT {fn}({c}) AS {plan.period} FROM {table}{where(plan)}"
        return [call(q), f'result = result["{plan.period}"].iloc[0]']


class Trend(Intent):
    """'monthly revenue', 'lifeExp over the years (by continent)': a statistic per period of
    the date column (or per year), as a line chart."""

    def match(self, q: Query) -> Plan | None:
        period = q.value("period")
        year_group = [m.column for m in q.groups if m.column.name.lower() == "year"]
        if not (q.has("trend") or period or year_group):
            return None
        dates = [m.column for m in q.columns if m.column.kind == "date"]
        dates = dates or [c for c in q.table.columns if c.kind == "date"]
        years = year_group or [c for c in q.table.columns if c.name.lower() == "year"]
        if year_group:
            time, period = year_group[0], None
        elif len(dates) == 1:
            time = dates[0]
        elif dates:
            raise UnsupportedError(f"Which date column: {' or '.join(c.name for c in dates)}?")
        elif years:
            time, period = years[0], None
        else:
            return None
        measures = [c for c in numeric_measures(q) if c.name != time.name]
        other = [g for g in group_columns(q) if g.name != time.name]
        agg, confidence = said_agg(q)
        if len(measures) > 1 or len(other) > 1:
            raise UnsupportedError("Ask for the trend of one column at a time.")
        if measures and agg is None:  # sum for amounts of things, mean for levels (issue 5)
            amount = AMOUNT_NAME.search(measures[0].name.lower())
            agg, confidence = ("sum" if amount else "mean"), confidence - GUESSED_AGG_PENALTY
        return new_plan(
            q,
            self,
            measures=tuple(measures),
            agg=agg or "count",
            time=time,
            period=period or ("month" if time.kind == "date" else None),
            color=other[0] if other else None,
            confidence=confidence,
        )

    def explain(self, plan: Plan) -> str:
        time = plan.time.name if plan.time else "time"
        what = (
            "Number of rows"
            if plan.agg == "count"
            else f"{AGG_WORDS[plan.agg]} of {plan.measures[0].name}"
        )
        per = f"per {plan.period} of {time}" if plan.period else f"per {time}"
        return f"{what} {per}" + (f", by {plan.color.name}" if plan.color else "")

    def gives(self, plan: Plan) -> str:
        return "table"

    def pandas(self, plan: Plan, rows: str, frame: str) -> list[str]:
        assert plan.time is not None
        out = []
        if plan.period:
            key = plan.period
            code = PERIOD_CODES[plan.period]
            out.append(
                f"{rows}_by_{key} = {rows}.assign({key}=pd.to_datetime({col(rows, plan.time)})"
                f'.dt.to_period("{code}").dt.start_time)'
            )
            source = f"{rows}_by_{key}"
        else:
            key = plan.time.name
            source = rows
        keys = [key] + ([plan.color.name] if plan.color else [])
        keyed = py(keys[0]) if len(keys) == 1 else py(keys)
        if plan.agg == "count":
            y = "count"
            out.append(f'result = {source}.groupby({keyed}).size().reset_index(name="count")')
        else:
            y = plan.measures[0].name
            agg = PANDAS_AGG[plan.agg]
            out.append(f"result = {source}.groupby({keyed})[{py(y)}].{agg}().reset_index()")
        color = f", color={py(plan.color.name)}" if plan.color else ""
        return out + [f"fig = px.line(result, x={py(key)}, y={py(y)}{color}, markers=True)"]

    def sql(self, plan: Plan, table: str) -> list[str] | None:
        assert plan.time is not None
        m = plan.measures[0] if plan.measures else None
        y = m.name if m else "count"
        if plan.period:
            key = plan.period
            truncated = f"date_trunc('{key}', {quote_ident(plan.time.name)})"
            period = f"CAST({truncated} AS DATE) AS {key}"
        else:
            key = plan.time.name
            period = quote_ident(key)
        keys = [quote_ident(key)] + ([quote_ident(plan.color.name)] if plan.color else [])
        select = [period] + keys[1:] + [f"{agg_expr(plan, m)} AS {quote_ident(y)}"]
        q = (
            f"SELECT {', '.join(select)}\nFROM {table}{where(plan, *not_null([plan.time]))}\n"
            f"GROUP BY ALL\nORDER BY {', '.join(keys)}"
        )
        color = f", color={py(plan.color.name)}" if plan.color else ""
        return [call(q), f"fig = px.line(result, x={py(key)}, y={py(y)}{color}, markers=True)"]
