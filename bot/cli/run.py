"""`paperbot run` and `paperbot demo`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import discord

from bot.app import Bot, open_store
from bot.console.platform import ConsoleChat, ConsolePlatform
from bot.console.repl import ConsoleSession, console_loop, logs_in
from bot.demo.script import run_demo
from bot.discord.platform import DiscordPlatform
from bot.discord.serve import BAD_TOKEN
from bot.offload import ProcessOffload
from bot.ports import ChatPlatform
from bot.slack.app import attach, config_from, slack_platform
from config import Settings
from digest.clock import SystemClock
from digest.models import Platform
from digest.ports import Clock
from storage.store import SqlStore

log = logging.getLogger(__name__)

NO_TOKENS = """\
paperbot run needs a chat platform, and none is configured. Set one of:
  PAPERBOT_DISCORD_TOKEN                      a Discord bot token
  PAPERBOT_SLACK_BOT_TOKEN and PAPERBOT_SLACK_APP_TOKEN         Slack in Socket Mode
  PAPERBOT_SLACK_BOT_TOKEN and PAPERBOT_SLACK_SIGNING_SECRET    Slack over HTTP
  PAPERBOT_SLACK_CLIENT_ID, _CLIENT_SECRET and _SIGNING_SECRET   Slack over HTTP, many workspaces
(in the environment or in .env; see config/paperbot.env.example).
To try paperbot without them: `paperbot demo`, or `paperbot run --console`."""

CONSOLE_LOG = Path("paperbot-console.log")


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `run` and `demo`."""
    run_parser = commands.add_parser(
        "run",
        help="run the bot (Discord and/or Slack, from the configured tokens)",
        description="Run the bot: chat platforms, weekly digests and daily ingestion.",
    )
    run_parser.add_argument(
        "--console",
        action="store_true",
        help="chat with the bot in this terminal instead of Discord or Slack",
    )
    demo_parser = commands.add_parser(
        "demo",
        help="run the whole loop offline on sample data",
        description="Create a scratch database, load a sample week of arXiv metadata, and run "
        "topics, a weekly digest, a nomination, an approval and the Markdown list.",
    )
    demo_parser.add_argument("--keep", type=Path, help="keep the demo database in this folder")


async def run(settings: Settings, console: bool) -> int:
    """Run the bot until interrupted; returns the exit status."""
    if not console:
        if not settings.has_chat_tokens:
            print(NO_TOKENS, file=sys.stderr)
            return 2
        return await _run_chat(settings)
    print(f"Logs go to {CONSOLE_LOG}.")
    with logs_in(CONSOLE_LOG):
        return await _run_console(settings)


async def _run_console(settings: Settings) -> int:
    clock = SystemClock()
    store = await open_store(settings, clock)
    platform = ConsolePlatform(sys.stdout)
    offload = ProcessOffload()
    bot = Bot(settings, store, clock, {Platform.CONSOLE: platform}, offload=offload)
    try:
        await bot.scheduler.start()
        await bot.handlers.warm_up()
        await console_loop(ConsoleSession(ConsoleChat(platform, bot.handlers), platform))
    finally:
        await bot.scheduler.stop()
        offload.close()
        await store.close()
    return 0


# Connects a platform's events to the wired bot (its handlers, its delivery's notices).
Wire = Callable[[Bot], None]


def _slack(settings: Settings, clock: Clock, store: SqlStore) -> tuple[ChatPlatform, Wire]:
    """Slack in the mode its variables name, and how its listeners reach the bot."""
    config = config_from(settings)
    app, platform = slack_platform(config, clock, store.engine)
    log.info("Slack: %s mode", config.mode)

    def wire(bot: Bot) -> None:
        attach(app, bot.handlers, platform, clock)

    return platform, wire


def _discord(settings: Settings) -> tuple[DiscordPlatform, Wire]:
    """Discord on the configured token, and how its events reach the bot."""
    assert settings.discord_token is not None
    platform = DiscordPlatform(
        settings.discord_token.get_secret_value(), sync_guild=settings.discord_guild
    )

    def wire(bot: Bot) -> None:
        platform.serve(bot.handlers, bot.delivery.tell_admins)

    return platform, wire


async def _run_chat(settings: Settings) -> int:
    """Every configured chat platform in one process, until interrupted, terminated, or
    Discord's gateway closes for good."""
    clock = SystemClock()
    store = await open_store(settings, clock)
    offload = ProcessOffload()
    platforms: dict[Platform, ChatPlatform] = {}
    wires: list[Wire] = []
    stop = asyncio.Event()
    ends: list[Callable[[], Awaitable[object]]] = [stop.wait]
    if settings.has_slack:
        platforms[Platform.SLACK], wire = _slack(settings, clock, store)
        wires.append(wire)
    if settings.discord_token is not None:
        discord_platform, wire = _discord(settings)
        platforms[Platform.DISCORD] = discord_platform
        wires.append(wire)
        ends.append(discord_platform.wait_closed)
    bot = Bot(settings, store, clock, platforms, offload=offload)
    for wire in wires:
        wire(bot)
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError):  # no signal handlers on Windows' loop
        loop.add_signal_handler(signal.SIGTERM, stop.set)  # `docker stop`: a clean shutdown
    started: list[ChatPlatform] = []
    waiting: list[asyncio.Future[object]] = []
    try:
        for platform in platforms.values():
            await platform.start()
            started.append(platform)
        await bot.scheduler.start()
        await bot.handlers.warm_up()
        waiting = [asyncio.ensure_future(end()) for end in ends]
        done, _ = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            task.result()  # what ended Discord's gateway, if it failed
    except discord.LoginFailure as error:
        print(BAD_TOKEN.format(error=error), file=sys.stderr)
        return 2
    finally:
        for task in waiting:
            task.cancel()
        with contextlib.suppress(NotImplementedError):
            loop.remove_signal_handler(signal.SIGTERM)
        await bot.scheduler.stop()
        for platform in reversed(started):
            await platform.close()
        offload.close()
        await store.close()
    return 0


async def demo(keep: Path | None) -> int:
    """Run the offline demo."""
    if keep is not None:
        await asyncio.to_thread(keep.mkdir, parents=True, exist_ok=True)
    await run_demo(sys.stdout, keep)
    return 0
