"""Code out of LLM replies: fences, prose, several blocks, truncation, no code."""

from __future__ import annotations

import pytest

from engine.extraction import (
    code_from_reply,
    code_using_loaded_tables,
    explanation_from_code,
    with_result,
)
from engine.types import ColumnProfile, TableProfile

FENCE = "```"


@pytest.mark.parametrize(
    ("reply", "code"),
    [
        (f"{FENCE}python\nresult = 1\n{FENCE}", "result = 1"),
        (
            f"Sure! Here it is:\n\n{FENCE}py\nresult = df.shape[0]\n{FENCE}\nThis counts rows.",
            "result = df.shape[0]",
        ),
        (f"{FENCE}\nresult = 2\n{FENCE}", "result = 2"),  # untagged fence
        (f"{FENCE}Python\nresult = 3\n{FENCE}", "result = 3"),  # tag case
        # two blocks that belong together are joined
        (
            f"First:\n{FENCE}python\nimport numpy as np\n{FENCE}\nthen:\n{FENCE}python\nresult = np.pi\n{FENCE}",
            "import numpy as np\n\nresult = np.pi",
        ),
        # a 'corrected version' that repeats the first block: the last one wins
        (
            f"{FENCE}python\nx = df['a']\nresult = x.sum()\n{FENCE}\nBetter:\n{FENCE}python\nx = df['a']\nresult = x.sum(min_count=1)\n{FENCE}",
            "x = df['a']\nresult = x.sum(min_count=1)",
        ),
        # non-python blocks are ignored when a python block exists
        (f"{FENCE}bash\npip install x\n{FENCE}\n{FENCE}python\nresult = 4\n{FENCE}", "result = 4"),
        # reply cut by max_tokens: no closing fence
        (f"{FENCE}python\nresult = df['a'].mean()\n", "result = df['a'].mean()"),
        # bare code, no fence
        ("result = df['price'].max()", "result = df['price'].max()"),
        # a lone SQL block becomes a sql() call
        (
            f"{FENCE}sql\nSELECT count(*) FROM sales;\n{FENCE}",
            'result = sql("""\nSELECT count(*) FROM sales\n""")',
        ),
        # reasoning models' think blocks are dropped
        (
            f"<think>maybe {FENCE}python\nwrong = 1\n{FENCE}</think>{FENCE}python\nresult = 5\n{FENCE}",
            "result = 5",
        ),
    ],
)
def test_code_is_found(reply: str, code: str) -> None:
    assert code_from_reply(reply) == code


@pytest.mark.parametrize(
    "reply",
    [
        "",
        "I cannot answer that from the data.",
        "Hello",  # parses as a Python name but does nothing
        "The average is 42.",
        f"{FENCE}python\n\n{FENCE}",  # empty block
    ],
)
def test_no_code_is_none(reply: str) -> None:
    assert code_from_reply(reply) is None


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("result = 1", "result = 1"),
        ("x = 2\nx * 3", "x = 2\nresult = x * 3"),
        ("df.groupby('a')['b'].mean()", "result = df.groupby('a')['b'].mean()"),
        (
            "total = df['a'].sum()\nprint(total)",
            "total = df['a'].sum()\nprint(total)\nresult = total",
        ),
        ("print('a', 1)", "print('a', 1)"),  # several printed values: left alone
        (
            "for r in results:\n    r",
            "for r in results:\n    r",
        ),  # last statement is not an expression
        ("x = (\n  1 +\n  2)\nx", "x = (\n  1 +\n  2)\nresult = x"),
        ("fig = px.bar(df)\nresult = fig", "fig = px.bar(df)\nresult = fig"),
        ("def broken(:\n", "def broken(:\n"),  # syntax errors go to the sandbox unchanged
        ("", ""),
    ],
)
def test_result_is_set_from_the_last_expression(code: str, expected: str) -> None:
    assert with_result(code) == expected


