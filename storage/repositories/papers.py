"""Papers (upserted by arXiv id, newest version wins) and the harvester's watermarks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from digest.models import Paper
from digest.ports import Clock, UpsertResult
from storage.batching import batches
from storage.convert import authors_from_json, paper_from_row
from storage.paper_rows import PAPER_COLUMNS, RowMaker
from storage.staging_copy import copy_to_staging
from storage.tables import HarvestStateRow, PaperRow

# Ids per round trip: well under SQLite's 32,766 bound parameters for the IN list, and large
# enough that a dump loads in few statements.
UPSERT_BATCH = 5000
# What the matcher reads of a paper (digest.paper_text): a backlog scan loads only these.
MATCHED_COLUMNS = (
    PaperRow.arxiv_id,
    PaperRow.title,
    PaperRow.abstract,
    PaperRow.authors,
    PaperRow.categories,
    PaperRow.comment,
    PaperRow.journal_ref,
    PaperRow.venue,
    PaperRow.code_url,
)
UPDATED_COLUMNS = tuple(name for name in PAPER_COLUMNS if name != "arxiv_id")
LISTED = ", ".join(PAPER_COLUMNS)
STAGING = "paper_staging"
# SQLite: one prepared statement run over every row of a chunk (executemany); a stored paper
# is replaced only by a newer version (the guard should another writer have come in between).
SQLITE_UPSERT = (
    f"INSERT INTO papers ({LISTED}) VALUES ({', '.join('?' for _ in PAPER_COLUMNS)}) "
    "ON CONFLICT (arxiv_id) DO UPDATE SET "
    + ", ".join(f"{name} = excluded.{name}" for name in UPDATED_COLUMNS)
    + " WHERE excluded.version > papers.version"
)
# PostgreSQL: the chunk is COPied into a staging table, then written by one statement that
# names what it wrote; xmax is 0 on a row this statement inserted, set on one it updated.
POSTGRES_UPSERT = (
    f"INSERT INTO papers ({LISTED}) SELECT {LISTED} FROM {STAGING} "
    "ON CONFLICT (arxiv_id) DO UPDATE SET "
    + ", ".join(f"{name} = EXCLUDED.{name}" for name in UPDATED_COLUMNS)
    + " WHERE EXCLUDED.version > papers.version RETURNING arxiv_id, xmax = 0"
)


class SqlPaperRepository:
    """PaperRepository on SQLAlchemy."""

    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    async def upsert_many(self, papers: Sequence[Paper]) -> UpsertResult:
        """Insert new papers; replace stored ones only with a newer version.

        The stored versions are read first and only new or newer papers are written, so a
        reload of papers already stored writes nothing on either engine.
        """
        newest: dict[str, Paper] = {}
        for paper in papers:
            known = newest.get(paper.arxiv_id)
            if known is None or paper.version >= known.version:
                newest[paper.arxiv_id] = paper
        connection = await self._session.connection()
        postgres = connection.dialect.name == "postgresql"
        rows = RowMaker(connection.dialect)
        now = self._clock.now()
        inserted = 0
        written: list[str] = []
        for chunk in batches(list(newest.values()), UPSERT_BATCH):
            stored = await self._stored_versions(connection, [p.arxiv_id for p in chunk])
            # -1 for unknown ids: a stub from an imported list has version 0 and must be stored.
            wanted = [p for p in chunk if p.version > stored.get(p.arxiv_id, -1)]
            if not wanted:
                continue
            if postgres:
                found = await self._write_copied(connection, rows.papers(wanted, now))
                inserted += sum(1 for _, new in found if new)
                written += (arxiv_id for arxiv_id, _ in found)
            else:
                # One process owns a SQLite file, so the versions read above still hold.
                await connection.exec_driver_sql(SQLITE_UPSERT, rows.papers(wanted, now))
                inserted += sum(1 for paper in wanted if paper.arxiv_id not in stored)
                written += (paper.arxiv_id for paper in wanted)
        updated = len(written) - inserted
        unchanged = len(papers) - inserted - updated
        return UpsertResult(inserted, updated, unchanged, tuple(written))

    @staticmethod
    async def _stored_versions(connection: AsyncConnection, ids: list[str]) -> dict[str, int]:
        """The stored version of each of these ids that is stored."""
        if connection.dialect.name == "postgresql":
            result = await connection.exec_driver_sql(
                "SELECT arxiv_id, version FROM papers WHERE arxiv_id = ANY(%s)", (ids,)
            )
        else:
            marks = ", ".join("?" for _ in ids)
            result = await connection.exec_driver_sql(
                f"SELECT arxiv_id, version FROM papers WHERE arxiv_id IN ({marks})", tuple(ids)
            )
        rows: list[Any] = list(result.all())
        return {str(arxiv_id): int(version) for arxiv_id, version in rows}

    @staticmethod
    async def _write_copied(
        connection: AsyncConnection, rows: list[tuple[Any, ...]]
    ) -> list[tuple[str, bool]]:
        """PostgreSQL: COPY rows into a staging table, then one INSERT ... ON CONFLICT from
        it; (arxiv_id, inserted) for every row it wrote."""
        await copy_to_staging(connection, STAGING, "papers", PAPER_COLUMNS, rows)
        found: list[Any] = list((await connection.exec_driver_sql(POSTGRES_UPSERT)).all())
        await connection.exec_driver_sql(f"DROP TABLE {STAGING}")
        return [(str(arxiv_id), bool(new)) for arxiv_id, new in found]

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

    async def matchable_between(self, start: date, end: date) -> list[Paper]:
        """Papers announced on days start..end inclusive, with only the columns a rule is
        matched on (no ORM rows: a topic's backlog scan reads tens of thousands)."""
        rows = await self._session.execute(
            select(*MATCHED_COLUMNS)
            .where(PaperRow.announced >= start, PaperRow.announced <= end)
            .order_by(PaperRow.announced, PaperRow.arxiv_id)
        )
        return [
            Paper(
                arxiv_id=row.arxiv_id,
                title=row.title,
                abstract=row.abstract,
                authors=authors_from_json(row.authors),
                categories=tuple(row.categories),
                comment=row.comment,
                journal_ref=row.journal_ref,
                venue=row.venue,
                code_url=row.code_url,
            )
            for row in rows
        ]

    async def count(self) -> int:
        """How many papers are stored."""
        return int(await self._session.scalar(select(func.count()).select_from(PaperRow)) or 0)

    async def newest_announced(self) -> date | None:
        """The latest announcement day of any stored paper."""
        return await self._session.scalar(select(func.max(PaperRow.announced)))

    async def count_updated_between(
        self, categories: str | Sequence[str], start: datetime, end: datetime
    ) -> int:
        """How many stored papers in any of these categories (or `cs.*`) were last updated in
        [start, end), each counted once."""
        wanted = (categories,) if isinstance(categories, str) else tuple(categories)
        exact = {c for c in wanted if not c.endswith(".*")}
        prefixes = tuple(c[:-1] for c in wanted if c.endswith(".*"))
        rows = await self._session.scalars(
            select(PaperRow.categories).where(PaperRow.updated >= start, PaperRow.updated < end)
        )
        # Categories are a JSON list; filtering in Python keeps this the same on both engines,
        # and a window holds at most a few thousand papers.
        return sum(
            1
            for cats in rows
            if any(c in exact or (prefixes and str(c).startswith(prefixes)) for c in cats)
        )


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
