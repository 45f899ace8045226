"""The outbox on both engines: claims in digest order, stale claims, idempotent records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from digest.clock import FixedClock
from digest.models import DeliveryStatus, Digest, Workspace
from storage.store import SqlStore
from tests.digest_world import make_workspace

NOW = datetime(2026, 6, 29, 9, 0, tzinfo=UTC)
LEASE = timedelta(seconds=90)


async def _digest_with_messages(store: SqlStore, ws: Workspace, count: int) -> list[int]:
    async with store.unit() as unit:
        # The outbox orders messages by digest; an empty digest row is enough here.
        digest = await unit.digests.save(Digest(ws.id, "c-1", None, NOW, (), ("llm",)))
        rows = await unit.outbox.enqueue(
            ws.id, "c-1", "digest", [{"text": str(n)} for n in range(count)], digest.id
        )
    return [row.id for row in rows]


async def test_a_digest_is_claimed_one_message_at_a_time_in_order(
    store: SqlStore, clock: FixedClock
) -> None:
    clock.set(NOW)
    ws = await make_workspace(store)
    ids = await _digest_with_messages(store, ws, 3)
    async with store.unit() as unit:
        (dm,) = await unit.outbox.enqueue(ws.id, "@u-1", "dm", [{"text": "hi"}])
        claimed = await unit.outbox.claim(NOW, "t1", NOW - LEASE)
    assert [m.id for m in claimed] == [ids[0], dm.id]
    assert all(m.status == DeliveryStatus.SENDING for m in claimed)

    async with store.unit() as unit:
        assert await unit.outbox.claim(NOW, "t2", NOW - LEASE) == []  # the first is in flight
        await unit.outbox.mark_posted(ids[0], "m-1", None, NOW)
        await unit.outbox.mark_posted(ids[0], "m-1", None, NOW)  # recorded once
        (second,) = await unit.outbox.claim(NOW, "t2", NOW - LEASE)
    assert second.id == ids[1]


async def test_a_retry_holds_the_rest_of_its_digest_until_due(
    store: SqlStore, clock: FixedClock
) -> None:
    clock.set(NOW)
    ws = await make_workspace(store)
    ids = await _digest_with_messages(store, ws, 2)
    async with store.unit() as unit:
        await unit.outbox.claim(NOW, "t1", NOW - LEASE)
        await unit.outbox.mark_retry(ids[0], "429", NOW + timedelta(seconds=30))
    async with store.unit() as unit:
        assert await unit.outbox.claim(NOW + timedelta(seconds=29), "t1", NOW - LEASE) == []
        (again,) = await unit.outbox.claim(NOW + timedelta(seconds=30), "t1", NOW - LEASE)
    assert (again.id, again.attempts, again.in_doubt) == (ids[0], 1, False)


async def test_a_claim_left_by_a_crash_is_taken_again_in_doubt_after_the_lease(
    store: SqlStore, clock: FixedClock
) -> None:
    clock.set(NOW)
    ws = await make_workspace(store)
    ids = await _digest_with_messages(store, ws, 1)
    async with store.unit() as unit:
        await unit.outbox.claim(NOW, "dead", NOW - LEASE)
    later = NOW + timedelta(seconds=60)
    async with store.unit() as unit:
        assert await unit.outbox.claim(later, "new", later - LEASE) == []
    later = NOW + timedelta(seconds=91)
    async with store.unit() as unit:
        (taken,) = await unit.outbox.claim(later, "new", later - LEASE)
    assert (taken.id, taken.in_doubt, taken.attempts) == (ids[0], True, 0)


async def test_a_lost_channel_holds_its_messages_and_resuming_requeues_them(
    store: SqlStore, clock: FixedClock
) -> None:
    clock.set(NOW)
    ws = await make_workspace(store)
    ids = await _digest_with_messages(store, ws, 3)
    async with store.unit() as unit:
        await unit.outbox.claim(NOW, "t1", NOW - LEASE)
        await unit.outbox.mark_failed(ids[0], "Unknown Channel")
        assert await unit.outbox.fail_pending(ws.id, "c-1", "held") == 2
        assert await unit.outbox.claim(NOW, "t1", NOW - LEASE) == []
        assert await unit.outbox.requeue_failed(ws.id, "c-1", NOW) == 3
        (first,) = await unit.outbox.claim(NOW, "t1", NOW - LEASE)
    assert first.id == ids[0]


async def test_two_processes_claim_disjoint_messages_on_postgresql(
    store: SqlStore, clock: FixedClock
) -> None:
    if store.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time; SKIP LOCKED is PostgreSQL's")
    clock.set(NOW)
    ws = await make_workspace(store)
    async with store.unit() as unit:
        await unit.outbox.enqueue(ws.id, "@u-1", "dm", [{"text": "a"}])
        await unit.outbox.enqueue(ws.id, "@u-2", "dm", [{"text": "b"}])
    async with store.unit() as first, store.unit() as second:
        mine = await first.outbox.claim(NOW, "p1", NOW - LEASE, limit=1)
        theirs = await second.outbox.claim(NOW, "p2", NOW - LEASE)  # skips the locked row
    assert len(mine) == len(theirs) == 1
    assert mine[0].id != theirs[0].id


async def test_every_message_held_for_a_lost_channel_comes_back_on_resume(
    store: SqlStore, clock: FixedClock
) -> None:
    clock.set(NOW)
    ws = await make_workspace(store)
    await _digest_with_messages(store, ws, 1)
    async with store.unit() as unit:
        (review,) = await unit.outbox.enqueue(ws.id, "c-1", "review", [{"text": "review me"}])
        assert await unit.outbox.fail_pending(ws.id, "c-1", "Unknown Channel") == 2
        assert await unit.outbox.requeue_failed(ws.id, "c-1", NOW) == 2
        kinds = {m.kind for m in await unit.outbox.due(NOW)}
    assert kinds == {"digest", "review"}
    assert review.status is DeliveryStatus.PENDING
