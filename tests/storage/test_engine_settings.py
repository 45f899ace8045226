"""What every connection of the engine is set up with, on each engine."""

from __future__ import annotations

import pytest

from storage.engine import create_engine


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_postgresql_connections_run_without_jit_compilation(database_url: str) -> None:
    # The digest candidates' correlated subqueries push their cost estimates past
    # jit_above_cost; compiling then took a third of a 10,000-subscription build's query.
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            assert (await conn.exec_driver_sql("SHOW jit")).scalar_one() == "off"
    finally:
        await engine.dispose()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_sqlite_connections_use_wal_and_foreign_keys(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            assert (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar_one() == "wal"
            assert (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar_one() == 1
    finally:
        await engine.dispose()
