"""Delivering digests through the outbox: in order, exactly once, across crashes and errors."""

from __future__ import annotations

import io
import random
from datetime import UTC, datetime, timedelta

import pytest

from bot.console.platform import ConsolePlatform
from bot.delivery import CLOCK_SKEW, MAX_ATTEMPTS, Delivery
from bot.handlers import Handlers
from bot.ports import (
    ChannelRef,
    Invocation,
    MessageRef,
    OutboundMessage,
    PostError,
    UserRef,
)
from bot.scheduler import BotScheduler, DigestRunner
from digest.clock import FixedClock
from digest.models import DeliveryStatus, Digest, Platform, Workspace
from storage.store import SqlStore
from tests.digest_world import (
    add_matches,
    add_papers,
    make_subscription,
    make_topic,
    make_workspace,
)

MON = datetime(2026, 6, 29, 9, 0, tzinfo=UTC)
PAPERS = [f"2606.{n:05d}" for n in range(1, 10)]
CHANNEL = "c-papers"


class Crash(BaseException):
    """The process dies: nothing in the bot catches it."""


class FlakyPlatform:
    """The console platform, but one chosen post dies (before or after it reached the chat)."""

    platform = Platform.CONSOLE

    def __init__(
        self, inner: ConsolePlatform, fail_on: int, error: BaseException, after_post: bool
    ) -> None:
        self.inner = inner
        self.fail_on = fail_on
        self.error = error
        self.after_post = after_post
        self.sends = 0
        self.looked_since: list[datetime] = []

    async def start(self) -> None:
        """Nothing to connect."""

    async def close(self) -> None:
        """Nothing to disconnect."""

    async def send(
        self, channel: ChannelRef, message: OutboundMessage, nonce: str | None = None
    ) -> MessageRef:
        """Post, unless this is the post that dies."""
        self.sends += 1
        if self.sends == self.fail_on:
            if self.after_post:
                await self.inner.send(channel, message, nonce)
            raise self.error
        return await self.inner.send(channel, message, nonce)

    async def find_sent(
        self, channel: ChannelRef, nonce: str, since: datetime
    ) -> MessageRef | None:
        """Ask the chat, noting from when."""
        self.looked_since.append(since)
        return await self.inner.find_sent(channel, nonce, since)

    async def update(self, ref: MessageRef, message: OutboundMessage) -> None:
        """Edit."""
        await self.inner.update(ref, message)

    async def react(self, ref: MessageRef, emoji: str) -> None:
        """React."""
        await self.inner.react(ref, emoji)

    async def direct_message(
        self, user: UserRef, message: OutboundMessage, nonce: str | None = None
    ) -> MessageRef:
        """Write to a user."""
        return await self.inner.direct_message(user, message, nonce)


async def _world(store: SqlStore, clock: FixedClock, review: str | None = "c-review") -> Workspace:
    """A channel whose Monday digest holds 9 papers: 10 messages with the header."""
    ws = await make_workspace(store, review_channel=review)
    topic = await make_topic(store, ws, "llm")
    await make_subscription(store, ws, CHANNEL, topic, cap=9, watermark=MON - timedelta(days=7))
    await add_papers(store, PAPERS)
    await add_matches(store, topic, {p: 10.0 - n for n, p in enumerate(PAPERS)}, MON - timedelta(1))
    clock.set(MON)
    return ws


def _runner(store: SqlStore, clock: FixedClock, platform: object) -> DigestRunner:
    delivery = Delivery(store, clock, {Platform.CONSOLE: platform}, rng=random.Random(7))  # type: ignore[dict-item]
    return DigestRunner(store, clock, delivery)


def _paper_ids(console: ConsolePlatform, channel: str = CHANNEL) -> list[str]:
    return [c.arxiv_id for p in console.messages_in(channel) for c in p.message.cards]


async def _statuses(store: SqlStore, digest: Digest) -> list[DeliveryStatus]:
    async with store.unit() as unit:
        return [m.status for m in await unit.outbox.for_digest(digest.id or 0)]


def _assert_exactly_once(console: ConsolePlatform) -> None:
    posted = console.messages_in(CHANNEL)
    assert len(posted) == 10
    assert posted[0].message.title == "Weekly digest: llm"
    assert _paper_ids(console) == PAPERS


async def _digest_of(store: SqlStore, ws: Workspace) -> Digest:
    async with store.unit() as unit:
        digest = await unit.digests.latest(ws.id, CHANNEL)
    assert digest is not None
    return digest


async def test_a_crash_after_three_of_ten_posts_resumes_with_exactly_the_rest(
    store: SqlStore, clock: FixedClock
) -> None:
    ws = await _world(store, clock)
    console = ConsolePlatform(io.StringIO())
    dying = FlakyPlatform(console, fail_on=4, error=Crash(), after_post=False)
    with pytest.raises(Crash):
        await _runner(store, clock, dying).run_channel(ws.id, CHANNEL)
    assert len(console.messages_in(CHANNEL)) == 3

    clock.set(MON + timedelta(minutes=2))  # the restart, after the dead claim's lease
    runner = _runner(store, clock, console)
    scheduler = BotScheduler(store, runner, runner.delivery)
    await scheduler.start()
    await scheduler.stop()

    _assert_exactly_once(console)
    digest = await _digest_of(store, ws)
    assert await _statuses(store, digest) == [DeliveryStatus.POSTED] * 10
    assert await runner.run_overdue() == 0  # the digest itself is not built again


