"""`paperbot`: the command line and composition root."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from bot.cli import backup, db, digest, health, ingest, lists, slack, topic, workspace
from bot.cli.common import CliError, database_problem
from bot.cli.run import RunOptions, demo, run
from bot.cli.run import add_parsers as add_run_parsers

if TYPE_CHECKING:
    from sqlalchemy.exc import DBAPIError

    from config import Settings

DEFAULT_ENV_FILE = Path(".env")
SIGPIPE_STATUS = 141  # what a shell reports for a command ended by SIGPIPE (128 + 13)


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
    "workspace": workspace,
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
    parser.add_argument(
        "--env-file",
        type=Path,
        help=f"settings file (default: {DEFAULT_ENV_FILE} in the working directory, if any)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_run_parsers(commands)
    for module in dict.fromkeys(GROUPS.values()):  # a module may add two commands
        module.add_parser(commands)
    return parser


def _settings(env_file: Path | None) -> Settings:
    """The settings; an --env-file that was named must exist (the default .env need not)."""
    from config import ConfigError, load_settings

    if env_file is None:
        return load_settings(DEFAULT_ENV_FILE)
    if not env_file.exists():
        raise ConfigError(f"--env-file {env_file}: no such file")
    return load_settings(env_file)


def _dispatch(args: argparse.Namespace, settings: Settings) -> Coroutine[Any, Any, int]:
    from bot.logs import configure_logging

    configure_logging(settings)
    if args.command == "demo":
        return demo(args.keep, settings)
    if args.command == "run":
        return run(settings, args.console, RunOptions.from_args(args))
    return GROUPS[args.command].run(args, settings)


def _database_error(settings: Settings, exc: DBAPIError) -> str:
    """One line for a database that cannot be reached: where (password hidden) and why."""
    return database_problem(settings, next(iter(str(exc.orig or exc).strip().splitlines()), ""))


def _main(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    # imported once the arguments are read: `paperbot --help` needs no settings, SQL library
    # or event loop
    import asyncio

    from sqlalchemy.exc import InterfaceError, OperationalError

    from config import ConfigError

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = _settings(args.env_file)
        return asyncio.run(_dispatch(args, settings))
    except ConfigError as exc:
        print(f"paperbot: {exc}", file=sys.stderr)
        return 2
    except CliError as exc:
        print(f"paperbot: {exc}", file=sys.stderr)
        return 1
    except (OperationalError, InterfaceError) as exc:
        print(f"paperbot: {_database_error(settings, exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def main(argv: Sequence[str] | None = None) -> int:
    """Run one paperbot command; returns the process exit status."""
    try:
        return _main(argv)
    except BrokenPipeError:
        # The reader stopped reading (`paperbot list show | head`): stop quietly, as cat does.
        # Python flushes stdout again at exit; point it at /dev/null so that finds no pipe.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return SIGPIPE_STATUS


if __name__ == "__main__":
    sys.exit(main())
