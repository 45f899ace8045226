"""Digests wait for the day's ingestion: arXiv's announcement, and the marker of a finished run.

arXiv announces new papers Sunday to Thursday at 20:00 in New York. A digest due after an
announcement should hold that announcement's papers, so before building it the runner asks the
gate; the gate compares the last finished ingestion (a marker in `harvest_state`, written only
when a run completes) with the last announcement, and runs ingestion first when it is behind.
If ingestion fails, the digest waits (the catch-up job retries it) for at most `max_wait` past
its due time, then goes out with what is stored; late papers land in the next digest, since
windows follow match times.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from digest.announcements import last_mailed_deadline, mailing_of
from digest.ports import Clock, Store

log = logging.getLogger(__name__)

MARKER = "ingest:finished"
MAX_WAIT = timedelta(hours=6)

Ingest = Callable[[], Awaitable[object]]


class IngestIncomplete(Exception):
    """An ingestion run that returned but did not read everything (a category failed)."""


def last_announcement(now: datetime) -> datetime:
    """The latest arXiv announcement at or before `now` (Sun-Thu 20:00 America/New_York)."""
    return mailing_of(last_mailed_deadline(now))


class IngestGate:
    """Knows whether the latest announcement is ingested, and runs ingestion (once at a time)."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        ingest: Ingest | None,
        max_wait: timedelta = MAX_WAIT,
        lag: timedelta = timedelta(0),
    ) -> None:
        self.store = store
        self.clock = clock
        self._ingest = ingest
        self.max_wait = max_wait
        # arXiv's API lists a mailing some minutes after it goes out; a run that starts sooner
        # cannot have it, so the day's ingestion is one that started `lag` after the mailing.
        self.lag = lag
        self._running: asyncio.Task[bool] | None = None

    async def finished_at(self) -> datetime | None:
        """When the last complete ingestion run started (what it covers up to)."""
        async with self.store.unit() as unit:
            return await unit.harvest.get_watermark(MARKER)

    async def ready(self, now: datetime) -> bool:
        """True when ingestion has caught up with the last announcement (or cannot run here)."""
        if self._ingest is None:
            return True
        finished = await self.finished_at()
        needed = last_announcement(now - self.lag) + self.lag
        return finished is not None and finished >= needed

    async def ingest(self) -> bool:
        """Run ingestion, or join the run in progress; True when it completed."""
        if self._running is None or self._running.done():
            self._running = asyncio.ensure_future(self._run())
        return await asyncio.shield(self._running)

    async def _run(self) -> bool:
        if self._ingest is None:
            return True
        started = self.clock.now()
        try:
            await self._ingest()
        except Exception:
            log.exception("ingestion failed; digests due now wait for the next try")
            return False
        async with self.store.unit() as unit:
            await unit.harvest.set_watermark(MARKER, started)
        return True

    async def wait_for_day(self, now: datetime, due: datetime) -> bool:
        """True when a digest due at `due` may be built now; False means try again later."""
        if self._running is not None and not self._running.done():
            # A run in progress may be writing matches this digest's window should hold.
            await asyncio.shield(self._running)
        if await self.ready(now):
            return True
        if await self.ingest():
            return True
        if now - due >= self.max_wait:
            log.warning("ingestion still failing %s after a digest came due; posting it", now - due)
            return True
        return False
