"""The shared list: nested, ordered sections and their entries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from digest.models import ListEntry, ListSection
from digest.ports import Clock
from storage.convert import entry_from_row, section_from_row
from storage.tables import ListEntryRow, ListSectionRow


def _display_order(sections: list[ListSection]) -> list[ListSection]:
    """Sections depth first: each parent before its children, siblings by position."""
    children: dict[int | None, list[ListSection]] = {}
    for section in sections:
        children.setdefault(section.parent_id, []).append(section)
    ordered: list[ListSection] = []

    def walk(parent: int | None) -> None:
        for section in sorted(children.get(parent, []), key=lambda s: (s.position, s.id)):
            ordered.append(section)
            walk(section.id)

    walk(None)
    return ordered


class SqlListRepository:
    """ListRepository on SQLAlchemy."""

    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    async def sections(self, workspace_id: int) -> list[ListSection]:
        """All sections of a workspace's list, in display order."""
        rows = await self._session.scalars(
            select(ListSectionRow).where(ListSectionRow.workspace_id == workspace_id)
        )
        return _display_order([section_from_row(row) for row in rows])

    async def add_section(
        self, workspace_id: int, title: str, parent_id: int | None, position: int | None = None
    ) -> ListSection:
        """A new section, last among its siblings unless a position is given."""
        if position is None:
            last = await self._session.scalar(
                select(func.max(ListSectionRow.position)).where(
                    ListSectionRow.workspace_id == workspace_id,
                    ListSectionRow.parent_id.is_(None)
                    if parent_id is None
                    else ListSectionRow.parent_id == parent_id,
                )
            )
            position = 0 if last is None else last + 1
        row = ListSectionRow(
            workspace_id=workspace_id, title=title, parent_id=parent_id, position=position
        )
        self._session.add(row)
        await self._session.flush()
        return section_from_row(row)

    async def entries(self, workspace_id: int, include_removed: bool = False) -> list[ListEntry]:
        """Entries of a workspace's list, ordered by section and position."""
        query = select(ListEntryRow).where(ListEntryRow.workspace_id == workspace_id)
        if not include_removed:
            query = query.where(ListEntryRow.removed_at.is_(None))
        rows = await self._session.scalars(
            query.order_by(ListEntryRow.section_id, ListEntryRow.position, ListEntryRow.id)
        )
        order = {s.id: i for i, s in enumerate(await self.sections(workspace_id))}
        entries = [entry_from_row(row) for row in rows]
        return sorted(entries, key=lambda e: (order.get(e.section_id, len(order)), e.position))

    async def add_entry(
        self,
        workspace_id: int,
        section_id: int,
        title: str,
        now: datetime,
        paper_id: str | None = None,
        external_url: str | None = None,
        venue: str | None = None,
        note: str | None = None,
        added_by: str | None = None,
        approved_by: str | None = None,
    ) -> ListEntry:
        """Append an entry at the end of its section."""
        last = await self._session.scalar(
            select(func.max(ListEntryRow.position)).where(ListEntryRow.section_id == section_id)
        )
        row = ListEntryRow(
            workspace_id=workspace_id,
            section_id=section_id,
            paper_id=paper_id,
            external_url=external_url,
            title=title,
            venue=venue,
            note=note,
            position=0 if last is None else last + 1,
            added_by=added_by,
            approved_by=approved_by,
            added_at=now,
        )
        self._session.add(row)
        await self._session.flush()
        return entry_from_row(row)

    async def entry_for_paper(self, workspace_id: int, paper_id: str) -> ListEntry | None:
        """The live entry holding a paper, if the paper is on the list."""
        row = await self._session.scalar(
            select(ListEntryRow).where(
                ListEntryRow.workspace_id == workspace_id,
                ListEntryRow.paper_id == paper_id,
                ListEntryRow.removed_at.is_(None),
            )
        )
        return entry_from_row(row) if row else None

    async def paper_ids_on_list(self, workspace_id: int) -> set[str]:
        """Ids of all papers currently on the list."""
        rows = await self._session.scalars(
            select(ListEntryRow.paper_id).where(
                ListEntryRow.workspace_id == workspace_id,
                ListEntryRow.paper_id.is_not(None),
                ListEntryRow.removed_at.is_(None),
            )
        )
        return {paper_id for paper_id in rows if paper_id}
