"""What every handler shares: the store, the clock, the defaults, and the change listeners."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import time

from bot.ports import ChannelKey, ChannelRef, UserRef
from bot.rich_text import Part, Text, plain_text, text
from digest.models import Workspace, WorkspaceSettings
from digest.offload import Offload
from digest.ports import Clock, Store, Unit
from digest.relevance import Relevance, training_set
from digest.sections import SectionSuggester, training_examples

Listener = Callable[[], Awaitable[None]]
# Told which channel's subscriptions changed; None: any channel's may have.
SubscriptionsListener = Callable[[ChannelKey | None], Awaitable[None]]
WorkspaceListener = Callable[[int], Awaitable[None]]
# CPU seconds a rule may take to match the backlog (topic-add, -edit, -check): a typical rule
# over four weeks of cs.* papers takes well under one; beyond this it is refused.
MATCH_BUDGET = 5.0


@dataclass(frozen=True, slots=True)
class Defaults:
    """Defaults for new workspaces, subscriptions and topics, from the settings."""

    timezone: str = "UTC"
    weekday: int = 0
    at: time = time(9, 0)
    cap: int = 15
    backlog_weeks: int = 4
    match_budget: float = MATCH_BUDGET

    def workspace_settings(self) -> WorkspaceSettings:
        """The settings a workspace starts with (its admins change them with /paper settings)."""
        return WorkspaceSettings(
            timezone=self.timezone, digest_weekday=self.weekday, digest_time=self.at
        )


class UserError(Exception):
    """Something the user can fix; the message (pieces, or plain text) is shown to them."""

    def __init__(self, *parts: Part) -> None:
        self.message: Text = text(*parts)
        super().__init__(plain_text(self.message))


def is_admin(user: UserRef, settings: WorkspaceSettings) -> bool:
    """Whether the user may do admin things: the platform calls them an administrator, or they
    hold the workspace's `admin-role` (a Discord role or Slack user group)."""
    return user.platform_admin or (
        settings.admin_role is not None and settings.admin_role in user.role_ids
    )


@dataclass(frozen=True, slots=True)
class Context:
    """The small set of capabilities a command handler gets."""

    store: Store
    clock: Clock
    defaults: Defaults
    suggester: SectionSuggester
    offload: Offload
    relevance: Relevance
    on_subscriptions_changed: SubscriptionsListener | None = None
    on_outbox_changed: Listener | None = None
    on_list_changed: WorkspaceListener | None = None

    async def notify(
        self, subscriptions: bool = False, outbox: bool = False, channel: ChannelKey | None = None
    ) -> None:
        """Tell the scheduler (about one channel, or any) or the delivery loop that their work
        changed."""
        if subscriptions and self.on_subscriptions_changed:
            await self.on_subscriptions_changed(channel)
        if outbox and self.on_outbox_changed:
            await self.on_outbox_changed()

    async def workspace(self, unit: Unit, channel: ChannelRef) -> Workspace:
        """The workspace a channel belongs to, created on its first event."""
        return await unit.workspaces.get_or_create(
            channel.platform,
            channel.workspace_id,
            channel.workspace_name or channel.workspace_id,
            self.defaults.workspace_settings(),
        )

    async def list_changed(self, workspace_id: int) -> None:
        """The list changed: start retraining its section and relevance models in the
        background, and tell the publisher (which publishes when the workspace asks for that)."""
        async with self.store.unit() as unit:
            examples = await training_examples(unit, workspace_id)
            training = await training_set(unit, workspace_id)
        if examples:
            self.suggester.refresh(workspace_id, examples)
        self.relevance.refresh(workspace_id, training)
        if self.on_list_changed:
            await self.on_list_changed(workspace_id)

    async def decisions_changed(self, workspace_id: int) -> None:
        """A nomination was rejected: start retraining the relevance model in the background."""
        async with self.store.unit() as unit:
            training = await training_set(unit, workspace_id)
        self.relevance.refresh(workspace_id, training)
