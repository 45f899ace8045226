"""`paperbot run` and `paperbot demo`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from bot.app import Bot, open_store
from bot.commands import CommandError
from bot.console.platform import ConsoleChat, ConsolePlatform, Posted
from bot.demo.script import run_demo
from bot.ports import UserRef
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

CONSOLE_HELP = """\
Type /paper commands (try /paper help), or:
  react MESSAGE EMOJI      react to a message by its number
  press MESSAGE LABEL      press a button (Nominate, Approve, Reject) on a message
  quit"""


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
        name = "Discord" if settings.discord_token else "Slack"
        print(NOT_YET.format(name=name), file=sys.stderr)
        return 2
    clock = SystemClock()
    store = await open_store(settings, clock)
    platform = ConsolePlatform(sys.stdout)
    bot = Bot(settings, store, clock, {Platform.CONSOLE: platform})
    try:
        await bot.scheduler.start()
        await _console_loop(ConsoleChat(platform, bot.handlers), platform)
    finally:
        await bot.scheduler.stop()
        await store.close()
    return 0


async def _console_loop(chat: ConsoleChat, platform: ConsolePlatform) -> None:
    user = UserRef("console-user", "you", is_admin=True)
    channel = platform.channel("general", "general")
    print(CONSOLE_HELP)
    while True:
        try:
            line = (await asyncio.to_thread(input, "> ")).strip()
        except EOFError:
            return
        if line in ("quit", "exit"):
            return
        words = line.split()
        try:
            if line.startswith("/paper"):
                await chat.say(user, channel, line)
            elif words[:1] == ["react"] and len(words) == 3:
                await chat.react(user, _posted(platform, words[1]).ref, words[2])
            elif words[:1] == ["press"] and len(words) >= 3:
                posted = _posted(platform, words[1])
                label = " ".join(words[2:]).lower()
                button = next((b for b in posted.message.buttons if b.label.lower() == label), None)
                if button is None:
                    raise LookupError(f"message {words[1]} has no button {label!r}")
                await chat.press(user, posted.ref, button.action, button.value)
            elif line:
                print(CONSOLE_HELP)
        except (CommandError, LookupError) as exc:
            print(f"! {exc}")


def _posted(platform: ConsolePlatform, number: str) -> Posted:
    """A message the console shows, by its number."""
    for posted in platform.posted:
        if posted.ref.id == number:
            return posted
    raise LookupError(f"no message {number}")


async def demo(keep: Path | None) -> int:
    """Run the offline demo."""
    if keep is not None:
        await asyncio.to_thread(keep.mkdir, parents=True, exist_ok=True)
    await run_demo(sys.stdout, keep)
    return 0
