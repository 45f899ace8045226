"""The SQL store: opens a unit of work (one session, one transaction) over every repository."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from digest.ports import Clock
from storage.repositories.digests import SqlDigestRepository
from storage.repositories.lists import SqlListRepository
from storage.repositories.nominations import SqlNominationRepository
from storage.repositories.outbox import SqlOutboxRepository
from storage.repositories.papers import SqlHarvestStateRepository, SqlPaperRepository
from storage.repositories.publishing import SqlPublishRepository
from storage.repositories.topics import (
    SqlMatchRepository,
    SqlSubscriptionRepository,
    SqlTopicRepository,
)
from storage.repositories.workspaces import SqlWorkspaceRepository


@dataclass(frozen=True, slots=True)
class SqlUnit:
    """Every repository over one session."""

    session: AsyncSession
    workspaces: SqlWorkspaceRepository
    papers: SqlPaperRepository
    harvest: SqlHarvestStateRepository
    topics: SqlTopicRepository
    subscriptions: SqlSubscriptionRepository
    matches: SqlMatchRepository
    digests: SqlDigestRepository
    outbox: SqlOutboxRepository
    nominations: SqlNominationRepository
    lists: SqlListRepository
    publishing: SqlPublishRepository


class SqlStore:
    """digest.ports.Store on an async SQLAlchemy engine."""

    def __init__(self, engine: AsyncEngine, clock: Clock) -> None:
        self.engine = engine
        self._clock = clock
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[SqlUnit]:
        """A transaction over every repository; commits on success, rolls back on error."""
        async with self._sessions() as session, session.begin():
            clock = self._clock
            yield SqlUnit(
                session=session,
                workspaces=SqlWorkspaceRepository(session, clock),
                papers=SqlPaperRepository(session, clock),
                harvest=SqlHarvestStateRepository(session, clock),
                topics=SqlTopicRepository(session, clock),
                subscriptions=SqlSubscriptionRepository(session, clock),
                matches=SqlMatchRepository(session, clock),
                digests=SqlDigestRepository(session, clock),
                outbox=SqlOutboxRepository(session, clock),
                nominations=SqlNominationRepository(session, clock),
                lists=SqlListRepository(session, clock),
                publishing=SqlPublishRepository(session, clock),
            )

    async def close(self) -> None:
        """Release the engine's connections."""
        await self.engine.dispose()
