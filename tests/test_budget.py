"""The session memory budget (issue 7): estimates near the truth, refusals that lose nothing."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from engine.budget import budget_bytes, estimated_bytes
from engine.catalog import Catalog
from engine.errors import InputError
from tests.conftest import SAMPLE_DATA


@pytest.mark.parametrize("name", ["penguins", "gapminder", "sales", "seattle_weather"])
def test_estimates_are_near_the_real_pandas_size(name, settings, tmp_path: Path) -> None:
    catalog = Catalog(settings, tmp_path)
    table = catalog.load(SAMPLE_DATA / f"{name}.csv")[0]
    estimate = estimated_bytes(catalog._con, table.name, table.rows)
    frame = pa.ipc.open_file(pa.memory_map(str(catalog.arrow_file(table.name)))).read_all()
    actual = frame.to_pandas().memory_usage(deep=True).sum()
    assert 0.5 * actual <= estimate <= 2 * actual
    catalog.close()


def test_a_table_over_the_budget_is_refused_and_the_session_kept(settings, tmp_path) -> None:
    catalog = Catalog(settings.with_overrides(session_memory_mb=1), tmp_path)
    catalog.load(SAMPLE_DATA / "penguins.csv")  # ~0.03 MB
    with pytest.raises(InputError, match="session_memory_mb") as caught:
        for _ in range(40):  # sales is ~0.5 MB: the budget runs out after a few copies
            catalog.load(SAMPLE_DATA / "sales.csv")
    assert "already used: penguins" in caught.value.message
    names = catalog.names
    assert names[0] == "penguins" and len(names) >= 2
    refused = {n for (n,) in catalog.fetch("SELECT table_name FROM duckdb_tables()")} - set(names)
    assert not refused  # the refused table was dropped, not left half-loaded
    catalog.close()


def test_zero_means_half_of_the_machine() -> None:
    import os

    half = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2
    assert budget_bytes(0) == half and budget_bytes(64) == 64 << 20


def test_tables_past_duckdb_memory_limit_spill_to_the_work_dir(settings, tmp_path, monkeypatch):
    """The catalog is in memory, but past `duckdb_memory_mb` DuckDB spills to the session's
    work directory (never to ./.tmp) and the data stays whole and queryable."""
    import duckdb

    csv = tmp_path / "wide.csv"
    duckdb.sql(
        "COPY (SELECT range AS id, md5(range::VARCHAR) || md5((range * 7)::VARCHAR) AS s "
        f"FROM range(3000000)) TO '{csv}' (HEADER)"
    )  # ~220 MB of incompressible text
    monkeypatch.chdir(tmp_path)
    work = tmp_path / "session"
    catalog = Catalog(settings.with_overrides(duckdb_memory_mb=128, session_memory_mb=0), work)
    (table,) = catalog.load(csv)
    assert catalog.fetch(f"SELECT count(*), sum(id), count(DISTINCT s) FROM {table.name}") == [
        (3_000_000, 2_999_999 * 3_000_000 // 2, 3_000_000)
    ]
    assert any(p.is_file() for p in (work / "spill").rglob("*"))
    assert not (tmp_path / ".tmp").exists()
    catalog.close()


def test_a_table_that_does_not_fit_duckdb_memory_says_how_to_fix_it(settings, tmp_path):
    import duckdb

    csv = tmp_path / "wide.csv"
    duckdb.sql(
        "COPY (SELECT range AS id, md5(range::VARCHAR) || md5((range * 7)::VARCHAR) AS s "
        f"FROM range(300000)) TO '{csv}' (HEADER)"
    )
    catalog = Catalog(settings.with_overrides(duckdb_memory_mb=8), tmp_path / "session")
    catalog.load(SAMPLE_DATA / "penguins.csv")
    with pytest.raises(InputError, match="did not fit in the memory DuckDB may use") as caught:
        catalog.load(csv)
    assert "Raise the DuckDB memory limit on the Settings page" in caught.value.message
    assert catalog.names == ("penguins",)
    assert catalog.fetch("SELECT count(*) FROM penguins") == [(344,)]
    catalog.close()
