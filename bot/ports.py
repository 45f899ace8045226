"""The chat seam: neutral events and messages, and the ChatPlatform every adapter implements."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from bot.rich_text import Text, plain_text, safe_url, text_from_json, text_to_json
from digest.models import Platform


@dataclass(frozen=True, slots=True)
class UserRef:
    """Who did something, with the facts the core needs to decide whether they are an admin.

    `role_ids` are the user's Discord role ids or Slack user-group ids; `platform_admin` is
    what the platform says (Discord: Manage Server or Administrator; Slack: is_admin or
    is_owner). The adapter passes facts; the core applies the workspace's `admin-role`.
    `workspace_id` names the user's workspace where a platform needs it to reach them (a
    direct message on Slack goes out on that workspace's token).
    """

    id: str
    name: str = ""
    role_ids: tuple[str, ...] = ()
    platform_admin: bool = False
    workspace_id: str = ""


@dataclass(frozen=True, slots=True)
class ChannelRef:
    """A channel in a workspace (Discord guild or Slack team).

    `thread` names a posted message of the channel whose thread a post belongs in (a digest's
    papers go under its header); a platform without threads posts in the channel itself.
    """

    platform: Platform
    workspace_id: str
    id: str
    name: str = ""
    workspace_name: str = ""
    thread: str | None = None


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
    """An emoji added to (or removed from) a message.

    `emoji` is the Unicode emoji (⭐). Adapters map what their platform sends: Slack's
    shortcodes (`star`, `star::skin-tone-2`) to Unicode, Discord's custom emoji to `<:name:id>`.
    """

    message: MessageRef
    user: UserRef
    emoji: str
    added: bool = True


# Component ids: `pb:<action>:<value>`. They are the whole state of a button or menu, so a
# press works after a restart (Discord DynamicItem, Slack action_id); 100 characters is
# Discord's custom_id limit (Slack allows 255 for action_id).
COMPONENT_PREFIX = "pb"
MAX_COMPONENT_ID = 100
_ACTION = re.compile(r"^[a-z][a-z-]*$")
MAX_OPTIONS = 25  # Discord's select limit (Slack's static_select allows 100)
MAX_OPTION_VALUE = 100  # Discord's (Slack allows 150)


def component_id(action: str, value: str) -> str:
    """The platform id of a button or menu: `pb:approve:12`; ValueError if it does not fit."""
    if not _ACTION.match(action):
        raise ValueError(f"not an action name: {action!r}")
    found = f"{COMPONENT_PREFIX}:{action}:{value}"
    if len(found) > MAX_COMPONENT_ID or not value.isprintable():
        raise ValueError(f"component id longer than {MAX_COMPONENT_ID} or unprintable: {found!r}")
    return found


def parse_component_id(found: str) -> tuple[str, str] | None:
    """(action, value) of a component id, or None if it is not one of ours."""
    prefix, _, rest = found.partition(":")
    action, sep, value = rest.partition(":")
    if prefix != COMPONENT_PREFIX or not sep or not _ACTION.match(action):
        return None
    return action, value


@dataclass(frozen=True, slots=True)
class ActionEvent:
    """A button press or menu choice on a message the bot posted.

    `choice` is the chosen option's value for a menu (None for a button).
    """

    message: MessageRef
    user: UserRef
    action: str
    value: str
    choice: str | None = None

    @classmethod
    def from_component(
        cls, message: MessageRef, user: UserRef, found_id: str, choice: str | None = None
    ) -> ActionEvent | None:
        """The event of a press on the component with this id, or None if it is not ours."""
        parsed = parse_component_id(found_id)
        if parsed is None:
            return None
        return cls(message, user, parsed[0], parsed[1], choice)


@dataclass(frozen=True, slots=True)
class PaperCard:
    """A paper as shown in chat; every field is literal text except the two checked URLs."""

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
    # The abstract's first sentences, for platforms that show a summary under the title.
    excerpt: str | None = None
    # Why it ranks high in its digest ("Like 3 papers in your list, e.g. …"), as pieces.
    reason: Text = ()

    def __post_init__(self) -> None:
        if not safe_url(self.url) or (self.code_url is not None and not safe_url(self.code_url)):
            raise ValueError(f"a card links only to checked URLs: {self.arxiv_id}")


@dataclass(frozen=True, slots=True)
class Button:
    """A button; its action and value come back in an ActionEvent, even after a restart."""

    action: str
    value: str
    label: str
    style: Literal["primary", "secondary", "danger"] = "secondary"

    def __post_init__(self) -> None:
        component_id(self.action, self.value)

    @property
    def id(self) -> str:
        """The platform id (Discord custom_id, Slack action_id)."""
        return component_id(self.action, self.value)


@dataclass(frozen=True, slots=True)
class SelectOption:
    """One choice of a menu: literal label, the value that comes back as the event's choice."""

    label: str
    value: str
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Select:
    """A menu of choices (Discord string select, Slack static_select), at most 25 options."""

    action: str
    value: str
    placeholder: str
    options: tuple[SelectOption, ...]

    def __post_init__(self) -> None:
        component_id(self.action, self.value)
        values = [option.value for option in self.options]
        if not 0 < len(values) <= MAX_OPTIONS or len(set(values)) != len(values):
            raise ValueError(f"a menu has 1 to {MAX_OPTIONS} options with distinct values")
        if any(len(v) > MAX_OPTION_VALUE or not v.isprintable() for v in values):
            raise ValueError(f"a menu option's value has at most {MAX_OPTION_VALUE} characters")

    @property
    def id(self) -> str:
        """The platform id (Discord custom_id, Slack action_id)."""
        return component_id(self.action, self.value)


