"""The local Discord, proven with discord.py's own code: REST, errors, gateway frames."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path

import discord
import pytest
from discord import app_commands

from bot.commands import CommandSpec
from bot.discord.client import PaperbotClient
from bot.discord.commands import paper_group
from tests.bot.discord import frames
from tests.bot.discord.fake_discord import FakeDiscord
from tests.bot.discord.running import connected


class Seen:
    """What reached the client's callbacks, and how they answered."""

    def __init__(self) -> None:
        self.commands: list[tuple[str, dict[str, str], discord.Interaction]] = []
        self.completions: list[tuple[str, str]] = []
        self.reactions: list[tuple[discord.RawReactionActionEvent, bool]] = []

    async def run(
        self, interaction: discord.Interaction, spec: CommandSpec, options: Mapping[str, str]
    ) -> None:
        self.commands.append((spec.name, dict(options), interaction))
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.followup.send(f"ran {spec.name}", ephemeral=True)

    async def complete(
        self, interaction: discord.Interaction, kind: str, current: str
    ) -> list[str]:
        self.completions.append((kind, current))
        return [f"{kind}-{n}" + "x" * (n * 5) for n in range(40)]

    async def react(self, payload: discord.RawReactionActionEvent, added: bool) -> None:
        self.reactions.append((payload, added))


@pytest.fixture
def seen() -> Seen:
    return Seen()


def _client(seen: Seen, sync_guild: int | None = None) -> PaperbotClient:
    return PaperbotClient(paper_group(seen.run, seen.complete), seen.react, sync_guild=sync_guild)


async def test_login_identifies_with_only_the_intents_needed(
    fake_discord: FakeDiscord, seen: Seen
) -> None:
    async with connected(_client(seen), fake_discord) as client:
        identify = fake_discord.identifies[-1]
        assert identify["intents"] == 1 | 1 << 10  # GUILDS and GUILD_MESSAGE_REACTIONS
        assert not client.intents.message_content
        assert not client.intents.members
        await fake_discord.wait_for(lambda: client.get_guild(frames.GUILD_ID))
        guild = client.get_guild(frames.GUILD_ID)
        assert guild is not None
        assert guild.name == "Systems Reading Group"
        assert guild.get_channel(frames.PAPERS_CHANNEL) is not None


async def test_commands_are_synced_globally_unless_a_guild_is_named(
    fake_discord: FakeDiscord, seen: Seen
) -> None:
    async with connected(_client(seen), fake_discord):
        (put,) = fake_discord.sent("PUT", r"/applications/\d+/commands")
        assert [c["name"] for c in put.body] == ["paper"]
    async with connected(_client(seen, sync_guild=frames.GUILD_ID), fake_discord):
        (put,) = fake_discord.sent("PUT", rf"/applications/\d+/guilds/{frames.GUILD_ID}/commands")
        assert [c["name"] for c in put.body] == ["paper"]
    assert len(fake_discord.sent("PUT", r"/applications/\d+/commands")) == 1


async def test_a_send_records_the_exact_json_and_a_nonce_posts_once(
    fake_discord: FakeDiscord, seen: Seen
) -> None:
    async with connected(_client(seen), fake_discord) as client:
        channel = client.get_partial_messageable(frames.PAPERS_CHANNEL)
        embed = discord.Embed(title="@everyone <@123>", description="x")
        first = await channel.send(embed=embed, nonce="out-1")
        again = await channel.send(embed=embed, nonce="out-1")
        (call, _) = fake_discord.sent("POST", rf"/channels/{frames.PAPERS_CHANNEL}/messages")
        assert call.body["allowed_mentions"] == {"parse": []}
        assert call.body["nonce"] == "out-1"
        assert call.body["enforce_nonce"] is True
        assert call.body["embeds"] == [
            {"type": "rich", "title": "@everyone <@123>", "description": "x", "flags": 0}
        ]
        assert first.id == again.id
        assert len(fake_discord.messages(frames.PAPERS_CHANNEL)) == 1


