"""Papers (upserted by arXiv id, newest version wins) and the harvester's watermarks."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, func, select, text
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from digest.models import Paper
from digest.ports import Clock, UpsertResult
from storage.batching import batches
from storage.convert import paper_from_row, paper_values
from storage.tables import HarvestStateRow, PaperRow

# Ids per round trip: well under SQLite's 32,766 bound parameters for the IN list, and large
# enough that a dump loads in few statements.
UPSERT_BATCH = 5000
PAPERS: Table = PaperRow.__table__  # type: ignore[assignment]
UPDATED_COLUMNS = tuple(c.name for c in PAPERS.columns if c.name != "arxiv_id")
STAGING = "paper_staging"


def _on_conflict_newer(statement: SqliteInsert) -> SqliteInsert:
    """The INSERT updating a stored paper only to a newer version (the guard under races)."""
    excluded = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=[PAPERS.c.arxiv_id],
        set_={name: excluded[name] for name in UPDATED_COLUMNS},
        where=excluded.version > PAPERS.c.version,
    )


def _copy_value(value: Any) -> Any:
    """A column value as COPY takes it: JSON columns as their text."""
    return json.dumps(value) if isinstance(value, list) else value


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
        if self._session.get_bind().dialect.name == "postgresql":
            inserted, written = await self._upsert_copied(list(newest.values()))
        else:
            inserted, written = await self._upsert_newer(list(newest.values()))
        updated = len(written) - inserted
        unchanged = len(papers) - inserted - updated
        return UpsertResult(inserted, updated, unchanged, tuple(written))

    async def _upsert_newer(self, papers: list[Paper]) -> tuple[int, list[str]]:
        """SQLite: read the stored versions, then write only what is new or newer, in one
        executemany per chunk (papers already there cost no write at all)."""
        inserted = 0
        written: list[str] = []
        now = self._clock.now()
        for chunk in batches(papers, UPSERT_BATCH):
            rows = await self._session.execute(
                select(PaperRow.arxiv_id, PaperRow.version).where(
                    PaperRow.arxiv_id.in_([paper.arxiv_id for paper in chunk])
                )
            )
            stored: dict[str, int] = dict(rows.all())
            # -1 for unknown ids: a stub from an imported list has version 0 and must be stored.
            wanted = [p for p in chunk if p.version > stored.get(p.arxiv_id, -1)]
            if not wanted:
                continue
            # Without RETURNING, SQLAlchemy hands the rows to the driver's executemany in one
            # go; one process owns a SQLite file, so the versions read above still hold.
            await self._session.execute(
                _on_conflict_newer(sqlite_insert(PAPERS)),
                [{**paper_values(paper), "stored_at": now} for paper in wanted],
            )
            written += (paper.arxiv_id for paper in wanted)
            inserted += sum(1 for paper in wanted if paper.arxiv_id not in stored)
        return inserted, written

    async def _upsert_copied(self, papers: list[Paper]) -> tuple[int, list[str]]:
        """PostgreSQL: COPY every paper into a staging table, then one INSERT ... ON CONFLICT
        from it that writes only new or newer versions and names what it wrote."""
        if not papers:
            return 0, []
        now = self._clock.now()
        columns = [column.name for column in PAPERS.columns]
        listed = ", ".join(columns)
        await self._session.execute(
            text(f"CREATE TEMP TABLE {STAGING} (LIKE papers INCLUDING DEFAULTS) ON COMMIT DROP")
        )
        connection = await self._session.connection()
        raw = (await connection.get_raw_connection()).driver_connection
        assert raw is not None  # the psycopg connection under the session's transaction
        async with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY {STAGING} ({listed}) FROM STDIN") as copy,
        ):
            for paper in papers:
                values = {**paper_values(paper), "stored_at": now}
                await copy.write_row([_copy_value(values[name]) for name in columns])
        rows = await self._session.execute(
            text(
                f"INSERT INTO papers ({listed}) SELECT {listed} FROM {STAGING} "
                "ON CONFLICT (arxiv_id) DO UPDATE SET "
                + ", ".join(f"{name} = EXCLUDED.{name}" for name in UPDATED_COLUMNS)
                + " WHERE EXCLUDED.version > papers.version"
                # xmax is 0 on a row this statement inserted, set on one it updated
                " RETURNING arxiv_id, xmax = 0"
            )
        )
        found = rows.all()
        await self._session.execute(text(f"DROP TABLE {STAGING}"))
        return sum(1 for _, new in found if new), [arxiv_id for arxiv_id, _ in found]

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
