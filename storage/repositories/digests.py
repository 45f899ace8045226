"""Digests as built, and the outbox of messages to post."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from digest.models import DeliveryStatus, Digest, DigestItem, OutboxMessage
from digest.ports import Clock
from storage.convert import paper_from_row
from storage.tables import (
    DigestItemRow,
    DigestRow,
    OutboxRow,
    PaperRow,
    PostedMessageRow,
)


def _outbox_from_row(row: OutboxRow) -> OutboxMessage:
    return OutboxMessage(
        id=row.id,
        workspace_id=row.workspace_id,
        channel_id=row.channel_id,
        kind=row.kind,
        seq=row.seq,
        payload=dict(row.payload),
        status=DeliveryStatus(row.status),
        attempts=row.attempts,
        digest_id=row.digest_id,
        platform_message_id=row.platform_message_id,
        last_error=row.last_error,
        next_attempt_at=row.next_attempt_at,
    )


class SqlDigestRepository:
    """DigestRepository on SQLAlchemy."""

    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    async def save(self, digest: Digest) -> Digest:
        """Store a digest and its items; returns it with its id."""
        row = DigestRow(
            workspace_id=digest.workspace_id,
            channel_id=digest.channel_id,
            window_start=digest.window_start,
            window_end=digest.window_end,
            subscription_ids=list(digest.subscription_ids),
            topic_names=list(digest.topic_names),
            more_matched=digest.more_matched,
            left_out_on_list=digest.left_out_on_list,
            left_out_already_shown=digest.left_out_already_shown,
            created_at=self._clock.now(),
        )
        self._session.add(row)
        await self._session.flush()
        if digest.items:
            await self._session.execute(
                insert(DigestItemRow),
                [
                    {
                        "digest_id": row.id,
                        "paper_id": item.paper.arxiv_id,
                        "topic_id": item.topic_id,
                        "topic_name": item.topic_name,
                        "rank": rank,
                        "score": item.score,
                        "terms": list(item.terms),
                    }
                    for rank, item in enumerate(digest.items)
                ],
            )
        return Digest(
            workspace_id=digest.workspace_id,
            channel_id=digest.channel_id,
            window_start=digest.window_start,
            window_end=digest.window_end,
            items=digest.items,
            topic_names=digest.topic_names,
            more_matched=digest.more_matched,
            left_out_on_list=digest.left_out_on_list,
            left_out_already_shown=digest.left_out_already_shown,
            subscription_ids=digest.subscription_ids,
            id=row.id,
        )

    async def shown_paper_ids(self, workspace_id: int, channel_id: str) -> set[str]:
        """Papers this channel has already been shown in any digest."""
        rows = await self._session.scalars(
            select(DigestItemRow.paper_id)
            .join(DigestRow, DigestRow.id == DigestItemRow.digest_id)
            .where(DigestRow.workspace_id == workspace_id, DigestRow.channel_id == channel_id)
        )
        return set(rows)

    async def items(self, digest_id: int) -> list[DigestItem]:
        """A stored digest's items, in rank order."""
        rows = await self._session.execute(
            select(DigestItemRow, PaperRow)
            .join(PaperRow, PaperRow.arxiv_id == DigestItemRow.paper_id)
            .where(DigestItemRow.digest_id == digest_id)
            .order_by(DigestItemRow.rank)
        )
        return [
            DigestItem(
                paper=paper_from_row(paper),
                topic_id=item.topic_id or 0,
                topic_name=item.topic_name,
                score=item.score,
                terms=tuple(item.terms),
            )
            for item, paper in rows
        ]


class SqlOutboxRepository:
    """OutboxRepository on SQLAlchemy."""

    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    async def enqueue(
        self,
        workspace_id: int,
        channel_id: str,
        kind: str,
        payloads: Sequence[Mapping[str, object]],
        digest_id: int | None = None,
    ) -> list[OutboxMessage]:
        """Write messages to be posted, in order."""
        now = self._clock.now()
        rows = [
            OutboxRow(
                workspace_id=workspace_id,
                channel_id=channel_id,
                kind=kind,
                digest_id=digest_id,
                seq=seq,
                payload=dict(payload),
                status=DeliveryStatus.PENDING.value,
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
            for seq, payload in enumerate(payloads)
        ]
        self._session.add_all(rows)
        await self._session.flush()
        return [_outbox_from_row(row) for row in rows]

    async def due(self, now: datetime, limit: int = 100) -> list[OutboxMessage]:
        """Pending messages whose next attempt is due, oldest first."""
        rows = await self._session.scalars(
            select(OutboxRow)
            .where(
                OutboxRow.status == DeliveryStatus.PENDING.value,
                OutboxRow.next_attempt_at <= now,
            )
            .order_by(OutboxRow.id)
            .limit(limit)
        )
        return [_outbox_from_row(row) for row in rows]

    async def mark_posted(
        self, message_id: int, platform_message_id: str, paper_id: str | None, now: datetime
    ) -> None:
        """Record that a message was posted, and which paper it shows."""
        row = await self._session.get_one(OutboxRow, message_id)
        row.status = DeliveryStatus.POSTED.value
        row.platform_message_id = platform_message_id
        row.posted_at = now
        row.attempts += 1
        self._session.add(
            PostedMessageRow(
                workspace_id=row.workspace_id,
                channel_id=row.channel_id,
                message_id=platform_message_id,
                paper_id=paper_id,
                outbox_id=row.id,
                posted_at=now,
            )
        )
        await self._session.flush()

    async def mark_retry(self, message_id: int, error: str, next_attempt_at: datetime) -> None:
        """Count a failed attempt and schedule the next one."""
        await self._session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == message_id)
            .values(
                attempts=OutboxRow.attempts + 1,
                last_error=error[:2000],
                next_attempt_at=next_attempt_at,
            )
        )

    async def mark_failed(self, message_id: int, error: str) -> None:
        """Give up on a message (a permanent error); it stays in the table."""
        await self._session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == message_id)
            .values(
                status=DeliveryStatus.FAILED.value,
                attempts=OutboxRow.attempts + 1,
                last_error=error[:2000],
            )
        )

    async def paper_for_message(self, channel_id: str, platform_message_id: str) -> str | None:
        """The paper a posted message shows, if it shows one."""
        return await self._session.scalar(
            select(PostedMessageRow.paper_id).where(
                PostedMessageRow.channel_id == channel_id,
                PostedMessageRow.message_id == platform_message_id,
            )
        )
