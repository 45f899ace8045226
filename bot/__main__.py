"""`paperbot`: the command line and composition root."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from bot.cli import backup, db, digest, health, ingest, lists, slack, topic
from bot.cli.common import CliError
from bot.cli.run import RunOptions, demo, run
from bot.cli.run import add_parsers as add_run_parsers

if TYPE_CHECKING:
    from config import Settings


class CommandGroup(Protocol):
    """A module of bot/cli that adds one command (with its actions) and runs it."""

    def add_parser(self, commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
        """Register the command."""

    async def run(self, args: argparse.Namespace, settings: Settings) -> int:
        """Run it; returns the exit status."""


GROUPS: dict[str, CommandGroup] = {
    "db": db,
    "ingest": ingest,
    "topic": topic,
    "digest": digest,
    "list": lists,
    "slack-manifest": slack,
    "health": health,
    "export-all": backup,
    "import-all": backup,
}


def build_parser() -> argparse.ArgumentParser:
    """The parser for every paperbot command."""
    parser = argparse.ArgumentParser(
        prog="paperbot",
        description="A Discord and Slack bot for research groups that keep a paper list.",
    )
    parser.add_argument("--env-file", type=Path, default=Path(".env"), help="settings file")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_run_parsers(commands)
    for module in dict.fromkeys(GROUPS.values()):  # a module may add two commands
        module.add_parser(commands)
    return parser


def _dispatch(args: argparse.Namespace) -> Coroutine[Any, Any, int]:
    from bot.logs import configure_logging
    from config import load_settings

    settings = load_settings(args.env_file)
    configure_logging(settings)
    if args.command == "demo":
        return demo(args.keep, settings)
    if args.command == "run":
        return run(settings, args.console, RunOptions.from_args(args))
    return GROUPS[args.command].run(args, settings)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one paperbot command; returns the process exit status."""
    args = build_parser().parse_args(argv)
    # imported once the arguments are read: `paperbot --help` needs no settings library
    from config import ConfigError

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return asyncio.run(_dispatch(args))
    except ConfigError as exc:
        print(f"paperbot: {exc}", file=sys.stderr)
        return 2
    except CliError as exc:
        print(f"paperbot: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
