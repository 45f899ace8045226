"""Slack payloads into the seam's neutral events (pure functions; no I/O)."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

from bot.ports import ChannelRef, MessageRef, ReactionEvent, UserRef
from bot.slack.emoji import to_unicode
from digest.models import Platform

# With `should_escape` on, Slack sends `#paper-review` as <#C123|paper-review>, `@bo` as
# <@U123|bo>, a user group as <!subteam^S123|@admins>, a URL as <https://...|label>.
_ESCAPED = re.compile(r"<([#@!]?)([^<>|]*)(?:\|[^<>]*)?>")


def channel_ref(
    team_id: str, channel_id: str, channel_name: str = "", team_name: str = ""
) -> ChannelRef:
    """A Slack channel of a workspace (the team id is the workspace)."""
    return ChannelRef(Platform.SLACK, team_id, channel_id, channel_name, team_name)


def command_text(text: str) -> str:
    """A slash command's text as the user meant it: ids for mentions, URLs bare, `&<>` back."""

    def plain(match: re.Match[str]) -> str:
        sigil, target = match.group(1), match.group(2)
        if sigil == "!" and target.startswith("subteam^"):
            return target.removeprefix("subteam^")
        if sigil == "!":
            return "@" + target  # <!here>, <!channel>: said as typed, never a ping
        return target

    return html.unescape(_ESCAPED.sub(plain, text))


def _team(body: Mapping[str, Any]) -> tuple[str, str]:
    team = body.get("team")
    if isinstance(team, Mapping):
        return str(team.get("id", "")), str(team.get("domain", ""))
    return str(body.get("team_id", "")), str(body.get("team_domain", ""))


def command_parts(body: Mapping[str, Any]) -> tuple[ChannelRef, str, str]:
    """A slash command body's channel, user id and text."""
    team_id, team_name = _team(body)
    channel = channel_ref(
        team_id, str(body["channel_id"]), str(body.get("channel_name", "")), team_name
    )
    return channel, str(body["user_id"]), command_text(str(body.get("text", "")))


def reaction_event(body: Mapping[str, Any], user: UserRef) -> ReactionEvent | None:
    """A reaction_added / reaction_removed event on a message, or None for other items."""
    event = body["event"]
    item = event.get("item", {})
    if item.get("type") != "message":
        return None
    channel = channel_ref(str(body.get("team_id", "")), str(item["channel"]))
    added = event.get("type") == "reaction_added"
    return ReactionEvent(
        MessageRef(channel, str(item["ts"])), user, to_unicode(event["reaction"]), added
    )


def action_parts(body: Mapping[str, Any]) -> tuple[MessageRef, str, str]:
    """A block_actions payload's message, action id and value (a button's or a menu's)."""
    team_id, team_name = _team(body)
    container = body.get("container", {})
    channel_id = body.get("channel", {}).get("id") or container.get("channel_id", "")
    channel = channel_ref(
        team_id, str(channel_id), str(body.get("channel", {}).get("name", "")), team_name
    )
    message = MessageRef(channel, str(container.get("message_ts", "")))
    action = body["actions"][0]
    value = action.get("value")
    if value is None:
        value = action.get("selected_option", {}).get("value", "")
    return message, str(action["action_id"]), str(value)
