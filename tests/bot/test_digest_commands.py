"""Chat commands around digests: `/paper more`, Show more, `/paper digest`, resuming."""

from __future__ import annotations

import io
import random
from datetime import UTC, datetime, time, timedelta

from bot.console.platform import ConsoleChat, ConsolePlatform
from bot.delivery import Delivery
from bot.handlers import Handlers
from bot.messages import MORE
from bot.ports import UserRef
from bot.rich_text import Code, Link, bold, text
from bot.scheduler import DigestRunner
from digest.clock import FixedClock
from digest.models import Platform
from storage.store import SqlStore
from tests.digest_world import add_matches, add_papers, make_topic, make_workspace

MON = datetime(2026, 6, 29, 9, 0, tzinfo=UTC)
ADA = UserRef("u-ada", "ada", platform_admin=True)


def _setup(store: SqlStore, clock: FixedClock) -> tuple[ConsolePlatform, ConsoleChat, DigestRunner]:
    console = ConsolePlatform(io.StringIO())
    delivery = Delivery(store, clock, {Platform.CONSOLE: console}, rng=random.Random(3))
    handlers = Handlers(store, clock, on_outbox_changed=delivery.deliver_due)
    return console, ConsoleChat(console, handlers), DigestRunner(store, clock, delivery)


async def test_show_more_and_paper_more_list_what_the_cap_left_out(
    sqlite_store: SqlStore, clock: FixedClock
) -> None:
    store = sqlite_store
    console, chat, runner = _setup(store, clock)
    channel = console.channel("c-papers", "papers")
    ws = await make_workspace(store)
    topic = await make_topic(store, ws, "llm")
    await chat.say(ADA, channel, "/paper subscribe llm")
    await chat.say(ADA, channel, "/paper digest cap 2")
    ids = [f"2606.{n:05d}" for n in range(1, 26)]
    await add_papers(store, ids)
    await add_matches(store, topic, {p: 100.0 - n for n, p in enumerate(ids)}, clock.now())

    clock.set(MON)
    digest = await runner.run_channel(ws.id, "c-papers")
    assert digest is not None
    assert digest.more_matched == 23
    closing = console.messages_in("c-papers")[-1]
    (button,) = closing.message.buttons
    assert (button.action, button.label) == (MORE, "Show 23 more")

    shown = await chat.press(ADA, closing.ref, button.action, button.value)
    assert shown.ephemeral
    assert shown.title == "23 more from the last digest"
    assert shown.text.splitlines()[0] == "1. Paper 2606.00003 `2606.00003` (llm)"
    assert shown.body[1] == Link("Paper 2606.00003", "https://arxiv.org/abs/2606.00003")
    assert len(shown.text.splitlines()) == 20
    assert Code("/paper more 2") in shown.footer

    page_two = await chat.say(ADA, channel, "/paper more 2")
    assert [line.split(".")[0] for line in page_two.text.splitlines()] == ["21", "22", "23"]
    bad = await chat.say(ADA, channel, "/paper more two")
    assert "not a page number" in bad.text


async def test_paper_digest_changes_the_channels_digest(
    sqlite_store: SqlStore, clock: FixedClock
) -> None:
    store = sqlite_store
    console, chat, _ = _setup(store, clock)
    channel = console.channel("c-papers", "papers")
    ws = await make_workspace(store)
    await make_topic(store, ws, "llm")
    await make_topic(store, ws, "moe")
    await chat.say(ADA, channel, "/paper subscribe llm")
    await chat.say(ADA, channel, "/paper subscribe moe")

    shown = await chat.say(ADA, channel, "/paper digest")
    assert "topics: llm, moe" in shown.text
    assert "cap: 15 papers" in shown.text
    assert "when-empty: say" in shown.text

    await chat.say(ADA, channel, "/paper digest when-empty quiet")
    await chat.say(ADA, channel, "/paper digest time 08:30")
    reply = await chat.say(ADA, channel, "/paper digest timezone Asia/Tokyo")
    assert "schedule: mon 08:30 Asia/Tokyo" in reply.text
    assert "when-empty: quiet" in reply.text
    async with store.unit() as unit:
        subs = await unit.subscriptions.for_channel(ws.id, "c-papers")
    assert {(s.at, s.timezone, s.quiet_when_empty) for s in subs} == {
        (time(8, 30), "Asia/Tokyo", True)
    }

    for line, error in [
        ("/paper digest cap 0", "not a cap"),
        ("/paper digest cap 500", "not a cap"),
        ("/paper digest when-empty maybe", "when-empty takes"),
        ("/paper digest timezone Mars/Olympus", "not an IANA time zone"),
        ("/paper digest cap", "Give a value"),
    ]:
        assert error in (await chat.say(ADA, channel, line)).text
    elsewhere = console.channel("c-other", "other")
    assert "no subscriptions" in (await chat.say(ADA, elsewhere, "/paper digest")).text


async def test_subscribing_again_resumes_a_paused_subscription(
    sqlite_store: SqlStore, clock: FixedClock
) -> None:
    store = sqlite_store
    console, chat, _ = _setup(store, clock)
    channel = console.channel("c-papers", "papers")
    ws = await make_workspace(store)
    await make_topic(store, ws, "llm")
    await chat.say(ADA, channel, "/paper subscribe llm")
    async with store.unit() as unit:
        (sub,) = await unit.subscriptions.for_channel(ws.id, "c-papers")
        await unit.subscriptions.set_paused(sub.id, True, "Missing Access")
    listed = await chat.say(ADA, channel, "/paper subscriptions")
    assert "paused: Missing Access" in listed.text

    resumed = await chat.say(ADA, channel, "/paper subscribe llm")
    assert resumed.body == text("Resumed this channel's digest of ", bold("llm"), ".")
    again = await chat.say(ADA, channel, "/paper subscribe llm")
    assert "already subscribed" in again.text
    clock.set(clock.now() + timedelta(days=1))
    assert "next digest" in (await chat.say(ADA, channel, "/paper digest")).text
