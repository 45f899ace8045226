"""`paperbot list publish`: set where the list is published, and publish it now."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.cli.common import CliError, opened_store, pick_workspace
from digest.publish_state import FORMATS, TRIGGERS

if TYPE_CHECKING:
    from config import Settings

OPTION_FLAGS = ("repo", "branch", "path", "format", "style", "when", "github")


def add_publish_parser(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `list publish`."""
    publish = actions.add_parser(
        "publish",
        help="publish the list into its git repository",
        description="Write the list's export into a git repository and commit it as the bot "
        "(with PAPERBOT_GITHUB_TOKEN and a GitHub repository: push the branch paperbot/list "
        "and open or update one pull request). Options given are saved for later publishes.",
    )
    publish.add_argument("--workspace", help="workspace (guild or team) id")
    publish.add_argument("--repo", help="a local path or a remote URL")
    publish.add_argument("--branch", help="the branch the list lives on (default: main)")
    publish.add_argument("--path", help="the file inside the repository (default: README.md)")
    publish.add_argument("--format", choices=FORMATS, help="md (default), json or bibtex")
    publish.add_argument("--style", help="Markdown style (default: the workspace's)")
    publish.add_argument("--when", help=f"{', '.join(TRIGGERS)} (daily with a time: 'daily 06:00')")
    publish.add_argument("--github", help="owner/name for pull requests (default: from --repo)")
    publish.add_argument("--show", action="store_true", help="show the settings, publish nothing")


async def publish(args: argparse.Namespace, settings: Settings) -> int:
    """Save the options given, then publish now and say what happened."""
    from bot.app import publish_config
    from bot.handlers.publish_settings import describe_publication
    from bot.publisher import Publisher
    from digest.clock import SystemClock
    from digest.publish_options import change_option
    from digest.publish_state import PublishTarget
    from digest.publishing import PublishError

    async with opened_store(settings) as store:
        async with store.unit() as unit:
            workspace = await pick_workspace(unit, args.workspace, settings)
            publication = await unit.publishing.get(workspace.id)
            given = {k: getattr(args, k) for k in OPTION_FLAGS if getattr(args, k) is not None}
            if given:
                if publication is None and "repo" not in given:
                    raise CliError("name the repository first: --repo PATH-OR-URL")
                target = (
                    publication.target
                    if publication
                    else PublishTarget(workspace.id, repository=given["repo"])
                )
                try:
                    for option, value in given.items():
                        target = change_option(target, option, value)
                except PublishError as exc:
                    raise CliError(str(exc)) from exc
                publication = await unit.publishing.save_target(target)
        if publication is None:
            raise CliError("the list publishes nowhere yet: give --repo PATH-OR-URL")
        if args.show:
            print("\n".join(describe_publication(publication)))
            return 0
        publisher = Publisher(store, SystemClock(), publish_config(settings))
        try:
            outcome = await publisher.publish(workspace.id)
        except PublishError as exc:
            print(f"not published: {exc}")
            print("the bot tries again later (paperbot run), or run this command again")
            return 1
    changes = outcome.changes
    counts = (
        f"{len(changes.added)} added, {len(changes.moved)} moved, {len(changes.removed)} removed"
    )
    if outcome.committed:
        print(f"published {publication.target.path}: commit {outcome.commit} ({counts})")
    else:
        print(f"{publication.target.path} was up to date: nothing to commit")
    if outcome.pull_request:
        print(f"pull request: {outcome.pull_request}")
    return 0
