"""Workspaces, topics, subscriptions, matches, digests, outbox, nominations, lists: both engines."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from digest.clock import FixedClock
from digest.models import (
    DeliveryStatus,
    Digest,
    DigestItem,
    Match,
    NominationStatus,
    OverflowItem,
    Paper,
    Platform,
    WorkspaceSettings,
)
from storage.store import SqlStore
from storage.tables import DigestRow, ShownPaperRow
from tests.factories import make_paper


async def _workspace_id(store: SqlStore) -> int:
    async with store.unit() as unit:
        return (await unit.workspaces.get_or_create(Platform.DISCORD, "g-1", "Lab")).id


async def test_workspace_is_created_once_and_keeps_settings(store: SqlStore) -> None:
    async with store.unit() as unit:
        first = await unit.workspaces.get_or_create(Platform.SLACK, "T1", "Lab")
        again = await unit.workspaces.get_or_create(Platform.SLACK, "T1", "Lab")
        other = await unit.workspaces.get_or_create(Platform.DISCORD, "T1", "Lab")
    assert first.id == again.id != other.id
    changed = WorkspaceSettings(
        review_channel="C9",
        timezone="Europe/Berlin",
        digest_time=time(8, 30),
        auto_approve_votes=3,
        list_style="table",
    )
    async with store.unit() as unit:
        await unit.workspaces.update_settings(first.id, changed)
    async with store.unit() as unit:
        loaded = await unit.workspaces.get(first.id)
    assert loaded is not None
    assert loaded.settings == changed


async def test_topic_names_are_unique_per_workspace(store: SqlStore) -> None:
    workspace_id = await _workspace_id(store)
    async with store.unit() as unit:
        topic = await unit.topics.create(workspace_id, "moe", "ti:moe", "", "u1")
    with pytest.raises(IntegrityError):
        async with store.unit() as unit:
            await unit.topics.create(workspace_id, "moe", "ti:experts", "", "u2")
    async with store.unit() as unit:
        assert [t.name for t in await unit.topics.list(workspace_id)] == ["moe"]
        edited = await unit.topics.update_rule(topic.id, 'ti:"mixture of experts"', "MoE")
    assert (edited.rule, edited.description) == ('ti:"mixture of experts"', "MoE")


async def test_a_topics_active_subscriptions_are_read_without_the_others(store: SqlStore) -> None:
    workspace_id = await _workspace_id(store)
    async with store.unit() as unit:
        moe = await unit.topics.create(workspace_id, "moe", "ti:moe", "", None)
        other = await unit.topics.create(workspace_id, "other", "ti:other", "", None)
        here, paused, _ = [
            await unit.subscriptions.create(
                workspace_id, channel, topic.id, 0, time(9), "UTC", 15, None
            )
            for channel, topic in (("C1", moe), ("C2", moe), ("C1", other))
        ]
        await unit.subscriptions.set_paused(paused.id, True, "channel deleted")
    async with store.unit() as unit:
        assert await unit.subscriptions.active_for_topic(moe.id) == [here]


async def test_subscriptions_watermarks_and_pausing(store: SqlStore, clock: FixedClock) -> None:
    workspace_id = await _workspace_id(store)
    async with store.unit() as unit:
        topic = await unit.topics.create(workspace_id, "moe", "ti:moe", "", None)
        sub = await unit.subscriptions.create(
            workspace_id, "C1", topic.id, 0, time(9), "Europe/Berlin", 15, None
        )
    mark = clock.now() + timedelta(days=1)
    async with store.unit() as unit:
        await unit.subscriptions.set_watermark([sub.id], mark)
        await unit.subscriptions.set_paused(sub.id, True, "channel deleted")
        assert await unit.subscriptions.all_active() == []
        loaded = await unit.subscriptions.get(sub.id)
    assert loaded is not None
    assert (loaded.watermark, loaded.paused, loaded.paused_reason) == (
        mark,
        True,
        "channel deleted",
    )
    assert loaded.at == time(9)
    assert loaded.timezone == "Europe/Berlin"


async def test_deleting_a_topic_removes_its_subscriptions_and_matches(store: SqlStore) -> None:
    workspace_id = await _workspace_id(store)
    async with store.unit() as unit:
        await unit.papers.upsert_many([make_paper()])
        topic = await unit.topics.create(workspace_id, "moe", "ti:moe", "", None)
        await unit.subscriptions.create(workspace_id, "C1", topic.id, 0, time(9), "UTC", 15, None)
        await unit.matches.add_many([Match("2606.00001", topic.id, 3.0, ("ti:moe",))])
    async with store.unit() as unit:
        await unit.topics.delete(topic.id)
    async with store.unit() as unit:
        assert await unit.subscriptions.for_channel(workspace_id, "C1") == []
        assert (
            await unit.matches.for_topics([topic.id], None, datetime.max.replace(tzinfo=UTC)) == []
        )


async def test_matches_are_stored_once_and_read_by_window(
    store: SqlStore, clock: FixedClock
) -> None:
    workspace_id = await _workspace_id(store)
    async with store.unit() as unit:
        await unit.papers.upsert_many([make_paper("2606.00001"), make_paper("2606.00002")])
        topic = await unit.topics.create(workspace_id, "kv", "ti:kv", "", None)
        early = clock.now()
        added = await unit.matches.add_many(
            [
                Match("2606.00001", topic.id, 3.0, ("ti:kv",), early),
                Match("2606.00002", topic.id, 1.0, ("abs:kv",), early + timedelta(hours=2)),
            ]
        )
        again = await unit.matches.add_many([Match("2606.00001", topic.id, 9.0, ())])
        window = await unit.matches.for_topics([topic.id], early, early + timedelta(hours=3))
    assert (added, again) == (2, 0)
    assert [(m.paper_id, m.terms) for m in window] == [("2606.00002", ("abs:kv",))]


async def test_matches_count_only_the_new_pairs_of_a_large_mixed_batch(
    store: SqlStore, clock: FixedClock
) -> None:
    workspace_id = await _workspace_id(store)
    ids = [f"2606.{i:05d}" for i in range(1, 1201)]
    async with store.unit() as unit:
        await unit.papers.upsert_many([make_paper(arxiv_id) for arxiv_id in ids])
        topic = await unit.topics.create(workspace_id, "kv", "ti:kv", "", None)
        first = await unit.matches.add_many([Match(i, topic.id, 1.0, ("ti:kv",)) for i in ids[::2]])
        # every pair again, with the odd ones new: only those count, and the stored keep theirs
        second = await unit.matches.add_many([Match(i, topic.id, 2.0, ("abs:kv",)) for i in ids])
        stored = await unit.matches.for_topics([topic.id], None, clock.now())
    assert (first, second) == (600, 600)
    assert len(stored) == 1200
    assert {m.terms for m in stored if m.paper_id in ids[::2]} == {("ti:kv",)}
    assert {m.matched_at for m in stored} == {clock.now()}


async def test_digest_outbox_and_posted_messages(store: SqlStore, clock: FixedClock) -> None:
    workspace_id = await _workspace_id(store)
    paper = make_paper()
    async with store.unit() as unit:
        await unit.papers.upsert_many([paper])
        topic = await unit.topics.create(workspace_id, "kv", "ti:kv", "", None)
        digest = await unit.digests.save(
            Digest(
                workspace_id=workspace_id,
                channel_id="C1",
                window_start=None,
                window_end=clock.now(),
                topic_names=("kv",),
                items=(DigestItem(paper, topic.id, "kv", 3.0, ("ti:kv",)),),
            )
        )
        queued = await unit.outbox.enqueue(
            workspace_id, "C1", "digest", [{"text": "header"}, {"text": "paper"}], digest.id
        )
    assert digest.id is not None
    assert [m.seq for m in queued] == [0, 1]
    async with store.unit() as unit:
        due = await unit.outbox.due(clock.now())
        await unit.outbox.mark_posted(due[1].id, "m-2", paper.arxiv_id, clock.now())
        await unit.outbox.mark_retry(due[0].id, "429", clock.now() + timedelta(seconds=30))
    async with store.unit() as unit:
        assert await unit.outbox.due(clock.now()) == []
        later = await unit.outbox.due(clock.now() + timedelta(minutes=1))
        assert [(m.attempts, m.last_error) for m in later] == [(1, "429")]
        await unit.outbox.mark_failed(later[0].id, "channel deleted")
        assert await unit.outbox.paper_for_message("C1", "m-2") == paper.arxiv_id
        assert await unit.digests.shown_paper_ids(workspace_id, "C1") == {paper.arxiv_id}
        assert [i.paper.arxiv_id for i in await unit.digests.items(digest.id)] == [paper.arxiv_id]
        assert await unit.outbox.due(clock.now() + timedelta(days=1)) == []
        kept = {m.id: (m.status, m.last_error) for m in await unit.outbox.for_digest(digest.id)}
    # The failed message is kept (not deleted) with its reason; the posted one is marked posted.
    assert kept == {
        later[0].id: (DeliveryStatus.FAILED, "channel deleted"),
        due[1].id: (DeliveryStatus.POSTED, None),
    }


async def test_a_channel_is_shown_a_digests_items_not_its_overflow_once_each(
    store: SqlStore, clock: FixedClock
) -> None:
    workspace_id = await _workspace_id(store)
    other_workspace = await _other_workspace_id(store)
    shown, over, later = (
        make_paper("2606.00001"),
        make_paper("2606.00002"),
        make_paper("2606.00003"),
    )
    async with store.unit() as unit:
        await unit.papers.upsert_many([shown, over, later])
        topic = await unit.topics.create(workspace_id, "kv", "ti:kv", "", None)

        def digest(workspace: int, channel: str, *papers: Paper) -> Digest:
            items = tuple(DigestItem(p, topic.id, "kv", 3.0) for p in papers)
            left = (OverflowItem(over.arxiv_id, topic.id, "kv", 1.0),)
            return Digest(workspace, channel, None, clock.now(), items, ("kv",), overflow=left)

        first = await unit.digests.save(digest(workspace_id, "C1", shown))
        # shown again in the same channel (a window built twice): the first showing stays
        await unit.digests.save(digest(workspace_id, "C1", shown, later))
        await unit.digests.save(digest(other_workspace, "C1", later))
    async with store.unit() as unit:
        assert await unit.digests.shown_paper_ids(workspace_id, "C1") == {
            "2606.00001",
            "2606.00003",
        }
        assert await unit.digests.shown_paper_ids(workspace_id, "C2") == set()
        assert await unit.digests.shown_paper_ids(other_workspace, "C1") == {"2606.00003"}
        rows = await unit.session.execute(
            select(ShownPaperRow.paper_id, ShownPaperRow.digest_id).where(
                ShownPaperRow.workspace_id == workspace_id
            )
        )
        assert dict(rows.all())["2606.00001"] == first.id
        # a digest that goes takes its showings with it
        await unit.session.execute(delete(DigestRow).where(DigestRow.id == first.id))
    async with store.unit() as unit:
        assert await unit.digests.shown_paper_ids(workspace_id, "C1") == {"2606.00003"}


async def _other_workspace_id(store: SqlStore) -> int:
    async with store.unit() as unit:
        return (await unit.workspaces.get_or_create(Platform.SLACK, "T-2", "Other")).id


async def test_nomination_votes_and_one_decision(store: SqlStore, clock: FixedClock) -> None:
    workspace_id = await _workspace_id(store)
    now = clock.now()
    async with store.unit() as unit:
        await unit.papers.upsert_many([make_paper()])
        nomination = await unit.nominations.create(workspace_id, "2606.00001", now)
        assert await unit.nominations.add_vote(nomination.id, "u1", "reaction", now)
        assert not await unit.nominations.add_vote(nomination.id, "u1", "button", now)
        assert await unit.nominations.add_vote(nomination.id, "u2", "command", now)
        assert await unit.nominations.remove_vote(nomination.id, "u2")
        assert not await unit.nominations.remove_vote(nomination.id, "u2")
        decided = await unit.nominations.decide(
            nomination.id, NominationStatus.REJECTED, "admin", "off topic", now
        )
    assert decided.voters == ("u1",)
    assert (decided.status, decided.decided_by, decided.reason) == (
        NominationStatus.REJECTED,
        "admin",
        "off topic",
    )
    with pytest.raises(ValueError, match="already rejected"):
        async with store.unit() as unit:
            await unit.nominations.decide(
                nomination.id, NominationStatus.APPROVED, "admin", None, now
            )
    with pytest.raises(IntegrityError):
        async with store.unit() as unit:
            await unit.nominations.create(workspace_id, "2606.00001", now)


async def test_list_sections_nest_in_order_with_entries(store: SqlStore, clock: FixedClock) -> None:
    workspace_id = await _workspace_id(store)
    async with store.unit() as unit:
        await unit.papers.upsert_many([make_paper()])
        training = await unit.lists.add_section(workspace_id, "Training", None)
        serving = await unit.lists.add_section(workspace_id, "Serving", None)
        nested = await unit.lists.add_section(workspace_id, "Distributed", training.id)
        first = await unit.lists.add_entry(
            workspace_id,
            serving.id,
            "Paged KV",
            clock.now(),
            paper_id="2606.00001",
            venue="SOSP'23",
        )
        link = await unit.lists.add_entry(
            workspace_id, serving.id, "Orca", clock.now(), external_url="https://example.org/orca"
        )
        sections = await unit.lists.sections(workspace_id)
        entries = await unit.lists.entries(workspace_id)
        on_list = await unit.lists.paper_ids_on_list(workspace_id)
        found = await unit.lists.entry_for_paper(workspace_id, "2606.00001")
    assert [s.title for s in sections] == ["Training", "Distributed", "Serving"]
    assert nested.parent_id == training.id
    assert [(e.title, e.position) for e in entries] == [("Paged KV", 0), ("Orca", 1)]
    assert on_list == {"2606.00001"}
    assert found == first
    assert link.external_url == "https://example.org/orca"
