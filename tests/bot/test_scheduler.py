"""The scheduler: jobs from the subscriptions table in each channel's zone, catch-up at start,
and digests that wait for the day's ingestion."""

from __future__ import annotations

import io
import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.console.platform import ConsolePlatform
from bot.delivery import Delivery
from bot.handlers import Handlers
from bot.ingest_gate import MARKER, IngestGate, last_announcement
from bot.ports import ChannelRef, Invocation, UserRef
from bot.rich_text import Bold
from bot.scheduler import BotScheduler, DigestRunner, digest_jobs
from digest.clock import FixedClock
from digest.ingest import store_papers
from digest.models import Platform, Subscription
from storage.store import SqlStore
from tests.digest_world import (
    add_matches,
    add_papers,
    make_subscription,
    make_topic,
    make_workspace,
)
from tests.dst_weeks import DST_WEEKS
from tests.factories import make_paper

CHANNEL = "c-papers"
ADA = UserRef("u-ada", "ada", platform_admin=True)


def _parts(
    store: SqlStore, clock: FixedClock, gate: IngestGate | None = None
) -> tuple[ConsolePlatform, DigestRunner, BotScheduler]:
    console = ConsolePlatform(io.StringIO())
    delivery = Delivery(store, clock, {Platform.CONSOLE: console}, rng=random.Random(1))
    runner = DigestRunner(store, clock, delivery, gate)
    return console, runner, BotScheduler(store, runner, delivery, gate)


@pytest.mark.parametrize(("zone", "before", "expected"), DST_WEEKS)
def test_the_derived_cron_trigger_fires_at_nine_local_across_a_clock_change(
    zone: str, before: datetime, expected: tuple[datetime, datetime]
) -> None:
    sub = Subscription(1, 1, CHANNEL, 1, weekday=0, at=time(9, 0), timezone=zone)
    (job,) = digest_jobs([sub])
    assert job.id == f"digest:1:{CHANNEL}"
    assert str(job.trigger.timezone) == zone
    first = job.trigger.get_next_fire_time(None, before)
    second = job.trigger.get_next_fire_time(first, first + timedelta(seconds=1))
    assert (first, second) == expected
    for fire in (first, second):
        assert fire.astimezone(ZoneInfo(zone)).time() == time(9, 0)


def test_one_job_per_channel_in_that_channels_zone() -> None:
    subs = [
        Subscription(1, 1, "c-a", 1, weekday=0, at=time(9, 0), timezone="Europe/Berlin"),
        Subscription(2, 1, "c-a", 2, weekday=0, at=time(9, 0), timezone="Europe/Berlin"),
        Subscription(3, 1, "c-b", 1, weekday=4, at=time(16, 30), timezone="America/New_York"),
    ]
    jobs = {job.channel_id: job for job in digest_jobs(subs)}
    assert sorted(jobs) == ["c-a", "c-b"]
    assert str(jobs["c-b"].trigger.timezone) == "America/New_York"
    fire = jobs["c-b"].trigger.get_next_fire_time(None, datetime(2026, 7, 1, tzinfo=UTC))
    assert fire.astimezone(ZoneInfo("America/New_York")).isoformat() == (
        "2026-07-03T16:30:00-04:00"
    )


async def test_jobs_follow_the_subscriptions_table(
    sqlite_store: SqlStore, clock: FixedClock
) -> None:
    store = sqlite_store
    _, _, scheduler = _parts(store, clock)
    handlers = Handlers(store, clock, on_subscriptions_changed=scheduler.sync)
    channel = ChannelRef(Platform.CONSOLE, "console", CHANNEL, workspace_name="lab")
    await handlers.command(Invocation(channel, ADA, "topic-add", {"name": "moe", "rule": "ti:moe"}))

    await handlers.command(
        Invocation(channel, ADA, "subscribe", {"topic": "moe", "timezone": "Europe/Berlin"})
    )
    (job,) = scheduler.scheduler.get_jobs()
    assert str(job.trigger.timezone) == "Europe/Berlin"

    await handlers.command(
        Invocation(channel, ADA, "digest", {"key": "timezone", "value": "America/New_York"})
    )
    (job,) = scheduler.scheduler.get_jobs()
    assert str(job.trigger.timezone) == "America/New_York"

    await handlers.command(Invocation(channel, ADA, "unsubscribe", {"topic": "moe"}))
    assert scheduler.digest_job_ids() == []


