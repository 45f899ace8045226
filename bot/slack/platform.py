"""The ChatPlatform on Slack: posting through the Web API, receiving through a transport."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from datetime import datetime
from typing import Any, Protocol

from slack_sdk.errors import SlackApiError, SlackObjectFormationError
from slack_sdk.models.metadata import Metadata
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

from bot.ports import ChannelRef, MessageRef, OutboundMessage, PostError, UserRef
from bot.slack import render
from bot.slack.client import web_client
from bot.slack.emoji import to_name
from bot.slack.errors import error_code, post_error
from digest.models import Platform

log = logging.getLogger(__name__)

# Message metadata every post carries, so find_sent can tell it after a crash.
EVENT_TYPE = "paperbot_post"
HISTORY_PAGE = 200
# Errors after which the token the bot used may be stale (a reinstall gives a new one).
_STALE_TOKEN = frozenset({"invalid_auth", "token_revoked", "account_inactive", "not_authed"})


class Transport(Protocol):
    """How Slack's requests reach paperbot (bot/slack/transport.py)."""

    async def start(self) -> None:
        """Begin receiving."""

    async def close(self) -> None:
        """Stop receiving."""


class Settling(Protocol):
    """Work in flight that can be waited for (bot/slack/listeners.py)."""

    async def settle(self) -> None:
        """Return once it is done."""


class Tokens:
    """Each workspace's Web API client: the configured bot token, or its installation's."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        installations: AsyncInstallationStore | None = None,
    ) -> None:
        if (token is None) == (installations is None):
            raise ValueError("give either the one workspace's token or the installation store")
        self.base_url = base_url
        self._single = web_client(token, base_url) if token else None
        self._installations = installations
        self._clients: dict[str, AsyncWebClient] = {}

    async def client(self, team_id: str) -> AsyncWebClient:
        """The client holding the bot token of workspace `team_id`."""
        if self._single is not None:
            return self._single
        if team_id not in self._clients:
            assert self._installations is not None
            bot = await self._installations.async_find_bot(enterprise_id=None, team_id=team_id)
            if bot is None or not bot.bot_token:
                raise PostError.gone(f"paperbot is not installed in Slack workspace {team_id}")
            self._clients[team_id] = web_client(bot.bot_token, self.base_url)
        return self._clients[team_id]

    def forget(self, team_id: str) -> None:
        """Drop a workspace's client, so the next call reads its installation again."""
        self._clients.pop(team_id, None)


def nonce_metadata(nonce: str) -> Metadata:
    """The metadata a post carries: our event type and its nonce."""
    return Metadata(event_type=EVENT_TYPE, event_payload={"nonce": nonce})


def _has_nonce(message: Mapping[str, Any], nonce: str) -> bool:
    metadata = message.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    return metadata.get("event_type") == EVENT_TYPE and payload.get("nonce") == nonce


