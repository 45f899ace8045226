"""The Slack platform against the local Web API: what a post sends, how Slack's errors become
retry / refused / gone, rate limits, threads, direct messages, and find_sent after a crash."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk.oauth.installation_store import Installation

from bot.ports import ChannelRef, OutboundMessage, PostError, UserRef
from bot.rich_text import text
from bot.slack.oauth import installation_store
from bot.slack.platform import SlackPlatform, Tokens
from digest.models import Platform
from storage.engine import create_engine
from tests.bot.slack.slack_api import SlackApi

TEAM = "T0LAB"
HELLO = OutboundMessage(title="Weekly digest: moe", body=text("Hello <!channel> & all"))


@pytest.fixture
def platform(slack_api: SlackApi) -> SlackPlatform:
    slack_api.add_team(TEAM, "lab", "xoxb-lab")
    return SlackPlatform(Tokens(slack_api.base_url, token="xoxb-lab"))


def _channel(channel_id: str = "C0PAPERS", thread: str | None = None) -> ChannelRef:
    return ChannelRef(Platform.SLACK, TEAM, channel_id, thread=thread)


async def test_a_post_carries_blocks_metadata_and_no_unfurling(
    slack_api: SlackApi, platform: SlackPlatform
) -> None:
    ref = await platform.send(_channel(), HELLO, "paperbot-7")
    [call] = slack_api.calls_to("chat.postMessage")
    assert call.token == "xoxb-lab"
    assert ref.id == slack_api.posts("C0PAPERS")[0]["ts"]
    args = call.args
    assert args["metadata"] == {
        "event_type": "paperbot_post",
        "event_payload": {"nonce": "paperbot-7"},
    }
    assert (args["unfurl_links"], args["unfurl_media"]) == (False, False)
    assert "link_names" not in args
    assert args["text"] == "Weekly digest: moe Hello &lt;!channel&gt; &amp; all"
    assert (
        args["blocks"][0]["text"]["text"]
        == "*Weekly digest: moe*\nHello &lt;!channel&gt; &amp; all"
    )


async def test_a_thread_reply_and_finding_it_again(
    slack_api: SlackApi, platform: SlackPlatform
) -> None:
    since = datetime.now(UTC) - timedelta(minutes=2)
    header = await platform.send(_channel(), HELLO, "paperbot-1")
    reply = await platform.send(_channel(thread=header.id), HELLO, "paperbot-2")
    assert slack_api.posts("C0PAPERS")[1]["thread_ts"] == header.id
    # A thread reply is not in the channel's history: find_sent reads the thread's replies.
    found = await platform.find_sent(_channel(thread=header.id), "paperbot-2", since)
    assert found is not None
    assert found.id == reply.id
    assert await platform.find_sent(_channel(), "paperbot-2", since) is None
    top = await platform.find_sent(_channel(), "paperbot-1", since)
    assert top is not None
    assert top.id == header.id
    history = slack_api.calls_to("conversations.history")[-1].args
    assert history["include_all_metadata"] in (True, "1", "true")
    assert float(history["oldest"]) == pytest.approx(since.timestamp(), abs=1e-3)
    # Posted before the claim: not looked at.
    assert (
        await platform.find_sent(_channel(), "paperbot-1", datetime.now(UTC) + timedelta(days=1))
        is None
    )


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        ("channel_not_found", "gone"),
        ("is_archived", "gone"),
        ("account_inactive", "gone"),
        ("msg_too_long", "refused"),
        ("invalid_blocks", "refused"),
        ("internal_error", "retry"),
    ],
)
async def test_slack_errors_become_retry_refused_or_gone(
    slack_api: SlackApi, platform: SlackPlatform, error: str, kind: str
) -> None:
    slack_api.fail("chat.postMessage", error, times=2)
    with pytest.raises(PostError) as raised:
        await platform.send(_channel(), HELLO, "paperbot-1")
    assert raised.value.kind == kind
    assert error in str(raised.value)


async def test_a_short_rate_limit_is_waited_out_a_long_one_goes_back_to_the_outbox(
    slack_api: SlackApi, platform: SlackPlatform
) -> None:
    slack_api.fail("chat.postMessage", "ratelimited", status=429, retry_after=1)
    await platform.send(_channel(), HELLO, "paperbot-1")
    assert len(slack_api.calls_to("chat.postMessage")) == 2
    assert len(slack_api.posts("C0PAPERS")) == 1
    slack_api.fail("chat.postMessage", "ratelimited", status=429, retry_after=120)
    with pytest.raises(PostError) as raised:
        await platform.send(_channel(), HELLO, "paperbot-2")
    assert (raised.value.kind, raised.value.retry_after) == ("retry", 120)
    assert len(slack_api.calls_to("chat.postMessage")) == 3


async def test_a_server_error_on_a_post_is_not_repeated_in_place(
    slack_api: SlackApi, platform: SlackPlatform
) -> None:
    slack_api.fail("chat.postMessage", "internal_error", status=500)
    with pytest.raises(PostError) as raised:
        await platform.send(_channel(), HELLO, "paperbot-1")
    assert raised.value.kind == "retry"
    assert len(slack_api.calls_to("chat.postMessage")) == 1
    # Reads are idempotent: slack-sdk's server-error handler repeats them once.
    slack_api.fail("conversations.history", "internal_error", status=500)
    assert await platform.find_sent(_channel(), "x", datetime.now(UTC) - timedelta(hours=1)) is None
    assert len(slack_api.calls_to("conversations.history")) == 2


async def test_a_public_channel_it_is_not_in_is_joined(
    slack_api: SlackApi, platform: SlackPlatform
) -> None:
    slack_api.fail("chat.postMessage", "not_in_channel")
    await platform.send(_channel("C0NEW"), HELLO)
    assert [c.args["channel"] for c in slack_api.calls_to("conversations.join")] == ["C0NEW"]
    assert len(slack_api.posts("C0NEW")) == 1
    # A private channel cannot be joined: gone, with Slack's reason.
    slack_api.fail("chat.postMessage", "not_in_channel")
    slack_api.fail("conversations.join", "method_not_supported_for_channel_type")
    with pytest.raises(PostError) as raised:
        await platform.send(_channel("G0PRIVATE"), HELLO)
    assert raised.value.kind == "gone"


async def test_a_message_over_slacks_limits_is_refused_before_posting(
    slack_api: SlackApi, platform: SlackPlatform
) -> None:
    from bot.ports import PaperCard

    card = PaperCard("2606.00001", "T", (), "https://arxiv.org/abs/2606.00001")
    with pytest.raises(PostError) as raised:
        await platform.send(_channel(), OutboundMessage(cards=(card,) * 30))
    assert raised.value.kind == "refused"
    assert slack_api.calls_to("chat.postMessage") == []


async def test_direct_messages_update_and_reactions(
    slack_api: SlackApi, platform: SlackPlatform
) -> None:
    since = datetime.now(UTC) - timedelta(minutes=1)
    dm = await platform.direct_message(UserRef("U0BO", workspace_id=TEAM), HELLO, "paperbot-3")
    assert [c.args["users"] for c in slack_api.calls_to("conversations.open")] == ["U0BO"]
    assert slack_api.posts("DU0BO")[0]["ts"] == dm.id
    found = await platform.find_sent(_channel("@U0BO"), "paperbot-3", since)
    assert found is not None
    assert found.id == dm.id
    ref = await platform.send(_channel(), HELLO)
    await platform.update(ref, OutboundMessage(body=text("Decided.")))
    assert "Decided." in str(slack_api.posts("C0PAPERS")[0]["blocks"])
    await platform.react(ref, "⭐")
    slack_api.fail("reactions.add", "already_reacted")
    await platform.react(ref, "⭐")
    assert [c.args["name"] for c in slack_api.calls_to("reactions.add")] == ["star", "star"]


@pytest.fixture
async def oauth_platform(
    slack_api: SlackApi, migrated_url: str
) -> AsyncIterator[tuple[SlackPlatform, object]]:
    engine = create_engine(migrated_url)
    store = installation_store(engine, "1111.2222")
    yield SlackPlatform(Tokens(slack_api.base_url, installations=store)), store
    await engine.dispose()


async def test_many_workspaces_post_on_their_own_token_and_a_new_install_is_picked_up(
    slack_api: SlackApi, oauth_platform: tuple[SlackPlatform, object]
) -> None:
    platform, store = oauth_platform
    slack_api.add_team("T0NORTH", "north", "xoxb-north-1")
    slack_api.add_team("T0SOUTH", "south", "xoxb-south")
    for team, token, at in (
        ("T0NORTH", "xoxb-north-1", 1_780_000_000.0),
        ("T0SOUTH", "xoxb-south", 1_780_000_000.0),
    ):
        await store.async_save(  # type: ignore[attr-defined]
            Installation(
                app_id="A0PAPER", team_id=team, bot_token=token, user_id="U", installed_at=at
            )
        )
    north = ChannelRef(Platform.SLACK, "T0NORTH", "C0N")
    await platform.send(north, HELLO)
    await platform.send(ChannelRef(Platform.SLACK, "T0SOUTH", "C0S"), HELLO)
    assert [c.token for c in slack_api.calls_to("chat.postMessage")] == [
        "xoxb-north-1",
        "xoxb-south",
    ]
    # North reinstalls: the old token is revoked; the next post reads the new one and goes on.
    del slack_api.teams["xoxb-north-1"]
    slack_api.add_team("T0NORTH", "north", "xoxb-north-2")
    await store.async_save(  # type: ignore[attr-defined]
        Installation(
            app_id="A0PAPER",
            team_id="T0NORTH",
            bot_token="xoxb-north-2",
            user_id="U",
            installed_at=1_780_000_100.0,
        )
    )
    await platform.send(north, HELLO)
    assert [c.token for c in slack_api.calls_to("chat.postMessage")][-2:] == [
        "xoxb-north-1",
        "xoxb-north-2",
    ]
    with pytest.raises(PostError) as raised:
        await platform.send(ChannelRef(Platform.SLACK, "T0GONE", "C0X"), HELLO)
    assert raised.value.kind == "gone"
