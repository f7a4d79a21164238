"""Which SQL functions a database query may call (issue 15): the guard's lists, in one place.

Two rules, checked by `engine.databases.guard`:

1. **Allowlist on the way in.** The query arrives in DuckDB's dialect. A function that sqlglot
   knows (its ~630 function classes: aggregates, maths, text, dates, windows...) may be used, since
   sqlglot can also translate it; one that sqlglot does not know is refused unless it is in
   `PLAIN_UNKNOWN_FUNCTIONS`. Measured on 135 functions that analysis SQL commonly uses
   (aggregates, maths, text, dates, windows, casts): sqlglot 30.30 knows 127; the allowlist adds
   5 (date_part, now, age, to_date, to_char); refused are hash, setseed and pg_typeof. Every
   function of the planner's SQL (engine/planner/sqlgen.py) is known.
2. **Denylist on both sides.** Whatever the name, a function that reads or writes files, runs
   programs or JVM code, reaches other servers, touches large objects, sequences, locks,
   settings or other sessions, or executes SQL text it is given, is refused, in the DuckDB
   source and again in the translated PostgreSQL / Spark SQL.

The PostgreSQL names come from its manual (9.27 System Administration Functions, large objects,
dblink, postgres_fdw, adminpack, sequences, advisory locks, XML "query_to_xml", text search
"ts_stat"); the Spark names from `SHOW SYSTEM FUNCTIONS` on Spark 4.3.
"""

from __future__ import annotations

from typing import Final

# Functions sqlglot parses as Anonymous that are plain and exist in PostgreSQL and Spark.
PLAIN_UNKNOWN_FUNCTIONS: Final = frozenset({"date_part", "now", "age", "to_date", "to_char"})

# Any dialect, by prefix: PostgreSQL's admin/file/lock/replication functions, large objects,
# dblink, foreign data wrappers, Spark's file and JVM reflection helpers.
DENIED_PREFIXES: Final = (
    "pg_",
    "lo_",
    "dblink",
    "postgres_fdw",
    "txid_",
    "query_to_xml",
    "table_to_xml",
    "cursor_to_xml",
    "schema_to_xml",
    "database_to_xml",
    "input_file_",
    "xpath",
    "binary_upgrade_",
)

DENIED_FUNCTIONS: Final = frozenset(
    {
        # PostgreSQL: files, large objects, programs, settings, sessions, sequences, SQL text
        "loread", "lowrite", "set_config", "current_setting", "setseed", "nextval", "setval",
        "currval", "lastval", "ts_stat", "ts_rewrite", "query_to_xmlschema", "xmlparse",
        "brin_summarize_new_values", "brin_summarize_range", "brin_desummarize_range",
        "gin_clean_pending_list",
        # Spark: JVM reflection, files, descriptors read from paths, logs
        "reflect", "java_method", "try_reflect", "read_files", "from_protobuf", "to_protobuf",
        "from_avro", "to_avro", "schema_of_avro", "from_xml", "schema_of_xml", "to_xml",
        "python_worker_logs", "identifier",
        # DuckDB (the source dialect): files, settings, SQL text, other databases
        "read_csv", "read_csv_auto", "read_parquet", "parquet_scan", "parquet_metadata",
        "parquet_schema", "read_json", "read_json_auto", "read_json_objects", "read_ndjson",
        "read_text", "read_blob", "glob", "getenv", "sniff_csv", "query", "query_table",
        "to_file", "duckdb_secrets", "duckdb_settings", "which_secret",
        "postgres_scan", "postgres_query", "sqlite_scan", "mysql_query", "iceberg_scan",
        "delta_scan", "read_xlsx", "st_read", "secret", "net_func",
        # Other dialects' calls out to models and services (sqlglot knows them)
        "ai_agg", "ai_classify", "ai_embed", "ai_generate", "ai_similarity", "ai_summarize_agg",
        "a_i_forecast", "ai_forecast", "generate_embedding", "generate_text", "generate_table",
        "predict", "m_l_forecast", "m_l_translate", "ml_forecast", "ml_translate",
        "features_at_time", "vector_search", "next_value_for",
    }
)  # fmt: skip

# Functions allowed in FROM (table functions): the rest, which read files or other
# servers in some dialect (read_csv, dblink, json_table...), are refused.
TABLE_FUNCTIONS: Final = frozenset(
    {"unnest", "generate_series", "range", "explode", "explode_outer", "posexplode", "inline"}
)


def denied_function(name: str) -> bool:
    """True when `name` (any case, schema prefix removed) is on the denylist."""
    bare = name.lower().rsplit(".", 1)[-1].strip('"`')
    return bare in DENIED_FUNCTIONS or bare.startswith(DENIED_PREFIXES)
