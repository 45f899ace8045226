"""The outbox on Discord: errors read as retry/refused/gone, threads, DMs, posts in doubt."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.delivery import LEASE, nonce_of
from bot.ports import ChannelRef, OutboundMessage, PostError, PostErrorKind, UserRef
from bot.rich_text import text
from digest.clock import FixedClock
from digest.models import Platform
from storage.store import SqlStore
from tests.bot.discord import frames
from tests.bot.discord.fake_discord import FakeDiscord
from tests.bot.discord.running import DiscordBot, discord_bot_for

PAPERS = ChannelRef(Platform.DISCORD, str(frames.GUILD_ID), str(frames.PAPERS_CHANNEL), "papers")
POSTS = rf"/channels/{frames.PAPERS_CHANNEL}/messages"
NOTICE = OutboundMessage(title="Notice", body=text("Hello, channel."))


@pytest.mark.parametrize(
    ("status", "code", "kind"),
    [
        (403, 50001, "gone"),  # Missing Access: the channel is hidden from the bot
        (403, 50013, "gone"),  # Missing Permissions
        (404, 10003, "gone"),  # Unknown Channel: deleted
        (400, 50035, "refused"),  # Invalid Form Body: this message only
        (503, 0, "retry"),
    ],
)
async def test_post_errors_mean_retry_refused_or_gone(
    discord_bot: DiscordBot, status: int, code: int, kind: PostErrorKind
) -> None:
    discord_bot.server.fail("POST", POSTS, status, code=code)
    with pytest.raises(PostError) as error:
        await discord_bot.platform.send(PAPERS, NOTICE, "paperbot-1")
    assert error.value.kind == kind


async def test_rate_limits_are_waited_out_or_handed_to_the_outbox(
    discord_bot: DiscordBot,
) -> None:
    discord_bot.server.rate_limit("POST", POSTS, 0.05)
    discord_bot.server.fail("POST", POSTS, 500)  # discord.py tries again after a second
    sent = await discord_bot.platform.send(PAPERS, NOTICE, "paperbot-1")
    assert len(discord_bot.server.sent("POST", POSTS)) == 3
    assert sent.id == discord_bot.server.messages(frames.PAPERS_CHANNEL)[0]["id"]
    discord_bot.server.rate_limit("POST", POSTS, 45.0)
    with pytest.raises(PostError) as error:
        await discord_bot.platform.send(PAPERS, NOTICE, "paperbot-2")
    assert (error.value.kind, error.value.retry_after) == ("retry", 45.0)


async def test_a_post_that_outlasts_its_deadline_is_given_up(
    sqlite_store: SqlStore, clock: FixedClock, fake_discord: FakeDiscord
) -> None:
    """discord.py retries a 500 for 25 s; the adapter stops well inside the outbox's lease."""
    wired = discord_bot_for(sqlite_store, clock, fake_discord, post_deadline=0.5)
    assert wired.platform.post_deadline < LEASE.total_seconds()
    async with wired.running():
        fake_discord.fail("POST", POSTS, 500, times=5)
        with pytest.raises(TimeoutError):
            await wired.platform.send(PAPERS, NOTICE, "paperbot-1")


async def _crashed(wired: DiscordBot, clock: FixedClock, posted: bool) -> None:
    """A notice claimed by a process that died (after posting it, if `posted`) before it
    recorded the post; then long enough that the claim is stale and Discord forgot the nonce."""
    workspace = await wired.workspace()
    async with wired.bot.store.unit() as unit:
        await unit.outbox.enqueue(
            workspace.id, str(frames.PAPERS_CHANNEL), "notice", [NOTICE.to_payload()]
        )
        (claimed,) = await unit.outbox.claim(clock.now(), "dead-process", clock.now() - LEASE)
    if posted:
        await wired.platform.send(PAPERS, NOTICE, nonce_of(claimed))
    clock.set(clock.now() + timedelta(minutes=10))


async def test_a_post_in_doubt_is_found_and_not_sent_again(
    discord_bot: DiscordBot, clock: FixedClock
) -> None:
    await _crashed(discord_bot, clock, posted=True)
    report = await discord_bot.bot.delivery.deliver_due()
    assert report.posted == 1
    (posted,) = discord_bot.server.messages(frames.PAPERS_CHANNEL)
    assert len(discord_bot.server.sent("POST", POSTS)) == 1  # not sent again
    (looked,) = discord_bot.server.sent("GET", POSTS)
    assert int(looked.query["after"]) < int(posted["id"])
    async with discord_bot.bot.store.unit() as unit:
        assert [m.id for m in await unit.outbox.due(clock.now())] == []


async def test_a_post_in_doubt_that_never_happened_is_posted_once(
    discord_bot: DiscordBot, clock: FixedClock
) -> None:
    await _crashed(discord_bot, clock, posted=False)
    assert (await discord_bot.bot.delivery.deliver_due()).posted == 1
    assert len(discord_bot.server.messages(frames.PAPERS_CHANNEL)) == 1


async def test_a_closed_dm_fails_alone_and_the_rest_goes_on(discord_bot: DiscordBot) -> None:
    discord_bot.server.closed_dms.add(frames.BO.id)
    with pytest.raises(PostError) as error:
        await discord_bot.platform.direct_message(UserRef(str(frames.BO.id)), NOTICE, "pb-1")
    assert error.value.kind == "refused"
    sent = await discord_bot.platform.direct_message(UserRef(str(frames.CY.id)), NOTICE, "pb-2")
    assert sent.channel.id == f"@{frames.CY.id}"


async def test_without_thread_permission_papers_go_in_the_channel_and_admins_hear_once(
    discord_bot: DiscordBot, shared: Path, clock: FixedClock
) -> None:
    threads = rf"/channels/{frames.PAPERS_CHANNEL}/messages/\d+/threads"
    discord_bot.server.fail("POST", threads, 403, code=50013, times=10)
    await discord_bot.add_papers()
    header, cards = await discord_bot.weekly_digest(shared)
    assert discord_bot.server.messages(header["id"]) == []  # no thread was opened
    assert [c["channel_id"] for c in cards] == [str(frames.PAPERS_CHANNEL)] * 2
    assert [len(c["components"]) for c in cards] == [1, 1]
    # No review channel is set: the author of the channel's topic hears it directly.
    dm_channels = [c for c in discord_bot.server.channels.values() if c.data.get("recipient")]
    (dm,) = dm_channels
    assert dm.data["recipient"] == str(frames.ANA.id)
    (told,) = dm.messages
    assert told["embeds"][0]["author"]["name"] == "Digests without a thread"
    assert "Create Public Threads" in told["embeds"][0]["description"]

    # Next week's digest goes in the channel too, without telling the admins again.
    clock.set(clock.now() + timedelta(days=7))
    workspace = await discord_bot.workspace()
    await discord_bot.bot.runner.run_channel(workspace.id, str(frames.PAPERS_CHANNEL))
    assert len(dm.messages) == 1
    assert len(discord_bot.server.sent("POST", threads)) == 1
