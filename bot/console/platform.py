"""A terminal chat platform: runs the whole bot in-process, for `paperbot demo` and tests."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TextIO

from bot.commands import parse_command_line
from bot.console.render import render
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
from digest.models import Platform

WORKSPACE = "console"


@dataclass(frozen=True, slots=True)
class Posted:
    """A message as the console platform holds it."""

    ref: MessageRef
    message: OutboundMessage
    to_user: str | None = None
    nonce: str | None = None


class ConsolePlatform:
    """ChatPlatform that prints to a stream and keeps every message it posted."""

    platform = Platform.CONSOLE

    def __init__(self, out: TextIO, workspace: str = WORKSPACE) -> None:
        self.out = out
        self.workspace = workspace
        self.posted: list[Posted] = []
        self.reactions: list[tuple[MessageRef, str]] = []
        self._ids = itertools.count(1)
        self._failures: list[Exception] = []
        self._names: dict[str, str] = {}
        self._by_nonce: dict[tuple[str, str], MessageRef] = {}

    def channel(self, channel_id: str, name: str | None = None) -> ChannelRef:
        """A channel of this console workspace (its name is remembered for later posts)."""
        if name:
            self._names[channel_id] = name
        return ChannelRef(
            Platform.CONSOLE, self.workspace, channel_id, self._names.get(channel_id, channel_id)
        )

    def fail_next(self, *errors: PostError | Exception) -> None:
        """Make the next posts raise these errors, in order (a platform outage, for tests)."""
        self._failures.extend(errors)

    def messages_in(self, channel_id: str) -> list[Posted]:
        """What was posted in a channel (or to `@user`), in order."""
        return [p for p in self.posted if p.ref.channel.id == channel_id]

    async def start(self) -> None:
        """Nothing to connect to."""

    async def close(self) -> None:
        """Nothing to disconnect from."""

    def _post(
        self,
        where: str,
        channel: ChannelRef,
        message: OutboundMessage,
        to: str | None,
        nonce: str | None,
    ) -> MessageRef:
        if self._failures:
            raise self._failures.pop(0)
        if nonce is not None and (channel.id, nonce) in self._by_nonce:
            # Like Discord's enforce_nonce: the same nonce returns the message already posted.
            return self._by_nonce[(channel.id, nonce)]
        ref = MessageRef(channel, str(next(self._ids)))
        self.posted.append(Posted(ref, message, to, nonce))
        if nonce is not None:
            self._by_nonce[(channel.id, nonce)] = ref
        print(render(message, where, ref.id), file=self.out, flush=True)
        return ref

    async def send(
        self, channel: ChannelRef, message: OutboundMessage, nonce: str | None = None
    ) -> MessageRef:
        """Print a message in a channel (once per nonce)."""
        channel = self.channel(channel.id, channel.name if channel.name != channel.id else None)
        return self._post(f"#{channel.name}", channel, message, None, nonce)

    async def find_sent(self, channel: ChannelRef, nonce: str) -> MessageRef | None:
        """The message posted with `nonce` in the channel, if any."""
        return self._by_nonce.get((channel.id, nonce))

    async def update(self, ref: MessageRef, message: OutboundMessage) -> None:
        """Print the new content of a message."""
        print(render(message, f"#{ref.channel.name} (edited)", ref.id), file=self.out, flush=True)

    async def react(self, ref: MessageRef, emoji: str) -> None:
        """Record the bot's reaction."""
        self.reactions.append((ref, emoji))

    async def direct_message(
        self, user: UserRef, message: OutboundMessage, nonce: str | None = None
    ) -> MessageRef:
        """Print a private message to a user (once per nonce)."""
        channel = self.channel("@" + user.id, "@" + user.id)
        where = f"direct message to @{user.name or user.id}"
        return self._post(where, channel, message, user.id, nonce)

    def find(self, arxiv_id: str, channel_id: str | None = None) -> MessageRef:
        """The last posted message that shows the paper `arxiv_id`."""
        for posted in reversed(self.posted):
            if channel_id and posted.ref.channel.id != channel_id:
                continue
            if any(card.arxiv_id == arxiv_id for card in posted.message.cards):
                return posted.ref
        raise LookupError(f"no message shows {arxiv_id}")


class ConsoleChat:
    """Users typing into the console: each call is one chat event through the real handlers."""

    def __init__(self, platform: ConsolePlatform, handlers: Handlers) -> None:
        self.platform = platform
        self.handlers = handlers

    def _show(self, reply: OutboundMessage | None, where: str, user: UserRef) -> None:
        if reply is not None:
            label = f"reply to @{user.name or user.id} in {where}"
            print(render(reply, label), file=self.platform.out, flush=True)

    async def say(self, user: UserRef, channel: ChannelRef, line: str) -> OutboundMessage:
        """A user types a `/paper ...` command in a channel."""
        print(f"\n@{user.name or user.id} in #{channel.name}: {line}", file=self.platform.out)
        command, options = parse_command_line(line)
        reply = await self.handlers.command(Invocation(channel, user, command, options))
        self._show(reply, f"#{channel.name}", user)
        return reply

    async def react(
        self, user: UserRef, ref: MessageRef, emoji: str, added: bool = True
    ) -> OutboundMessage | None:
        """A user adds (or removes) a reaction on a message."""
        verb = "reacts" if added else "removes"
        print(
            f"\n@{user.name or user.id} {verb} {emoji} on message {ref.id}", file=self.platform.out
        )
        reply = await self.handlers.reaction(ReactionEvent(ref, user, emoji, added))
        self._show(reply, f"#{ref.channel.name}", user)
        return reply

    async def press(
        self, user: UserRef, ref: MessageRef, action: str, value: str
    ) -> OutboundMessage:
        """A user presses a button on a message."""
        labels = [
            b.label
            for p in self.platform.posted
            if p.ref == ref
            for b in p.message.buttons
            if b.action == action
        ]
        name = user.name or user.id
        print(
            f"\n@{name} presses [{labels[0] if labels else action}] on message {ref.id}",
            file=self.platform.out,
        )
        reply = await self.handlers.action(ActionEvent(ref, user, action, value))
        self._show(reply, f"#{ref.channel.name}", user)
        return reply
