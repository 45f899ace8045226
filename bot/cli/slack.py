"""`paperbot slack-manifest [--url URL]`: the Slack app manifest to create the app from."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from bot.cli.common import CliError

if TYPE_CHECKING:
    from config import Settings


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `slack-manifest`."""
    parser = commands.add_parser(
        "slack-manifest",
        help="print the Slack app manifest (Socket Mode, or HTTP mode with --url)",
        description="Print the manifest to paste into Slack's 'Create an app > From a manifest'. "
        "Without --url it is for Socket Mode; with --url it is for HTTP mode, with the slash "
        "command, events, interactivity and the OAuth redirect pointing at that public URL.",
    )
    parser.add_argument(
        "--url", help="the public https:// URL Slack reaches paperbot at (HTTP mode)"
    )


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """Print the manifest as JSON."""
    from bot.slack.manifest import manifest

    if args.url is not None and not args.url.startswith("https://"):
        raise CliError("Slack only calls https:// URLs; give --url https://your.host")
    print(json.dumps(manifest(args.url), indent=2, ensure_ascii=False))
    return 0
