"""The Discord platform: discord.py events to the handlers, the outbox's posts to Discord.

Outbound, every call is bounded by POST_DEADLINE, below the outbox's claim lease, and
discord.py's own rate-limit handling waits out short limits (longer ones come back as a retry
for the outbox). A digest's papers go in a thread on its header (ChannelRef.thread): the thread
is opened on the first paper, so a restart in the middle of a digest goes on in the same thread;
without the permission to open it, the papers go in the channel and the admins are told once.
Each post carries its nonce (Discord posts once per nonce for a few minutes) and, in its first
embed's URL, a fingerprint `find_sent` looks for among the bot's own messages after a crash.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from datetime import datetime
from typing import Literal

import discord

from bot.commands import CommandSpec
from bot.discord import errors
from bot.discord.client import PaperbotClient, ShardedPaperbotClient
from bot.discord.commands import paper_group
from bot.discord.components import chosen
from bot.discord.events import (
    channel_ref,
    emoji_text,
    interaction_channel,
    interaction_user,
    user_ref,
)
from bot.discord.invite import invite_url
from bot.discord.render import Rendered, has_fingerprint, render, thread_name
from bot.discord.responder import AUTO_DEFER, InteractionResponder
from bot.discord.shards import Shards
from bot.handlers import Handlers
from bot.ports import (
    ActionEvent,
    ChannelRef,
    Invocation,
    MessageRef,
    OutboundMessage,
    PostError,
    ReactionEvent,
    UserRef,
)
from bot.rich_text import Text, code, text
from digest.models import Platform

log = logging.getLogger(__name__)

# Seconds one outbox call may take, retries of rate limits and 5xx included: well below the
# outbox's 90-second claim lease, so no other pass takes the row while it is being posted.
POST_DEADLINE = 60.0
# Messages looked through, per channel, for a post left in doubt by a crash.
FIND_LIMIT = 500
NONCE_LIMIT = 25
# Seconds `close` waits for events still being handled.
CLOSE_WAIT = 10.0
# A week, so a digest's discussion stays open until the next one.
THREAD_ARCHIVE_MINUTES: Literal[10080] = 10080

# Tells a channel's admins something (a title and the text): bot.delivery's tell_admins.
AdminNotice = Callable[[ChannelRef, str, Text], Awaitable[None]]


class DiscordPlatform:
    """ChatPlatform for Discord, over one discord.py client."""

    platform = Platform.DISCORD

    def __init__(
        self,
        token: str,
        *,
        sync_guild: int | None = None,
        post_deadline: float = POST_DEADLINE,
        auto_defer: float = AUTO_DEFER,
        shards: Shards | None = None,
    ) -> None:
        self._token = token
        self.post_deadline = post_deadline
        self.auto_defer = auto_defer
        listeners = (paper_group(self._command, self._complete), self._reaction, self._component)
        if shards is None:
            self.client = PaperbotClient(*listeners, sync_guild=sync_guild)
        else:
            self.client = ShardedPaperbotClient(
                *listeners,
                sync_guild=sync_guild,
                shard_ids=list(shards.ids),
                shard_count=shards.count,
            )
        self._handlers: Handlers | None = None
        self._tell_admins: AdminNotice | None = None
        self._threadless: set[str] = set()
        self._gateway: asyncio.Task[None] | None = None
        self._inflight: set[asyncio.Task[object]] = set()

    def serve(self, handlers: Handlers, tell_admins: AdminNotice | None = None) -> None:
        """Where events go, and how the admins hear of a problem the adapter found."""
        self._handlers = handlers
        self._tell_admins = tell_admins

    @property
    def handlers(self) -> Handlers:
        """The handlers events go to (set by `serve`)."""
        if self._handlers is None:
            raise RuntimeError("DiscordPlatform.serve(handlers) was not called")
        return self._handlers

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        """Logged in, and the gateway (every shard of this process) ready and open."""
        return self.client.is_ready() and not self.client.is_closed()

    async def start(self) -> None:
        """Log in (commands synced, components registered), then open the gateway."""
        await self.client.login(self._token)
        if self.client.application_id is not None:
            log.info("invite the bot with %s", invite_url(self.client.application_id))
        self._gateway = asyncio.create_task(self.client.connect(), name="discord-gateway")

    async def wait_closed(self) -> None:
        """Until the gateway connection ends for good (raises what ended it, if anything)."""
        if self._gateway is not None:
            await self._gateway

    async def close(self) -> None:
        """Close the gateway and the HTTP session, letting events being handled finish."""
        await self.client.close()
        if self._gateway is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await self._gateway
        if self._inflight:
            await asyncio.wait(self._inflight, timeout=CLOSE_WAIT)

    @contextlib.contextmanager
    def _handling(self) -> Iterator[None]:
        """Around an event's handling, so `close` can wait for it."""
        task = asyncio.current_task()
        if task is not None:
            self._inflight.add(task)
        try:
            yield
        finally:
            if task is not None:
                self._inflight.discard(task)

    # -- outbound ----------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def _outbound(self, what: str) -> AsyncIterator[None]:
        """One outbox call: bounded in time, discord.py's errors read as the outbox's."""
        try:
            async with asyncio.timeout(self.post_deadline):
                yield
        except (discord.HTTPException, discord.RateLimited) as error:
            raise errors.post_error(error, what) from error

    async def _post(
        self, channel_id: int, rendered: Rendered, nonce: str | None
    ) -> discord.Message:
        target = self.client.get_partial_messageable(channel_id)
        options: dict[str, object] = {"embeds": rendered.embeds}
        if rendered.view is not None:
            options["view"] = rendered.view
        if nonce is not None:
            options["nonce"] = nonce
        return await target.send(**options)  # type: ignore[call-overload, no-any-return]

    @staticmethod
    def _rendered(message: OutboundMessage, nonce: str | None) -> Rendered:
        if nonce is not None and len(nonce) > NONCE_LIMIT:
            raise PostError.refused(f"nonce {nonce!r} is longer than Discord's {NONCE_LIMIT}")
        rendered = render(message)
        return rendered.fingerprinted(nonce) if nonce is not None else rendered

    async def send(
        self, channel: ChannelRef, message: OutboundMessage, nonce: str | None = None
    ) -> MessageRef:
        """Post in a channel, or in the thread on `channel.thread` (opened if need be)."""
        rendered = self._rendered(message, nonce)
        async with self._outbound(f"channel {channel.id}"):
            if channel.thread is not None:
                sent = await self._send_in_thread(channel, rendered, nonce)
            else:
                sent = await self._post(int(channel.id), rendered, nonce)
        return MessageRef(channel, str(sent.id))

    async def _send_in_thread(
        self, channel: ChannelRef, rendered: Rendered, nonce: str | None
    ) -> discord.Message:
        assert channel.thread is not None
        if channel.id not in self._threadless:
            try:
                posted = await self._post_in_thread(channel, int(channel.thread), rendered, nonce)
            except discord.Forbidden as error:
                await self._no_threads(channel, error)
            except discord.HTTPException as error:
                if error.code not in (errors.UNKNOWN_MESSAGE, errors.THREAD_EXISTS):
                    raise
                # The header was deleted, or it holds a thread we cannot reach: no thread.
                log.warning("no thread on %s in %s: %s", channel.thread, channel.id, error)
            else:
                if posted is not None:
                    return posted
        return await self._post(int(channel.id), rendered, nonce)

    async def _post_in_thread(
        self, channel: ChannelRef, header: int, rendered: Rendered, nonce: str | None
    ) -> discord.Message | None:
        """Post in the thread on `header` (a thread has its message's id), opening it first if
        there is none; None if the channel cannot hold threads."""
        with contextlib.suppress(discord.NotFound):
            return await self._post(header, rendered, nonce)
        parent = self.client.get_channel(int(channel.id)) or await self.client.fetch_channel(
            int(channel.id)
        )
        if not isinstance(parent, discord.TextChannel):
            self._threadless.add(channel.id)  # a forum or voice channel: the papers go inline
            return None
        message = await parent.fetch_message(header)
        await message.create_thread(
            name=thread_name(message.embeds), auto_archive_duration=THREAD_ARCHIVE_MINUTES
        )
        return await self._post(header, rendered, nonce)

    async def _no_threads(self, channel: ChannelRef, error: discord.HTTPException) -> None:
        """Papers go in the channel from now on; the admins hear of it once."""
        log.warning("cannot open a thread in %s (%s): posting in the channel", channel.id, error)
        if channel.id in self._threadless:
            return
        self._threadless.add(channel.id)
        if self._tell_admins is not None:
            await self._tell_admins(
                channel,
                "Digests without a thread",
                text(
                    "I cannot open threads in ",
                    code(f"#{channel.name or channel.id}"),
                    ", so its digests are posted in the channel itself. Give me the "
                    "Create Public Threads and Send Messages in Threads permissions there "
                    "to keep the channel tidy.",
                ),
            )

    async def find_sent(
        self, channel: ChannelRef, nonce: str, since: datetime
    ) -> MessageRef | None:
        """The bot's message carrying this nonce's fingerprint, posted after `since`."""
        after = discord.Object(discord.utils.time_snowflake(since))
        async with self._outbound(f"channel {channel.id}"):
            for place in await self._places(channel):
                with contextlib.suppress(discord.NotFound):
                    target = self.client.get_partial_messageable(place)
                    history = target.history(after=after, limit=FIND_LIMIT, oldest_first=True)
                    async for posted in history:
                        mine = (
                            self.client.user is not None and posted.author.id == self.client.user.id
                        )
                        if mine and has_fingerprint(posted.embeds, nonce):
                            return MessageRef(channel, str(posted.id))
        return None

    async def _places(self, channel: ChannelRef) -> list[int]:
        """Where a post to this channel may have gone: its thread, then the channel."""
        if channel.id.startswith("@"):
            return [(await self._dm_channel(channel.id[1:])).id]
        places = [int(channel.id)]
        if channel.thread is not None:
            places.insert(0, int(channel.thread))
        return places

    async def _dm_channel(self, user_id: str) -> discord.DMChannel:
        return await self.client.create_dm(discord.Object(int(user_id)))

    async def update(self, ref: MessageRef, message: OutboundMessage) -> None:
        """Replace a posted message's embeds and components."""
        rendered = render(message)
        target = self.client.get_partial_messageable(int(ref.channel.thread or ref.channel.id))
        async with self._outbound(f"message {ref.id}"):
            await target.get_partial_message(int(ref.id)).edit(
                embeds=rendered.embeds, view=rendered.view
            )

    async def react(self, ref: MessageRef, emoji: str) -> None:
        """Add the bot's reaction to a message."""
        target = self.client.get_partial_messageable(int(ref.channel.id))
        async with self._outbound(f"message {ref.id}"):
            await target.get_partial_message(int(ref.id)).add_reaction(emoji)

    async def direct_message(
        self, user: UserRef, message: OutboundMessage, nonce: str | None = None
    ) -> MessageRef:
        """A private message (a closed DM is refused for this message alone, and logged)."""
        rendered = self._rendered(message, nonce)
        async with self._outbound(f"direct message to {user.id}"):
            dm = await self._dm_channel(user.id)
            try:
                sent = await self._post(dm.id, rendered, nonce)
            except discord.Forbidden as error:
                if error.code == errors.CANNOT_DM:
                    log.info("user %s does not accept direct messages", user.id)
                raise
        return MessageRef(ChannelRef(Platform.DISCORD, "", "@" + user.id), str(sent.id))

    # -- inbound -----------------------------------------------------------------------------

    async def _command(
        self, interaction: discord.Interaction, spec: CommandSpec, options: Mapping[str, str]
    ) -> None:
        invocation = Invocation(
            interaction_channel(interaction), interaction_user(interaction), spec.name, options
        )
        responder = InteractionResponder(interaction, False, self.auto_defer)
        with self._handling():
            await self.handlers.command(invocation, responder)

    async def _complete(
        self, interaction: discord.Interaction, kind: str, current: str
    ) -> list[str]:
        return await self.handlers.autocomplete(interaction_channel(interaction), kind, current)

    async def _component(self, interaction: discord.Interaction, custom_id: str) -> None:
        if interaction.message is None:
            return
        ref = MessageRef(interaction_channel(interaction), str(interaction.message.id))
        user = interaction_user(interaction)
        event = ActionEvent.from_component(ref, user, custom_id, chosen(interaction))
        if event is not None:
            responder = InteractionResponder(interaction, True, self.auto_defer)
            with self._handling():
                await self.handlers.action(event, responder)

    async def _reaction(self, payload: discord.RawReactionActionEvent, added: bool) -> None:
        me = self.client.user
        if payload.guild_id is None or (me is not None and payload.user_id == me.id):
            return
        channel = self.client.get_channel(payload.channel_id)
        if channel is None:
            # A thread the cache has not seen (archived, or before the restart): ask.
            with contextlib.suppress(discord.HTTPException):
                channel = await self.client.fetch_channel(payload.channel_id)
        where = channel_ref(payload.guild_id, channel, payload.channel_id)
        user = user_ref(payload.member) if payload.member else UserRef(str(payload.user_id))
        event = ReactionEvent(
            MessageRef(where, str(payload.message_id)), user, emoji_text(payload.emoji), added
        )
        with self._handling():
            reply = await self.handlers.reaction(event)
        if reply is not None:
            # A reaction has nowhere to answer privately; the reaction itself is the feedback.
            log.info("reaction by %s: %s", payload.user_id, reply.text)