async def test_errors_come_back_as_discord_py_raises_them(
    fake_discord: FakeDiscord, seen: Seen
) -> None:
    path = rf"/channels/{frames.PAPERS_CHANNEL}/messages"
    async with connected(_client(seen), fake_discord) as client:
        channel = client.get_partial_messageable(frames.PAPERS_CHANNEL)
        fake_discord.rate_limit("POST", path, 0.05)
        await channel.send("waited out")  # discord.py sleeps retry_after and tries again
        assert len(fake_discord.sent("POST", path)) == 2
        fake_discord.rate_limit("POST", path, 45.0)
        with pytest.raises(discord.RateLimited) as limited:
            await channel.send("too long a wait")
        assert limited.value.retry_after == 45.0
        fake_discord.fail("POST", path, 403)
        with pytest.raises(discord.Forbidden) as forbidden:
            await channel.send("no access")
        assert forbidden.value.code == 50013
        fake_discord.fail("POST", path, 404)
        with pytest.raises(discord.NotFound):
            await channel.send("deleted")
        fake_discord.fail("POST", path, 500)
        await channel.send("after one 500")  # retried by discord.py after a second
        fake_discord.fail("POST", path, 400)
        with pytest.raises(discord.HTTPException) as refused:
            await channel.send("refused")
        assert refused.value.status == 400
        with pytest.raises(discord.HTTPException):
            await channel.send("x" * 2001)  # the fake checks Discord's limits
    assert [m["content"] for m in fake_discord.messages(frames.PAPERS_CHANNEL)] == [
        "waited out",
        "after one 500",
    ]


async def test_a_slash_command_frame_reaches_the_command_with_its_options(
    fake_discord: FakeDiscord, seen: Seen, shared: Path
) -> None:
    async with connected(_client(seen), fake_discord):
        frame = frames.command(
            shared, "subscribe", {"topic": "llm-serving", "weekday": "tue"}, user=frames.ANA
        )
        await fake_discord.dispatch("INTERACTION_CREATE", frame)
        await fake_discord.wait_for(lambda: fake_discord.sent("POST", r"/webhooks/\d+/.+"))
    ((name, options, interaction),) = seen.commands
    assert (name, options) == ("subscribe", {"topic": "llm-serving", "weekday": "tue"})
    assert isinstance(interaction.user, discord.Member)
    assert interaction.user.id == frames.ANA.id
    assert interaction.permissions.manage_guild
    assert interaction.channel_id == frames.PAPERS_CHANNEL
    (response,) = fake_discord.interaction_responses[int(frame["id"])]
    assert response == {"type": 5, "data": {"flags": 64}}  # deferred, only for the user
    (followup,) = fake_discord.sent("POST", r"/webhooks/\d+/.+")
    assert followup.body["content"] == "ran subscribe"
    assert followup.body["flags"] == 64
    assert followup.body["allowed_mentions"] == {"parse": []}


async def test_an_autocomplete_frame_is_answered_with_25_choices_at_most(
    fake_discord: FakeDiscord, seen: Seen, shared: Path
) -> None:
    async with connected(_client(seen), fake_discord):
        frame = frames.command(shared, "approve", {"paper": "2406"}, focused="paper")
        await fake_discord.dispatch("INTERACTION_CREATE", frame)
        await fake_discord.wait_for(lambda: fake_discord.interaction_responses)
    assert seen.completions == [("nomination", "2406")]
    (response,) = fake_discord.interaction_responses[int(frame["id"])]
    assert response["type"] == 8
    choices = response["data"]["choices"]
    assert len(choices) == 25
    assert choices[0] == {"name": "nomination-0", "value": "nomination-0"}
    # Longer suggestions are cut to the 100 characters a choice may hold.
    assert choices[24]["value"] == ("nomination-24" + "x" * 120)[:100]
    assert max(len(c["name"]) for c in choices) == 100


async def test_raw_reaction_frames_arrive_for_messages_never_seen(
    fake_discord: FakeDiscord, seen: Seen, shared: Path
) -> None:
    async with connected(_client(seen), fake_discord):
        added = frames.reaction(shared, added=True, message_id=1234, user=frames.BO)
        removed = frames.reaction(shared, added=False, message_id=1234, user=frames.BO)
        await fake_discord.dispatch("MESSAGE_REACTION_ADD", added)
        await fake_discord.dispatch("MESSAGE_REACTION_REMOVE", removed)
        await fake_discord.wait_for(lambda: len(seen.reactions) == 2)
    (add, was_added), (remove, was_removed) = seen.reactions
    assert (was_added, was_removed) == (True, False)
    assert (add.message_id, add.channel_id, add.user_id) == (
        1234,
        frames.PAPERS_CHANNEL,
        frames.BO.id,
    )
    assert str(add.emoji) == "⭐"
    assert add.member is not None
    # The cached guild's @everyone role (the guild's id) comes first.
    assert [role.id for role in add.member.roles] == [frames.GUILD_ID, frames.MEMBER_ROLE]
    assert remove.member is None  # Discord sends no member with a removal


def test_the_group_is_built_by_discord_py() -> None:
    group = paper_group(Seen().run, Seen().complete)
    assert isinstance(group, app_commands.Group)
    assert asyncio.iscoroutinefunction(group.commands[0].callback)
