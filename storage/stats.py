"""Counts the health endpoint and the metrics read from the database: the same for every process."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from digest.models import DeliveryStatus
from storage.tables import NominationRow, OutboxRow

UNPOSTED = (DeliveryStatus.PENDING.value, DeliveryStatus.SENDING.value)


@dataclass(frozen=True, slots=True)
class DatabaseStats:
    """Outbox rows by status, the oldest one not yet posted, digests wholly posted, nominations."""

    outbox: dict[str, int] = field(default_factory=dict)
    oldest_unposted: datetime | None = None
    digests_posted: int = 0
    nominations: dict[str, int] = field(default_factory=dict)

    @property
    def outbox_depth(self) -> int:
        """Messages waiting to be posted (pending, or being posted now)."""
        return sum(self.outbox.get(status, 0) for status in UNPOSTED)


async def ping(session: AsyncSession) -> None:
    """A round trip to the database; raises when it is unreachable."""
    await session.execute(text("SELECT 1"))


async def database_stats(session: AsyncSession) -> DatabaseStats:
    """Read the counts in one transaction (four small aggregate queries)."""
    by_status = await session.execute(
        select(OutboxRow.status, func.count()).group_by(OutboxRow.status)
    )
    oldest = await session.scalar(
        select(func.min(OutboxRow.created_at)).where(OutboxRow.status.in_(UNPOSTED))
    )
    unposted_digests = (
        select(OutboxRow.digest_id)
        .where(OutboxRow.digest_id.is_not(None), OutboxRow.status != DeliveryStatus.POSTED.value)
        .distinct()
    )
    digests_posted = await session.scalar(
        select(func.count(func.distinct(OutboxRow.digest_id))).where(
            OutboxRow.digest_id.is_not(None), OutboxRow.digest_id.not_in(unposted_digests)
        )
    )
    nominations = await session.execute(
        select(NominationRow.status, func.count()).group_by(NominationRow.status)
    )
    return DatabaseStats(
        outbox={str(status): int(count) for status, count in by_status.all()},
        oldest_unposted=oldest,
        digests_posted=int(digests_posted or 0),
        nominations={str(status): int(count) for status, count in nominations.all()},
    )
