"""`paperbot list export`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.cli.common import CliError, opened_store, pick_workspace
from config import Settings
from digest.lists import export_bibtex, export_json, export_markdown, load_list


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `list`."""
    lists = commands.add_parser("list", help="the shared list", description="The shared list.")
    actions = lists.add_subparsers(dest="list_command", required=True, metavar="ACTION")
    export = actions.add_parser("export", help="export the list")
    export.add_argument("--format", choices=("md", "json", "bibtex"), default="md")
    export.add_argument("--style", help="Markdown style (default: the workspace's)")
    export.add_argument("--workspace", help="workspace (guild or team) id")
    export.add_argument("--output", "-o", type=Path, help="write to this file")


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """Export a workspace's list."""
    if args.style not in (None, "llmsys"):
        raise CliError(f"unknown style {args.style!r}; this build writes: llmsys")
    async with opened_store(settings) as store, store.unit() as unit:
        workspace = await pick_workspace(unit, args.workspace)
        view = await load_list(unit, workspace.id, workspace.settings.list_title)
    writer = {"md": export_markdown, "json": export_json, "bibtex": export_bibtex}[args.format]
    text = writer(view)
    if args.output is None:
        sys.stdout.write(text)
    else:
        await asyncio.to_thread(args.output.write_text, text, encoding="utf-8")
        print(f"wrote {len(view.entries)} entries to {args.output}")
    return 0
