"""A terminal chat platform: runs the whole bot in-process, for `paperbot demo` and tests."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import TextIO

from bot.commands import parse_command_line
from bot.console.render import literal, render
from bot.console.transcript import Transcript
from bot.handlers import Handlers
from bot.ports import (
    ActionEvent,
    ChannelRef,
    Invocation,
    MessageRef,
    OutboundMessage,
    PostError,
    ReactionEvent,
    ReplySpec,
    UserRef,
)
from digest.models import Platform

WORKSPACE = "console"


@dataclass(frozen=True, slots=True)
class Posted:
    """A message as the console platform holds it; `number` is what the terminal shows."""

    ref: MessageRef
    message: OutboundMessage
    number: int
    to_user: str | None = None
    nonce: str | None = None


class ConsolePlatform:
    """ChatPlatform that prints to a stream and keeps every message it posted.

    Message ids are `<session>-<number>`, the session random per process, so two processes
    over one database never record the same id; the terminal shows the number alone.
    """

    platform = Platform.CONSOLE

    def __init__(
        self,
        out: TextIO,
        workspace: str = WORKSPACE,
        transcript: Transcript | None = None,
        pace: float = 0.0,
    ) -> None:
        self.out = out
        self.workspace = workspace
        # Every post is also a line there, for other terminals and processes (find_sent reads it).
        self.transcript = transcript
        # Seconds each post takes, the way a chat platform's rate limit spaces them out.
        self.pace = pace
        self.connected = False
        self.session = uuid.uuid4().hex[:8]
        self.posted: list[Posted] = []
        self.reactions: list[tuple[MessageRef, str]] = []
        self._numbers = itertools.count(1)
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

    def numbered(self, number: str) -> Posted:
        """A posted message by the number the terminal showed."""
        for posted in self.posted:
            if str(posted.number) == number.strip():
                return posted
        raise LookupError(f"no message {number}")

    async def start(self) -> None:
        """Nothing to connect to: connected from now on."""
        self.connected = True

    async def close(self) -> None:
        """Nothing to disconnect from: no longer connected."""
        self.connected = False

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
        number = next(self._numbers)
        ref = MessageRef(channel, f"{self.session}-{number}")
        if self.transcript is not None:
            self.transcript.append(ref, message, nonce)
        self.posted.append(Posted(ref, message, number, to, nonce))
        if nonce is not None:
            self._by_nonce[(channel.id, nonce)] = ref
        print(render(message, where, str(number)), file=self.out, flush=True)
        return ref

    async def _paced(self) -> None:
        if self.pace:
            await asyncio.sleep(self.pace)

    async def send(
        self, channel: ChannelRef, message: OutboundMessage, nonce: str | None = None
    ) -> MessageRef:
        """Print a message in a channel (once per nonce)."""
        await self._paced()
        channel = self.channel(channel.id, channel.name if channel.name != channel.id else None)
        return self._post(f"#{channel.name}", channel, message, None, nonce)

    async def find_sent(
        self, channel: ChannelRef, nonce: str, since: datetime
    ) -> MessageRef | None:
        """The message posted with `nonce` in the channel, if any: by this process, or by any
        process writing the same transcript (a run that crashed after posting).

        The console remembers every nonce it posted, so it needs no time bound.
        """
        found = self._by_nonce.get((channel.id, nonce))
        if found is None and self.transcript is not None:
            message_id = self.transcript.find(channel.id, nonce)
            if message_id is not None:
                found = MessageRef(self.channel(channel.id), message_id)
        return found

    def number_of(self, ref: MessageRef) -> str:
        """The number the terminal showed for a posted message."""
        return next((str(p.number) for p in self.posted if p.ref == ref), ref.id)

    def message_of(self, ref: MessageRef) -> OutboundMessage | None:
        """What a posted message shows."""
        return next((p.message for p in self.posted if p.ref == ref), None)

    async def update(self, ref: MessageRef, message: OutboundMessage) -> None:
        """Print the new content of a message."""
        where = f"#{ref.channel.name} (edited)"
        print(render(message, where, self.number_of(ref)), file=self.out, flush=True)

    async def react(self, ref: MessageRef, emoji: str) -> None:
        """Record the bot's reaction."""
        self.reactions.append((ref, emoji))

    async def direct_message(
        self, user: UserRef, message: OutboundMessage, nonce: str | None = None
    ) -> MessageRef:
        """Print a private message to a user (once per nonce)."""
        await self._paced()
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


