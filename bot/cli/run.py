"""`paperbot run` and `paperbot demo`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from bot.app import Bot, open_store
from bot.console.platform import ConsoleChat, ConsolePlatform
from bot.console.repl import ConsoleSession, console_loop, logs_in
from bot.demo.script import run_demo
from bot.discord.serve import run_discord
from bot.offload import ProcessOffload
from config import Settings
from digest.clock import SystemClock
from digest.models import Platform

log = logging.getLogger(__name__)

NO_TOKENS = """\
paperbot run needs a chat platform, and none is configured. Set one of:
  PAPERBOT_DISCORD_TOKEN                      a Discord bot token
  PAPERBOT_SLACK_BOT_TOKEN and PAPERBOT_SLACK_APP_TOKEN         Slack in Socket Mode
  PAPERBOT_SLACK_BOT_TOKEN and PAPERBOT_SLACK_SIGNING_SECRET    Slack over HTTP
(in the environment or in .env; see config/paperbot.env.example).
To try paperbot without them: `paperbot demo`, or `paperbot run --console`."""

NOT_YET = """\
A chat token is configured, but this build of paperbot has no {name} adapter yet (it arrives
with the Discord and Slack issues). Use `paperbot run --console` or `paperbot demo` meanwhile."""

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
        if settings.discord_token is not None:
            return await run_discord(settings)
        print(NOT_YET.format(name="Slack"), file=sys.stderr)
        return 2
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


async def demo(keep: Path | None) -> int:
    """Run the offline demo."""
    if keep is not None:
        await asyncio.to_thread(keep.mkdir, parents=True, exist_ok=True)
    await run_demo(sys.stdout, keep)
    return 0