async def test_a_change_in_one_channel_re_derives_only_that_channels_job(
    sqlite_store: SqlStore, clock: FixedClock
) -> None:
    store = sqlite_store
    _, _, scheduler = _parts(store, clock)
    handlers = Handlers(store, clock, on_subscriptions_changed=scheduler.sync)
    here = ChannelRef(Platform.CONSOLE, "console", CHANNEL, workspace_name="lab")
    await handlers.command(Invocation(here, ADA, "topic-add", {"name": "moe", "rule": "ti:moe"}))
    await handlers.command(Invocation(here, ADA, "subscribe", {"topic": "moe"}))
    workspace = await make_workspace(store)
    # A subscription no handler announced (another process made it): a channel's sync leaves
    # it to the periodic full one, so a burst of S subscribes reads S channels, not S x S rows.
    moe = await make_topic(store, workspace, "moe-too", "ti:moe")
    await make_subscription(store, workspace, "c-elsewhere", moe)
    await handlers.command(
        Invocation(here, ADA, "digest", {"key": "timezone", "value": "Europe/Berlin"})
    )
    assert scheduler.digest_job_ids() == [f"digest:{workspace.id}:{CHANNEL}"]
    await scheduler.sync()
    assert scheduler.digest_job_ids() == [
        f"digest:{workspace.id}:c-elsewhere",
        f"digest:{workspace.id}:{CHANNEL}",
    ]
    await handlers.command(Invocation(here, ADA, "unsubscribe", {"topic": "moe"}))
    assert scheduler.digest_job_ids() == [f"digest:{workspace.id}:c-elsewhere"]


async def test_a_berlin_digest_comes_at_nine_local_in_both_dst_weeks(
    store: SqlStore, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 3, 20, 12, 0, tzinfo=UTC))
    ws = await make_workspace(store)
    topic = await make_topic(store, ws, "llm")
    await make_subscription(store, ws, CHANNEL, topic, zone="Europe/Berlin")
    console, runner, _ = _parts(store, clock)
    delivered = []
    for due in (datetime(2026, 3, 23, 8, 0, tzinfo=UTC), datetime(2026, 3, 30, 7, 0, tzinfo=UTC)):
        clock.set(due - timedelta(minutes=1))
        assert await runner.run_overdue() == 0
        clock.set(due)
        assert await runner.run_overdue() == 1
        delivered.append(len(console.messages_in(CHANNEL)))
    assert delivered == [1, 2]  # "nothing new" each week, on time
    async with store.unit() as unit:
        (sub,) = await unit.subscriptions.for_channel(ws.id, CHANNEL)
    assert sub.watermark is not None
    assert sub.watermark.astimezone(ZoneInfo("Europe/Berlin")).time() == time(9, 0)


async def test_down_over_due_times_gets_one_digest_for_the_whole_gap_at_start(
    store: SqlStore, clock: FixedClock
) -> None:
    ws = await make_workspace(store)
    topic = await make_topic(store, ws, "llm")
    last = datetime(2026, 6, 8, 9, 0, tzinfo=UTC)
    await make_subscription(store, ws, CHANNEL, topic, watermark=last)
    papers = ["2606.00001", "2606.00002", "2606.00003"]
    await add_papers(store, papers)
    for week, paper in enumerate(papers):
        await add_matches(store, topic, {paper: 1.0}, last + timedelta(days=1 + 7 * week))

    clock.set(datetime(2026, 6, 29, 12, 0, tzinfo=UTC))  # three Mondays missed
    console, runner, scheduler = _parts(store, clock)
    await scheduler.start()
    try:
        assert scheduler.digest_job_ids() == [f"digest:{ws.id}:{CHANNEL}"]
    finally:
        await scheduler.stop()

    posted = console.messages_in(CHANNEL)
    assert len(posted) == 4
    assert posted[0].message.body[0] == Bold("3 new papers")
    assert posted[0].message.text.startswith("3 new papers since Mon 08 Jun.")
    async with store.unit() as unit:
        digest = await unit.digests.latest(ws.id, CHANNEL)
    assert digest is not None
    assert (digest.window_start, digest.window_end) == (last, clock.now())
    assert await runner.run_overdue() == 0


async def test_a_digest_is_built_once_per_due_time(store: SqlStore, clock: FixedClock) -> None:
    ws = await make_workspace(store)
    topic = await make_topic(store, ws, "llm")
    await make_subscription(store, ws, CHANNEL, topic)
    clock.set(datetime(2026, 6, 29, 9, 0, tzinfo=UTC))
    console, runner, _ = _parts(store, clock)
    assert await runner.run_if_due(ws.id, CHANNEL) is not None
    assert await runner.run_if_due(ws.id, CHANNEL) is None  # the catch-up job, say
    assert len(console.messages_in(CHANNEL)) == 1