@dataclass
class ConsoleResponder:
    """The console's acknowledge and answer: the answer is printed under the user's line."""

    out: TextIO
    label: str
    acknowledged: list[ReplySpec] = field(default_factory=list)
    answers: list[OutboundMessage] = field(default_factory=list)

    async def acknowledge(self, spec: ReplySpec) -> None:
        """Nothing to show: a terminal waits as long as it takes."""
        self.acknowledged.append(spec)

    async def answer(self, message: OutboundMessage) -> None:
        """Print the answer."""
        self.answers.append(message)
        print(render(message, self.label), file=self.out, flush=True)


class ConsoleChat:
    """Users typing into the console: each call is one chat event through the real handlers."""

    def __init__(self, platform: ConsolePlatform, handlers: Handlers) -> None:
        self.platform = platform
        self.handlers = handlers

    def _echo(self, line: str) -> None:
        print(f"\n{literal(line, 2000)}", file=self.platform.out, flush=True)

    def _responder(self, user: UserRef, channel: ChannelRef) -> ConsoleResponder:
        label = f"reply to @{user.name or user.id} in #{channel.name}"
        return ConsoleResponder(self.platform.out, label)

    async def say(self, user: UserRef, channel: ChannelRef, line: str) -> OutboundMessage:
        """A user types a `/paper ...` command in a channel."""
        self._echo(f"@{user.name or user.id} in #{channel.name}: {line}")
        command, options = parse_command_line(line)
        invocation = Invocation(channel, user, command, options)
        return await self.handlers.command(invocation, self._responder(user, channel))

    async def react(
        self, user: UserRef, ref: MessageRef, emoji: str, added: bool = True
    ) -> OutboundMessage | None:
        """A user adds (or removes) a reaction on a message."""
        verb = "reacts" if added else "removes"
        number = self.platform.number_of(ref)
        self._echo(f"@{user.name or user.id} {verb} {emoji} on message {number}")
        reply = await self.handlers.reaction(ReactionEvent(ref, user, emoji, added))
        if reply is not None:
            await self._responder(user, ref.channel).answer(reply)
        return reply

    async def press(
        self, user: UserRef, ref: MessageRef, action: str, value: str
    ) -> OutboundMessage:
        """A user presses a button on a message."""
        message = self.platform.message_of(ref)
        buttons = message.buttons if message else ()
        label = next((b.label for b in buttons if (b.action, b.value) == (action, value)), action)
        return await self._act(ActionEvent(ref, user, action, value), f"presses [{label}]")

    async def choose(
        self, user: UserRef, ref: MessageRef, action: str, value: str, choice: str
    ) -> OutboundMessage:
        """A user picks an option of a menu on a message."""
        message = self.platform.message_of(ref)
        menus = [s for s in message.selects if s.action == action] if message else []
        options = [o for s in menus for o in s.options if o.value == choice]
        label = options[0].label if options else choice
        return await self._act(ActionEvent(ref, user, action, value, choice), f"chooses “{label}”")

    async def _act(self, event: ActionEvent, did: str) -> OutboundMessage:
        number = self.platform.number_of(event.message)
        self._echo(f"@{event.user.name or event.user.id} {did} on message {number}")
        responder = self._responder(event.user, event.message.channel)
        return await self.handlers.action(event, responder)