async def test_a_crash_between_a_post_and_its_record_does_not_post_it_twice(
    store: SqlStore, clock: FixedClock
) -> None:
    ws = await _world(store, clock)
    console = ConsolePlatform(io.StringIO())
    dying = FlakyPlatform(console, fail_on=4, error=Crash(), after_post=True)
    with pytest.raises(Crash):
        await _runner(store, clock, dying).run_channel(ws.id, CHANNEL)
    assert len(console.messages_in(CHANNEL)) == 4  # the 4th reached the chat, unrecorded

    runner = _runner(store, clock, console)
    await runner.delivery.deliver_due()  # too soon: the claim may belong to a live process
    assert len(console.messages_in(CHANNEL)) == 4

    clock.set(MON + timedelta(minutes=2))
    await runner.delivery.deliver_due()
    _assert_exactly_once(console)
    async with store.unit() as unit:
        fourth = console.messages_in(CHANNEL)[3]
        shown = await unit.outbox.paper_for_message(CHANNEL, fourth.ref.id)
    assert shown == PAPERS[2]  # recorded with the id the chat gave it before the crash


async def test_an_unclear_failure_is_checked_before_posting_again(
    store: SqlStore, clock: FixedClock
) -> None:
    ws = await _world(store, clock)
    console = ConsolePlatform(io.StringIO())
    flaky = FlakyPlatform(console, fail_on=2, error=TimeoutError("read timeout"), after_post=True)
    runner = _runner(store, clock, flaky)
    await runner.run_channel(ws.id, CHANNEL)
    assert len(console.messages_in(CHANNEL)) == 2
    digest = await _digest_of(store, ws)
    async with store.unit() as unit:
        second = (await unit.outbox.for_digest(digest.id or 0))[1]
    assert (second.status, second.in_doubt) == (DeliveryStatus.PENDING, True)
    assert second.last_error == "TimeoutError: read timeout"

    clock.set(MON + timedelta(minutes=5))
    await runner.delivery.deliver_due()
    _assert_exactly_once(console)


async def test_a_rate_limit_is_retried_after_the_time_the_platform_asks(
    store: SqlStore, clock: FixedClock
) -> None:
    ws = await _world(store, clock)
    console = ConsolePlatform(io.StringIO())
    console.fail_next(PostError.rate_limited(30.0, "429 Too Many Requests"))
    runner = _runner(store, clock, console)
    await runner.run_channel(ws.id, CHANNEL)
    assert console.messages_in(CHANNEL) == []  # the header waits, and the papers behind it

    clock.set(MON + timedelta(seconds=29))
    report = await runner.delivery.deliver_due()
    assert report.posted == 0

    clock.set(MON + timedelta(seconds=30))
    report = await runner.delivery.deliver_due()
    assert report.posted == 10
    _assert_exactly_once(console)


async def test_server_errors_are_retried_with_backoff(store: SqlStore, clock: FixedClock) -> None:
    ws = await _world(store, clock)
    console = ConsolePlatform(io.StringIO())
    console.fail_next(PostError.unavailable("502 Bad Gateway"), PostError.unavailable("503"))
    runner = _runner(store, clock, console)
    await runner.run_channel(ws.id, CHANNEL)
    digest = await _digest_of(store, ws)
    async with store.unit() as unit:
        header = (await unit.outbox.for_digest(digest.id or 0))[0]
    assert header.attempts == 1
    assert header.next_attempt_at is not None
    assert MON + timedelta(seconds=2) < header.next_attempt_at <= MON + timedelta(seconds=5)

    for minute in (1, 2):
        clock.set(MON + timedelta(minutes=minute))
        await runner.delivery.deliver_due()
    _assert_exactly_once(console)


async def test_a_permanent_error_pauses_the_channel_and_tells_the_review_channel(
    store: SqlStore, clock: FixedClock
) -> None:
    ws = await _world(store, clock)
    console = ConsolePlatform(io.StringIO())
    console.fail_next(PostError.gone("Unknown Channel (10003)"))
    runner = _runner(store, clock, console)
    await runner.run_channel(ws.id, CHANNEL)

    assert console.messages_in(CHANNEL) == []
    digest = await _digest_of(store, ws)
    assert await _statuses(store, digest) == [DeliveryStatus.FAILED] * 10  # kept, not dropped
    async with store.unit() as unit:
        (sub,) = await unit.subscriptions.for_channel(ws.id, CHANNEL)
    assert sub.paused
    assert sub.paused_reason == "Unknown Channel (10003)"
    (notice,) = console.messages_in("c-review")
    assert notice.message.title == "Digest paused"
    assert "`c-papers`" in notice.message.text
    assert "Unknown Channel (10003)" in notice.message.text
    assert "/paper digest resume" in notice.message.text

    # Access is back: an admin resumes, and the kept digest goes out, once.
    handlers = Handlers(store, clock, on_outbox_changed=runner.delivery.deliver_due)
    admin = UserRef("u-admin", "ada", platform_admin=True)
    channel = ChannelRef(Platform.CONSOLE, "console", CHANNEL, workspace_name="lab")
    reply = await handlers.command(Invocation(channel, admin, "digest", {"key": "resume"}))
    assert "paused" not in reply.text
    _assert_exactly_once(console)
    async with store.unit() as unit:
        (sub,) = await unit.subscriptions.for_channel(ws.id, CHANNEL)
    assert not sub.paused


