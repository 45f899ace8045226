"""`/paper settings`: show or change a workspace's settings."""

from __future__ import annotations

import re
from dataclasses import replace

from bot import messages
from bot.commands import WEEKDAY_CHOICES
from bot.handlers.context import Context, UserError
from bot.handlers.parsing import parse_time, parse_weekday, parse_zone
from bot.handlers.publish_settings import publish_settings
from bot.ports import Invocation, OutboundMessage
from bot.rich_text import Text, code, lines
from digest.list_markdown import StyleError, check_style
from digest.models import RANKINGS, WorkspaceSettings

_ROLE_MENTION = re.compile(r"^<(?:@&|!subteam\^)([^|>]+)(?:\|[^>]*)?>$")


async def workspace_settings(ctx: Context, invocation: Invocation) -> OutboundMessage:
    """Show the workspace's settings, after changing one if a key and value are given."""
    key = invocation.options.get("key")
    value = invocation.options.get("value", "").strip()
    if key == "publish":
        async with ctx.store.unit() as unit:
            workspace = await ctx.workspace(unit, invocation.channel)
        return await publish_settings(ctx, workspace, value)
    async with ctx.store.unit() as unit:
        workspace = await ctx.workspace(unit, invocation.channel)
        settings = workspace.settings
        if key:
            if not value:
                raise UserError("Give a value: ", code(f"/paper settings {key} <value>"), ".")
            settings = change_setting(settings, key, value)
            await unit.workspaces.update_settings(workspace.id, settings)
    if key:
        await ctx.notify(subscriptions=True)
    return messages.reply(describe_settings(settings), title="Settings")


def change_setting(settings: WorkspaceSettings, key: str, value: str) -> WorkspaceSettings:
    """The settings with one changed, as an admin typed it (chat's `/paper settings KEY VALUE`
    and the command line's `paperbot workspace settings KEY VALUE`); UserError if invalid."""
    if key == "review-channel":
        return replace(settings, review_channel=value.lstrip("#<>").rstrip(">"))
    if key == "admin-role":
        return replace(settings, admin_role=role_id(value))
    if key == "emoji":
        return replace(settings, nomination_emoji=value)
    if key == "timezone":
        return replace(settings, timezone=parse_zone(value))
    if key == "weekday":
        return replace(settings, digest_weekday=parse_weekday(value))
    if key == "time":
        return replace(settings, digest_time=parse_time(value))
    if key == "auto-approve":
        if value.lower() in ("off", "0", "none"):
            return replace(settings, auto_approve_votes=None)
        if not value.isdigit():
            raise UserError("auto-approve takes a number of votes, or ", code("off"), ".")
        return replace(settings, auto_approve_votes=int(value))
    if key == "list-title":
        return replace(settings, list_title=value)
    if key == "list-style":
        try:
            return replace(settings, list_style=check_style(value.strip().lower()))
        except StyleError as exc:
            raise UserError(str(exc)) from exc
    if key == "ranking":
        ranking = value.lower()
        if ranking not in RANKINGS:
            raise UserError("ranking is ", code("rule"), " or ", code("learned"), ".")
        return replace(settings, ranking=ranking)
    raise UserError("Unknown setting ", code(key), ".")


def role_id(value: str) -> str | None:
    """The role or user-group id of what an admin typed: a Discord role mention `<@&123>`, a
    Slack user group `<!subteam^S123|@team>`, or the id itself; `off` or `none` for none."""
    value = value.strip()
    if value.lower() in ("off", "none", "-"):
        return None
    found = _ROLE_MENTION.match(value)
    return found.group(1) if found else value


def describe_settings(settings: WorkspaceSettings) -> Text:
    """The settings, one a line (chat and the command line show them alike)."""
    day = WEEKDAY_CHOICES[settings.digest_weekday]
    return lines(
        f"review-channel: {settings.review_channel or '(the channel of the nomination)'}",
        f"admin-role: {settings.admin_role or '(server administrators)'}",
        f"emoji: {settings.nomination_emoji}",
        f"default schedule: {day} {settings.digest_time:%H:%M} {settings.timezone}",
        f"auto-approve: {settings.auto_approve_votes or 'off'}",
        f"list: {settings.list_title} ({settings.list_style} style)",
        f"ranking: {settings.ranking} ({RANKINGS[settings.ranking]})",
    )
