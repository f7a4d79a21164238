"""Plan -> pandas/plotly code for tables that fit comfortably in memory (issue 5)."""

from __future__ import annotations

from collections.abc import Callable

from engine.planner.codegen import PERIOD_CODES, col, filter_lines, py
from engine.planner.plans import Plan

PANDAS_AGG = {"mean": "mean", "sum": "sum", "median": "median", "min": "min", "max": "max",
              "std": "std", "var": "var", "count": "count"}  # fmt: skip


def pandas_code(plan: Plan, frame: str) -> str:
    lines, rows = filter_lines(plan, frame)
    body = _WRITERS[plan.intent](plan, rows, frame)
    return "\n".join(lines + body) + "\n"


def _by(plan: Plan) -> str:
    names = [g.name for g in plan.groups]
    return py(names[0]) if len(names) == 1 else py(names)


def _count_rows(plan: Plan, rows: str, frame: str) -> list[str]:
    return [f"result = len({rows})"]


def _count_groups(plan: Plan, rows: str, frame: str) -> list[str]:
    g = plan.groups[0].name
    out = [
        f"result = {rows}.groupby({_by(plan)}).size().sort_values(ascending=False)"
        '.reset_index(name="count")',
    ]
    color = f", color={py(plan.groups[1].name)}" if len(plan.groups) > 1 else ""
    return out + [f'fig = px.bar(result, x={py(g)}, y="count"{color})']


def _distinct_count(plan: Plan, rows: str, frame: str) -> list[str]:
    return [f"result = {col(rows, plan.groups[0])}.nunique()"]


def _distinct_groups(plan: Plan, rows: str, frame: str) -> list[str]:
    m = plan.measures[0].name
    return [
        f"result = {rows}.groupby({_by(plan)})[{py(m)}].nunique().reset_index()",
        f"fig = px.bar(result, x={py(plan.groups[0].name)}, y={py(m)})",
    ]


def _unique(plan: Plan, rows: str, frame: str) -> list[str]:
    c = col(rows, plan.groups[0])
    return [f"result = {c}.dropna().drop_duplicates().sort_values().reset_index(drop=True)"]


def _aggregate(plan: Plan, rows: str, frame: str) -> list[str]:
    m = plan.measures[0].name
    agg = PANDAS_AGG[plan.agg]
    if not plan.groups:
        return [f"result = {col(rows, m)}.{agg}()"]
    g = plan.groups[0].name
    per_group = f"{rows}.groupby({_by(plan)})[{py(m)}].{agg}()"
    if len(plan.groups) == 1:
        return [
            f"result = {per_group}.sort_values(ascending=False).reset_index()",
            f"fig = px.bar(result, x={py(g)}, y={py(m)})",
        ]
    out = [f"result = {per_group}.reset_index()"]
    h = plan.groups[1].name
    return out + [f'fig = px.bar(result, x={py(g)}, y={py(m)}, color={py(h)}, barmode="group")']


def _top_groups(plan: Plan, rows: str, frame: str) -> list[str]:
    g = plan.groups[0].name
    if plan.agg == "count":
        out = [f"per_group = {rows}.groupby({py(g)}).size()"]
        y = "count"
    else:
        m = plan.measures[0].name
        out = [f"per_group = {rows}.groupby({py(g)})[{py(m)}].{PANDAS_AGG[plan.agg]}()"]
        y = m
    if not plan.n:
        return out + [f"result = per_group.{'idxmax' if plan.descending else 'idxmin'}()"]
    pick = "nlargest" if plan.descending else "nsmallest"
    return out + [
        f"result = per_group.{pick}({plan.n}).reset_index(name={py(y)})",
        f"fig = px.bar(result, x={py(g)}, y={py(y)})",
    ]


def _top_rows(plan: Plan, rows: str, frame: str) -> list[str]:
    pick = "nlargest" if plan.descending else "nsmallest"
    return [f"result = {rows}.{pick}({plan.n}, {py(plan.measures[0].name)})"]


def _share(plan: Plan, rows: str, frame: str) -> list[str]:
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


def _share_rows(plan: Plan, rows: str, frame: str) -> list[str]:
    return [f"result = round(len({rows}) / len({frame}) * 100, 2)"]


def _histogram(plan: Plan, rows: str, frame: str) -> list[str]:
    m = plan.measures[0]
    color = f", color={py(plan.color.name)}" if plan.color else ""
    if m.kind == "number" or m.kind == "date":
        return [f"fig = px.histogram({rows}, x={py(m.name)}{color})", "result = fig"]
    return [
        f'result = {rows}.groupby({py(m.name)}).size().reset_index(name="count")',
        f'fig = px.bar(result, x={py(m.name)}, y="count")',
    ]


