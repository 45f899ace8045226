"""The shared list: nested, ordered sections and their entries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from digest.list_document import DocumentLayout, SectionLayout
from digest.models import ListEntry, ListSection, NewListEntry
from digest.ports import Clock
from storage.batching import batches
from storage.convert import (
    entry_from_row,
    item_layout_to_json,
    section_from_row,
    section_layout_to_json,
)
from storage.tables import ListEntryRow, ListLayoutRow, ListSectionRow


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


ENTRY_BATCH = 1000
ENTRIES: Table = ListEntryRow.__table__  # type: ignore[assignment]


class SqlListRepository:
    """ListRepository on SQLAlchemy."""

    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    async def sections(self, workspace_id: int, include_removed: bool = False) -> list[ListSection]:
        """All sections of a workspace's list, in display order (the removed ones if asked)."""
        query = select(ListSectionRow).where(ListSectionRow.workspace_id == workspace_id)
        if not include_removed:
            query = query.where(ListSectionRow.removed_at.is_(None))
        rows = await self._session.scalars(query)
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
        links: Sequence[tuple[str, str]] = (),
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
            links=[list(link) for link in links] or None,
        )
        self._session.add(row)
        await self._session.flush()
        return entry_from_row(row)

    async def add_entries(
        self,
        workspace_id: int,
        entries: Sequence[NewListEntry],
        now: datetime,
        added_by: str | None = None,
        approved_by: str | None = None,
    ) -> int:
        """Append entries at the end of their sections, in order, in a few statements."""
        next_position: dict[int, int] = {}
        for sections in batches(sorted({entry.section_id for entry in entries})):
            rows = await self._session.execute(
                select(ListEntryRow.section_id, func.max(ListEntryRow.position))
                .where(ListEntryRow.section_id.in_(sections))
                .group_by(ListEntryRow.section_id)
            )
            next_position.update({section: last + 1 for section, last in rows.all()})
        values = []
        for entry in entries:
            position = next_position.get(entry.section_id, 0)
            next_position[entry.section_id] = position + 1
            values.append(
                {
                    "workspace_id": workspace_id,
                    "section_id": entry.section_id,
                    "paper_id": entry.paper_id,
                    "external_url": entry.external_url,
                    "title": entry.title,
                    "venue": entry.venue,
                    "note": entry.note,
                    "position": position,
                    "added_by": added_by,
                    "approved_by": approved_by,
                    "added_at": now,
                    "removed_at": None,
                    "removed_by": None,
                    "links": [list(link) for link in entry.links] or None,
                    "venue_tag": entry.venue_tag,
                    "arxiv_url": entry.arxiv_url,
                    "children": list(entry.children) or None,
                    "layout": item_layout_to_json(entry.layout),
                }
            )
        # Core INSERT with many rows: compiled once, sent as multi-row VALUES batches.
        for chunk in batches(values, ENTRY_BATCH):
            await self._session.execute(insert(ENTRIES), chunk)
        return len(values)

    async def set_section_layouts(self, layouts: dict[int, SectionLayout]) -> None:
        """Keep sections' headings as an imported list wrote them, by section id."""
        for section_id, layout in layouts.items():
            await self._session.execute(
                update(ListSectionRow)
                .where(ListSectionRow.id == section_id)
                .values(layout=section_layout_to_json(layout))
            )

    async def layout(self, workspace_id: int) -> DocumentLayout | None:
        """What the workspace's imported list held before its first section, if it was kept."""
        row = await self._session.get(ListLayoutRow, workspace_id)
        if row is None:
            return None
        return DocumentLayout(row.style, tuple(str(line) for line in row.preamble))

    async def set_layout(self, workspace_id: int, layout: DocumentLayout) -> None:
        """Keep what an imported list held before its first section (replacing what was)."""
        row = await self._session.get(ListLayoutRow, workspace_id)
        if row is None:
            row = ListLayoutRow(workspace_id=workspace_id)
            self._session.add(row)
        row.style = layout.style
        row.preamble = list(layout.preamble)
        await self._session.flush()

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

    async def get_entry(self, entry_id: int) -> ListEntry | None:
        """One entry by id (removed ones too)."""
        row = await self._session.get(ListEntryRow, entry_id)
        return entry_from_row(row) if row else None

    async def _live_in_section(self, section_id: int) -> list[ListEntryRow]:
        rows = await self._session.scalars(
            select(ListEntryRow)
            .where(ListEntryRow.section_id == section_id, ListEntryRow.removed_at.is_(None))
            .order_by(ListEntryRow.position, ListEntryRow.id)
        )
        return list(rows)

    async def move_entry(
        self, entry_id: int, section_id: int, position: int | None = None
    ) -> ListEntry:
        """Put an entry in a section, at `position` among its entries (0 first) or last."""
        row = await self._session.get_one(ListEntryRow, entry_id)
        target = await self._session.get_one(ListSectionRow, section_id)
        if target.workspace_id != row.workspace_id:
            raise ValueError("an entry cannot move to another workspace's list")
        others = [r for r in await self._live_in_section(section_id) if r.id != row.id]
        if position is None:
            # Appending keeps every other entry's position, so exports change by one line.
            last = max((r.position for r in others), default=-1)
            row.position = last + 1
        else:
            index = max(0, min(position, len(others)))
            others.insert(index, row)
            for number, entry in enumerate(others):
                entry.position = number
        row.section_id = section_id
        await self._session.flush()
        return entry_from_row(row)

    async def remove_entry(self, entry_id: int, removed_by: str, now: datetime) -> ListEntry:
        """Take an entry off the list; the row stays, with who removed it and when."""
        row = await self._session.get_one(ListEntryRow, entry_id)
        if row.removed_at is None:
            row.removed_at = now
            row.removed_by = removed_by
            await self._session.flush()
        return entry_from_row(row)

    async def rename_section(self, section_id: int, title: str) -> ListSection:
        """Give a section a new title."""
        row = await self._session.get_one(ListSectionRow, section_id)
        row.title = title
        await self._session.flush()
        return section_from_row(row)

    async def move_section(self, section_id: int, position: int) -> ListSection:
        """Reorder a section among its siblings (0 first); the others keep their order."""
        row = await self._session.get_one(ListSectionRow, section_id)
        siblings = list(
            await self._session.scalars(
                select(ListSectionRow)
                .where(
                    ListSectionRow.workspace_id == row.workspace_id,
                    ListSectionRow.parent_id.is_(None)
                    if row.parent_id is None
                    else ListSectionRow.parent_id == row.parent_id,
                    ListSectionRow.id != row.id,
                    ListSectionRow.removed_at.is_(None),
                )
                .order_by(ListSectionRow.position, ListSectionRow.id)
            )
        )
        siblings.insert(max(0, min(position, len(siblings))), row)
        for number, section in enumerate(siblings):
            section.position = number
        await self._session.flush()
        return section_from_row(row)

    async def remove_sections(
        self, section_ids: Sequence[int], removed_by: str, now: datetime
    ) -> None:
        """Take sections off the list; their rows stay, with who removed them and when."""
        for chunk in batches(sorted(section_ids)):
            await self._session.execute(
                update(ListSectionRow)
                .where(ListSectionRow.id.in_(chunk), ListSectionRow.removed_at.is_(None))
                .values(removed_at=now, removed_by=removed_by)
            )