def test_the_last_announcement_is_sunday_to_thursday_at_eight_in_new_york() -> None:
    monday_berlin = datetime(2026, 6, 29, 7, 0, tzinfo=UTC)
    assert last_announcement(monday_berlin) == datetime(2026, 6, 29, 0, 0, tzinfo=UTC)
    saturday = datetime(2026, 7, 4, 12, 0, tzinfo=UTC)
    assert last_announcement(saturday) == datetime(2026, 7, 3, 0, 0, tzinfo=UTC)  # Thu 20:00
    monday_evening_in_winter = datetime(2026, 12, 1, 0, 59, tzinfo=UTC)  # 19:59 EST
    assert last_announcement(monday_evening_in_winter) == datetime(2026, 11, 30, 1, 0, tzinfo=UTC)


class Ingestion:
    """The day's ingestion as a callable: stores a new paper through the real ingest path."""

    def __init__(self, store: SqlStore, fail: bool = False) -> None:
        self.store = store
        self.fail = fail
        self.runs = 0

    async def __call__(self) -> None:
        self.runs += 1
        if self.fail:
            raise ConnectionError("export.arxiv.org unreachable")
        await store_papers(
            self.store,
            [make_paper("2606.09999", "An LLM announced last night", announced=date(2026, 6, 29))],
        )


async def test_a_digest_waits_for_the_days_ingestion(store: SqlStore, clock: FixedClock) -> None:
    ws = await make_workspace(store)
    topic = await make_topic(store, ws, "llm", rule="ti:llm")
    await make_subscription(store, ws, CHANNEL, topic, zone="Europe/Berlin")
    ingestion = Ingestion(store)
    gate = IngestGate(store, clock, ingestion)
    console, runner, _ = _parts(store, clock, gate)

    due = datetime(2026, 6, 29, 7, 0, tzinfo=UTC)  # Monday 09:00 Berlin
    clock.set(due)
    digest = await runner.run_channel(ws.id, CHANNEL)
    assert ingestion.runs == 1  # Sunday's announcement was not in yet: ingested first
    assert digest is not None
    assert [i.paper.arxiv_id for i in digest.items] == ["2606.09999"]
    assert await gate.finished_at() == due

    clock.set(due + timedelta(days=7))
    async with store.unit() as unit:
        await unit.harvest.set_watermark(MARKER, due + timedelta(days=7) - timedelta(hours=5))
    await runner.run_if_due(ws.id, CHANNEL)
    assert ingestion.runs == 1  # the nightly run had it covered
    assert len(console.messages_in(CHANNEL)) == 3


async def test_when_ingestion_fails_the_digest_waits_then_goes_out_anyway(
    store: SqlStore, clock: FixedClock
) -> None:
    ws = await make_workspace(store)
    topic = await make_topic(store, ws, "llm")
    await make_subscription(store, ws, CHANNEL, topic)
    ingestion = Ingestion(store, fail=True)
    gate = IngestGate(store, clock, ingestion, max_wait=timedelta(hours=6))
    console, runner, _ = _parts(store, clock, gate)

    due = datetime(2026, 6, 29, 9, 0, tzinfo=UTC)
    clock.set(due)
    assert await runner.run_channel(ws.id, CHANNEL) is None
    clock.set(due + timedelta(hours=1))
    assert await runner.run_overdue() == 0
    assert console.messages_in(CHANNEL) == []
    async with store.unit() as unit:
        (sub,) = await unit.subscriptions.for_channel(ws.id, CHANNEL)
    assert sub.watermark is None  # nothing was recorded while waiting

    clock.set(due + timedelta(hours=6))
    assert await runner.run_overdue() == 1
    assert ingestion.runs == 3
    assert len(console.messages_in(CHANNEL)) == 1


async def test_an_ingestion_run_counts_only_once_arxiv_has_listed_the_mailing(
    sqlite_store: SqlStore, clock: FixedClock
) -> None:
    async def nothing() -> None:
        return None

    gate = IngestGate(sqlite_store, clock, nothing, lag=timedelta(minutes=30))
    mailing = datetime(2026, 6, 29, 0, 0, tzinfo=UTC)  # Sunday 20:00 in New York
    digest_time = datetime(2026, 6, 29, 7, 0, tzinfo=UTC)
    async with sqlite_store.unit() as unit:
        await unit.harvest.set_watermark(MARKER, mailing + timedelta(minutes=10))
    assert not await gate.ready(digest_time)  # it ran before the API listed Sunday's mailing
    async with sqlite_store.unit() as unit:
        await unit.harvest.set_watermark(MARKER, mailing + timedelta(minutes=30))
    assert await gate.ready(digest_time)
    # Just after the mailing, the run that can have it has not had its chance yet.
    assert await gate.ready(mailing + timedelta(minutes=20))
