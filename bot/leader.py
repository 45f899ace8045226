"""Which process runs the scheduler's leader jobs (the daily harvest and the digests).

On PostgreSQL every `paperbot run` shares the database and one of them at a time holds a session
advisory lock on a connection of its own; the others try for it every `poll` seconds. The lock
goes with the connection: a leader that stops, crashes or is killed frees it at once (the server
sees the connection close), and one whose host vanishes frees it once the server's TCP keepalive
gives up on it (set to about 30 seconds on that connection). A leader checks its connection at
every poll and steps down when it is lost.

SQLite serves one process: `paperbot run` takes an exclusive lock on a file beside the database,
and a second one stops at start with a message saying so.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

# The advisory lock's key: any fixed 64-bit number no other application on the database uses.
LEADER_KEY = 0x70617065_72626F74  # "paperbot"
# The server drops a silent client after idle + interval * count seconds.
KEEPALIVE = (
    "SET tcp_keepalives_idle = 10",
    "SET tcp_keepalives_interval = 5",
    "SET tcp_keepalives_count = 4",
)

Listener = Callable[[], Awaitable[None]]


class SingleProcessOnly(RuntimeError):
    """A second `paperbot run` on a SQLite database."""


class Leadership(Protocol):
    """Decides whether this process leads, and says so when that changes."""

    @property
    def leading(self) -> bool:
        """Whether this process leads now."""
        ...

    async def run(self, elected: Listener, deposed: Listener) -> None:
        """Campaign until cancelled: `elected` when this process becomes the leader, `deposed`
        when it stops being one."""
        ...

    async def close(self) -> None:
        """Give the lead up (another process takes it at its next try)."""
        ...


class SqliteLeadership:
    """The one process on a SQLite database: leads from the start, alone or not at all."""

    def __init__(self, database: Path | None) -> None:
        # None for an in-memory database, which no other process can open anyway.
        self.database = database
        self.path = database.with_name(database.name + ".lock") if database else None
        self._descriptor: int | None = None
        self._leading = False

    @property
    def leading(self) -> bool:
        """True once the lock file is held."""
        return self._leading

    def acquire(self) -> None:
        """Hold the lock file; SingleProcessOnly if another process holds it."""
        if self.path is None:
            return
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(descriptor, 32).decode("ascii", "replace").strip() or "unknown"
            os.close(descriptor)
            raise SingleProcessOnly(
                f"another `paperbot run` (pid {holder}) is using the SQLite database "
                f"{self.database}. SQLite serves one process: stop that one, or "
                "move to PostgreSQL to run several (README: Deploy, Several processes)."
            ) from None
        os.ftruncate(descriptor, 0)
        os.write(descriptor, str(os.getpid()).encode("ascii"))
        self._descriptor = descriptor

    async def run(self, elected: Listener, deposed: Listener) -> None:
        """Lead at once (the lock was taken at start) and keep leading."""
        self._leading = True
        await elected()
        await asyncio.Event().wait()

    async def close(self) -> None:
        """Release the lock file."""
        self._leading = False
        if self._descriptor is not None:
            # Closing releases the lock. The file stays: removing it could race with a process
            # that has just opened it to take the lock.
            os.close(self._descriptor)
            self._descriptor = None


class PostgresLeadership:
    """Leads while holding a PostgreSQL session advisory lock on a connection of its own."""

    def __init__(self, engine: AsyncEngine, poll: float, key: int = LEADER_KEY) -> None:
        # Its own engine without a pool: the lock lives exactly as long as this connection.
        self._engine = create_async_engine(engine.url, poolclass=NullPool)
        self.poll = poll
        self.key = key
        self._connection: AsyncConnection | None = None

    @property
    def leading(self) -> bool:
        """True while the lock is held."""
        return self._connection is not None

    async def _try_lock(self) -> bool:
        connection = await self._engine.connect()
        try:
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            for statement in KEEPALIVE:
                await connection.execute(text(statement))
            got = await connection.scalar(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}
            )
        except BaseException:
            await connection.close()
            raise
        if got:
            self._connection = connection
            return True
        await connection.close()
        return False

    async def _still_held(self) -> bool:
        assert self._connection is not None
        try:
            await self._connection.execute(text("SELECT 1"))
        except Exception as error:
            log.error("lost the scheduler lead: its database connection failed: %s", error)
            with contextlib.suppress(Exception):
                await self._connection.invalidate()
            self._connection = None
            return False
        return True

    async def run(self, elected: Listener, deposed: Listener) -> None:
        """Try for the lock every `poll` seconds; check it is still held as often."""
        while True:
            try:
                if not self.leading and await self._try_lock():
                    log.info("this process leads the scheduler (harvest and digests)")
                    await elected()
                elif self.leading and not await self._still_held():
                    await deposed()
            except asyncio.CancelledError:
                raise
            except Exception:
                # The database is away: try again at the next poll.
                log.exception("scheduler leader election failed; trying again")
            await asyncio.sleep(self.poll)

    async def close(self) -> None:
        """Release the lock and close its connection."""
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
            with contextlib.suppress(Exception):
                await connection.close()
        await self._engine.dispose()


def leadership_for(engine: AsyncEngine, poll: float) -> PostgresLeadership | SqliteLeadership:
    """The leadership that fits the database: an advisory lock, or SQLite's lock file."""
    if engine.url.get_backend_name() == "postgresql":
        return PostgresLeadership(engine, poll)
    database = engine.url.database
    return SqliteLeadership(Path(database) if database and database != ":memory:" else None)
