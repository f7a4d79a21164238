"""Decipher's core: load tables into DuckDB, profile them, plan or generate code, run it in a
sandbox, and shape the result. Never imports Streamlit; `python -m engine` is its command line."""

__all__: list[str] = []
