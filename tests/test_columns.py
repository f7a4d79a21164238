"""Column names in generated code checked against the schema, with "did you mean"."""

from __future__ import annotations

import pytest

from engine.coerced_columns import coerced_columns
from engine.columns import summed_text_columns, unknown_columns
from engine.types import ColumnProfile, TableProfile

PENGUINS = TableProfile(
    name="penguins",
    source="penguins.csv",
    rows=344,
    columns=tuple(
        ColumnProfile(name, kind, 0, 3)
        for name, kind in [
            ("species", "VARCHAR"),
            ("island", "VARCHAR"),
            ("bill_length_mm", "DOUBLE"),
            ("body_mass_g", "BIGINT"),
            ("Flipper Length", "BIGINT"),
        ]
    ),
)
SALES = TableProfile("sales", "sales.csv", 10, (ColumnProfile("region", "VARCHAR", 0, 4),))


def messages(code: str) -> list[str]:
    return [p.message for p in unknown_columns(code, [PENGUINS, SALES])]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (
            "result = df['bill_len'].mean()",
            ["column 'bill_len' does not exist in table penguins; did you mean 'bill_length_mm'?"],
        ),
        (
            "result = penguins[['species', 'body_mass']]",
            ["column 'body_mass' does not exist in table penguins; did you mean 'body_mass_g'?"],
        ),
        (
            "result = df.groupby('Species')['island'].count()",
            ["column 'Species' does not exist in table penguins; did you mean 'species'?"],
        ),
        (
            "result = df.sort_values(by='flipper_length').head()",
            [
                "column 'flipper_length' does not exist in table penguins; did you mean 'Flipper Length'?"
            ],
        ),
        (
            "result = sales['regio']",
            ["column 'regio' does not exist in table sales; did you mean 'region'?"],
        ),
        (
            "result = px.scatter(df, x='bill_length_mm', y='mass')",
            ["column 'mass' does not exist in table penguins; did you mean 'body_mass_g'?"],
        ),
        (
            "result = df['zzzz']",
            [
                "column 'zzzz' does not exist in table penguins. Its columns are: 'species', "
                "'island', 'bill_length_mm', 'body_mass_g', 'Flipper Length'. If the question "
                "needs a column the tables do not have, call cannot_answer(...) instead of using "
                "another one."
            ],
        ),
    ],
)
def test_misspelt_columns_are_reported(code: str, expected: list[str]) -> None:
    assert messages(code) == expected


@pytest.mark.parametrize(
    "code",
    [
        "result = df[['species', 'island']]",
        "result = df['Flipper Length'].max()",
        "df['ratio'] = df['bill_length_mm'] / df['body_mass_g']\nresult = df['ratio'].mean()",
        "df.loc[df['island'] == 'Dream', 'flag'] = 1\nresult = df['flag'].sum()",
        "result = df.groupby('species').agg(n=('island', 'count'))['n']",  # named aggregation
        "counts = df['species'].value_counts().reset_index(name='n')\nresult = counts['n']",
        "summary = df.describe()\nresult = summary['mean']",  # not a table variable
        "df = df.merge(sales, how='cross')\nresult = df['region']",  # rebound: not checked
        "result = sql('SELECT species FROM penguins')['species']",
        "result = {'a': 1}['a']",
        "result = df[df['body_mass_g'] > 4000]['species'].nunique()",
        "result = df.rename(columns={'species': 'kind'})['kind']",
        "df.insert(0, 'kg', df['body_mass_g'] / 1000)\nresult = df['kg'].max()",  # inserted
        "this is not python(",
    ],
)
def test_valid_or_unknowable_references_pass(code: str) -> None:
    assert messages(code) == []


@pytest.mark.parametrize(
    "code",
    [
        "df = penguins.copy()\nresult = df[df['year'] == 2007]['species']",
        "df = penguins\nresult = df['year'].max()",
        "df = df.copy()\nresult = df.groupby('year')['species'].count()",
    ],
)
def test_a_copy_of_the_table_is_checked_as_the_table(code: str) -> None:
    """`df = <first table>.copy()` opened most of the local model's programs on DABench-dev,
    and its wrong column then failed in the sandbox as a bare KeyError."""
    assert [m.split(" in table")[0] for m in messages(code)] == ["column 'year' does not exist"]


@pytest.mark.parametrize(
    "code",
    [
        "north = df[df['island'] == 'Dream']\nresult = north['year'].max()",
        "top = df.sort_values('body_mass_g').head(3)\nresult = top.loc[top.index[0], 'year']",
        "a = penguins.dropna()\nb = a[a['body_mass_g'] > 3000]\nresult = b['year']",
        "rows = df.loc[df['island'] == 'Dream', :]\nresult = rows.groupby('year').size()",
        "result = df.loc[df['body_mass_g'].idxmax(), 'year']",
        "result = df.at[0, 'year']",
    ],
)
def test_rows_taken_from_a_table_are_checked_as_the_table(code: str) -> None:
    """DABench-dev 492: `df_2010 = df[df['Year'] == 2010]`, then `df_2010.loc[..., 'Field']`
    (no such column) failed in the sandbox as a bare KeyError, and the repair wrote it again."""
    assert [m.split(" in table")[0] for m in messages(code)] == ["column 'year' does not exist"]
    assert messages(code)[0].split(" in table ")[1].startswith("penguins")


