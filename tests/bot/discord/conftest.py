"""A local Discord for every test here: discord.py's REST calls and gateway point at it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import discord
import pytest
import yarl

from digest.clock import FixedClock
from storage.store import SqlStore
from tests.bot.discord import frames
from tests.bot.discord.fake_discord import API, FakeDiscord
from tests.bot.discord.running import DiscordBot, discord_bot_for


@pytest.fixture
async def fake_discord(
    clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[FakeDiscord]:
    """A fake Discord on 127.0.0.1 with the test guild, and discord.py pointed at it."""
    server = FakeDiscord(clock.now)
    url = await server.start()
    server.add_guild(frames.guild_create())
    monkeypatch.setattr(discord.http.Route, "BASE", url + API)
    # A plain Client opens the gateway at this address (only sharded clients ask /gateway/bot).
    gateway = yarl.URL(url.replace("http", "ws", 1) + "/gateway")
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", gateway)
    yield server
    await server.close()


@pytest.fixture
async def discord_bot(
    sqlite_store: SqlStore, clock: FixedClock, fake_discord: FakeDiscord
) -> AsyncIterator[DiscordBot]:
    """paperbot on Discord (the fake one), connected, over a SQLite store."""
    wired = discord_bot_for(sqlite_store, clock, fake_discord)
    async with wired.running():
        yield wired
