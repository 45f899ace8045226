"""`paperbot workspace list | settings`: the workspaces, which one the command line acts on, and
their settings."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.cli.common import LOCAL_WORKSPACE, CliError, opened_store, pick_workspace
from bot.setting_keys import CLI_SETTING_KEYS

if TYPE_CHECKING:
    from config import Settings


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
    settings = actions.add_parser(
        "settings",
        help="show or change a workspace's settings (as /paper settings does in chat)",
        description="Print the workspace's settings, after changing one if KEY and VALUE are "
        "given; the same keys and values as /paper settings in chat. ranking: `learned` orders "
        "digests by what the group keeps (its relevance model, from 20 list entries on), `rule` "
        "by the rule's match score, then votes, then date.",
        epilog="examples: paperbot workspace settings ranking rule; "
        "paperbot workspace settings list-style llmsys",
    )
    settings.add_argument(
        "key", nargs="?", choices=CLI_SETTING_KEYS, metavar="KEY", help=", ".join(CLI_SETTING_KEYS)
    )
    settings.add_argument("value", nargs="?", help="the new value (ranking: rule or learned)")
    settings.add_argument("--workspace", help="workspace (guild or team) id, if several")


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run one `workspace` action."""
    if args.workspace_command == "settings":
        return await _settings(args, settings)
    return await _list(settings)


async def _settings(args: argparse.Namespace, settings: Settings) -> int:
    """Print the workspace's settings, after changing one (through chat's own function)."""
    from bot.handlers.context import UserError
    from bot.handlers.settings import change_setting, describe_settings
    from bot.rich_text import plain_text

    if args.key and args.value is None:
        raise CliError(f"give a value: paperbot workspace settings {args.key} VALUE")
    async with opened_store(settings) as store, store.unit() as unit:
        workspace = await pick_workspace(unit, args.workspace, settings)
        current = workspace.settings
        if args.key:
            try:
                current = change_setting(current, args.key, args.value)
            except UserError as exc:
                raise CliError(str(exc)) from exc
            await unit.workspaces.update_settings(workspace.id, current)
    print(f"#{workspace.id} {workspace.name}:")
    print(plain_text(describe_settings(current)))
    return 0


async def _list(settings: Settings) -> int:
    """Print the workspaces."""
    from digest.models import Platform

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