Component = Button | Select
ChannelKey = tuple[int, str]  # (workspace id, channel id): what one digest job serves


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """A message to show, in neutral terms; each platform renders it in its own render.py.

    `body` and `footer` are typed pieces (bot.rich_text); `title`, the cards' fields and the
    components' labels are literal text. Renderers escape all of it.
    """

    body: Text = ()
    title: str | None = None
    cards: tuple[PaperCard, ...] = ()
    components: tuple[Component, ...] = ()
    ephemeral: bool = False
    footer: Text = ()

    @property
    def text(self) -> str:
        """The body as plain text (for logs, tests, and a platform's notification fallback)."""
        return plain_text(self.body)

    @property
    def buttons(self) -> tuple[Button, ...]:
        """The message's buttons, in order."""
        return tuple(c for c in self.components if isinstance(c, Button))

    @property
    def selects(self) -> tuple[Select, ...]:
        """The message's menus, in order."""
        return tuple(c for c in self.components if isinstance(c, Select))

    def to_payload(self) -> dict[str, Any]:
        """A JSON-ready dict, for the outbox."""
        return {
            "v": PAYLOAD_VERSION,
            "text": text_to_json(self.body),
            "title": self.title,
            "cards": [{**asdict(card), "reason": text_to_json(card.reason)} for card in self.cards],
            "components": [_component_to_json(c) for c in self.components],
            "ephemeral": self.ephemeral,
            "footer": text_to_json(self.footer),
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> OutboundMessage:
        """The message back from its outbox payload (ValueError if it cannot be read).

        A payload without `v` was written before text had pieces: its text and footer are
        shown as plain text, its buttons kept.
        """
        components: tuple[Component, ...]
        if payload.get("v") is None:
            components = tuple(Button(**button) for button in payload.get("buttons", ()))
        else:
            components = tuple(_component_from_json(c) for c in payload.get("components", ()))
        return cls(
            body=text_from_json(payload.get("text")),
            title=payload.get("title"),
            cards=tuple(_card_from_json(card) for card in payload.get("cards", ())),
            components=components,
            ephemeral=bool(payload.get("ephemeral", False)),
            footer=text_from_json(payload.get("footer")),
        )


PAYLOAD_VERSION = 2


def _card_from_json(card: Mapping[str, Any]) -> PaperCard:
    code_url = card.get("code_url")
    return PaperCard(
        **{
            **card,
            "authors": tuple(card.get("authors", ())),
            "categories": tuple(card.get("categories", ())),
            "terms": tuple(card.get("terms", ())),
            "reason": text_from_json(card.get("reason")),
            "code_url": code_url if code_url and safe_url(code_url) else None,
        }
    )


def _component_to_json(component: Component) -> dict[str, Any]:
    if isinstance(component, Button):
        return {"button": asdict(component)}
    return {"select": asdict(component)}


def _component_from_json(value: Mapping[str, Any]) -> Component:
    if "button" in value:
        return Button(**value["button"])
    menu = dict(value["select"])
    options = tuple(SelectOption(**option) for option in menu.pop("options"))
    return Select(**menu, options=options)


@dataclass(frozen=True, slots=True)
class ReplySpec:
    """How a command's or action's answer is shown, declared before its handler runs.

    `ephemeral`: only the user sees it (Discord `defer(ephemeral=True)`, Slack `respond` with
    `response_type="ephemeral"`). `slow`: it may take more than a second, so the adapter
    defers at once. Errors and refusals are always ephemeral, whatever was declared.
    """

    ephemeral: bool
    slow: bool = False


class Responder(Protocol):
    """The two capabilities a handler gets to reply: acknowledge now, answer when ready."""

    async def acknowledge(self, spec: ReplySpec) -> None:
        """Called first, before any work (Discord: defer; Slack: ack)."""
        ...

    async def answer(self, message: OutboundMessage) -> None:
        """Called once, with the answer (Discord: followup; Slack: respond)."""
        ...


PostErrorKind = Literal["retry", "refused", "gone"]


class PostError(Exception):
    """A platform did not take a post.

    `retry`: try again later (rate limit, server error). `refused`: this message will never be
    taken (too long, invalid blocks): it is marked failed and the channel's other messages go
    on. `gone`: the channel is deleted or closed to the bot: the channel's queue is held, its
    digest paused and the admins told.
    """

    def __init__(self, message: str, kind: PostErrorKind, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.kind: PostErrorKind = kind
        self.retry_after = retry_after

    @property
    def permanent(self) -> bool:
        """Whether retrying cannot help."""
        return self.kind != "retry"

    @classmethod
    def rate_limited(cls, retry_after: float | None, message: str = "rate limited") -> PostError:
        """HTTP 429 or a platform's rate limit: retried after `retry_after` seconds."""
        return cls(message, "retry", retry_after)

    @classmethod
    def unavailable(cls, message: str = "server error") -> PostError:
        """A 5xx or a dropped connection: retried with backoff."""
        return cls(message, "retry")

    @classmethod
    def refused(cls, message: str) -> PostError:
        """The platform will never take this message (a 400 on it): it alone fails."""
        return cls(message, "refused")

    @classmethod
    def gone(cls, message: str) -> PostError:
        """The channel was deleted or the bot lost access: never retried, the channel paused."""
        return cls(message, "gone")


class ChatPlatform(Protocol):
    """What the bot needs from a chat platform; adapters translate, they hold no logic."""

    platform: Platform

    @property
    def connected(self) -> bool:
        """Whether it is connected and taking events now (the health endpoint reports it)."""
        ...

    async def start(self) -> None:
        """Connect and begin delivering events to the handlers."""
        ...

    async def close(self) -> None:
        """Disconnect."""
        ...

    async def send(
        self, channel: ChannelRef, message: OutboundMessage, nonce: str | None = None
    ) -> MessageRef:
        """Post a message; raise PostError when the platform does not take it.

        `nonce` names this post: a platform that can (Discord's `nonce` with `enforce_nonce`)
        posts at most one message per nonce; the others attach it so `find_sent` can look.
        """
        ...

    async def find_sent(
        self, channel: ChannelRef, nonce: str, since: datetime
    ) -> MessageRef | None:
        """The message this bot posted with `nonce` in the channel since `since`, if any.

        Asked only after a crash or an unclear failure left a post in doubt; `since` is when
        that post was claimed (a little earlier, for clock skew), so only messages after it
        need a look: Slack reads history by message metadata from `since`, Discord the bot's
        own messages after it for the fingerprint it left.
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
