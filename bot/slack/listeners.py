"""Bolt listeners: every request acknowledged at once (bolt's ack listener), then the work in a
lazy listener: one handler call with the user's facts, the answer rendered and sent as the
command or action declared (bot/commands.py)."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import messages
from bot.commands import CommandError, parse_command_line
from bot.handlers import Handlers
from bot.ports import (
    COMPONENT_PREFIX,
    ActionEvent,
    ChannelRef,
    Invocation,
    OutboundMessage,
    PostError,
    ReplySpec,
)
from bot.slack import modals, render, translate
from bot.slack.manifest import slash_command
from bot.slack.platform import SlackPlatform
from bot.slack.users import UserFacts

log = logging.getLogger(__name__)

# The events the manifest subscribes to and these listeners handle.
REACTION_EVENTS = ("reaction_added", "reaction_removed")
UNINSTALL_EVENTS = ("app_uninstalled", "tokens_revoked")


async def _ack(ack: AsyncAck) -> None:
    """Acknowledge within Slack's 3 seconds, before any work."""
    await ack()


class RespondTo:
    """The seam's Responder on a Slack request with a response_url (commands, buttons).

    Bolt's ack listener has already acknowledged; the answer goes to the response_url, as a
    message only the user sees or one in the channel, as declared.
    """

    def __init__(self, respond: AsyncRespond) -> None:
        self.respond = respond

    async def acknowledge(self, spec: ReplySpec) -> None:
        """Nothing left to do: Slack has its acknowledgement."""

    async def answer(self, message: OutboundMessage) -> None:
        """Send the answer through the response_url."""
        try:
            blocks = render.blocks(message)
        except ValueError:
            log.exception("an answer did not fit Block Kit")
            message = messages.reply("That answer is too long to show here.")
            blocks = render.blocks(message)
        await self.respond(
            text=render.fallback(message),
            blocks=blocks,
            response_type="ephemeral" if message.ephemeral else "in_channel",
            replace_original=False,
        )


class PostTo:
    """The seam's Responder where Slack gives no response_url (a submitted dialog): a message
    in the channel, or one only the user sees there (chat.postEphemeral)."""

    def __init__(
        self, platform: SlackPlatform, client: AsyncWebClient, channel: ChannelRef, user: str
    ) -> None:
        self.platform = platform
        self.client = client
        self.channel = channel
        self.user = user

    async def acknowledge(self, spec: ReplySpec) -> None:
        """Nothing left to do: the dialog closed when Slack had its acknowledgement."""

    async def answer(self, message: OutboundMessage) -> None:
        """Post the answer in the channel, or only for the user."""
        if not message.ephemeral:
            try:
                await self.platform.send(self.channel, message)
                return
            except PostError as error:
                log.warning("could not post in %s: %s", self.channel.id, error)
        await ephemeral(self.client, self.channel.id, self.user, message)


async def ephemeral(
    client: AsyncWebClient, channel_id: str, user_id: str, message: OutboundMessage
) -> None:
    """A message only `user_id` sees, in the channel."""
    try:
        await client.chat_postEphemeral(
            channel=channel_id,
            user=user_id,
            text=render.fallback(message),
            blocks=render.blocks(message),
        )
    except SlackApiError as error:
        log.warning("could not answer %s in %s: %s", user_id, channel_id, error)


class SlackListeners:
    """The listeners of one bolt app, all going to the same Handlers."""

    def __init__(self, handlers: Handlers, platform: SlackPlatform, facts: UserFacts) -> None:
        self.handlers = handlers
        self.platform = platform
        self.facts = facts
        self._working = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @asynccontextmanager
    async def _work(self, what: str) -> AsyncIterator[None]:
        """One piece of lazy work: counted (for settle), and logged if it fails."""
        self._working += 1
        self._idle.clear()
        try:
            yield
        except Exception:
            log.exception("Slack %s failed", what)
        finally:
            self._working -= 1
            if not self._working:
                self._idle.set()

    async def settle(self) -> None:
        """Wait until the work Slack's last requests started is done (tests, shutdown)."""
        await asyncio.sleep(0)  # bolt starts lazy listeners as tasks: let them begin
        await self._idle.wait()

    def register(self, app: AsyncApp) -> None:
        """Attach every listener to the app."""
        app.command(slash_command())(ack=_ack, lazy=[self.command])
        for event in REACTION_EVENTS:
            app.event(event)(ack=_ack, lazy=[self.reaction])
        app.action(re.compile(f"^{COMPONENT_PREFIX}:"))(ack=_ack, lazy=[self.action])
        app.view(modals.TOPIC_VIEW)(ack=_ack, lazy=[self.topic_dialog])
        if app.installation_store is None:
            # One workspace: nothing to delete (OAuth mode has bolt's own listeners for these).
            for event in UNINSTALL_EVENTS:
                app.event(event)(self.uninstalled)

    async def command(
        self, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        """`/paper ...`: the text through the one command parser, then the handler."""
        async with self._work("command"):
            await self._command(body, client, respond)

    async def _command(
        self, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        channel, user_id, text = translate.command_parts(body)
        dialog = modals.topic_dialog_for(text, channel)
        if dialog is not None:
            await client.views_open(trigger_id=body["trigger_id"], view=dialog)
            return
        responder = RespondTo(respond)
        try:
            name, options = parse_command_line(text)
        except CommandError as error:
            await responder.answer(messages.reply(str(error)))
            return
        user = await self.facts.user(
            client, channel.workspace_id, user_id, body.get("user_name", "")
        )
        await self.handlers.command(Invocation(channel, user, name, options), responder)

    async def reaction(self, body: dict[str, Any], client: AsyncWebClient) -> None:
        """The nomination emoji added or removed on a paper the bot posted."""
        async with self._work("reaction"):
            await self._reaction(body, client)

    async def _reaction(self, body: dict[str, Any], client: AsyncWebClient) -> None:
        event = body["event"]
        user = await self.facts.user(client, str(body.get("team_id", "")), str(event["user"]))
        reaction = translate.reaction_event(body, user)
        if reaction is None:
            return
        reply = await self.handlers.reaction(reaction)
        if reply is not None:
            await ephemeral(client, reaction.message.channel.id, user.id, reply)

    async def action(
        self, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        """A button or menu of a message the bot posted."""
        async with self._work("action"):
            await self._action(body, client, respond)

    async def _action(
        self, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        message, action_id, choice = translate.action_parts(body)
        user = await self.facts.user(client, message.channel.workspace_id, str(body["user"]["id"]))
        event = ActionEvent.from_component(message, user, action_id, choice)
        if event is None:
            return
        await self.handlers.action(event, RespondTo(respond))

    async def topic_dialog(self, body: dict[str, Any], client: AsyncWebClient) -> None:
        """A submitted topic dialog: the same command as typed on one line."""
        async with self._work("topic dialog"):
            await self._topic_dialog(body, client)

    async def _topic_dialog(self, body: dict[str, Any], client: AsyncWebClient) -> None:
        submitted = modals.submitted_topic(body)
        if submitted is None:
            return
        channel, command, options = submitted
        user_id = str(body["user"]["id"])
        user = await self.facts.user(client, channel.workspace_id, user_id)
        responder = PostTo(self.platform, client, channel, user_id)
        await self.handlers.command(Invocation(channel, user, command, options), responder)

    async def uninstalled(self, body: dict[str, Any]) -> None:
        """The app was uninstalled or its tokens revoked: the configured token stops working."""
        log.warning(
            "Slack workspace %s: %s; paperbot can no longer post there",
            body.get("team_id"),
            body.get("event", {}).get("type"),
        )
