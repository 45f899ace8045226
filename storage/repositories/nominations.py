"""Nominations and their votes."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from digest.models import Nomination, NominationStatus, Vote
from digest.ports import Clock
from storage.tables import NominationRow, VoteRow


class SqlNominationRepository:
    """NominationRepository on SQLAlchemy."""

    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    async def _with_votes(self, rows: list[NominationRow]) -> list[Nomination]:
        votes: dict[int, list[Vote]] = defaultdict(list)
        if rows:
            vote_rows = await self._session.scalars(
                select(VoteRow)
                .where(VoteRow.nomination_id.in_([row.id for row in rows]))
                .order_by(VoteRow.created_at, VoteRow.user_id)
            )
            for vote in vote_rows:
                votes[vote.nomination_id].append(
                    Vote(user_id=vote.user_id, created_at=vote.created_at, source=vote.source)
                )
        return [
            Nomination(
                id=row.id,
                workspace_id=row.workspace_id,
                paper_id=row.paper_id,
                status=NominationStatus(row.status),
                created_at=row.created_at,
                votes=tuple(votes[row.id]),
                decided_by=row.decided_by,
                decided_at=row.decided_at,
                reason=row.reason,
                section_id=row.section_id,
            )
            for row in rows
        ]

    async def get_for_paper(self, workspace_id: int, paper_id: str) -> Nomination | None:
        """The nomination of a paper in a workspace, if any."""
        row = await self._session.scalar(
            select(NominationRow).where(
                NominationRow.workspace_id == workspace_id, NominationRow.paper_id == paper_id
            )
        )
        return (await self._with_votes([row]))[0] if row else None

    async def get(self, nomination_id: int) -> Nomination | None:
        """One nomination by id."""
        row = await self._session.get(NominationRow, nomination_id)
        return (await self._with_votes([row]))[0] if row else None

    async def create(self, workspace_id: int, paper_id: str, now: datetime) -> Nomination:
        """A new pending nomination without votes."""
        row = NominationRow(
            workspace_id=workspace_id,
            paper_id=paper_id,
            status=NominationStatus.PENDING.value,
            created_at=now,
        )
        self._session.add(row)
        await self._session.flush()
        return (await self._with_votes([row]))[0]

    async def add_vote(self, nomination_id: int, user_id: str, source: str, now: datetime) -> bool:
        """Add a user's vote; False if that user had voted already."""
        if await self._session.get(VoteRow, (nomination_id, user_id)) is not None:
            return False
        self._session.add(
            VoteRow(nomination_id=nomination_id, user_id=user_id, source=source, created_at=now)
        )
        await self._session.flush()
        return True

    async def remove_vote(self, nomination_id: int, user_id: str) -> bool:
        """Withdraw a user's vote; False if there was none."""
        result = await self._session.execute(
            delete(VoteRow).where(
                VoteRow.nomination_id == nomination_id, VoteRow.user_id == user_id
            )
        )
        return bool(getattr(result, "rowcount", 0))

    async def decide(
        self,
        nomination_id: int,
        status: NominationStatus,
        decided_by: str,
        reason: str | None,
        now: datetime,
        section_id: int | None = None,
    ) -> Nomination:
        """Move a pending nomination to approved or rejected."""
        row = await self._session.get_one(NominationRow, nomination_id)
        if row.status != NominationStatus.PENDING.value:
            raise ValueError(f"nomination {nomination_id} was already {row.status}")
        row.status = status.value
        row.decided_by = decided_by
        row.decided_at = now
        row.reason = reason
        row.section_id = section_id
        await self._session.flush()
        return (await self._with_votes([row]))[0]

    async def list(
        self, workspace_id: int, status: NominationStatus | None = None
    ) -> list[Nomination]:
        """Nominations of a workspace, oldest first."""
        query = select(NominationRow).where(NominationRow.workspace_id == workspace_id)
        if status is not None:
            query = query.where(NominationRow.status == status.value)
        rows = list(await self._session.scalars(query.order_by(NominationRow.id)))
        return await self._with_votes(rows)
