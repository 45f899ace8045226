"""Shared fixtures: real databases (SQLite and PostgreSQL), a controllable clock, ../shared."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from digest.clock import FixedClock
from storage.engine import create_engine, sqlite_url
from storage.migrate import upgrade
from storage.store import SqlStore
from storage.tables import Base

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
PG_ADMIN = os.environ.get("PAPERBOT_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"
START = datetime(2026, 6, 28, 18, 0, tzinfo=UTC)


def shared_or_skip(path: Path, in_ci: bool = IN_CI) -> Path:
    """`path` under ../shared/data; when it is absent a skip, or with CI=true a failure (CI
    always lays ../shared beside the checkout, so its absence there is a broken run)."""
    if not path.exists():
        reason = f"{path} is absent (it sits beside the checkout on developer machines)"
        if in_ci:
            pytest.fail(f"CI=true: {reason}")
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def shared() -> Path:
    """../shared/data, or a skip when this checkout has none beside it (a failure in CI)."""
    return shared_or_skip(SHARED)


def _postgres_or_skip() -> None:
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            pass
    except psycopg.OperationalError as exc:
        if IN_CI:
            pytest.fail(f"PostgreSQL at {PG_ADMIN} is required in CI: {exc}")
        pytest.skip(f"PostgreSQL at {PG_ADMIN} is unreachable: {exc}")


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session (dropped at the end)."""
    _postgres_or_skip()
    name = f"paperbot_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN.rsplit("/", 1)[0]
    yield f"{base}/{name}".replace("postgresql://", "postgresql+psycopg://", 1)
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_PG_STATE = {"migrated": False}


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _reset_postgres(url: str) -> None:
    with psycopg.connect(_plain(url), autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
    _PG_STATE["migrated"] = False


def _empty_postgres_tables(url: str) -> None:
    """Remove every row but keep the migrated schema (much faster than migrating again)."""
    with psycopg.connect(_plain(url)) as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(f'DELETE FROM "{table.name}"')


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database on each engine: a SQLite file, and a clean PostgreSQL schema."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path / "test.db")
    url: str = request.getfixturevalue("pg_database")
    _reset_postgres(url)
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
async def migrated_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database at the latest schema with no rows, on each engine."""
    if request.param == "sqlite":
        url = sqlite_url(tmp_path / "test.db")
    else:
        url = request.getfixturevalue("pg_database")
        if _PG_STATE["migrated"]:
            _empty_postgres_tables(url)
            return url
        _reset_postgres(url)
    engine = create_engine(url)
    await upgrade(engine)
    await engine.dispose()
    if request.param == "postgresql":
        _PG_STATE["migrated"] = True
    return url


@pytest.fixture
def sqlite_database_url(tmp_path: Path) -> str:
    """An empty SQLite database, for tests that do not need to run on both engines."""
    return sqlite_url(tmp_path / "test.db")


@pytest.fixture
def clock() -> FixedClock:
    """A clock the test moves by hand."""
    return FixedClock(START)


@pytest.fixture
async def store(migrated_url: str, clock: FixedClock) -> AsyncIterator[SqlStore]:
    """A migrated, empty store on each engine."""
    store = SqlStore(create_engine(migrated_url), clock)
    yield store
    await store.close()


@pytest.fixture
async def sqlite_store(sqlite_database_url: str, clock: FixedClock) -> AsyncIterator[SqlStore]:
    """A migrated store on SQLite only (core and handler tests)."""
    engine = create_engine(sqlite_database_url)
    await upgrade(engine)
    store = SqlStore(engine, clock)
    yield store
    await store.close()


@pytest.fixture(autouse=True)
def _root_logging_restored() -> Iterator[None]:
    """The root logger's handlers and level as they were before the test.

    A command run in-process (`main([...])`) calls `logging.basicConfig`, which puts a handler
    on the test's captured stderr; once pytest closes that stream, any later test's log record
    (an aiosqlite thread's DEBUG line under caplog) printed "--- Logging error ---".
    """
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)
