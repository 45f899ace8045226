"""Workspaces and their settings."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from digest.models import Platform, Workspace, WorkspaceSettings
from digest.ports import Clock
from storage.convert import workspace_from_row
from storage.tables import WorkspaceRow

log = logging.getLogger(__name__)
# The platforms whose first workspace adopts the local one (the console is for trying things).
ADOPTERS = (Platform.DISCORD, Platform.SLACK)


def _apply(row: WorkspaceRow, settings: WorkspaceSettings) -> None:
    """Write every setting onto the row."""
    row.admin_role = settings.admin_role
    row.review_channel = settings.review_channel
    row.nomination_emoji = settings.nomination_emoji
    row.timezone = settings.timezone
    row.digest_weekday = settings.digest_weekday
    row.digest_time = settings.digest_time
    row.list_title = settings.list_title
    row.list_style = settings.list_style
    row.auto_approve_votes = settings.auto_approve_votes
    row.ranking = settings.ranking


class SqlWorkspaceRepository:
    """WorkspaceRepository on SQLAlchemy."""

    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    async def get_or_create(
        self,
        platform: Platform,
        external_id: str,
        name: str,
        initial: WorkspaceSettings | None = None,
    ) -> Workspace:
        """The workspace for a guild or team, created with `initial` settings if new. The first
        Discord guild or Slack team adopts the local workspace instead, when there is one: its
        list, topics and settings become that guild's or team's."""
        row = await self._session.scalar(
            select(WorkspaceRow).where(
                WorkspaceRow.platform == platform.value, WorkspaceRow.external_id == external_id
            )
        )
        if row is None and platform in ADOPTERS:
            row = await self._adoptable()
            if row is not None:
                log.info("%s workspace %s adopts the local workspace #%d", platform, name, row.id)
                row.platform, row.external_id, row.name = platform.value, external_id, name
                await self._session.flush()
        if row is None:
            row = WorkspaceRow(
                platform=platform.value,
                external_id=external_id,
                name=name,
                created_at=self._clock.now(),
            )
            _apply(row, initial or WorkspaceSettings())
            self._session.add(row)
            await self._session.flush()
        elif name and row.name != name:
            row.name = name
        return workspace_from_row(row)

    async def _adoptable(self) -> WorkspaceRow | None:
        """The local workspace, while no Discord guild or Slack team has a workspace yet."""
        rows = list(
            await self._session.scalars(
                select(WorkspaceRow)
                .where(WorkspaceRow.platform.in_([p.value for p in (*ADOPTERS, Platform.LOCAL)]))
                .with_for_update()
            )
        )
        if any(row.platform != Platform.LOCAL.value for row in rows):
            return None
        return next(iter(rows), None)

    async def get(self, workspace_id: int) -> Workspace | None:
        """One workspace by id."""
        row = await self._session.get(WorkspaceRow, workspace_id)
        return workspace_from_row(row) if row else None

    async def update_settings(self, workspace_id: int, settings: WorkspaceSettings) -> Workspace:
        """Replace a workspace's settings."""
        row = await self._session.get_one(WorkspaceRow, workspace_id)
        _apply(row, settings)
        await self._session.flush()
        return workspace_from_row(row)

    async def all(self) -> list[Workspace]:
        """Every workspace."""
        rows = await self._session.scalars(select(WorkspaceRow).order_by(WorkspaceRow.id))
        return [workspace_from_row(row) for row in rows]
