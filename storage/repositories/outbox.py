"""The outbox: messages written before they are posted, claimed for posting, then recorded."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import and_, exists, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from digest.models import DeliveryStatus, OutboxMessage
from digest.ports import Clock
from storage.tables import OutboxRow, PostedMessageRow

PENDING = DeliveryStatus.PENDING.value
SENDING = DeliveryStatus.SENDING.value
POSTED = DeliveryStatus.POSTED.value
FAILED = DeliveryStatus.FAILED.value


def _outbox_from_row(
    row: OutboxRow, in_doubt: bool | None = None, claimed_at: datetime | None = None
) -> OutboxMessage:
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
        in_doubt=row.in_doubt if in_doubt is None else in_doubt,
        claimed_at=row.claimed_at if claimed_at is None else claimed_at,
    )


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
        values = [
            {
                "workspace_id": workspace_id,
                "channel_id": channel_id,
                "kind": kind,
                "digest_id": digest_id,
                "seq": seq,
                "payload": dict(payload),
                "status": PENDING,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
                "in_doubt": False,
            }
            for seq, payload in enumerate(payloads)
        ]
        if not values:
            return []
        # One INSERT ... RETURNING however many papers a digest holds; `seq` puts them in order.
        stored = await self._session.scalars(insert(OutboxRow).returning(OutboxRow), values)
        return [_outbox_from_row(row) for row in sorted(stored, key=lambda row: row.seq)]

    async def due(self, now: datetime, limit: int = 100) -> list[OutboxMessage]:
        """Pending messages whose next attempt is due, oldest first."""
        rows = await self._session.scalars(
            select(OutboxRow)
            .where(OutboxRow.status == PENDING, OutboxRow.next_attempt_at <= now)
            .order_by(OutboxRow.id)
            .limit(limit)
        )
        return [_outbox_from_row(row) for row in rows]

    async def claim(
        self, now: datetime, token: str, stale_before: datetime, limit: int = 100
    ) -> list[OutboxMessage]:
        """Take due messages for posting: the next unposted one of each digest, other messages.

        A claimed message is `sending` under `token`; one left `sending` by a claim older than
        `stale_before` (a crashed process) is taken again and comes back with `in_doubt`, and
        with the time of the claim in doubt as `claimed_at` (a post it made is not older).
        """
        earlier = aliased(OutboxRow)
        # A digest is posted in order: a message waits while an earlier one is unresolved.
        waits = exists().where(
            earlier.digest_id == OutboxRow.digest_id,
            earlier.seq < OutboxRow.seq,
            earlier.status.in_((PENDING, SENDING)),
        )
        ready = or_(
            and_(OutboxRow.status == PENDING, OutboxRow.next_attempt_at <= now),
            and_(OutboxRow.status == SENDING, OutboxRow.claimed_at < stale_before),
        )
        rows = list(
            await self._session.scalars(
                select(OutboxRow)
                .where(ready, ~waits)
                .order_by(OutboxRow.id)
                .limit(limit)
                # Several processes on PostgreSQL take disjoint rows; SQLite ignores it and
                # serialises writers anyway.
                .with_for_update(skip_locked=True, of=OutboxRow)
            )
        )
        claimed = []
        for row in rows:
            doubt = row.in_doubt or row.status == SENDING
            previous_claim = row.claimed_at
            row.status = SENDING
            row.claim_token = token
            row.claimed_at = now
            since = previous_claim if doubt and previous_claim is not None else now
            claimed.append(_outbox_from_row(row, in_doubt=doubt, claimed_at=since))
        await self._session.flush()
        return claimed

    async def mark_posted(
        self, message_id: int, platform_message_id: str, paper_id: str | None, now: datetime
    ) -> None:
        """Record that a message was posted, and which paper it shows (once)."""
        row = await self._session.get_one(OutboxRow, message_id, with_for_update=True)
        if row.status == POSTED:
            return
        row.status = POSTED
        row.platform_message_id = platform_message_id
        row.posted_at = now
        row.attempts += 1
        row.in_doubt = False
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

    async def mark_retry(
        self, message_id: int, error: str, next_attempt_at: datetime, in_doubt: bool = False
    ) -> None:
        """Schedule the next attempt; `in_doubt` when the failed one may have been posted."""
        await self._session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == message_id, OutboxRow.status != POSTED)
            .values(
                status=PENDING,
                attempts=OutboxRow.attempts + 1,
                last_error=error[:2000],
                next_attempt_at=next_attempt_at,
                in_doubt=in_doubt,
            )
        )

    async def release(self, message_ids: Sequence[int], token: str, in_doubt: bool) -> None:
        """Put messages claimed under `token` back in line, due now (a process that stops).

        `in_doubt` when the post was under way: the next claim looks for it before posting.
        """
        if not message_ids:
            return
        await self._session.execute(
            update(OutboxRow)
            .where(
                OutboxRow.id.in_(message_ids),
                OutboxRow.status == SENDING,
                OutboxRow.claim_token == token,
            )
            .values(
                status=PENDING,
                next_attempt_at=self._clock.now(),
                # A row already in doubt stays so: releasing it settles nothing.
                **({"in_doubt": True} if in_doubt else {}),
            )
        )

    async def mark_failed(self, message_id: int, error: str) -> None:
        """Give up on a message (a permanent error); it stays in the table."""
        await self._session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == message_id, OutboxRow.status != POSTED)
            .values(status=FAILED, attempts=OutboxRow.attempts + 1, last_error=error[:2000])
        )

    async def fail_pending(self, workspace_id: int, channel_id: str, error: str) -> int:
        """Hold every unposted message of the channel as failed (the channel is gone)."""
        result = await self._session.execute(
            update(OutboxRow)
            .where(
                OutboxRow.workspace_id == workspace_id,
                OutboxRow.channel_id == channel_id,
                OutboxRow.status == PENDING,
            )
            .values(status=FAILED, last_error=error[:2000])
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def requeue_failed(self, workspace_id: int, channel_id: str, now: datetime) -> int:
        """Put every failed message of the channel back in line (access is fixed)."""
        result = await self._session.execute(
            update(OutboxRow)
            .where(
                OutboxRow.workspace_id == workspace_id,
                OutboxRow.channel_id == channel_id,
                OutboxRow.status == FAILED,
            )
            .values(status=PENDING, next_attempt_at=now, attempts=0, in_doubt=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def for_digest(self, digest_id: int) -> list[OutboxMessage]:
        """A digest's messages in order, whatever their status."""
        rows = await self._session.scalars(
            select(OutboxRow).where(OutboxRow.digest_id == digest_id).order_by(OutboxRow.seq)
        )
        return [_outbox_from_row(row) for row in rows]

    async def paper_for_message(self, channel_id: str, platform_message_id: str) -> str | None:
        """The paper a posted message shows, if it shows one."""
        return await self._session.scalar(
            select(PostedMessageRow.paper_id).where(
                PostedMessageRow.channel_id == channel_id,
                PostedMessageRow.message_id == platform_message_id,
            )
        )
