"""APScheduler wiring: digest jobs derived from the subscriptions table, and daily ingestion.

The database is the truth: jobs are re-derived at start and on every subscription change, never
kept in a job store. A digest runs at most once per due time whoever asks (its cron job, the
catch-up job, a second process): the runner re-checks the watermark under a lock.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.delivery import Delivery
from bot.ingest_gate import IngestGate
from bot.logs import log_context
from bot.messages import digest_messages
from bot.ports import ChannelKey
from digest import weekly
from digest.models import WEEKDAYS, Digest, Subscription
from digest.ports import Clock, Store
from digest.relevance import Relevance, training_set

log = logging.getLogger(__name__)

OUTBOX_SECONDS = 30
CATCH_UP_MINUTES = 10
RESYNC_SECONDS = 60
LEADER_JOBS = frozenset({"catch-up", "ingest", "resync", "publish"})
PUBLISH_SECONDS = 60


def group_by_channel(subscriptions: list[Subscription]) -> dict[ChannelKey, list[Subscription]]:
    """Subscriptions grouped by (workspace, channel): one digest per channel."""
    groups: dict[ChannelKey, list[Subscription]] = defaultdict(list)
    for subscription in subscriptions:
        groups[(subscription.workspace_id, subscription.channel_id)].append(subscription)
    return dict(groups)


def digest_trigger(subscription: Subscription) -> CronTrigger:
    """The weekly cron trigger of a subscription, in its own IANA zone (DST-aware)."""
    return CronTrigger(
        day_of_week=WEEKDAYS[subscription.weekday],
        hour=subscription.at.hour,
        minute=subscription.at.minute,
        timezone=ZoneInfo(subscription.timezone),
    )


@dataclass(frozen=True, slots=True)
class DigestJob:
    """One channel's weekly job, as derived from its subscriptions."""

    id: str
    workspace_id: int
    channel_id: str
    trigger: CronTrigger


def _job_id(workspace_id: int, channel_id: str) -> str:
    return f"digest:{workspace_id}:{channel_id}"


def digest_jobs(subscriptions: list[Subscription]) -> list[DigestJob]:
    """The jobs the active subscriptions ask for: one per channel, on its schedule."""
    jobs = []
    for (workspace_id, channel_id), subs in sorted(group_by_channel(subscriptions).items()):
        # A channel's subscriptions share one schedule (subscribe and `/paper digest` keep them
        # equal); should they differ, the oldest subscription's wins.
        jobs.append(
            DigestJob(
                _job_id(workspace_id, channel_id),
                workspace_id,
                channel_id,
                digest_trigger(subs[0]),
            )
        )
    return jobs


