"""Papers (upserted by arXiv id, newest version wins) and the harvester's watermarks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlalchemy import Table, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import ReturningInsert

from digest.models import Paper
from digest.ports import Clock, UpsertResult
from storage.batching import batches
from storage.convert import paper_from_row, paper_values
from storage.tables import HarvestStateRow, PaperRow

# Ids per round trip: well under SQLite's 32,766 bound parameters for the IN list, and large
# enough that a dump loads in few statements (SQLAlchemy splits the INSERT itself as needed).
UPSERT_BATCH = 5000
PAPERS: Table = PaperRow.__table__  # type: ignore[assignment]
UPDATED_COLUMNS = tuple(c.name for c in PAPERS.columns if c.name != "arxiv_id")


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
        inserted = updated = 0
        written: list[str] = []
        now = self._clock.now()
        for chunk in batches(list(newest.values()), UPSERT_BATCH):
            # Reading the stored versions first means papers already there cost no write at all,
            # and tells inserted from updated; the ON CONFLICT guard keeps it right under races.
            rows = await self._session.execute(
                select(PaperRow.arxiv_id, PaperRow.version).where(
                    PaperRow.arxiv_id.in_([paper.arxiv_id for paper in chunk])
                )
            )
            stored: dict[str, int] = dict(rows.all())
            # -1 for unknown ids: a stub from an imported list has version 0 and must be stored.
            wanted = [
                {**paper_values(paper), "stored_at": now}
                for paper in chunk
                if paper.version > stored.get(paper.arxiv_id, -1)
            ]
            if not wanted:
                continue
            result = await self._session.execute(self._upsert_statement(), wanted)
            for (arxiv_id,) in result:
                written.append(arxiv_id)
                if arxiv_id in stored:
                    updated += 1
                else:
                    inserted += 1
        unchanged = len(papers) - inserted - updated
        return UpsertResult(inserted, updated, unchanged, tuple(written))

    def _upsert_statement(self) -> ReturningInsert[str]:
        """An INSERT that updates a stored paper only to a newer version, naming what it wrote."""
        dialect = self._session.get_bind().dialect.name
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        # On the Core table, not the ORM class: executed with many rows, SQLAlchemy compiles it
        # once and sends multi-row VALUES batches ("insertmanyvalues"); the ORM's bulk path goes
        # row by row here and is several times slower.
        statement = insert(PAPERS)
        excluded = statement.excluded
        return statement.on_conflict_do_update(
            index_elements=[PAPERS.c.arxiv_id],
            set_={name: excluded[name] for name in UPDATED_COLUMNS},
            where=excluded.version > PAPERS.c.version,
        ).returning(PAPERS.c.arxiv_id)

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

    async def count_updated_between(self, category: str, start: datetime, end: datetime) -> int:
        """How many stored papers in `category` (or `cs.*`) were last updated in [start, end)."""
        rows = await self._session.scalars(
            select(PaperRow.categories).where(PaperRow.updated >= start, PaperRow.updated < end)
        )
        # Categories are a JSON list; filtering in Python keeps this the same on both engines,
        # and a window holds at most a few thousand papers.
        if category.endswith(".*"):
            prefix = category[:-1]
            return sum(1 for cats in rows if any(str(c).startswith(prefix) for c in cats))
        return sum(1 for cats in rows if category in cats)


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

    async def all(self) -> dict[str, datetime]:
        """Every harvest key with its watermark."""
        rows = await self._session.execute(
            select(HarvestStateRow.key, HarvestStateRow.watermark).order_by(HarvestStateRow.key)
        )
        return dict(rows.all())
