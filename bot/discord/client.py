"""The discord.py client paperbot runs: the intents it needs, no pings, the command tree."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord import app_commands

from bot.discord.components import PaperbotComponent

log = logging.getLogger(__name__)

ReactionListener = Callable[[discord.RawReactionActionEvent, bool], Awaitable[None]]
ComponentListener = Callable[[discord.Interaction, str], Awaitable[None]]
IdentifyGate = Callable[[int | None], Awaitable[None]]

# discord.py waits out a 429 itself unless Discord asks for longer than this (its floor is 30 s);
# longer waits come back as RateLimited, which the outbox turns into a retry of its own.
RATE_LIMIT_WAIT = 30.0


def paperbot_intents() -> discord.Intents:
    """Only what paperbot reads: guilds (channels, roles) and reactions in them.

    No message content, no members, no presences (all privileged or unneeded): commands and
    buttons arrive as interactions, which need no intent at all.
    """
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_reactions = True
    return intents


class PaperbotClient(discord.Client):
    """A discord.py client with the `/paper` tree, raw reaction events and nothing that pings."""

    def __init__(
        self,
        group: app_commands.Group,
        on_reaction: ReactionListener,
        on_component: ComponentListener | None = None,
        *,
        sync_guild: int | None = None,
        **shards: Any,
    ) -> None:
        # paperbot has no voice: discord.py's warnings about the voice libraries are noise.
        discord.VoiceClient.warn_nacl = False
        discord.VoiceClient.warn_dave = False
        super().__init__(
            intents=paperbot_intents(),
            # No send, edit or reply of the bot mentions anyone, whatever a title says.
            allowed_mentions=discord.AllowedMentions.none(),
            # Reactions come as raw events, so no message cache is needed (nor kept).
            max_messages=None,
            member_cache_flags=discord.MemberCacheFlags.none(),
            chunk_guilds_at_startup=False,
            max_ratelimit_timeout=RATE_LIMIT_WAIT,
            **shards,
        )
        self.tree = app_commands.CommandTree(self)
        self.tree.add_command(group)
        self.sync_guild = sync_guild
        self._on_reaction = on_reaction
        # Called by PaperbotComponent for a press on any of our buttons or menus.
        self.component_listener = on_component
        # Waits for this shard's turn to IDENTIFY among every process (bot/discord/shards.py);
        # None: discord.py's own pause, which knows only this process.
        self.identify_gate: IdentifyGate | None = None

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Before each IDENTIFY: wait for this shard's turn."""
        if self.identify_gate is None:
            await super().before_identify_hook(shard_id, initial=initial)
        else:
            await self.identify_gate(shard_id)

    async def setup_hook(self) -> None:
        """After login, before the gateway: persistent components, then the commands synced."""
        self.add_dynamic_items(PaperbotComponent)
        await sync_commands(self.tree, self.sync_guild)

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        """A reaction added anywhere, cached message or not (and after a restart)."""
        await self._on_reaction(payload, True)

    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        """A reaction taken back."""
        await self._on_reaction(payload, False)


class ShardedPaperbotClient(PaperbotClient, discord.AutoShardedClient):
    """The same client running some of the bot's shards (`paperbot run --shards 0-1
    --shard-count 4`); other processes run the others."""


async def sync_commands(tree: app_commands.CommandTree, guild_id: int | None) -> None:
    """Register the commands with Discord: globally, or in one guild for development.

    A guild's commands change at once; global ones can take up to an hour to reach every
    client. Both are one bulk overwrite, so syncing at every start changes nothing unchanged.
    """
    if guild_id is None:
        synced = await tree.sync()
        log.info("synced %d global command(s) with Discord", len(synced))
        return
    guild = discord.Object(guild_id)
    tree.copy_global_to(guild=guild)
    synced = await tree.sync(guild=guild)
    log.info("synced %d command(s) to the development guild %s", len(synced), guild_id)
