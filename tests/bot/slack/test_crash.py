"""A post that reached Slack while the bot never heard back: found again by its message
metadata (in the digest's thread) and recorded, not posted twice."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from digest.clock import FixedClock
from digest.models import DeliveryStatus
from storage.store import SqlStore
from tests.bot.slack.slack_api import SlackApi
from tests.bot.slack.world import PAPERS, slack_world
from tests.factories import make_paper


async def test_a_dropped_answer_is_found_in_the_thread_not_posted_twice(
    shared: Path, slack_api: SlackApi, sqlite_store: SqlStore, clock: FixedClock
) -> None:
    async with sqlite_store.unit() as unit:
        await unit.papers.upsert_many(
            [make_paper(f"2606.0000{n}", f"Experts paper {n}") for n in (1, 2, 3)]
        )
    world = await slack_world(slack_api, sqlite_store, clock, shared)
    await world.command("U0ADA", PAPERS, "topic-add moe ti:experts")
    await world.command("U0ADA", PAPERS, "subscribe moe")
    async with sqlite_store.unit() as unit:
        [workspace] = await unit.workspaces.all()
    slack_api.drop("chat.postMessage", nth=2)  # the first paper's post
    await world.bot.runner.run_channel(workspace.id, PAPERS)
    assert len(slack_api.posts(PAPERS)) == 2  # the header and the first paper reached Slack

    clock.set(clock.now() + timedelta(minutes=5))  # a later pass: the row is in doubt
    await world.bot.delivery.deliver_due()
    header, *papers = slack_api.posts(PAPERS)
    assert len(papers) == 3
    nonces = [p["metadata"]["event_payload"]["nonce"] for p in (header, *papers)]
    assert len(set(nonces)) == 4
    [looked] = slack_api.calls_to("conversations.replies")
    assert looked.args["ts"] == header["ts"]
    async with sqlite_store.unit() as unit:
        digest = await unit.digests.latest(workspace.id, PAPERS)
        assert digest is not None
        rows = await unit.outbox.for_digest(digest.id or 0)
    assert [r.status for r in rows] == [DeliveryStatus.POSTED] * 4
    assert [r.platform_message_id for r in rows] == [m["ts"] for m in (header, *papers)]
