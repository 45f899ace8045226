"""Papers (upserted by arXiv id, newest version wins) and the harvester's watermarks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from digest.models import Paper
from digest.ports import Clock, UpsertResult
from storage.batching import batches
from storage.convert import paper_from_row, paper_values
from storage.tables import HarvestStateRow, PaperRow


class SqlPaperRepository:
    """PaperRepository on SQLAlchemy."""

    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    async def upsert_many(self, papers: Sequence[Paper]) -> UpsertResult:
        """Insert new papers; replace stored ones only with a newer version."""
        newest: dict[str, Paper] = {}
        for paper in papers:
            known = newest.get(paper.arxiv_id)
            if known is None or paper.version >= known.version:
                newest[paper.arxiv_id] = paper
        inserted = updated = unchanged = 0
        written: list[str] = []
        now = self._clock.now()
        for chunk in batches(list(newest.values())):
            ids = [paper.arxiv_id for paper in chunk]
            rows = await self._session.execute(
                select(PaperRow.arxiv_id, PaperRow.version).where(PaperRow.arxiv_id.in_(ids))
            )
            stored = dict(rows.all())
            fresh = [paper for paper in chunk if paper.arxiv_id not in stored]
            newer = [
                paper
                for paper in chunk
                if paper.arxiv_id in stored and paper.version > stored[paper.arxiv_id]
            ]
            if fresh:
                await self._session.execute(
                    insert(PaperRow),
                    [{**paper_values(paper), "stored_at": now} for paper in fresh],
                )
            for paper in newer:
                await self._session.execute(
                    update(PaperRow)
                    .where(PaperRow.arxiv_id == paper.arxiv_id)
                    .values(**paper_values(paper), stored_at=now)
                )
            written.extend(paper.arxiv_id for paper in (*fresh, *newer))
            inserted += len(fresh)
            updated += len(newer)
            unchanged += len(chunk) - len(fresh) - len(newer)
        unchanged += len(papers) - len(newest)
        return UpsertResult(inserted, updated, unchanged, tuple(written))

    async def get(self, arxiv_id: str) -> Paper | None:
        """One paper by id (without version)."""
        row = await self._session.get(PaperRow, arxiv_id)
        return paper_from_row(row) if row else None

    async def get_many(self, arxiv_ids: Iterable[str]) -> dict[str, Paper]:
        """Papers by id; missing ids are absent from the result."""
        found: dict[str, Paper] = {}
        for chunk in batches(sorted(set(arxiv_ids))):
            rows = await self._session.scalars(select(PaperRow).where(PaperRow.arxiv_id.in_(chunk)))
            found.update({row.arxiv_id: paper_from_row(row) for row in rows})
        return found

    async def announced_between(self, start: date, end: date) -> list[Paper]:
        """Papers announced on days start..end inclusive, oldest first."""
        rows = await self._session.scalars(
            select(PaperRow)
            .where(PaperRow.announced >= start, PaperRow.announced <= end)
            .order_by(PaperRow.announced, PaperRow.arxiv_id)
        )
        return [paper_from_row(row) for row in rows]

    async def count(self) -> int:
        """How many papers are stored."""
        return int(await self._session.scalar(select(func.count()).select_from(PaperRow)) or 0)

    async def newest_announced(self) -> date | None:
        """The latest announcement day of any stored paper."""
        return await self._session.scalar(select(func.max(PaperRow.announced)))


class SqlHarvestStateRepository:
    """HarvestStateRepository on SQLAlchemy."""

    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    async def get_watermark(self, key: str) -> datetime | None:
        """The end of the last fully stored window for `key`."""
        row = await self._session.get(HarvestStateRow, key)
        return row.watermark if row else None

    async def set_watermark(self, key: str, watermark: datetime) -> None:
        """Advance the watermark of `key` (only after its window is stored)."""
        row = await self._session.get(HarvestStateRow, key)
        if row is None:
            self._session.add(
                HarvestStateRow(key=key, watermark=watermark, updated_at=self._clock.now())
            )
        else:
            row.watermark = watermark
            row.updated_at = self._clock.now()
        await self._session.flush()
