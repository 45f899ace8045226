"""discord.py's events as the seam's neutral values: channels, users and their admin facts.

A workspace is a guild. A thread counts as its parent channel: a digest's papers are posted in
a thread on its header, but they belong to the channel's digest (the outbox recorded them under
the channel), and a command typed in the thread is about the channel.
"""

from __future__ import annotations

import discord

from bot.ports import ChannelRef, UserRef
from digest.models import Platform


def channel_ref(guild_id: int | None, channel: object, channel_id: int) -> ChannelRef:
    """The neutral channel: a thread is named by its parent channel."""
    if isinstance(channel, discord.Thread) and channel.parent_id is not None:
        channel_id = channel.parent_id
        channel = channel.parent
    name = getattr(channel, "name", None) or str(channel_id)
    guild = getattr(channel, "guild", None)
    return ChannelRef(
        Platform.DISCORD,
        str(guild_id or ""),
        str(channel_id),
        name,
        getattr(guild, "name", None) or "",
    )


def interaction_channel(interaction: discord.Interaction) -> ChannelRef:
    """The channel (never a thread) an interaction happened in."""
    return channel_ref(interaction.guild_id, interaction.channel, interaction.channel_id or 0)


def user_ref(user: discord.abc.User, permissions: discord.Permissions | None = None) -> UserRef:
    """A user with the facts the core decides admin rights from: role ids, Manage Server.

    `permissions` are the user's permissions where they acted (an interaction carries them);
    without them (a reaction) only the roles are known, which is all nominating needs.
    """
    roles: tuple[str, ...] = ()
    if isinstance(user, discord.Member):
        roles = tuple(str(role.id) for role in user.roles if not role.is_default())
    admin = permissions is not None and (permissions.manage_guild or permissions.administrator)
    return UserRef(str(user.id), user.display_name, roles, admin)


def interaction_user(interaction: discord.Interaction) -> UserRef:
    """Who used a command, button or menu, with their permissions in that channel."""
    return user_ref(interaction.user, interaction.permissions)


def emoji_text(emoji: discord.PartialEmoji) -> str:
    """A reaction's emoji as the core compares it: Unicode, or `<:name:id>` for a custom one."""
    return (emoji.name or "") if emoji.is_unicode_emoji() else str(emoji)