@pytest.mark.parametrize(
    "code",
    [
        "some = df.loc[df['island'] == 'Dream', 'species']\nresult = some['Adelie']",  # a Series
        "pair = df[['species', 'island']]\nresult = pair['x']",  # a column subset: not checked
        "rows = df[df['island'] == 'Dream']\nrows = rows.merge(sales)\nresult = rows['region']",
        "by = df.set_index('species')\nresult = by.loc['Adelie', 'island']",
        "rows = df.head()\nrows['year'] = 2007\nresult = rows.loc[0, 'year']",  # made by the code
        "df.columns = ['a', 'b', 'c', 'd', 'e']\nresult = df['a'].sum()",  # renamed in place
        "rows = df.copy()\nrows.columns = ['a', 'b', 'c', 'd', 'e']\nresult = rows['a']",
    ],
)
def test_rows_whose_columns_may_differ_are_not_checked(code: str) -> None:
    assert messages(code) == []


def test_a_copy_of_another_table_is_not_checked_as_the_first() -> None:
    assert messages("df = sales.copy()\nresult = df['region'].nunique()") == []


@pytest.mark.parametrize(
    ("wrong", "columns"),
    [
        ("customer", ("order_id", "order_date", "region", "product", "price", "quantity")),
        ("revenue", ("order_id", "price", "quantity")),
        ("returned", ("order_id", "region", "product")),
        ("category", ("order_id", "region", "product")),
    ],
)
def test_a_different_concept_gets_no_did_you_mean(wrong: str, columns: tuple[str, ...]) -> None:
    """Issue 13: 'customers' suggested 'order_id', and the repair answered another question."""
    profile = TableProfile(
        "orders", "orders.csv", 3, tuple(ColumnProfile(c, "VARCHAR", 0, 3) for c in columns)
    )
    (problem,) = unknown_columns(f"result = df[{wrong!r}].nunique()", [profile])
    assert problem.suggestion is None and "did you mean" not in problem.message


@pytest.mark.parametrize(
    ("code", "columns"),
    [
        ("result = df[df['island'] == 'Dream']['species'].sum()", ["species"]),
        ("result = df.groupby('island')['species'].sum()", ["species"]),
        ("result = penguins['island'].sum() + sales['region'].sum()", ["island", "region"]),
        ("result = df[['species', 'island']].sum()", ["species", "island"]),
    ],
)
def test_a_text_column_added_up_is_named(code: str, columns: list[str]) -> None:
    assert summed_text_columns(code, [PENGUINS, SALES]) == columns


@pytest.mark.parametrize(
    "code",
    [
        "result = df['body_mass_g'].sum()",  # a number column
        "result = (df['species'] == 'Adelie').sum()",  # a count of matches
        "result = df['species'].str.contains('a').sum()",
        "result = pd.to_numeric(df['species'], errors='coerce').sum()",
        "df['species'] = pd.to_numeric(df['species'])\nresult = df['species'].sum()",
        "df = df.astype({'species': int})\nresult = df['species'].sum()",
        "df = sql('SELECT 1 AS species')\nresult = df['species'].sum()",  # another table
        "result = df['species'].count()",
        "result = (",  # does not parse: the run says so
    ],
)
def test_numbers_counts_and_converted_columns_are_left_alone(code: str) -> None:
    assert summed_text_columns(code, [PENGUINS, SALES]) == []


DEATHS = TableProfile(
    "deaths",
    "deaths.csv",
    856,
    (
        ColumnProfile("Country", "VARCHAR", 0, 107, examples=("Angola", "Chad")),
        ColumnProfile(
            "No. of deaths",
            "VARCHAR",
            0,
            519,
            top_values=(("0", 300),),
            examples=("298[110-510]", "13316[9970-16600]", "9[0-20]"),
        ),
        ColumnProfile("No. of deaths_median", "BIGINT", 0, 447, min=0, max=146734),
        ColumnProfile("wait", "TIME", 0, 27, examples=("00:00:07", "00:01:04")),
        ColumnProfile(
            "goals", "VARCHAR", 0, 30, top_values=(("—", 9),), examples=("12", "7", "3", "15")
        ),
        ColumnProfile("cases", "BIGINT", 0, 500, min=0, max=9),
    ),
)


def coerced(code: str) -> list[str]:
    return [c.for_model for c in coerced_columns(code, [DEATHS])]


def test_coercing_text_that_is_not_numbers_names_the_numeric_column() -> None:
    """DABench-dev 56: '298[110-510]' coerced is NaN; the table has the median as a number."""
    (message,) = coerced("df['n'] = pd.to_numeric(df['No. of deaths'], errors='coerce')")
    assert "turns most of its values into missing ones" in message
    assert "'298[110-510]'" in message
    assert message.endswith("The table has the number as a column already: 'No. of deaths_median'.")


def test_coercing_times_says_how_to_get_seconds() -> None:
    """DABench-dev 588: a TIME column coerced is all NaN, and no value is an outlier."""
    (message,) = coerced("x = pd.to_numeric(deaths['wait'], errors='coerce')")
    assert "pd.to_timedelta(df['wait'].astype(str)).dt.total_seconds()" in message


@pytest.mark.parametrize(
    "code",
    [
        "x = pd.to_numeric(df['goals'], errors='coerce')",  # a dash among numbers: meant
        "x = pd.to_numeric(df['cases'], errors='coerce')",  # numbers already
        "x = pd.to_numeric(df['No. of deaths'])",  # raises rather than losing values
        "df['No. of deaths'] = df['No. of deaths'].str.split('[').str[0]\n"
        "x = pd.to_numeric(df['No. of deaths'], errors='coerce')",  # made numbers first
        "df = df.assign(x=1)\nx = pd.to_numeric(df['nope'], errors='coerce')",  # not a column
    ],
)
def test_coercions_that_lose_nothing_are_left_alone(code: str) -> None:
    assert coerced(code) == []
