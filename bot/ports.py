"""The chat seam: neutral events and messages, and the ChatPlatform every adapter implements."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Protocol

from digest.models import Platform


@dataclass(frozen=True, slots=True)
class UserRef:
    """Who did something; `is_admin` is decided by the adapter from the workspace's admin role."""

    id: str
    name: str = ""
    is_admin: bool = False


@dataclass(frozen=True, slots=True)
class ChannelRef:
    """A channel in a workspace (Discord guild or Slack team)."""

    platform: Platform
    workspace_id: str
    id: str
    name: str = ""
    workspace_name: str = ""


@dataclass(frozen=True, slots=True)
class MessageRef:
    """A posted message."""

    channel: ChannelRef
    id: str


@dataclass(frozen=True, slots=True)
class Invocation:
    """A slash command: `/paper <command> option=value ...`."""

    channel: ChannelRef
    user: UserRef
    command: str
    options: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ReactionEvent:
    """An emoji added to (or removed from) a message."""

    message: MessageRef
    user: UserRef
    emoji: str
    added: bool = True


@dataclass(frozen=True, slots=True)
class ActionEvent:
    """A button press or menu choice on a message the bot posted."""

    message: MessageRef
    user: UserRef
    action: str
    value: str


@dataclass(frozen=True, slots=True)
class PaperCard:
    """A paper as shown in chat."""

    arxiv_id: str
    title: str
    authors: tuple[str, ...]
    url: str
    categories: tuple[str, ...] = ()
    venue: str | None = None
    code_url: str | None = None
    topic: str | None = None
    terms: tuple[str, ...] = ()
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Button:
    """A button; its action and value come back in an ActionEvent, even after a restart."""

    action: str
    value: str
    label: str
    style: Literal["primary", "secondary", "danger"] = "secondary"


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """A message to show, in neutral terms; each platform renders it in its own render.py.

    `text` is plain text with `**bold**` and `[label](url)` links; renderers escape everything
    else, so nothing a paper title says can ping anyone.
    """

    text: str = ""
    title: str | None = None
    cards: tuple[PaperCard, ...] = ()
    buttons: tuple[Button, ...] = ()
    ephemeral: bool = False
    footer: str | None = None

    def to_payload(self) -> dict[str, Any]:
        """A JSON-ready dict, for the outbox."""
        return asdict(self)

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> OutboundMessage:
        """The message back from its outbox payload."""
        return cls(
            text=str(payload.get("text", "")),
            title=payload.get("title"),
            cards=tuple(
                PaperCard(
                    **{
                        **card,
                        "authors": tuple(card.get("authors", ())),
                        "categories": tuple(card.get("categories", ())),
                        "terms": tuple(card.get("terms", ())),
                    }
                )
                for card in payload.get("cards", ())
            ),
            buttons=tuple(Button(**button) for button in payload.get("buttons", ())),
            ephemeral=bool(payload.get("ephemeral", False)),
            footer=payload.get("footer"),
        )


class PostError(Exception):
    """A platform refused a post. Permanent errors (channel gone, access lost) are not retried."""

    def __init__(self, message: str, permanent: bool, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after

    @classmethod
    def rate_limited(cls, retry_after: float | None, message: str = "rate limited") -> PostError:
        """HTTP 429 or a platform's rate limit: retried after `retry_after` seconds."""
        return cls(message, permanent=False, retry_after=retry_after)

    @classmethod
    def unavailable(cls, message: str = "server error") -> PostError:
        """A 5xx or a dropped connection: retried with backoff."""
        return cls(message, permanent=False)

    @classmethod
    def gone(cls, message: str) -> PostError:
        """The channel was deleted or the bot lost access: never retried."""
        return cls(message, permanent=True)


class ChatPlatform(Protocol):
    """What the bot needs from a chat platform; adapters translate, they hold no logic."""

    platform: Platform

    async def start(self) -> None:
        """Connect and begin delivering events to the handlers."""
        ...

    async def close(self) -> None:
        """Disconnect."""
        ...

    async def send(
        self, channel: ChannelRef, message: OutboundMessage, nonce: str | None = None
    ) -> MessageRef:
        """Post a message; raise PostError when the platform refuses.

        `nonce` names this post: a platform that can (Discord's `nonce` with `enforce_nonce`)
        posts at most one message per nonce; the others attach it so `find_sent` can look.
        """
        ...

    async def find_sent(self, channel: ChannelRef, nonce: str) -> MessageRef | None:
        """The message this bot posted with `nonce` in the channel, if the platform can tell.

        Asked only after a crash left a post in doubt. Slack: recent history, by message
        metadata; Discord: None (a resend with the same nonce is deduplicated there).
        """
        ...

    async def update(self, ref: MessageRef, message: OutboundMessage) -> None:
        """Replace a posted message's content."""
        ...

    async def react(self, ref: MessageRef, emoji: str) -> None:
        """Add the bot's own reaction to a message."""
        ...

    async def direct_message(
        self, user: UserRef, message: OutboundMessage, nonce: str | None = None
    ) -> MessageRef:
        """Send a private message to a user (`nonce` as for `send`)."""
        ...