class DigestRunner:
    """Builds, records and delivers the digest of one channel (the job every trigger runs)."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        delivery: Delivery,
        gate: IngestGate | None = None,
        relevance: Relevance | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.delivery = delivery
        self.gate = gate
        # Orders the digests of workspaces that rank by relevance (their models' newest).
        self.relevance = relevance
        self._locks: dict[ChannelKey, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def run_channel(self, workspace_id: int, channel_id: str) -> Digest | None:
        """Build the channel's digest now, whether due or not, record it, then post it.

        The window still starts at the watermark, so nothing repeats. None when the channel has
        no active subscription, or when a due digest waits for the day's ingestion.
        """
        return await self._run(workspace_id, channel_id, force=True)

    async def run_if_due(self, workspace_id: int, channel_id: str) -> Digest | None:
        """The channel's digest if one came due since its last (what every trigger runs)."""
        return await self._run(workspace_id, channel_id, force=False)

    async def _run(self, workspace_id: int, channel_id: str, force: bool) -> Digest | None:
        with log_context(job="digest", workspace=workspace_id, channel=channel_id):
            async with self._locks[(workspace_id, channel_id)]:
                saved = await self._run_channel(workspace_id, channel_id, force)
            if saved is not None:
                await self.delivery.deliver_due()
                await self._retrain(workspace_id)
            return saved

    async def _retrain(self, workspace_id: int) -> None:
        """What the digest showed is now let pass or nominated: refresh the model's data (it
        trains in the background, and only when the data changed)."""
        if self.relevance is None:
            return
        async with self.store.unit() as unit:
            training = await training_set(unit, workspace_id)
        self.relevance.refresh(workspace_id, training)

    async def _run_channel(self, workspace_id: int, channel_id: str, force: bool) -> Digest | None:
        now = self.clock.now()
        async with self.store.unit() as unit:
            subs = _active(await unit.subscriptions.for_channel(workspace_id, channel_id))
        due = [s for s in subs if weekly.is_due(s, now)]
        if not subs or not (due or force):
            return None
        if self.gate is not None and due:
            came_due = min(weekly.last_due(s, now) for s in due)
            if not await self.gate.wait_for_day(now, came_due):
                log.info("digest of %s waits for ingestion", channel_id)
                return None
        now = self.clock.now()
        async with self.store.unit() as unit:
            # Locked and checked again: another runner may have delivered it meanwhile.
            subs = _active(await unit.subscriptions.lock_channel(workspace_id, channel_id))
            workspace = await unit.workspaces.get(workspace_id)
            if not subs or workspace is None:
                return None
            if not force and not any(weekly.is_due(s, now) for s in subs):
                return None
            digest = await weekly.build_digest(
                unit, workspace_id, channel_id, subs, now, self.relevance
            )
            emoji = workspace.settings.nomination_emoji
            quiet = all(s.quiet_when_empty for s in subs)
            return await weekly.record_digest(
                unit,
                digest,
                lambda d: [m.to_payload() for m in digest_messages(d, emoji, quiet)],
            )

    async def run_overdue(self) -> int:
        """Run every channel whose digest came due since its last one; returns how many ran."""
        now = self.clock.now()
        async with self.store.unit() as unit:
            groups = group_by_channel(await unit.subscriptions.all_active())
        ran = 0
        for (workspace_id, channel_id), subs in sorted(groups.items()):
            if any(weekly.is_due(s, now) for s in subs):
                try:
                    ran += await self.run_if_due(workspace_id, channel_id) is not None
                except Exception:
                    # One channel's trouble must not hold back the others.
                    log.exception("digest of %s in workspace %d failed", channel_id, workspace_id)
        return ran


def _active(subscriptions: list[Subscription]) -> list[Subscription]:
    return [s for s in subscriptions if not s.paused]


