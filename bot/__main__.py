"""`paperbot`: the command line and composition root."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Coroutine, Sequence
from typing import Any

from bot.cli import data
from bot.cli.parser import build_parser
from bot.cli.run import demo, run
from config import ConfigError, load_settings


def _dispatch(args: Any) -> Coroutine[Any, Any, int]:
    if args.command == "demo":
        return demo(args.keep)
    settings = load_settings(args.env_file)
    logging.getLogger().setLevel(settings.log_level)
    match args.command:
        case "run":
            return run(settings, args.console)
        case "db" if args.db_command == "upgrade":
            return data.db_upgrade(settings)
        case "db":
            return data.db_current(settings)
        case "ingest" if args.from_file:
            return data.ingest_file(settings, args.from_file)
        case "ingest":
            return data.ingest_api(settings, args.since, args.categories)
        case "topic":
            return data.topic_check(settings, args.rule, args.weeks)
        case "digest":
            return data.digest_preview(settings, args.topic, args.week, args.workspace)
        case "list":
            return data.list_export(settings, args.format, args.style, args.workspace, args.output)
    raise AssertionError(f"unhandled command {args.command}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run one paperbot command; returns the process exit status."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return asyncio.run(_dispatch(args))
    except ConfigError as exc:
        print(f"paperbot: {exc}", file=sys.stderr)
        return 2
    except data.CliError as exc:
        print(f"paperbot: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
