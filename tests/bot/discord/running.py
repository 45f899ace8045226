"""Run a discord.py client, or the whole bot on Discord, against the fake Discord."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import discord

from bot.app import Bot
from bot.discord.platform import DiscordPlatform
from config import Settings
from digest.clock import FixedClock
from digest.models import Platform, Workspace
from storage.store import SqlStore
from tests.bot.discord import frames
from tests.bot.discord.fake_discord import TOKEN, FakeDiscord, Json
from tests.factories import make_paper

T = TypeVar("T")
# Papers of the week before the test clock, two of them about experts.
PAPERS = (
    make_paper("2606.00001", "Routing Tokens to Experts at Scale"),
    make_paper("2606.00002", "Sparse Experts for Long-Context Serving"),
    make_paper("2606.00003", "Paged Attention for LLM Serving"),
)


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


@dataclass
class DiscordBot:
    """The bot wired to a DiscordPlatform, as `paperbot run` wires it, and the fake Discord."""

    bot: Bot
    platform: DiscordPlatform
    server: FakeDiscord

    @asynccontextmanager
    async def running(self) -> AsyncIterator[DiscordBot]:
        """Started like `paperbot run` starts it (login, commands synced, gateway); closed after."""
        identified = len(self.server.identifies)
        await self.platform.start()
        await self.server.wait_for(lambda: len(self.server.identifies) > identified)
        try:
            yield self
        finally:
            await self.platform.close()

    async def frame(self, event: str, data: Json) -> None:
        """A gateway dispatch frame, through discord.py's websocket and parsers."""
        await self.server.dispatch(event, data)

    async def interact(self, data: Json, within: float = 5.0) -> list[Any]:
        """Send an INTERACTION_CREATE and wait until it is answered; the calls answering it."""
        before = len(self.server.calls)
        await self.frame("INTERACTION_CREATE", data)
        token = data["token"]

        def answers() -> list[Any]:
            return [c for c in self.server.calls[before:] if token in c.path]

        def done() -> bool:
            found = answers()
            if not found or found[-1].method == "DELETE":
                return False  # a deleted "thinking" message is followed by a private answer
            last = found[-1]
            # A deferral (5: thinking, 6: update later) is answered by the followup or edit.
            return "callback" not in last.path or last.body["type"] not in (5, 6)

        await self.server.wait_for(done, within)
        return answers()

    async def add_papers(self) -> None:
        """The week's PAPERS in the store."""
        async with self.bot.store.unit() as unit:
            await unit.papers.upsert_many(PAPERS)

    async def say(self, shared: Path, command: str, user: frames.User, **options: str) -> list[Any]:
        """`/paper <command>` typed by `user` in #papers; the calls that answered it."""
        return await self.interact(frames.command(shared, command, options, user=user))

    async def weekly_digest(
        self, shared: Path, rule: str = "ti:experts"
    ) -> tuple[Json, list[Json]]:
        """A topic, #papers subscribed, and its digest run now: the header and the papers'
        messages (in the thread, or in the channel when there is none)."""
        await self.say(shared, "topic-add", frames.ANA, name="moe", rule=rule)
        await self.say(shared, "subscribe", frames.ANA, topic="moe")
        before = len(self.server.messages(frames.PAPERS_CHANNEL))
        workspace = await self.workspace()
        await self.bot.runner.run_channel(workspace.id, str(frames.PAPERS_CHANNEL))
        header, *rest = self.server.messages(frames.PAPERS_CHANNEL)[before:]
        return header, self.server.messages(header["id"]) or rest

    async def workspace(self) -> Workspace:
        """The test guild's workspace."""
        async with self.bot.store.unit() as unit:
            return await unit.workspaces.get_or_create(
                Platform.DISCORD, str(frames.GUILD_ID), "Systems Reading Group"
            )


async def eventually(
    read: Callable[[], Awaitable[T]], check: Callable[[T], bool], within: float = 5.0
) -> T:
    """Read until the value passes `check` (what the bot does in its own time); the value."""
    async with asyncio.timeout(within):
        while True:
            value = await read()
            if check(value):
                return value
            # The bot signals nothing when it is done with an event: the store is read again.
            await asyncio.sleep(0.01)


def discord_bot_for(
    store: SqlStore,
    clock: FixedClock,
    server: FakeDiscord,
    post_deadline: float = 5.0,
    auto_defer: float = 1.0,
) -> DiscordBot:
    """A new process's bot over `store`, on the fake Discord (not started)."""
    platform = DiscordPlatform(TOKEN, post_deadline=post_deadline, auto_defer=auto_defer)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    bot = Bot(settings, store, clock, {Platform.DISCORD: platform}, ingest_enabled=False)
    platform.serve(bot.handlers, bot.delivery.tell_admins)
    return DiscordBot(bot, platform, server)
