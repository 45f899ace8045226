"""Run a discord.py client against the fake Discord: log in, open the gateway, close."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import discord

from tests.bot.discord.fake_discord import TOKEN, FakeDiscord


@asynccontextmanager
async def connected(client: discord.Client, server: FakeDiscord) -> AsyncIterator[discord.Client]:
    """The client logged in (setup hook run) and identified on the gateway; closed after."""
    identified = len(server.identifies)
    await client.login(TOKEN)
    task = asyncio.create_task(client.connect(reconnect=False))
    # Frames sent after IDENTIFY reach the client after READY and GUILD_CREATE, in order.
    await server.wait_for(lambda: len(server.identifies) > identified)
    try:
        yield client
    finally:
        await client.close()
        await task
