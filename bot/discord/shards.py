"""Discord shards split across processes: which shards this process runs, and IDENTIFYs taken in
turn by every process sharing the database.

Discord lets a bot IDENTIFY (open a gateway session) once every 5 seconds per rate-limit bucket
(`max_concurrency`, 1 for all but the largest bots); one process knows to pause between its own
shards, not between its shards and another's. So on PostgreSQL each IDENTIFY first takes a
session advisory lock, holds it for those 5 seconds and then lets it go: the next shard, in this
process or another, waits its turn. A process that dies frees the lock with its connection.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from bot.leader import LEADER_KEY

log = logging.getLogger(__name__)

DISCORD_IDENTIFY_INTERVAL = 5.0  # Discord's rule: one IDENTIFY per bucket every 5 seconds
# Held a little longer than Discord's 5 s: the lock is taken before an IDENTIFY is sent, and a
# send delayed on a busy host would otherwise reach Discord less than 5 s before the next one.
IDENTIFY_INTERVAL = DISCORD_IDENTIFY_INTERVAL + 0.5
IDENTIFY_KEY = LEADER_KEY + 1  # the next advisory lock key after the scheduler's


@dataclass(frozen=True, slots=True)
class Shards:
    """The shards this process runs, of how many the bot has."""

    ids: tuple[int, ...]
    count: int

    def __post_init__(self) -> None:
        if self.count < 1 or not self.ids:
            raise ValueError("a bot has at least one shard, and a process runs at least one")
        if len(set(self.ids)) != len(self.ids) or not all(0 <= i < self.count for i in self.ids):
            raise ValueError(f"shard ids must be distinct and between 0 and {self.count - 1}")

    @property
    def all_here(self) -> bool:
        """Whether this process runs every shard (no other process is needed)."""
        return len(self.ids) == self.count


def shard_ids(spec: str) -> tuple[int, ...]:
    """`0-1`, `2,3` or `0-3,8` as shard ids (an argparse type)."""
    found: list[int] = []
    try:
        for part in spec.split(","):
            first, dash, last = part.strip().partition("-")
            found += range(int(first), int(last) + 1) if dash else [int(first)]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{spec!r} is not shard ids like 0-1 or 0,2") from None
    if not found:
        raise argparse.ArgumentTypeError(f"{spec!r} names no shard")
    return tuple(found)


class IdentifyGate:
    """Before each IDENTIFY of any process on the database: wait for the bucket's turn."""

    def __init__(
        self, engine: AsyncEngine, interval: float = IDENTIFY_INTERVAL, max_concurrency: int = 1
    ) -> None:
        # Connections of its own: each lock lives exactly as long as its connection.
        self._engine = create_async_engine(engine.url, poolclass=NullPool)
        self.interval = interval
        self.max_concurrency = max_concurrency
        self._holding: dict[asyncio.Task[None], AsyncConnection] = {}

    async def __call__(self, shard_id: int | None) -> None:
        """Wait until no process has IDENTIFYed in this shard's bucket for `interval` seconds."""
        key = IDENTIFY_KEY + (shard_id or 0) % self.max_concurrency
        connection = await self._engine.connect()
        try:
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
        except BaseException:
            await connection.close()
            raise
        log.debug("shard %s may IDENTIFY now", shard_id)
        holding = asyncio.create_task(self._release_later(connection, key))
        self._holding[holding] = connection
        holding.add_done_callback(self._holding.pop)

    async def _release_later(self, connection: AsyncConnection, key: int) -> None:
        try:
            await asyncio.sleep(self.interval)
            await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
        finally:
            with contextlib.suppress(Exception):
                await connection.close()

    async def close(self) -> None:
        """Let every lock go (closing its connection does) and close the engine."""
        held = dict(self._holding)
        for holding in held:
            holding.cancel()
        if held:
            await asyncio.wait(list(held))
        # A task cancelled before it ran never reached its `finally`: close those here.
        for connection in held.values():
            with contextlib.suppress(Exception):
                await connection.close()
        await self._engine.dispose()
