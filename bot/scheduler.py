"""APScheduler wiring: digest jobs derived from the subscriptions table, and daily ingestion."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.delivery import Delivery
from bot.messages import digest_messages
from digest import weekly
from digest.models import Digest, Subscription
from digest.ports import Clock, Store

log = logging.getLogger(__name__)

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ChannelKey = tuple[int, str]


def group_by_channel(subscriptions: list[Subscription]) -> dict[ChannelKey, list[Subscription]]:
    """Subscriptions grouped by (workspace, channel): one digest per channel."""
    groups: dict[ChannelKey, list[Subscription]] = defaultdict(list)
    for subscription in subscriptions:
        groups[(subscription.workspace_id, subscription.channel_id)].append(subscription)
    return dict(groups)


def is_overdue(subscription: Subscription, now: datetime) -> bool:
    """True when a scheduled time passed since the subscription's last delivered window."""
    since = subscription.watermark or subscription.created_at
    return since is not None and weekly.last_due(subscription, now) > since


class DigestRunner:
    """Builds, records and delivers the digest of one channel (the job every trigger runs)."""

    def __init__(self, store: Store, clock: Clock, delivery: Delivery) -> None:
        self.store = store
        self.clock = clock
        self.delivery = delivery

    async def run_channel(self, workspace_id: int, channel_id: str) -> Digest | None:
        """Write the channel's digest to the outbox, advance its watermark, then post it."""
        now = self.clock.now()
        async with self.store.unit() as unit:
            subs = [
                s
                for s in await unit.subscriptions.for_channel(workspace_id, channel_id)
                if not s.paused
            ]
            workspace = await unit.workspaces.get(workspace_id)
            if not subs or workspace is None:
                return None
            digest = await weekly.build_digest(unit, workspace_id, channel_id, subs, now)
            quiet = all(s.quiet_when_empty for s in subs)
            payloads = [
                m.to_payload()
                for m in digest_messages(digest, workspace.settings.nomination_emoji, quiet)
            ]
            saved = await weekly.record_digest(unit, digest, payloads)
        await self.delivery.deliver_due()
        return saved

    async def run_overdue(self) -> int:
        """Run every channel whose digest came due since its last one; returns how many ran."""
        now = self.clock.now()
        async with self.store.unit() as unit:
            groups = group_by_channel(await unit.subscriptions.all_active())
        ran = 0
        for (workspace_id, channel_id), subs in sorted(groups.items()):
            if any(is_overdue(s, now) for s in subs):
                await self.run_channel(workspace_id, channel_id)
                ran += 1
        return ran


class BotScheduler:
    """One AsyncIOScheduler; the subscriptions table, not a job store, says what runs when."""

    def __init__(
        self,
        store: Store,
        runner: DigestRunner,
        delivery: Delivery,
        ingest: Callable[[], Awaitable[object]] | None = None,
        ingest_hour: int = 1,
        ingest_minute: int = 30,
        ingest_timezone: str = "UTC",
    ) -> None:
        self.store = store
        self.runner = runner
        self.delivery = delivery
        self.scheduler = AsyncIOScheduler()
        self._ingest = ingest
        self._ingest_at = (ingest_hour, ingest_minute, ingest_timezone)

    async def start(self) -> None:
        """Catch up on digests missed while down, derive the jobs, and start the scheduler."""
        await self.runner.run_overdue()
        await self.sync()
        self.scheduler.add_job(
            self.delivery.deliver_due, "interval", seconds=30, id="outbox", replace_existing=True
        )
        if self._ingest is not None:
            hour, minute, zone = self._ingest_at
            self.scheduler.add_job(
                self._ingest,
                CronTrigger(hour=hour, minute=minute, timezone=zone),
                id="ingest",
                replace_existing=True,
            )
        self.scheduler.start()

    async def sync(self) -> None:
        """Re-derive the digest jobs from the subscriptions table."""
        async with self.store.unit() as unit:
            groups = group_by_channel(await unit.subscriptions.all_active())
        wanted = set()
        for (workspace_id, channel_id), subs in groups.items():
            first = subs[0]
            job_id = f"digest:{workspace_id}:{channel_id}"
            wanted.add(job_id)
            self.scheduler.add_job(
                self.runner.run_channel,
                CronTrigger(
                    day_of_week=DAYS[first.weekday],
                    hour=first.at.hour,
                    minute=first.at.minute,
                    timezone=first.timezone,
                ),
                args=(workspace_id, channel_id),
                id=job_id,
                replace_existing=True,
                misfire_grace_time=3600,
                coalesce=True,
            )
        for job in self.scheduler.get_jobs():
            if job.id.startswith("digest:") and job.id not in wanted:
                job.remove()
        log.info("scheduled %d channel digests", len(wanted))

    async def stop(self) -> None:
        """Stop the scheduler without waiting for running jobs."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
