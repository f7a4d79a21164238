"""Intents that look at whole columns: correlations, scatter plots, missing values, summaries,
the first rows, distributions (issue 5)."""

from __future__ import annotations

from typing import Final

from engine.errors import UnsupportedError
from engine.identifiers import quote_ident
from engine.planner.plans import Intent, Plan, group_columns, new_plan, numeric_measures
from engine.planner.query import Query
from engine.planner.snippets import by, call, col, grouped_by, measure_words, not_null, py, where
from engine.types import ColumnProfile

HISTOGRAM_BINS: Final = 40
SCATTER_SAMPLE: Final = 10_000  # points a scatter plot can draw smoothly in the browser


class CorrelationMatrix(Intent):
    """'correlation matrix', or 'correlations' with no column named. pandas only: DuckDB has
    no one-call matrix, and the result is small anyway."""

    def match(self, q: Query) -> Plan | None:
        if q.has("matrix") or (q.has("corr") and not numeric_measures(q) and not q.groups):
            return new_plan(q, self)
        return None

    def explain(self, plan: Plan) -> str:
        return "Correlation matrix of the numeric columns"

    def pandas(self, plan: Plan, rows: str, frame: str) -> list[str]:
        return [
            f'result = {rows}.select_dtypes("number").corr()',
            'fig = px.imshow(result, text_auto=".2f", color_continuous_scale="RdBu_r", zmin=-1, zmax=1)',
        ]


class Correlation(Intent):
    """'correlation of bill length and bill depth': Pearson's r of two numeric columns."""

    def match(self, q: Query) -> Plan | None:
        if not q.has("corr"):
            return None
        numbers = numeric_measures(q)
        if len(numbers) != 2:
            raise UnsupportedError(
                "Name two numeric columns to correlate, e.g. “correlation of a and b”."
            )
        return new_plan(q, self, measures=tuple(numbers))

    def explain(self, plan: Plan) -> str:
        return f"Pearson correlation of {measure_words(plan).replace(', ', ' and ')}"

    def gives(self, plan: Plan) -> str:
        return "number"

    def pandas(self, plan: Plan, rows: str, frame: str) -> list[str]:
        a, b = (m.name for m in plan.measures)
        return [f"result = {col(rows, a)}.corr({col(rows, b)})"]

    def sql(self, plan: Plan, table: str) -> list[str] | None:
        a, b = (quote_ident(m.name) for m in plan.measures)
        return [
            call(f"SELECT corr({a}, {b}) AS r FROM {table}{where(plan)}"),
            'result = result["r"].iloc[0]',
        ]


class Scatter(Intent):
    """'scatter of a vs b (coloured by c)'. Big tables plot a fixed-seed sample of points."""

    def match(self, q: Query) -> Plan | None:
        numbers = numeric_measures(q)
        if not (q.has("scatter") and len(numbers) == 2):
            return None
        return new_plan(q, self, measures=tuple(numbers), color=_color(q))

    def explain(self, plan: Plan) -> str:
        if len(plan.measures) == 2:
            return f"Scatter plot of {plan.measures[1].name} against {plan.measures[0].name}"
        return "Scatter plot"

    def gives(self, plan: Plan) -> str:
        return "figure"

    def pandas(self, plan: Plan, rows: str, frame: str) -> list[str]:
        x, y = (m.name for m in plan.measures)
        color = f", color={py(plan.color.name)}" if plan.color else ""
        return [f"fig = px.scatter({rows}, x={py(x)}, y={py(y)}{color})", "result = fig"]

    def sql(self, plan: Plan, table: str) -> list[str] | None:
        cols = [m.name for m in plan.measures] + ([plan.color.name] if plan.color else [])
        q = (
            f"SELECT {', '.join(quote_ident(c) for c in cols)}\nFROM {table}{where(plan)}\n"
            f"USING SAMPLE {SCATTER_SAMPLE} ROWS (reservoir, 42)"
        )
        x, y = (py(m.name) for m in plan.measures)
        color = f", color={py(plan.color.name)}" if plan.color else ""
        return [call(q, "points"), f"fig = px.scatter(points, x={x}, y={y}{color})", "result = fig"]


class Missing(Intent):
    """'missing values (in bill_length_mm)': counts of empty cells."""

    def match(self, q: Query) -> Plan | None:
        if not q.has("missing"):
            return None
        if q.has("share") or q.has("agg"):
            raise UnsupportedError(
                "Ask for the number of missing values; shares of them are not offline yet."
            )
        return new_plan(q, self, measures=tuple(m.column for m in q.measures))

    def explain(self, plan: Plan) -> str:
        return f"Missing values in {measure_words(plan) or 'each column'}"

    def gives(self, plan: Plan) -> str:
        return "number" if len(plan.measures) == 1 else "table"

    def pandas(self, plan: Plan, rows: str, frame: str) -> list[str]:
        if len(plan.measures) == 1:
            return [f"result = int({col(rows, plan.measures[0])}.isna().sum())"]
        target = f"{rows}[{py([m.name for m in plan.measures])}]" if plan.measures else rows
        return [f'result = {target}.isna().sum().rename_axis("column").reset_index(name="missing")']

    def sql(self, plan: Plan, table: str) -> list[str] | None:
        if len(plan.measures) == 1:
            c = quote_ident(plan.measures[0].name)
            return [
                call(f"SELECT count(*) - count({c}) AS n FROM {table}{where(plan)}"),
                'result = int(result["n"].iloc[0])',
            ]
        cols = plan.measures or plan.table.columns
        counts = ",\n".join(
            f"    count(*) - count({quote_ident(c.name)}) AS {quote_ident(c.name)}" for c in cols
        )
        return [
            call(f"SELECT\n{counts}\nFROM {table}{where(plan)}", "counts"),
            'result = counts.iloc[0].rename_axis("column").reset_index(name="missing")',
        ]


