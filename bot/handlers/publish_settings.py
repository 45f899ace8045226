"""`/paper settings publish ...`: where the workspace's list is published, and publishing now."""

from __future__ import annotations

from bot import messages
from bot.handlers.context import Context, UserError
from bot.ports import OutboundMessage
from bot.rich_text import Part, code, lines
from digest.models import Workspace
from digest.publish_options import OPTIONS, change_option, describe_target, is_remote
from digest.publish_state import Publication, PublishTarget
from digest.publishing import PublishError

USAGE = "/paper settings publish repo|branch|path|format|style|when|github VALUE, now, off"
SET_REPO = "/paper settings publish repo URL"


def describe_publication(publication: Publication | None) -> list[str]:
    """Lines saying where the list is published and how the last publish went."""
    if publication is None:
        return ["publish: nowhere (set a repository with `publish repo URL`)"]
    state = publication.state
    rows = [f"publish: {describe_target(publication.target)}"]
    if state.published_at is not None:
        commit = f", commit {state.commit[:10]}" if state.commit else ""
        rows.append(f"last published: {state.published_at:%Y-%m-%d %H:%M} UTC{commit}")
    if state.pull_request:
        rows.append(f"pull request: {state.pull_request}")
    if state.requested_at is not None and state.next_attempt_at is not None:
        rows.append(f"next publish: {state.next_attempt_at:%Y-%m-%d %H:%M} UTC")
    if state.last_error:
        rows.append(f"last attempt failed ({state.attempts} in a row): {state.last_error}")
    return rows


async def publish_settings(ctx: Context, workspace: Workspace, value: str) -> OutboundMessage:
    """Show, change, stop or run the workspace's publishing; the caller checked admin."""
    option, _, rest = value.strip().partition(" ")
    option = option.lower()
    async with ctx.store.unit() as unit:
        publication = await unit.publishing.get(workspace.id)
        if option == "off":
            await unit.publishing.delete(workspace.id)
            publication = None
        elif option == "now":
            if publication is None:
                raise UserError(
                    "Set a repository first: ", code("/paper settings publish repo URL")
                )
            await unit.publishing.request(workspace.id, ctx.clock.now())
            publication = await unit.publishing.get(workspace.id)
        elif option:
            publication = await unit.publishing.save_target(
                _changed(workspace, publication, option, rest)
            )
    rows: list[Part] = [*describe_publication(publication)]
    if option == "now":
        rows.append("The list is published within a minute; this shows how it went.")
    return messages.reply(lines(*rows), title="Publishing")


def _changed(
    workspace: Workspace, publication: Publication | None, option: str, value: str
) -> PublishTarget:
    if option not in OPTIONS:
        raise UserError("Use ", code(USAGE), ".")
    if option == "repo" and not is_remote(value):
        # A path names a folder on the bot's machine: only its operator may choose one.
        raise UserError(
            "Give the repository's URL (https or ssh). A local path is set on the bot's machine "
            "with ",
            code("paperbot list publish --repo PATH"),
            ".",
        )
    if publication is None:
        if option != "repo":
            raise UserError("Set the repository first: ", code(SET_REPO))
        target = PublishTarget(workspace.id, repository=value.strip())
    else:
        target = publication.target
    try:
        return change_option(target, option, value)
    except PublishError as exc:
        raise UserError(str(exc)) from exc
