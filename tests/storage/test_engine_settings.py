"""What every connection of the engine is set up with, on each engine."""

from __future__ import annotations

import pytest

from storage.engine import create_engine


async def _settings(database_url: str, *queries: str) -> list[object]:
    """What each query returns on a connection of the engine made for `database_url`."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            return [(await conn.exec_driver_sql(query)).scalar_one() for query in queries]
    finally:
        await engine.dispose()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_postgresql_connections_run_without_jit_compilation(database_url: str) -> None:
    # The digest candidates' correlated subqueries push their cost estimates past
    # jit_above_cost; compiling then took a third of a 10,000-subscription build's query.
    assert await _settings(database_url, "SHOW jit") == ["off"]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_server_options_given_in_the_url_are_kept_beside_jit_off(database_url: str) -> None:
    url = f"{database_url}?options=-c%20statement_timeout%3D5000"
    assert await _settings(url, "SHOW statement_timeout", "SHOW jit") == ["5s", "off"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_sqlite_connections_use_wal_and_foreign_keys(database_url: str) -> None:
    found = await _settings(database_url, "PRAGMA journal_mode", "PRAGMA foreign_keys")
    assert found == ["wal", 1]
