"""The composition root: settings in, a wired bot out. Nothing else builds these objects."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from bot.delivery import Delivery
from bot.git_repo import GitIdentity
from bot.handlers import Defaults, Handlers
from bot.ingest_gate import IngestGate, IngestIncomplete
from bot.logs import log_context
from bot.metrics import Metrics
from bot.ports import ChannelKey, ChatPlatform
from bot.publisher import PublishConfig, Publisher
from bot.scheduler import BotScheduler, DigestRunner
from config import Settings, child_environment
from digest.arxiv_fetch import ArxivApiSource, ArxivClient, RetryPolicy
from digest.harvest import HarvestPolicy, HarvestReport, categories_for_topics, harvest
from digest.models import WEEKDAYS, Platform
from digest.offload import Offload
from digest.ports import Clock
from digest.relevance import Relevance
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.store import SqlStore

log = logging.getLogger(__name__)


def defaults_from(settings: Settings) -> Defaults:
    """Defaults for new subscriptions, from the settings."""
    return Defaults(
        timezone=settings.timezone,
        weekday=WEEKDAYS.index(settings.digest_weekday),
        at=settings.digest_time,
        cap=settings.digest_cap,
        backlog_weeks=settings.backlog_weeks,
    )


def arxiv_source(settings: Settings) -> ArxivApiSource:
    """The arXiv API source: one client, one connection, arXiv's pause between requests."""
    client = ArxivClient(
        settings.arxiv_api_url, settings.arxiv_page_size, settings.arxiv_timeout_seconds
    )
    return ArxivApiSource(
        client, settings.arxiv_delay_seconds, RetryPolicy(attempts=settings.arxiv_retries)
    )


def harvest_policy(settings: Settings) -> HarvestPolicy:
    """When windows are read and settled, from the settings."""
    return HarvestPolicy(
        lag=timedelta(minutes=settings.arxiv_index_lag_minutes),
        settle=timedelta(hours=settings.arxiv_settle_hours),
        backfill=timedelta(days=settings.arxiv_backfill_days),
    )


def publish_config(settings: Settings) -> PublishConfig:
    """How the bot publishes lists: its git identity, GitHub access, limits, what to mask."""
    token = settings.github_token.get_secret_value() if settings.github_token else None
    return PublishConfig(
        identity=GitIdentity(settings.publish_author_name, settings.publish_author_email),
        github_token=token,
        github_api_url=settings.github_api_url,
        timeout=settings.publish_timeout_seconds,
        secrets=settings.secrets,
        environment=child_environment(),
    )


async def harvest_categories(store: SqlStore, settings: Settings) -> set[str]:
    """The configured categories plus every category a topic's rule names."""
    async with store.unit() as unit:
        topics = await unit.topics.list()
    return set(settings.arxiv_categories) | categories_for_topics(topics)


async def open_store(settings: Settings, clock: Clock) -> SqlStore:
    """The store on the configured database, migrated to the latest schema."""
    engine = create_engine(settings.database_url_text)
    await upgrade(engine)
    return SqlStore(engine, clock)


@dataclass
class Bot:
    """Every long-lived part of a running paperbot."""

    settings: Settings
    store: SqlStore
    clock: Clock
    platforms: Mapping[Platform, ChatPlatform]
    # False where arXiv is out of reach on purpose (the offline demo): digests then do not wait.
    ingest_enabled: bool = True
    # Where CPU-heavy work runs: a thread unless given (`paperbot run` gives a process pool).
    offload: Offload | None = None
    handlers: Handlers = field(init=False)
    delivery: Delivery = field(init=False)
    runner: DigestRunner = field(init=False)
    scheduler: BotScheduler = field(init=False)
    gate: IngestGate = field(init=False)
    arxiv: ArxivApiSource | None = field(init=False, default=None)
    metrics: Metrics = field(init=False)
    publisher: Publisher = field(init=False)

    def __post_init__(self) -> None:
        self.metrics = Metrics(arxiv=lambda: self.arxiv)
        self.publisher = Publisher(self.store, self.clock, publish_config(self.settings))
        self.delivery = Delivery(
            self.store,
            self.clock,
            self.platforms,
            lease=timedelta(seconds=self.settings.outbox_lease_seconds),
            on_outcome=self.metrics.delivered,
        )
        ingest = self._ingest_for_digests if self.ingest_enabled else None
        lag = harvest_policy(self.settings).lag
        self.gate = IngestGate(self.store, self.clock, ingest, lag=lag)
        relevance = Relevance(run=self.offload or asyncio.to_thread)
        self.runner = DigestRunner(self.store, self.clock, self.delivery, self.gate, relevance)
        self.scheduler = BotScheduler(
            self.store,
            self.runner,
            self.delivery,
            gate=self.gate if self.ingest_enabled else None,
            ingest_hour=self.settings.ingest_time.hour,
            ingest_minute=self.settings.ingest_time.minute,
            ingest_timezone=self.settings.ingest_timezone,
            outbox_seconds=self.settings.outbox_poll_seconds,
            publish=self.publisher.run_due,
            publish_seconds=self.settings.publish_poll_seconds,
        )
        self.handlers = Handlers(
            self.store,
            self.clock,
            defaults_from(self.settings),
            on_subscriptions_changed=self._subscriptions_changed,
            on_outbox_changed=self._outbox_changed,
            offload=self.offload,
            relevance=relevance,
            on_list_changed=self.publisher.request,
        )

    async def _subscriptions_changed(self, channel: ChannelKey | None) -> None:
        if self.scheduler.scheduler.running:
            await self.scheduler.sync(channel)

    async def _outbox_changed(self) -> None:
        await self.delivery.deliver_due()

    async def _ingest_for_digests(self) -> HarvestReport:
        """The daily ingestion; a run with failed categories does not count as the day's."""
        with log_context(job="ingest"):
            report = await self.ingest_recent()
        if report.failures:
            failed = ", ".join(sorted({f.category for f in report.failures}))
            raise IngestIncomplete(f"the harvest of {failed} did not complete")
        return report

    async def ingest_recent(self) -> HarvestReport:
        """Harvest every category the topics need (and the configured ones) since its watermark."""
        if self.arxiv is None:
            self.arxiv = arxiv_source(self.settings)
        categories = await harvest_categories(self.store, self.settings)
        started = time.monotonic()
        try:
            report = await harvest(
                self.store, self.arxiv, categories, self.clock.now(), harvest_policy(self.settings)
            )
        except Exception:
            self.metrics.ingestion_failed(time.monotonic() - started)
            raise
        self.metrics.ingested(report, time.monotonic() - started)
        log.info(
            "ingested %d new and %d newer papers in %d windows (%d requests), %d new matches",
            report.stored.inserted,
            report.stored.updated,
            report.windows,
            report.pages,
            report.matches,
        )
        for failure in report.failures:
            log.error(
                "arXiv harvest of %s stopped at the %s listing: %s",
                failure.category,
                failure.listing,
                failure.error,
            )
        return report
