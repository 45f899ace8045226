"""`paperbot workspace list`: the workspaces, and which one the command line acts on."""

from __future__ import annotations

import argparse

from bot.cli.common import LOCAL_WORKSPACE, opened_store
from config import Settings
from digest.models import Platform


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `workspace`."""
    workspace = commands.add_parser(
        "workspace",
        help="workspaces (Discord guilds, Slack teams, the local one)",
        description="Workspaces: each Discord guild and Slack team, and on a fresh database the "
        "local one the command line makes, which the first guild or team adopts.",
    )
    actions = workspace.add_subparsers(dest="workspace_command", required=True, metavar="ACTION")
    actions.add_parser(
        "list",
        help="print every workspace with its topics and list entries",
        description="Print every workspace (id, platform, external id, name) with its number of "
        "topics and list entries, and which one commands act on without --workspace.",
    )


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """Print the workspaces."""
    async with opened_store(settings) as store, store.unit() as unit:
        workspaces = await unit.workspaces.all()
        counts = [
            (len(await unit.topics.list(w.id)), len(await unit.lists.entries(w.id)))
            for w in workspaces
        ]
    if not workspaces:
        print(
            f"no workspace yet: list and digest commands make the local one ({LOCAL_WORKSPACE}), "
            "which the first Discord guild or Slack team the bot joins adopts"
        )
        return 0
    for workspace, (topics, entries) in zip(workspaces, counts, strict=True):
        adopt = " (the first Discord guild or Slack team adopts it)"
        print(
            f"#{workspace.id} {workspace.platform} {workspace.external_id} ({workspace.name}): "
            f"{topics} topics, {entries} list entries, “{workspace.settings.list_title}” in "
            f"{workspace.settings.list_style} style"
            + (adopt if workspace.platform == Platform.LOCAL else "")
        )
    if len(workspaces) == 1:
        print("commands act on it without --workspace")
    else:
        print("commands need --workspace ID (the #id, the external id or the name)")
    return 0
