"""The composition root: settings in, a wired bot out. Nothing else builds these objects."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from bot.delivery import Delivery
from bot.handlers import Defaults, Handlers
from bot.ingest_gate import IngestGate
from bot.ports import ChatPlatform
from bot.scheduler import BotScheduler, DigestRunner
from config import Settings
from digest.arxiv import ArxivApiSource
from digest.ingest import IngestReport, harvest
from digest.models import Platform
from digest.ports import Clock
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.store import SqlStore

log = logging.getLogger(__name__)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def defaults_from(settings: Settings) -> Defaults:
    """Defaults for new subscriptions, from the settings."""
    return Defaults(
        timezone=settings.timezone,
        weekday=WEEKDAYS.index(settings.digest_weekday),
        at=settings.digest_time,
        cap=settings.digest_cap,
        backlog_weeks=settings.backlog_weeks,
    )


async def open_store(settings: Settings, clock: Clock, migrate: bool = True) -> SqlStore:
    """The store on the configured database, migrated to the latest schema."""
    engine = create_engine(settings.database_url)
    if migrate:
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
    handlers: Handlers = field(init=False)
    delivery: Delivery = field(init=False)
    runner: DigestRunner = field(init=False)
    scheduler: BotScheduler = field(init=False)
    gate: IngestGate = field(init=False)

    def __post_init__(self) -> None:
        self.delivery = Delivery(self.store, self.clock, self.platforms)
        ingest = self.ingest_recent if self.ingest_enabled else None
        self.gate = IngestGate(self.store, self.clock, ingest)
        self.runner = DigestRunner(self.store, self.clock, self.delivery, self.gate)
        self.scheduler = BotScheduler(
            self.store,
            self.runner,
            self.delivery,
            gate=self.gate if self.ingest_enabled else None,
            ingest_hour=self.settings.ingest_time.hour,
            ingest_minute=self.settings.ingest_time.minute,
            ingest_timezone=self.settings.ingest_timezone,
        )
        self.handlers = Handlers(
            self.store,
            self.clock,
            defaults_from(self.settings),
            on_subscriptions_changed=self._subscriptions_changed,
            on_outbox_changed=self._outbox_changed,
        )

    async def _subscriptions_changed(self) -> None:
        if self.scheduler.scheduler.running:
            await self.scheduler.sync()

    async def _outbox_changed(self) -> None:
        await self.delivery.deliver_due()

    async def ingest_recent(self) -> IngestReport:
        """Harvest the configured categories since their watermark (or the last two days)."""
        source = ArxivApiSource(
            self.settings.arxiv_api_url,
            self.settings.arxiv_page_size,
            self.settings.arxiv_delay_seconds,
            self.settings.arxiv_timeout_seconds,
        )
        categories = self.settings.arxiv_categories
        now = self.clock.now()
        async with self.store.unit() as unit:
            since = await unit.harvest.get_watermark(",".join(sorted(categories)))
        report = await harvest(
            self.store, source, categories, since or now - timedelta(days=2), now
        )
        log.info("ingested %s", report)
        return report
