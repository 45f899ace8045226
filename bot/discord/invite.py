"""What the bot asks for when it is invited: two scopes and seven channel permissions."""

from __future__ import annotations

import discord

SCOPES = ("bot", "applications.commands")


def bot_permissions() -> discord.Permissions:
    """Read and post in channels and threads, start a digest's thread, embed, react."""
    return discord.Permissions(
        view_channel=True,
        send_messages=True,
        send_messages_in_threads=True,
        create_public_threads=True,
        embed_links=True,
        add_reactions=True,
        read_message_history=True,
    )


def invite_url(application_id: int | str) -> str:
    """The OAuth2 URL that adds the bot to a server with exactly those permissions."""
    return discord.utils.oauth_url(application_id, permissions=bot_permissions(), scopes=SCOPES)