class BotScheduler:
    """One AsyncIOScheduler; the subscriptions table, not a job store, says what runs when."""

    def __init__(
        self,
        store: Store,
        runner: DigestRunner,
        delivery: Delivery,
        gate: IngestGate | None = None,
        ingest_hour: int = 1,
        ingest_minute: int = 30,
        ingest_timezone: str = "UTC",
        outbox_seconds: float = OUTBOX_SECONDS,
        publish: Callable[[], Awaitable[object]] | None = None,
        publish_seconds: float = PUBLISH_SECONDS,
    ) -> None:
        self.store = store
        self.runner = runner
        self.delivery = delivery
        self.gate = gate
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self._ingest_at = (ingest_hour, ingest_minute, ingest_timezone)
        self._outbox_seconds = outbox_seconds
        # Publishes that are due (after approvals, daily, retries after a failure).
        self._publish = publish
        self._publish_seconds = publish_seconds
        # Whether this process runs the leader's jobs (bot/leader.py); alone, it always does.
        self.leading = True

    async def start(self, leading: bool = True) -> None:
        """Post what is due and start the scheduler; with `leading`, the leader's jobs too."""
        self.leading = leading
        await self.delivery.deliver_due()
        # Every process posts the outbox (rows are claimed, so never twice).
        self.scheduler.add_job(
            self.delivery.deliver_due,
            "interval",
            seconds=self._outbox_seconds,
            id="outbox",
            replace_existing=True,
            coalesce=True,
        )
        if leading:
            await self.lead()
        self.scheduler.start()

    async def lead(self) -> None:
        """Run the leader's jobs from now on: catch up on digests missed while no process led,
        derive the digest jobs, and schedule the catch-up, the re-derivation and the harvest."""
        self.leading = True
        await self.runner.run_overdue()
        await self.sync()
        # Subscriptions changed through another process reach this one's jobs within a minute.
        self.scheduler.add_job(
            self.sync,
            "interval",
            seconds=RESYNC_SECONDS,
            id="resync",
            replace_existing=True,
            coalesce=True,
        )
        # Catches whatever a cron job could not do on time: a digest waiting for ingestion,
        # a misfire while the loop was busy, a time inside a DST gap.
        self.scheduler.add_job(
            self.runner.run_overdue,
            "interval",
            minutes=CATCH_UP_MINUTES,
            id="catch-up",
            replace_existing=True,
            coalesce=True,
        )
        if self._publish is not None:
            self.scheduler.add_job(
                self._publish,
                "interval",
                seconds=self._publish_seconds,
                id="publish",
                replace_existing=True,
                coalesce=True,
            )
        if self.gate is not None:
            hour, minute, zone = self._ingest_at
            self.scheduler.add_job(
                self.gate.ingest,
                CronTrigger(hour=hour, minute=minute, timezone=ZoneInfo(zone)),
                id="ingest",
                replace_existing=True,
                coalesce=True,
                misfire_grace_time=3600,
            )

    def step_down(self) -> None:
        """Stop running the leader's jobs (another process leads now); posting goes on."""
        self.leading = False
        for job in self.scheduler.get_jobs():
            if job.id in LEADER_JOBS or job.id.startswith("digest:"):
                job.remove()

    async def sync(self, channel: ChannelKey | None = None) -> list[DigestJob]:
        """Re-derive the digest jobs from the subscriptions table (only one channel's, when
        told which changed: a burst of subscribes stays linear); returns the jobs derived.

        Only the leader schedules digests: elsewhere this does nothing.
        """
        if not self.leading:
            return []
        if channel is not None:
            return await self._sync_channel(*channel)
        before = set(self.digest_job_ids())
        async with self.store.unit() as unit:
            jobs = digest_jobs(await unit.subscriptions.all_active())
        self._schedule(jobs)
        wanted = {job.id for job in jobs}
        for existing in self.scheduler.get_jobs():
            if existing.id.startswith("digest:") and existing.id not in wanted:
                existing.remove()
        if wanted != before:
            log.info("scheduled %d channel digests", len(jobs))
        return jobs

    async def _sync_channel(self, workspace_id: int, channel_id: str) -> list[DigestJob]:
        async with self.store.unit() as unit:
            subs = _active(await unit.subscriptions.for_channel(workspace_id, channel_id))
        jobs = digest_jobs(subs)
        self._schedule(jobs)
        if not jobs and self.scheduler.get_job(job_id := _job_id(workspace_id, channel_id)):
            self.scheduler.remove_job(job_id)
        return jobs

    def _schedule(self, jobs: list[DigestJob]) -> None:
        for job in jobs:
            if not self.scheduler.running and self.scheduler.get_job(job.id):
                # Before start, APScheduler keeps jobs pending and would not replace them.
                self.scheduler.remove_job(job.id)
            self.scheduler.add_job(
                self.runner.run_if_due,
                job.trigger,
                args=(job.workspace_id, job.channel_id),
                id=job.id,
                replace_existing=True,
                misfire_grace_time=3600,
                coalesce=True,
            )

    def digest_job_ids(self) -> Sequence[str]:
        """Ids of the digest jobs now scheduled."""
        return sorted(job.id for job in self.scheduler.get_jobs() if job.id.startswith("digest:"))

    async def stop(self) -> None:
        """Stop the scheduler without waiting for running jobs."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
