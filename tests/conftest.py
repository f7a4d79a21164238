"""Shared fixtures: real DuckDB, real files, a loaded sample session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DATA = ROOT / "sample_data"
MESSY = Path(__file__).parent / "data" / "messy"
# Real PostgreSQL and Spark Connect servers for the database tests (issue 15), started on demand.
pytest_plugins = ["tests.db_fixtures"]


def pytest_report_header() -> list[str]:
    import duckdb
    import pandas
    import streamlit

    return [
        f"duckdb {duckdb.__version__}, pandas {pandas.__version__}, streamlit {streamlit.__version__}"
    ]


@pytest.fixture
def con():
    """A fresh in-memory DuckDB set up like the engine's (no extension auto-install)."""
    from engine.catalog import connect

    connection = connect()
    yield connection
    connection.close()


@pytest.fixture
def settings(tmp_path: Path):
    """Test-friendly settings: a private data directory, environment ignored."""
    from engine.config import load_settings

    return load_settings(env={}, data_dir=str(tmp_path / "data"))


@pytest.fixture
def session(settings, tmp_path: Path) -> Iterator[object]:
    """A session with the sales sample loaded (closed afterwards, sandbox included)."""
    from engine.session import Session

    with Session(settings, work_dir=tmp_path / "session") as s:
        s.load(SAMPLE_DATA / "sales.csv")
        yield s
