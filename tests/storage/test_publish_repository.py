"""The publish targets repository on both engines: claims, due publishes, success and failure."""

from __future__ import annotations

from datetime import timedelta

from digest.clock import FixedClock
from digest.models import Platform
from digest.publish_state import PublishedEntry, PublishTarget
from storage.store import SqlStore


async def test_claims_due_publishes_and_a_request_during_a_publish(
    store: SqlStore, clock: FixedClock
) -> None:
    now = clock.now()
    later = now + timedelta(minutes=5)
    async with store.unit() as unit:
        workspace = await unit.workspaces.get_or_create(Platform.CONSOLE, "lab", "Lab")
        ws = workspace.id
        made = await unit.publishing.save_target(PublishTarget(ws, "https://example.org/l.git"))
        assert made.state.requested_at is None and await unit.publishing.due(now) == []
        await unit.publishing.request(ws, now)
        assert await unit.publishing.due(now) == [ws]
        assert await unit.publishing.claim(ws, now, later)
        assert not await unit.publishing.claim(ws, now, later)  # a live attempt holds it
        assert await unit.publishing.due(now) == []
        assert await unit.publishing.claim(
            ws, later + timedelta(seconds=1), later + timedelta(minutes=5)
        )

    async with store.unit() as unit:
        # Asked again while that publish ran: it stays due after the publish succeeds.
        await unit.publishing.request(ws, now + timedelta(seconds=30))
        entries = {7: PublishedEntry("vLLM", "Serving", "https://arxiv.org/abs/2309.06180")}
        await unit.publishing.succeeded(ws, entries, "abc123", None, now, requested_before=now)
        kept = await unit.publishing.get(ws)
        assert kept is not None and kept.state.entries == entries
        assert kept.state.requested_at == now + timedelta(seconds=30)
        await unit.publishing.succeeded(
            ws, entries, "abc124", None, now, requested_before=now + timedelta(minutes=1)
        )
        done = await unit.publishing.get(ws)
        assert (
            done is not None and done.state.requested_at is None and done.state.commit == "abc124"
        )

    async with store.unit() as unit:
        assert await unit.publishing.failed(ws, "git push failed", later) == 1
        assert await unit.publishing.failed(ws, "git push failed", later) == 2
        failed = await unit.publishing.get(ws)
        assert failed is not None and failed.state.entries == entries
        assert failed.state.next_attempt_at == later and failed.state.requested_at == now
        # A new approval keeps the back-off of the failing publish.
        await unit.publishing.request(ws, now + timedelta(minutes=1))
        assert await unit.publishing.due(now + timedelta(minutes=2)) == []
        assert await unit.publishing.due(later) == [ws]
        await unit.publishing.delete(ws)
        assert await unit.publishing.get(ws) is None