class SlackPlatform:
    """Slack behind the seam: posts, updates, reactions, direct messages, find_sent."""

    platform = Platform.SLACK

    def __init__(self, tokens: Tokens, transport: Transport | None = None) -> None:
        self.tokens = tokens
        self.transport = transport
        # Set by bot.slack.app.attach: closing waits for the work Slack's requests started.
        self.listeners: Settling | None = None
        self.connected = False

    async def start(self) -> None:
        """Start receiving (Socket Mode websocket or the HTTP server); connected from then."""
        if self.transport is not None:
            await self.transport.start()
        self.connected = True

    async def close(self) -> None:
        """Stop receiving, then let the work already started finish."""
        self.connected = False
        if self.transport is not None:
            await self.transport.close()
        if self.listeners is not None:
            await self.listeners.settle()

    async def _call(self, team_id: str, method: str, **args: Any) -> Any:
        """A Web API call on the workspace's token; a stale token is read again once."""
        for attempt in (1, 2):
            client = await self.tokens.client(team_id)
            try:
                return await getattr(client, method)(**args)
            except SlackApiError as error:
                if attempt == 1 and error_code(error) in _STALE_TOKEN:
                    self.tokens.forget(team_id)
                    continue
                raise
        raise AssertionError("unreachable")

    async def _post(
        self,
        team_id: str,
        channel_id: str,
        message: OutboundMessage,
        nonce: str | None,
        **extra: Any,
    ) -> str:
        try:
            blocks = render.blocks(message)
        except (SlackObjectFormationError, ValueError) as error:
            raise PostError.refused(f"not valid Block Kit: {error}") from error
        args: dict[str, Any] = {
            "channel": channel_id,
            "text": render.fallback(message),
            "blocks": blocks,
            "unfurl_links": False,
            "unfurl_media": False,
            **extra,
        }
        if nonce is not None:
            args["metadata"] = nonce_metadata(nonce)
        try:
            try:
                response = await self._call(team_id, "chat_postMessage", **args)
            except SlackApiError as error:
                if error_code(error) != "not_in_channel":
                    raise
                # A public channel the bot was never invited to: it joins, as a member would.
                await self._call(team_id, "conversations_join", channel=channel_id)
                response = await self._call(team_id, "chat_postMessage", **args)
        except SlackApiError as error:
            raise post_error(error) from error
        return str(response["ts"])

    async def send(
        self, channel: ChannelRef, message: OutboundMessage, nonce: str | None = None
    ) -> MessageRef:
        """Post in a channel (in its thread, when it names one), the nonce in the metadata."""
        extra = {"thread_ts": channel.thread} if channel.thread else {}
        ts = await self._post(channel.workspace_id, channel.id, message, nonce, **extra)
        return MessageRef(channel, ts)

    async def _history(
        self, team_id: str, channel_id: str, thread: str | None, since: datetime
    ) -> AsyncIterator[Mapping[str, Any]]:
        """The channel's messages since `since`, or a thread's replies (the history of a
        channel does not hold thread replies)."""
        cursor: str | None = None
        method = "conversations_replies" if thread else "conversations_history"
        while True:
            args: dict[str, Any] = {
                "channel": channel_id,
                "include_all_metadata": True,
                "limit": HISTORY_PAGE,
                "oldest": f"{since.timestamp():.6f}",
            }
            if thread:
                args["ts"] = thread
            if cursor:
                args["cursor"] = cursor
            page = await self._call(team_id, method, **args)
            for message in page.get("messages", []):
                yield message
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not page.get("has_more") or not cursor:
                return

    async def find_sent(
        self, channel: ChannelRef, nonce: str, since: datetime
    ) -> MessageRef | None:
        """The post carrying `nonce` in the channel's history since `since` (its claim)."""
        channel_id = channel.id
        try:
            if channel_id.startswith("@"):
                channel_id = await self._open_dm(channel.workspace_id, channel_id[1:])
            found = self._history(channel.workspace_id, channel_id, channel.thread, since)
            async for message in found:
                if _has_nonce(message, nonce):
                    return MessageRef(channel, str(message["ts"]))
        except SlackApiError as error:
            raise post_error(error) from error
        return None

    async def update(self, ref: MessageRef, message: OutboundMessage) -> None:
        """Replace a posted message's blocks (a decided review message, say)."""
        try:
            await self._call(
                ref.channel.workspace_id,
                "chat_update",
                channel=ref.channel.id,
                ts=ref.id,
                text=render.fallback(message),
                blocks=render.blocks(message),
            )
        except SlackApiError as error:
            raise post_error(error) from error

    async def react(self, ref: MessageRef, emoji: str) -> None:
        """Add the bot's reaction (the emoji by its Slack name)."""
        try:
            await self._call(
                ref.channel.workspace_id,
                "reactions_add",
                channel=ref.channel.id,
                timestamp=ref.id,
                name=to_name(emoji),
            )
        except SlackApiError as error:
            if error_code(error) != "already_reacted":
                raise post_error(error) from error

    async def _open_dm(self, team_id: str, user_id: str) -> str:
        opened = await self._call(team_id, "conversations_open", users=user_id)
        return str(opened["channel"]["id"])

    async def direct_message(
        self, user: UserRef, message: OutboundMessage, nonce: str | None = None
    ) -> MessageRef:
        """Post in the direct message channel with the user (on their workspace's token)."""
        team_id = user.workspace_id
        try:
            channel_id = await self._open_dm(team_id, user.id)
        except SlackApiError as error:
            raise post_error(error) from error
        ts = await self._post(team_id, channel_id, message, nonce)
        return MessageRef(ChannelRef(Platform.SLACK, team_id, "@" + user.id), ts)
