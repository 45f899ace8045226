"""Discord shards across processes: `paperbot run --shards 0-1 --shard-count 4` runs those shards,
and every IDENTIFY on the database waits its turn (PostgreSQL advisory lock)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from bot.__main__ import main
from bot.cli.run import RunOptions, run
from bot.discord.shards import DISCORD_IDENTIFY_INTERVAL, IdentifyGate, Shards, shard_ids
from config import Settings
from storage.engine import create_engine
from tests.bot.discord.fake_discord import TOKEN, FakeDiscord
from tests.conftest import PG_ADMIN, _postgres_or_skip


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A database of its own on the test PostgreSQL."""
    _postgres_or_skip()
    name = f"paperbot_shards_{time.monotonic_ns() % 10**9}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    yield f"{base}/{name}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_shard_ids_read_ranges_and_lists() -> None:
    assert shard_ids("0-1") == (0, 1)
    assert shard_ids("0,2-3,8") == (0, 2, 3, 8)
    for bad in ("", "a-b", "1-"):
        with pytest.raises(argparse.ArgumentTypeError):
            shard_ids(bad)
    with pytest.raises(ValueError, match="between 0 and 3"):
        Shards((3, 4), 4)
    with pytest.raises(ValueError, match="distinct"):
        Shards((1, 1), 4)
    assert Shards((0, 1), 2).all_here and not Shards((0, 1), 4).all_here


async def test_identifies_of_two_processes_take_turns(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    # Two gates stand for two processes: each has its own connections to the database.
    first, second = IdentifyGate(engine, interval=2.0), IdentifyGate(engine, interval=2.0)
    try:
        started = time.monotonic()
        await first(0)
        await second(1)  # waits for the first's turn to pass
        assert time.monotonic() - started >= 2.0
        # A process that stops (or dies: its connection closes) lets the next go at once.
        await second.close()
        before = time.monotonic()
        await first(2)
        assert time.monotonic() - before < 2.0
    finally:
        await first.close()
        await second.close()
        await engine.dispose()


class Timed(list[dict[str, Any]]):
    """The fake Discord's record of IDENTIFY payloads, with when each arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []

    def append(self, payload: dict[str, Any]) -> None:
        """Record a payload and its time."""
        self.times.append(time.monotonic())
        super().append(payload)


def _settings(url: str) -> Settings:
    return Settings(_env_file=None, discord_token=TOKEN, database_url=url)  # type: ignore[call-arg]


async def test_paperbot_run_runs_its_shards_each_identify_in_turn(
    fake_discord: FakeDiscord, postgres_url: str
) -> None:
    fake_discord.identifies = identified = Timed()
    options = RunOptions(shards=(0, 1), shard_count=4)
    running = asyncio.create_task(run(_settings(postgres_url), False, options))
    try:
        await fake_discord.wait_for(lambda: len(fake_discord.identifies) >= 2, within=60)
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
    assert sorted(tuple(i["shard"]) for i in identified) == [(0, 4), (1, 4)]
    # Discord's five seconds between two IDENTIFYs, kept through the lock on the database.
    assert identified.times[1] - identified.times[0] >= DISCORD_IDENTIFY_INTERVAL


def test_shards_need_a_count_and_postgresql_for_the_others(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERBOT_DISCORD_TOKEN", TOKEN)
    monkeypatch.setenv("PAPERBOT_DATABASE_URL", "sqlite+aiosqlite:///unused.db")
    assert main(["--env-file", "/dev/null", "run", "--shards", "0-1"]) == 1
    assert "--shards and --shard-count go together" in capsys.readouterr().err
    assert main(["--env-file", "/dev/null", "run", "--shards", "0-1", "--shard-count", "4"]) == 1
    assert "several processes need PostgreSQL" in capsys.readouterr().err
    assert main(["--env-file", "/dev/null", "run", "--shards", "4", "--shard-count", "4"]) == 1
    assert "between 0 and 3" in capsys.readouterr().err
