"""Bolt listeners: each Slack request acknowledged at once, then one handler call, then the
reply rendered and sent (bolt's lazy listeners do the work after the acknowledgement)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands import CommandError, parse_command_line
from bot.handlers import Handlers
from bot.ports import Invocation, OutboundMessage, UserRef
from bot.slack import render, translate
from bot.slack.manifest import slash_command

log = logging.getLogger(__name__)


async def _ack(ack: AsyncAck) -> None:
    await ack()


async def user_ref(client: AsyncWebClient, user_id: str, name: str = "") -> UserRef:
    """The user, with Slack's own admin and owner flags from users.info."""
    found = await client.users_info(user=user_id)
    user: dict[str, Any] = found.get("user") or {}
    admin = bool(user.get("is_admin") or user.get("is_owner"))
    return UserRef(user_id, name or str(user.get("name", "")), is_admin=admin)


async def _respond(respond: AsyncRespond, reply: OutboundMessage) -> None:
    await respond(
        text=render.fallback(reply),
        blocks=render.blocks(reply),
        response_type="ephemeral" if reply.ephemeral else "in_channel",
        replace_original=False,
    )


class SlackListeners:
    """The listeners of one bolt app, all going to the same Handlers."""

    def __init__(self, handlers: Handlers) -> None:
        self.handlers = handlers

    def register(self, app: AsyncApp) -> None:
        """Attach every listener to the app."""
        app.command(slash_command())(ack=_ack, lazy=[self.command])

    async def command(
        self, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        """`/paper ...`: the text through the one command parser, then the handler."""
        channel, user_id, text = translate.command_parts(body)
        try:
            name, options = parse_command_line(text)
        except CommandError as exc:
            await _respond(respond, OutboundMessage(text=str(exc), ephemeral=True))
            return
        user = await user_ref(client, user_id, str(body.get("user_name", "")))
        reply = await self.handlers.command(Invocation(channel, user, name, options))
        await _respond(respond, reply)
