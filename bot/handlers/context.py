"""What every handler shares: the store, the clock, the defaults, and the change listeners."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import time

from bot.ports import ChannelRef
from digest.models import Workspace, WorkspaceSettings
from digest.ports import Clock, Store, Unit
from digest.sections import SectionSuggester

Listener = Callable[[], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Defaults:
    """Defaults for new workspaces, subscriptions and topics, from the settings."""

    timezone: str = "UTC"
    weekday: int = 0
    at: time = time(9, 0)
    cap: int = 15
    backlog_weeks: int = 4

    def workspace_settings(self) -> WorkspaceSettings:
        """The settings a workspace starts with (its admins change them with /paper settings)."""
        return WorkspaceSettings(
            timezone=self.timezone, digest_weekday=self.weekday, digest_time=self.at
        )


class UserError(Exception):
    """Something the user can fix; the message is shown to them."""


@dataclass(frozen=True, slots=True)
class Context:
    """The small set of capabilities a command handler gets."""

    store: Store
    clock: Clock
    defaults: Defaults
    suggester: SectionSuggester
    on_subscriptions_changed: Listener | None = None
    on_outbox_changed: Listener | None = None

    async def notify(self, subscriptions: bool = False, outbox: bool = False) -> None:
        """Tell the scheduler or the delivery loop that their work changed."""
        if subscriptions and self.on_subscriptions_changed:
            await self.on_subscriptions_changed()
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