class ColumnCount(Intent):
    """'how many columns are in the table': the number of columns, not of rows."""

    reads = frozenset({"columns"})

    def match(self, q: Query) -> Plan | None:
        # "in the table" reads as during, row and listed
        said = {f for _, f, _ in q.keywords} - {"columns", "during", "row", "listed"}
        if not q.has("columns") or said or q.filters or q.columns:
            return None  # "how many columns have blanks": not a count this intent writes
        return new_plan(q, self)

    def explain(self, plan: Plan) -> str:
        return "Number of columns"

    def gives(self, plan: Plan) -> str:
        return "number"

    def pandas(self, plan: Plan, rows: str, frame: str) -> list[str]:
        return [f"result = len({frame}.columns)"]


class Describe(Intent):
    """'describe the table', 'summary of price by region': pandas' describe(); a big table
    without groups or filters gets DuckDB's SUMMARIZE (a richer shape)."""

    def match(self, q: Query) -> Plan | None:
        if not q.has("describe") or q.has("agg"):
            return None
        return new_plan(
            q, self, measures=tuple(m.column for m in q.measures), groups=group_columns(q)
        )

    def explain(self, plan: Plan) -> str:
        return f"Summary statistics of {measure_words(plan) or 'every column'}{grouped_by(plan)}"

    def pandas(self, plan: Plan, rows: str, frame: str) -> list[str]:
        names = [m.name for m in plan.measures]
        if plan.groups:
            target = py(names[0]) if len(names) == 1 else py(names)
            return [f"result = {rows}.groupby({by(plan)})[{target}].describe()"]
        if len(names) == 1:
            return [f"result = {col(rows, names[0])}.describe()"]
        if names:
            return [f'result = {rows}[{py(names)}].describe(include="all")']
        return [f'result = {rows}.describe(include="all")']

    def sql(self, plan: Plan, table: str) -> list[str] | None:
        if plan.groups or plan.filters:
            return None
        cols = ", ".join(quote_ident(m.name) for m in plan.measures) or "*"
        return [call(f"SUMMARIZE SELECT {cols} FROM {table}")]


class Head(Intent):
    """'first 10 rows', 'show me the head'."""

    reads = frozenset({"first"})

    def match(self, q: Query) -> Plan | None:
        if q.has("head") or (q.has("first") and q.has("row") and not q.measures):
            return new_plan(q, self, n=q.n or 5)
        return None

    def explain(self, plan: Plan) -> str:
        return f"The first {plan.n} rows"

    def gives(self, plan: Plan) -> str:
        return "rows"

    def pandas(self, plan: Plan, rows: str, frame: str) -> list[str]:
        return [f"result = {rows}.head({plan.n})"]

    def sql(self, plan: Plan, table: str) -> list[str] | None:
        return [call(f"SELECT * FROM {table}{where(plan)} LIMIT {plan.n}")]


class Histogram(Intent):
    """'distribution of price (by region)': a histogram, or bar counts for a text column."""

    def match(self, q: Query) -> Plan | None:
        if not q.has("hist") or q.has("agg"):
            return None
        targets = [m.column for m in q.measures]
        if len(targets) != 1:
            raise UnsupportedError("Name one column to show the distribution of.")
        return new_plan(q, self, measures=(targets[0],), color=_color(q))

    def explain(self, plan: Plan) -> str:
        color = f", coloured by {plan.color.name}" if plan.color else ""
        return f"Distribution of {measure_words(plan)}{color}"

    def gives(self, plan: Plan) -> str:
        m = plan.measures[0]
        return "figure" if m.kind in ("number", "date") else "table"

    def pandas(self, plan: Plan, rows: str, frame: str) -> list[str]:
        m = plan.measures[0]
        color = f", color={py(plan.color.name)}" if plan.color else ""
        if m.kind == "number" or m.kind == "date":
            return [f"fig = px.histogram({rows}, x={py(m.name)}{color})", "result = fig"]
        return [
            f'result = {rows}.groupby({py(m.name)}).size().reset_index(name="count")',
            f'fig = px.bar(result, x={py(m.name)}, y="count")',
        ]

    def sql(self, plan: Plan, table: str) -> list[str] | None:
        """Bins counted in DuckDB, for one numeric column with a range and no colour."""
        m = plan.measures[0]
        if m.kind != "number" or plan.color or not isinstance(m.min, int | float) or m.max == m.min:
            return None
        lo, width = m.min, float(f"{(m.max - m.min) / HISTOGRAM_BINS:.6g}")  # readable width
        c = quote_ident(m.name)
        q = (
            f"SELECT least(floor(({c} - {lo!r}) / {width!r}), {HISTOGRAM_BINS - 1}) AS bin, "
            f"count(*) AS count\nFROM {table}{where(plan, *not_null([m]))}\n"
            "GROUP BY bin\nORDER BY bin"
        )
        return [
            call(q, "bins"),
            f'bins[{py(m.name)}] = {lo!r} + (bins["bin"] + 0.5) * {width!r}  # bin centres',
            f'fig = px.bar(bins, x={py(m.name)}, y="count")',
            "fig.update_layout(bargap=0)",
            "result = fig",
        ]


def _color(q: Query) -> ColumnProfile | None:
    """The column to colour by: the one said after 'coloured by', or the one group."""
    if q.color:
        return q.color.column
    return q.groups[0].column if len(q.groups) == 1 else None