def _trend(plan: Plan, rows: str, frame: str) -> list[str]:
    assert plan.time is not None
    keys = []
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
    keys.append(key)
    if plan.color:
        keys.append(plan.color.name)
    by = py(keys[0]) if len(keys) == 1 else py(keys)
    if plan.agg == "count":
        y = "count"
        out.append(f'result = {source}.groupby({by}).size().reset_index(name="count")')
    else:
        y = plan.measures[0].name
        out.append(
            f"result = {source}.groupby({by})[{py(y)}].{PANDAS_AGG[plan.agg]}().reset_index()"
        )
    color = f", color={py(plan.color.name)}" if plan.color else ""
    return out + [f"fig = px.line(result, x={py(key)}, y={py(y)}{color}, markers=True)"]


def _corr(plan: Plan, rows: str, frame: str) -> list[str]:
    a, b = (m.name for m in plan.measures)
    return [f"result = {col(rows, a)}.corr({col(rows, b)})"]


def _corr_matrix(plan: Plan, rows: str, frame: str) -> list[str]:
    return [
        f'result = {rows}.select_dtypes("number").corr()',
        'fig = px.imshow(result, text_auto=".2f", color_continuous_scale="RdBu_r", zmin=-1, zmax=1)',
    ]


def _scatter(plan: Plan, rows: str, frame: str) -> list[str]:
    x, y = (m.name for m in plan.measures)
    color = f", color={py(plan.color.name)}" if plan.color else ""
    return [f"fig = px.scatter({rows}, x={py(x)}, y={py(y)}{color})", "result = fig"]


def _describe(plan: Plan, rows: str, frame: str) -> list[str]:
    names = [m.name for m in plan.measures]
    if plan.groups:
        target = py(names[0]) if len(names) == 1 else py(names)
        return [f"result = {rows}.groupby({_by(plan)})[{target}].describe()"]
    if len(names) == 1:
        return [f"result = {col(rows, names[0])}.describe()"]
    if names:
        return [f'result = {rows}[{py(names)}].describe(include="all")']
    return [f'result = {rows}.describe(include="all")']


def _missing(plan: Plan, rows: str, frame: str) -> list[str]:
    if len(plan.measures) == 1:
        return [f"result = int({col(rows, plan.measures[0])}.isna().sum())"]
    target = f"{rows}[{py([m.name for m in plan.measures])}]" if plan.measures else rows
    return [f'result = {target}.isna().sum().rename_axis("column").reset_index(name="missing")']


def _first_last(plan: Plan, rows: str, frame: str) -> list[str]:
    assert plan.time is not None
    out = [f"dates = pd.to_datetime({col(rows, plan.time)})"]
    if plan.period == "range":
        return out + ['result = pd.Series({"first": dates.min(), "last": dates.max()})']
    return out + [f"result = dates.{'min' if plan.period == 'first' else 'max'}()"]


def _head(plan: Plan, rows: str, frame: str) -> list[str]:
    return [f"result = {rows}.head({plan.n})"]


def _mode(plan: Plan, rows: str, frame: str) -> list[str]:
    g = plan.groups[0].name
    return [f"result = {rows}.groupby({py(g)}).size().idxmax()"]


def _sort(plan: Plan, rows: str, frame: str) -> list[str]:
    asc = "False" if plan.descending else "True"
    head = f".head({plan.n})" if plan.n else ""
    return [f"result = {rows}.sort_values({py(plan.measures[0].name)}, ascending={asc}){head}"]


def _pivot(plan: Plan, rows: str, frame: str) -> list[str]:
    a, b = (g.name for g in plan.groups)
    if not plan.measures:
        return [f"result = pd.crosstab({col(rows, a)}, {col(rows, b)})"]
    m = plan.measures[0].name
    return [
        f"result = {rows}.pivot_table(index={py(a)}, columns={py(b)}, values={py(m)}, "
        f'aggfunc="{PANDAS_AGG[plan.agg]}")'
    ]


def _rows(plan: Plan, rows: str, frame: str) -> list[str]:
    return [f"result = {rows}"]


_WRITERS: dict[str, Callable[[Plan, str, str], list[str]]] = {
    "count_rows": _count_rows,
    "count_groups": _count_groups,
    "distinct_count": _distinct_count,
    "distinct_groups": _distinct_groups,
    "unique": _unique,
    "aggregate": _aggregate,
    "top_groups": _top_groups,
    "top_rows": _top_rows,
    "share": _share,
    "share_rows": _share_rows,
    "histogram": _histogram,
    "trend": _trend,
    "corr": _corr,
    "corr_matrix": _corr_matrix,
    "scatter": _scatter,
    "describe": _describe,
    "missing": _missing,
    "first_last": _first_last,
    "head": _head,
    "mode": _mode,
    "sort": _sort,
    "pivot": _pivot,
    "rows": _rows,
}
