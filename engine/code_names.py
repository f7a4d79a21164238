"""The names generated code sees, and the file reads it must not make: each written once.

The prompt describes them, the planner and the chart builder write code with them, the sandbox
builds them, the exported notebook recreates them, the checks look for them, and no table may be
named like one of them.
"""

from __future__ import annotations

from typing import Final

FIRST_TABLE: Final = "df"  # the first table, as a pandas DataFrame
SQL: Final = "sql"  # sql(query) -> DataFrame, DuckDB over the tables
RESULT: Final = "result"  # the answer the code leaves
FIGURE: Final = "fig"  # a chart shown beside the answer
RESULTS: Final = "results"  # earlier turns' results, newest last
DECLINE: Final = "cannot_answer"  # cannot_answer(reason): the tables do not hold what is asked
OUTPUT_DIR: Final = "OUTPUT_DIR"  # the run's folder (also its working directory): files kept
SAVE_TABLE: Final = "save_table"  # save_table(name, frame, replace=False): a new session table
MODULES: Final = {
    "pd": "pandas",
    "np": "numpy",
    "px": "plotly.express",
    "go": "plotly.graph_objects",
}
RESERVED: Final = frozenset(
    {FIRST_TABLE, SQL, RESULT, FIGURE, RESULTS, DECLINE, OUTPUT_DIR, SAVE_TABLE, "tables", *MODULES}
)

# pandas readers a model reaches for although the data is loaded (the sandbox has no files).
FILE_READERS: Final = (
    "read_csv",
    "read_table",
    "read_excel",
    "read_parquet",
    "read_json",
    "read_feather",
    "read_orc",
)
