"""Publish targets: where each workspace's list goes, what was last published, what is due."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from digest.ports import Clock
from digest.publish_state import Publication, PublishedEntry, PublishState, PublishTarget
from storage.tables import PublishTargetRow


def _entries_to_json(entries: Mapping[int, PublishedEntry]) -> dict[str, Any]:
    return {
        str(key): {"title": e.title, "section": e.section, "link": e.link}
        for key, e in entries.items()
    }


def _entries_from_json(value: dict[str, Any] | None) -> dict[int, PublishedEntry] | None:
    if value is None:
        return None
    return {
        int(key): PublishedEntry(str(e["title"]), str(e["section"]), e.get("link"))
        for key, e in value.items()
    }


def _publication(row: PublishTargetRow) -> Publication:
    target = PublishTarget(
        workspace_id=row.workspace_id,
        repository=row.repository,
        branch=row.branch,
        path=row.path,
        format=row.format,
        style=row.style,
        trigger=row.trigger,
        daily_at=row.daily_at,
        github_repo=row.github_repo,
    )
    state = PublishState(
        entries=_entries_from_json(row.published_entries),
        published_at=row.published_at,
        commit=row.published_commit,
        pull_request=row.pull_request,
        requested_at=row.requested_at,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        daily_done=row.daily_done,
    )
    return Publication(target, state)


class SqlPublishRepository:
    """PublishRepository on SQLAlchemy."""

    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    async def get(self, workspace_id: int) -> Publication | None:
        """A workspace's target and state, if it publishes."""
        row = await self._session.get(PublishTargetRow, workspace_id)
        return _publication(row) if row else None

    async def save_target(self, target: PublishTarget) -> Publication:
        """Set where a workspace publishes; what was published before is kept."""
        row = await self._session.get(PublishTargetRow, target.workspace_id)
        if row is None:
            row = PublishTargetRow(workspace_id=target.workspace_id, attempts=0)
            self._session.add(row)
        row.repository = target.repository
        row.branch = target.branch
        row.path = target.path
        row.format = target.format
        row.style = target.style
        row.trigger = target.trigger
        row.daily_at = target.daily_at
        row.github_repo = target.github_repo
        await self._session.flush()
        return _publication(row)

    async def delete(self, workspace_id: int) -> None:
        """Stop publishing a workspace's list."""
        await self._session.execute(
            delete(PublishTargetRow).where(PublishTargetRow.workspace_id == workspace_id)
        )

    async def all(self) -> list[Publication]:
        """Every workspace's target."""
        rows = await self._session.scalars(
            select(PublishTargetRow).order_by(PublishTargetRow.workspace_id)
        )
        return [_publication(row) for row in rows]

    async def request(self, workspace_id: int, now: datetime) -> None:
        """Make a publish due: now, or when a failed one is retried (it keeps its back-off)."""
        row = await self._session.get(PublishTargetRow, workspace_id)
        if row is None:
            return
        if row.requested_at is None or row.next_attempt_at is None:
            row.next_attempt_at = now
        row.requested_at = now
        await self._session.flush()

    async def set_daily_done(self, workspace_id: int, slot: datetime) -> None:
        """Record that the daily publish of `slot` was asked for."""
        await self._session.execute(
            update(PublishTargetRow)
            .where(PublishTargetRow.workspace_id == workspace_id)
            .values(daily_done=slot)
        )

    async def due(self, now: datetime) -> list[int]:
        """Workspaces whose publish is due and not claimed by a live attempt."""
        rows = await self._session.scalars(
            select(PublishTargetRow.workspace_id)
            .where(
                PublishTargetRow.requested_at.is_not(None),
                PublishTargetRow.next_attempt_at <= now,
                or_(
                    PublishTargetRow.claimed_until.is_(None),
                    PublishTargetRow.claimed_until < now,
                ),
            )
            .order_by(PublishTargetRow.workspace_id)
        )
        return list(rows)

    async def claim(self, workspace_id: int, now: datetime, until: datetime) -> bool:
        """Take the workspace's publish until `until`; False if a live attempt holds it."""
        result = await self._session.execute(
            update(PublishTargetRow)
            .where(
                PublishTargetRow.workspace_id == workspace_id,
                or_(
                    PublishTargetRow.claimed_until.is_(None),
                    PublishTargetRow.claimed_until < now,
                ),
            )
            .values(claimed_until=until)
        )
        return bool(getattr(result, "rowcount", 0))

    async def succeeded(
        self,
        workspace_id: int,
        entries: Mapping[int, PublishedEntry],
        commit: str | None,
        pull_request: str | None,
        now: datetime,
        requested_before: datetime | None,
    ) -> None:
        """Record a publish: what it wrote; the due publish is done unless asked for again
        after `requested_before` (the publish started then)."""
        row = await self._session.get_one(PublishTargetRow, workspace_id)
        row.published_entries = _entries_to_json(entries)
        row.published_at = now
        row.published_commit = commit
        row.pull_request = pull_request or row.pull_request
        row.attempts = 0
        row.last_error = None
        row.claimed_until = None
        if row.requested_at is not None and (
            requested_before is None or row.requested_at <= requested_before
        ):
            row.requested_at = None
            row.next_attempt_at = None
        await self._session.flush()

    async def failed(self, workspace_id: int, error: str, next_attempt_at: datetime) -> int:
        """Record a failed publish, due again at `next_attempt_at`; returns the attempts so far.
        What was last published stays as it was."""
        row = await self._session.get_one(PublishTargetRow, workspace_id)
        row.attempts += 1
        row.last_error = error
        row.requested_at = row.requested_at or self._clock.now()
        row.next_attempt_at = next_attempt_at
        row.claimed_until = None
        await self._session.flush()
        return row.attempts