PROFILES = [
    TableProfile(
        "insurance", "/data/uploads/insurance.csv", 3, (ColumnProfile("age", "BIGINT", 0, 3),)
    ),
    TableProfile("sales_2024", "Sales 2024.xlsx", 3, (ColumnProfile("amount", "DOUBLE", 0, 3),)),
]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (
            "import pandas as pd\ndf = pd.read_csv('insurance.csv')\nresult = df['age'].mean()",
            "import pandas as pd\ndf = insurance.copy()\nresult = df['age'].mean()",
        ),
        (
            "d = pd.read_csv(\n    '/tmp/x/INSURANCE.csv',\n    sep=',',\n)\nresult = 1",
            "d = insurance.copy()\nresult = 1",
        ),
        (
            "a = pd.read_excel('Sales 2024.xlsx'); b = pd.read_csv('insurance.csv')",
            "a = sales_2024.copy(); b = insurance.copy()",
        ),
        (
            "s = pandas.read_parquet('sales_2024.parquet')",
            "s = sales_2024.copy()",
        ),  # same table, other format
        (  # `df` is the first table's name in code, not a file
            "df = pd.read_csv('OUTPUT_DIR/df.csv')\nresult = df['age'].mean()",
            "df = insurance.copy()\nresult = df['age'].mean()",
        ),
        (  # the prompt heads the table "Table insurance": DABench q418's made-up file name
            "df = pd.read_csv('table_insurance.csv')",
            "df = insurance.copy()",
        ),
        (
            "other = pd.read_csv('other.csv')",
            "other = pd.read_csv('other.csv')",
        ),  # not loaded: left for the check
        ("t = pd.read_csv('table_other.csv')", "t = pd.read_csv('table_other.csv')"),
        ("df = pd.read_csv(path)", "df = pd.read_csv(path)"),
        ("broken(", "broken("),
        (  # a file the code writes first is read as written (issue 14)
            "df.head().to_csv('insurance.csv')\nback = pd.read_csv('insurance.csv')",
            "df.head().to_csv('insurance.csv')\nback = pd.read_csv('insurance.csv')",
        ),
    ],
)
def test_file_reads_of_loaded_tables_use_the_loaded_table(code: str, expected: str) -> None:
    assert code_using_loaded_tables(code, PROFILES) == expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("df = pd.read_csv('table1.csv')", "df = insurance.copy()"),  # DABench q552
        ("df = pd.read_csv('OUTPUT_DIR/data.csv')", "df = insurance.copy()"),
        ("df = pd.read_excel('your_file.xlsx')", "df = insurance.copy()"),
        ("df = pd.read_csv('https://x.org/a.csv')", "df = pd.read_csv('https://x.org/a.csv')"),
        ("df = pd.read_csv('/etc/passwd')", "df = pd.read_csv('/etc/passwd')"),
        ("df = pd.read_csv('/data/x.csv')", "df = pd.read_csv('/data/x.csv')"),
        ("df = pd.read_csv('notes.md')", "df = pd.read_csv('notes.md')"),
        (
            "df.to_csv('mine.csv')\nback = pd.read_csv('mine.csv')",
            "df.to_csv('mine.csv')\nback = pd.read_csv('mine.csv')",
        ),
    ],
)
def test_with_one_table_loaded_any_file_read_is_that_table(code: str, expected: str) -> None:
    """No other data is there to read; with two tables, or one in a database, no guess."""
    assert code_using_loaded_tables(code, PROFILES[:1]) == expected
    assert code_using_loaded_tables("d = pd.read_csv('table1.csv')", PROFILES) == (
        "d = pd.read_csv('table1.csv')"
    )
    remote = TableProfile("orders", "postgresql://127.0.0.1/shop#orders", 3, ())
    assert code_using_loaded_tables("d = pd.read_csv('table1.csv')", [remote]) == (
        "d = pd.read_csv('table1.csv')"
    )


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("df.to_csv('clean.csv', index=False)\nresult = 1", False),
        ("open('notes.txt', 'w').write('x')\nresult = 1", False),
        ("with open('log.txt', mode='a') as f:\n    f.write('x')", False),
        ("plt.savefig('c.png')\nresult = open('c.png', 'rb').read()", False),
        ("df.to_parquet('t.parquet')\nresult = pd.read_parquet('t.parquet')", False),
        ("result = pd.read_csv('other.csv')", True),
        ("result = open('notes.txt').read()", True),
        ("df.to_csv('a.csv')\nresult = pd.read_csv('b.csv')", True),
        ("import duckdb\nresult = duckdb.connect('x.db')", True),
        ("open(", False),  # does not parse: the run says so (SyntaxError), as for every check
    ],
)
def test_the_check_allows_writing_files_and_reading_back_its_own(code: str, problem: bool) -> None:
    """Issue 14: files the code writes become downloads; reading any other file is still
    sent back before a run."""
    from engine.answer.checks import FILE_ACCESS_PROBLEM, code_problems

    assert (FILE_ACCESS_PROBLEM in [p.for_model for p in code_problems(code, [])]) is problem


def test_the_explanation_is_the_codes_own_step_comments() -> None:
    code = (
        "import pandas as pd  # noqa\n# mean price of each region\nby_region = "
        "df.groupby('region')['price'].mean()\n  # highest first.\nresult = by_region.sort_values()\n"
    )
    assert explanation_from_code(code) == "mean price of each region; highest first"
    assert explanation_from_code("result = 1") == ""


def test_the_explanation_leaves_out_setup_comments_that_compute_nothing() -> None:
    """The local model narrates loading data that is already loaded (20 of its 24 programs on
    DABench-dev questions 41-64 had a "# Load …" or "# Assuming …" comment) and storing its
    result: not steps a reader can check.
    A step about a column that merely starts with such a word stays."""
    code = (
        "# Assuming df is already loaded\n# Load the baseball_data table\nd = df.copy()\n"
        "# Load data\n# keep the 1992 rows\nd = d[d['year'] == 1992]\n# Store the result\n"
        "# load factor per route\nresult = d.groupby('route')['load'].mean()\n"
        "# Format the final answer\n"
    )
    assert explanation_from_code(code) == "keep the 1992 rows; load factor per route"


def test_the_explanation_leaves_out_steps_that_only_name_the_result() -> None:
    """Steps such as "Set the result to the answer", "Display the result" or "Compute the
    answer", the local model's narration of its last line (51 steps, in 47 of the 1,151
    distinct programs the benchmarks recorded by stop 67), say nothing a reader can check. A
    step that says what the result is stays."""
    code = (
        "# Let's assume the data is already loaded into df\n# Initialize the result variable\n"
        "# Load the tables\n# total area of the parks\narea = df['Area'].sum()\n"
        "# Set the result to the total area\n# Compute the answer\nresult = area\n"
        "# Set the result to the answer\n# Display the result\n# Construct the result string\n"
    )
    assert explanation_from_code(code) == (
        "total area of the parks; Set the result to the total area"
    )


def test_the_explanation_leaves_out_code_left_in_comments() -> None:
    """The local model leaves a line of code in a comment (wtq-train nt-11262): in the answer's
    one line it reads as code, not as a step. Prose that only looks like a name stays."""
    code = (
        "# df = pd.read_csv('table_266.csv')  # Example loading the data\n"
        "# total members of all groups\n# print(df.head())\n# import numpy as np\n"
        "# Members\nresult = df['Members'].sum()\n"
    )
    assert explanation_from_code(code) == "total members of all groups; Members"
