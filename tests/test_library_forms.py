"""Library calls in a form the installed libraries do not take, rewritten to the form they do."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.stats

from engine.answer.library_forms import with_library_forms
from tests.conftest import SAMPLE_DATA
from tests.test_answer_failures import ask_model


@pytest.mark.parametrize(
    ("code", "meant"),
    [
        (  # DABench-dev q30's form: the root metric, imported beside the one already there
            "from sklearn.metrics import mean_squared_error\n"
            "rmse = mean_squared_error(y_test, y_pred, squared=False)\n",
            "from sklearn.metrics import mean_squared_error, root_mean_squared_error\n"
            "rmse = root_mean_squared_error(y_test, y_pred)\n",
        ),
        (  # by an alias; squared=True is the default and only goes
            "from sklearn.metrics import mean_squared_error as mse, r2_score\n"
            "r = mse(y, p, squared=False)\nm = mse(y, p, squared=True)\n",
            "from sklearn.metrics import mean_squared_error as mse, r2_score, "
            "root_mean_squared_error\nr = root_mean_squared_error(y, p)\nm = mse(y, p)\n",
        ),
        (  # through the module, the keyword first, the log error
            "import sklearn.metrics\n"
            "r = sklearn.metrics.mean_squared_log_error(squared=False, y_true=y, y_pred=p)\n",
            "import sklearn.metrics\n"
            "r = sklearn.metrics.root_mean_squared_log_error(y_true=y, y_pred=p)\n",
        ),
        (  # an import over lines, with its trailing comma
            "from sklearn.metrics import (\n    mean_squared_error,\n    r2_score,\n)\n"
            "r = mean_squared_error(y, p, squared=False)\n",
            "from sklearn.metrics import (\n    mean_squared_error,\n    r2_score, "
            "root_mean_squared_error,\n)\nr = root_mean_squared_error(y, p)\n",
        ),
        (  # DABench-dev q408's form: the p-value of pandas' coefficient
            "p = df['a'].corr(df['b'], method='spearman').pvalue\n",
            "import scipy.stats\np = scipy.stats.spearmanr("
            "*pd.concat([df['a'], df['b']], axis=1).dropna().to_numpy().T).pvalue\n",
        ),
        (  # DABench-dev q530's form: the coefficient and the p-value unpacked
            "import scipy.stats\nr, p = df.a.corr(df.b)\n",
            "import scipy.stats\n"
            "r, p = scipy.stats.pearsonr(*pd.concat([df.a, df.b], axis=1).dropna().to_numpy().T)\n",
        ),
        (  # DABench-dev q452's form: a keyword .corr() does not take, for the p-value
            "import scipy.stats\np_value = df.a.corr(df.b, method='pearson', tail='both')\n",
            "import scipy.stats\np_value = scipy.stats.pearsonr("
            "*pd.concat([df.a, df.b], axis=1).dropna().to_numpy().T).pvalue\n",
        ),
        (  # without one, the coefficient would be reported as the p-value
            "corr_pval = df.a.corr(df.b, method='kendall')\n",
            "import scipy.stats\ncorr_pval = scipy.stats.kendalltau("
            "*pd.concat([df.a, df.b], axis=1).dropna().to_numpy().T).pvalue\n",
        ),
        (
            "from plotly.express import px\nfig = px.bar(df, x='a')\n",
            "import plotly.express as px\nfig = px.bar(df, x='a')\n",
        ),
        (  # DABench-dev q180's other tries: `go` from either plotly module
            "from plotly.express import go\nfrom plotly.graph_objects import go\n",
            "import plotly.graph_objects as go\nimport plotly.graph_objects as go\n",
        ),
        (  # wtq-train nt-3217: DuckDB's sql hid the sandbox's, on an empty database
            "from duckdb import sql\nresult = sql('SELECT 1')\n",
            "\nresult = sql('SELECT 1')\n",
        ),
        (
            "if df is not None:\n    from duckdb import connect, sql\nresult = 1\n",
            "if df is not None:\n    from duckdb import connect\nresult = 1\n",
        ),
        ("if df is not None:\n    from duckdb import sql\n", "if df is not None:\n    pass\n"),
    ],
)
def test_a_form_the_libraries_do_not_take_is_rewritten(code: str, meant: str) -> None:
    assert with_library_forms(code) == meant


@pytest.mark.parametrize(
    "code",
    [
        # another function's `squared` means something else
        "from sklearn.metrics.pairwise import euclidean_distances\n"
        "d = euclidean_distances(X, squared=True)\n",
        # the code's own function of that name, and a squared= that is not a constant
        "def mean_squared_error(a, b, squared):\n    return 0\n"
        "r = mean_squared_error(1, 2, squared=False)\n",
        "from sklearn.metrics import mean_squared_error\nr = mean_squared_error(y, p, squared=s)\n",
        # the coefficient alone, a matrix, an unknown method
        "r = df.a.corr(df.b)\nm = df.corr(method='kendall')\n",
        "r, p = df.a.corr(df.b, method=my_method)\n",
        # names that do not say p-value: `p` may well be Pearson's coefficient
        "p = df.a.corr(df.b)\nr_value = df.a.corr(df.b, tail='both')\npearson = df.a.corr(df.b)\n",
        "from plotly import express as px\n",
        "from mylib import px\nfrom plotly.express import px as chart\n",
        "from duckdb import sql as duck_sql\nimport duckdb\n",  # binds no `sql`
        "result = (\n",
    ],
)
def test_forms_the_libraries_take_are_left_alone(code: str) -> None:
    assert with_library_forms(code) == code


def test_the_tests_coefficient_is_the_one_pandas_gives() -> None:
    """The rows both columns have, paired by index as pandas pairs them: the coefficient is
    `.corr()`'s own, and the p-value is scipy's for those rows."""
    df = pd.DataFrame({"a": [1.0, 2, np.nan, 4, 5, 7], "b": [2.0, 1, 3, 5, np.nan, 6]})
    code = with_library_forms("r, p = df['a'].corr(df['b'], method='spearman')")
    names: dict = {"df": df, "pd": pd}
    exec(code, names)
    assert names["r"] == pytest.approx(df["a"].corr(df["b"], method="spearman"))
    both = df.dropna()
    assert names["p"] == pytest.approx(scipy.stats.spearmanr(both["a"], both["b"]).pvalue)


def test_the_root_mean_squared_error_runs_without_a_repair(session) -> None:
    """On the real sandbox: the draft's `squared=False` (removed in scikit-learn 1.6) runs as
    the root metric with no repair, so the answer is the RMSE and not the MSE a repair that
    drops the argument computes."""
    bad = (
        "from sklearn.linear_model import LinearRegression\n"
        "from sklearn.metrics import mean_squared_error\n"
        "X, y = df[['quantity']], df['unit_price']\n"
        "predicted = LinearRegression().fit(X, y).predict(X)\n"
        "result = mean_squared_error(y, predicted, squared=False)"
    )
    turn, server = ask_model(session, "what is the RMSE of price from quantity?", [bad])
    assert turn.ok and len(server.requests) == 1
    sales = pd.read_csv(SAMPLE_DATA / "sales.csv")
    slope, intercept = np.polyfit(sales.quantity, sales.unit_price, 1)
    errors = sales.unit_price - (slope * sales.quantity + intercept)
    assert turn.result.answer.value == pytest.approx(float(np.sqrt((errors**2).mean())))


def test_the_p_value_of_a_coefficient_runs_without_a_repair(session) -> None:
    """On the real sandbox: `.corr(...).pvalue` runs as scipy's test, no repair asked."""
    bad = "result = df['unit_price'].corr(df['quantity']).pvalue"
    turn, server = ask_model(session, "the p-value of the correlation of price and quantity", [bad])
    assert turn.ok and len(server.requests) == 1
    sales = pd.read_csv(SAMPLE_DATA / "sales.csv")
    expected = scipy.stats.pearsonr(sales.unit_price, sales.quantity).pvalue
    assert turn.result.answer.value == pytest.approx(expected)


def test_sql_imported_from_duckdb_reads_the_loaded_tables(session) -> None:
    """On the real sandbox: the import dropped, `sql()` is the sandbox's, over the loaded
    tables; before, DuckDB's own `sql` found no table and the turn failed."""
    bad = "from duckdb import sql\nresult = sql('SELECT COUNT(*) AS n FROM sales')"
    turn, server = ask_model(session, "how many rows does sales have?", [bad])
    assert turn.ok and len(server.requests) == 1
    assert turn.result.answer.table.rows == ((len(pd.read_csv(SAMPLE_DATA / "sales.csv")),),)


def test_plotly_express_imported_as_px_draws(session) -> None:
    bad = "from plotly.express import px\nfig = px.bar(df, x='region', y='quantity')"
    turn, server = ask_model(session, "bar chart of quantity by region", [bad])
    assert turn.ok and len(server.requests) == 1 and turn.result.answer.kind == "figure"