async def test_without_a_review_channel_the_topic_authors_hear_it(
    store: SqlStore, clock: FixedClock
) -> None:
    ws = await _world(store, clock, review=None)
    console = ConsolePlatform(io.StringIO())
    console.fail_next(PostError.gone("missing access (50001)"))
    await _runner(store, clock, console).run_channel(ws.id, CHANNEL)
    (notice,) = console.messages_in("@u-admin")
    assert "missing access (50001)" in notice.message.text


async def test_a_platform_that_keeps_failing_is_given_up_on_and_reported(
    store: SqlStore, clock: FixedClock
) -> None:
    ws = await _world(store, clock)
    console = ConsolePlatform(io.StringIO())
    console.fail_next(*[PostError.unavailable("500") for _ in range(MAX_ATTEMPTS)])
    runner = _runner(store, clock, console)
    await runner.run_channel(ws.id, CHANNEL)
    for hour in range(1, MAX_ATTEMPTS + 1):
        clock.set(MON + timedelta(hours=hour))
        await runner.delivery.deliver_due()
    digest = await _digest_of(store, ws)
    assert await _statuses(store, digest) == [DeliveryStatus.FAILED] * 10
    (notice,) = console.messages_in("c-review")
    assert f"gave up after {MAX_ATTEMPTS} tries: 500" in notice.message.text


async def test_a_refused_message_fails_alone_and_the_channel_goes_on(
    store: SqlStore, clock: FixedClock
) -> None:
    ws = await _world(store, clock)
    console = ConsolePlatform(io.StringIO())
    # The platform refuses the third paper's message for good (an embed too long, say).
    flaky = FlakyPlatform(console, 4, PostError.refused("400: embed too long"), after_post=False)
    await _runner(store, clock, flaky).run_channel(ws.id, CHANNEL)

    digest = await _digest_of(store, ws)
    statuses = await _statuses(store, digest)
    assert (
        statuses
        == [DeliveryStatus.POSTED] * 3 + [DeliveryStatus.FAILED] + [DeliveryStatus.POSTED] * 6
    )
    assert _paper_ids(console) == PAPERS[:2] + PAPERS[3:]
    async with store.unit() as unit:
        (sub,) = await unit.subscriptions.for_channel(ws.id, CHANNEL)
        failed = (await unit.outbox.for_digest(digest.id or 0))[3]
    assert not sub.paused  # the channel is fine: nothing paused, nobody told
    assert console.messages_in("c-review") == []
    assert failed.last_error == "400: embed too long"


async def test_a_post_in_doubt_is_looked_for_from_its_claim_on(
    store: SqlStore, clock: FixedClock
) -> None:
    ws = await _world(store, clock)
    console = ConsolePlatform(io.StringIO())
    dying = FlakyPlatform(console, fail_on=2, error=Crash(), after_post=True)
    with pytest.raises(Crash):
        await _runner(store, clock, dying).run_channel(ws.id, CHANNEL)
    claimed = clock.now()

    clock.set(MON + timedelta(minutes=10))
    looking = FlakyPlatform(console, fail_on=0, error=Crash(), after_post=False)
    await _runner(store, clock, looking).delivery.deliver_due()
    assert looking.looked_since == [claimed - CLOCK_SKEW]  # only the post in doubt is looked for
    _assert_exactly_once(console)


async def test_a_row_queued_before_the_upgrade_is_still_posted(
    store: SqlStore, clock: FixedClock
) -> None:
    ws = await make_workspace(store)
    old = {
        "text": "I cannot post in channel `c-x` any more: **gone**.",
        "title": "Digest paused",
        "cards": [],
        "buttons": [],
        "ephemeral": False,
        "footer": None,
    }
    broken = {"v": 2, "text": [{"mystery": 1}]}
    async with store.unit() as unit:
        await unit.outbox.enqueue(ws.id, "c-review", "notice", [old])
        await unit.outbox.enqueue(ws.id, "c-review", "notice", [broken])
    console = ConsolePlatform(io.StringIO())
    report = await _runner(store, clock, console).delivery.deliver_due()
    assert (report.posted, report.failed) == (1, 1)
    (posted,) = console.messages_in("c-review")
    assert posted.message.text == "I cannot post in channel `c-x` any more: **gone**."
    assert "I cannot post in channel ˋc-xˋ any more: **gone**." in console.out.getvalue()  # type: ignore[attr-defined]
