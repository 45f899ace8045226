"""`paperbot run` and `paperbot demo`."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.common import CliError

if TYPE_CHECKING:
    from bot.app import Bot
    from bot.discord.platform import DiscordPlatform
    from bot.discord.shards import Shards
    from bot.ports import ChatPlatform
    from config import Settings
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


def _shard_ids(spec: str) -> tuple[int, ...]:
    """bot.discord.shards.shard_ids, imported when --shards is given (it brings SQLAlchemy)."""
    from bot.discord.shards import shard_ids

    return shard_ids(spec)


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
    run_parser.add_argument(
        "--transcript",
        type=Path,
        metavar="FILE",
        help="with --console: append every message the bot posts to FILE, one JSON object a "
        "line (follow it with tail -f; several processes may share one)",
    )
    run_parser.add_argument(
        "--pace",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="with --console: take this long over each post, as a chat platform's rate limit "
        "does (to watch a digest arrive)",
    )
    run_parser.add_argument(
        "--shards",
        type=_shard_ids,
        metavar="IDS",
        help="Discord: run only these shards (0-1, or 0,2), with --shard-count; other "
        "processes on the same PostgreSQL run the others",
    )
    run_parser.add_argument(
        "--shard-count", type=int, metavar="N", help="Discord: how many shards the bot has"
    )
    demo_parser = commands.add_parser(
        "demo",
        help="run the whole loop offline on sample data",
        description="Create a scratch database, load a sample week of arXiv metadata, and run "
        "topics, a weekly digest, a nomination, an approval and the Markdown list.",
    )
    demo_parser.add_argument("--keep", type=Path, help="keep the demo database in this folder")


@dataclass(frozen=True, slots=True)
class RunOptions:
    """The options of `paperbot run` besides --console."""

    transcript: Path | None = None
    pace: float = 0.0
    shards: tuple[int, ...] | None = None
    shard_count: int | None = None

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> RunOptions:
        """The options as parsed."""
        return cls(args.transcript, max(args.pace, 0.0), args.shards, args.shard_count)

    def sharding(self, settings: Settings) -> Shards | None:
        """The Discord shards this process runs (None: all); CliError when they cannot be."""
        from sqlalchemy.engine import make_url

        from bot.discord.shards import Shards

        if self.shards is None and self.shard_count is None:
            return None
        if self.shards is None or self.shard_count is None:
            raise CliError("--shards and --shard-count go together (--shards 0-1 --shard-count 4)")
        try:
            shards = Shards(self.shards, self.shard_count)
        except ValueError as error:
            raise CliError(f"--shards: {error}") from error
        backend = make_url(settings.database_url_text).get_backend_name()
        if not shards.all_here and backend != "postgresql":
            raise CliError(
                "the other shards need other processes, and several processes need PostgreSQL "
                "(SQLite serves one): set PAPERBOT_DATABASE_URL"
            )
        return shards


async def run(settings: Settings, console: bool = False, options: RunOptions | None = None) -> int:
    """Run the bot until stopped (SIGTERM, Ctrl+C); returns the exit status."""
    from bot.console.repl import logs_in
    from bot.leader import SingleProcessOnly

    options = options or RunOptions()
    try:
        if not console:
            if settings.slack_incomplete:
                print(f"paperbot: Slack: {settings.slack_incomplete}", file=sys.stderr)
            if not settings.has_chat_tokens:
                if not settings.slack_incomplete:
                    print(NO_TOKENS, file=sys.stderr)
                return 2
            return await _run_chat(settings, options.sharding(settings))
        print(f"Logs go to {CONSOLE_LOG}.")
        with logs_in(CONSOLE_LOG):
            return await _run_console(settings, options)
    except SingleProcessOnly as error:
        print(f"paperbot: {error}", file=sys.stderr)
        return 2


async def _run_console(settings: Settings, options: RunOptions) -> int:
    from bot.console.platform import ConsoleChat, ConsolePlatform
    from bot.console.repl import ConsoleSession, console_loop
    from bot.console.transcript import Transcript
    from bot.runtime import serve
    from digest.models import Platform

    transcript = Transcript(options.transcript) if options.transcript else None
    platform = ConsolePlatform(sys.stdout, transcript=transcript, pace=options.pace)

    async def session(bot: Bot) -> None:
        await platform.start()
        await console_loop(ConsoleSession(ConsoleChat(platform, bot.handlers), platform))

    return await serve(settings, lambda _store, _clock: {Platform.CONSOLE: platform}, session)


# Connects a platform's events to the wired bot (its handlers, its delivery's notices).
Wire = Callable[["Bot"], None]


def _slack(settings: Settings, clock: Clock, store: SqlStore) -> tuple[ChatPlatform, Wire]:
    """Slack in the mode its variables name, and how its listeners reach the bot."""
    from bot.slack.app import attach, config_from, slack_platform

    config = config_from(settings)
    app, platform = slack_platform(config, clock, store.engine)
    log.info("Slack: %s mode", config.mode)

    def wire(bot: Bot) -> None:
        attach(app, bot.handlers, platform, clock)

    return platform, wire


def _discord(settings: Settings, shards: Shards | None) -> tuple[DiscordPlatform, Wire]:
    """Discord on the configured token (these shards of it, or all), and how its events reach
    the bot; on PostgreSQL, each IDENTIFY waits its turn among every process."""
    from bot.discord.platform import DiscordPlatform
    from bot.discord.shards import IdentifyGate

    assert settings.discord_token is not None
    platform = DiscordPlatform(
        settings.discord_token.get_secret_value(), sync_guild=settings.discord_guild, shards=shards
    )

    def wire(bot: Bot) -> None:
        platform.serve(bot.handlers, bot.delivery.tell_admins)
        if shards is not None and bot.store.engine.url.get_backend_name() == "postgresql":
            platform.client.identify_gate = IdentifyGate(bot.store.engine)

    return platform, wire


async def _run_chat(settings: Settings, shards: Shards | None) -> int:
    """Every configured chat platform in one process, until stopped or Discord's gateway closes
    for good."""
    import asyncio

    import discord

    from bot.discord.serve import BAD_TOKEN
    from bot.discord.shards import IdentifyGate
    from bot.runtime import serve
    from digest.models import Platform

    wires: list[Wire] = []
    discord_platform: DiscordPlatform | None = None

    def platforms(store: SqlStore, clock: Clock) -> dict[Platform, ChatPlatform]:
        nonlocal discord_platform
        found: dict[Platform, ChatPlatform] = {}
        if settings.has_slack:
            found[Platform.SLACK], wire = _slack(settings, clock, store)
            wires.append(wire)
        if settings.discord_token is not None:
            discord_platform, wire = _discord(settings, shards)
            found[Platform.DISCORD] = discord_platform
            wires.append(wire)
        return found

    async def session(bot: Bot) -> None:
        for wire in wires:
            wire(bot)
        for platform in bot.platforms.values():
            await platform.start()
        try:
            if discord_platform is not None:
                await discord_platform.wait_closed()  # raises what ended the gateway, if it failed
            else:
                await asyncio.Event().wait()  # Slack runs until the process is told to stop
        finally:
            gate = discord_platform.client.identify_gate if discord_platform else None
            if isinstance(gate, IdentifyGate):
                await gate.close()

    try:
        return await serve(settings, platforms, session)
    except discord.LoginFailure as error:
        print(BAD_TOKEN.format(error=error), file=sys.stderr)
        return 2


async def demo(keep: Path | None, settings: Settings | None = None) -> int:
    """Run the offline demo (with the configured settings, but a database of its own)."""
    import asyncio

    from bot.demo.script import run_demo

    if keep is not None:
        await asyncio.to_thread(keep.mkdir, parents=True, exist_ok=True)
    await run_demo(sys.stdout, keep, settings)
    return 0
