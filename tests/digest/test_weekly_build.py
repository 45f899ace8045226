"""What a digest holds: its window, what it leaves out, ranking, the cap, grouping by topic."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, event

from bot.messages import digest_messages
from bot.rich_text import Bold, Plain, bold, text
from digest import weekly
from digest.models import Digest, Subscription
from storage.store import SqlStore
from storage.tables import DigestRow
from tests.digest_world import (
    add_matches,
    add_papers,
    make_subscription,
    make_topic,
    make_workspace,
    nominate,
    put_on_list,
)

MON = datetime(2026, 6, 29, 9, 0, tzinfo=UTC)
WEEK = timedelta(days=7)


async def _build(store: SqlStore, subs: list[Subscription], now: datetime) -> Digest:
    async with store.unit() as unit:
        fresh = [s for s in await unit.subscriptions.all_active() if s.id in {x.id for x in subs}]
        return await weekly.build_digest(unit, subs[0].workspace_id, subs[0].channel_id, fresh, now)


async def _deliver(store: SqlStore, subs: list[Subscription], now: datetime) -> Digest:
    async with store.unit() as unit:
        fresh = [s for s in await unit.subscriptions.all_active() if s.id in {x.id for x in subs}]
        digest = await weekly.build_digest(
            unit, subs[0].workspace_id, subs[0].channel_id, fresh, now
        )
        return await weekly.record_digest(
            unit, digest, lambda d: [m.to_payload() for m in digest_messages(d, "⭐", False)]
        )


def _ids(digest: Digest) -> list[str]:
    return [item.paper.arxiv_id for item in digest.items]


async def test_a_missed_week_is_caught_up_and_nothing_repeats(store: SqlStore) -> None:
    ws = await make_workspace(store)
    topic = await make_topic(store, ws, "llm")
    watermark = MON - 2 * WEEK
    sub = await make_subscription(store, ws, "c-1", topic, watermark=watermark)
    await add_papers(store, ["2606.00001", "2606.00002", "2606.00003", "2606.00004"])
    await add_matches(store, topic, {"2606.00001": 3.0}, watermark - timedelta(hours=1))
    await add_matches(store, topic, {"2606.00002": 3.0}, watermark + timedelta(days=2))
    await add_matches(store, topic, {"2606.00003": 3.0}, MON - timedelta(days=3))

    first = await _deliver(store, [sub], MON)
    assert sorted(_ids(first)) == ["2606.00002", "2606.00003"]
    assert first.window_start == watermark
    assert first.window_end == MON

    again = await _build(store, [sub], MON + timedelta(hours=1))
    assert again.items == ()

    await add_matches(store, topic, {"2606.00004": 1.0}, MON + timedelta(days=2))
    following = await _build(store, [sub], MON + WEEK)
    assert _ids(following) == ["2606.00004"]


async def test_first_digest_covers_the_week_before_subscribing(store: SqlStore) -> None:
    ws = await make_workspace(store)
    topic = await make_topic(store, ws, "llm")
    sub = await make_subscription(store, ws, "c-1", topic)
    created = sub.created_at
    assert created is not None
    await add_papers(store, ["2606.00001", "2606.00002"])
    await add_matches(store, topic, {"2606.00001": 1.0}, created - timedelta(days=6))
    await add_matches(store, topic, {"2606.00002": 1.0}, created - timedelta(days=8))
    digest = await _build(store, [sub], created + timedelta(days=1))
    assert _ids(digest) == ["2606.00001"]


async def test_papers_on_the_list_and_already_shown_are_left_out_and_counted(
    store: SqlStore,
) -> None:
    ws = await make_workspace(store)
    topic = await make_topic(store, ws, "llm")
    sub = await make_subscription(store, ws, "c-1", topic, watermark=MON - 2 * WEEK)
    other = await make_subscription(store, ws, "c-2", topic, watermark=MON - 2 * WEEK)
    ids = ["2606.00001", "2606.00002", "2606.00003", "2606.00004"]
    await add_papers(store, ids)
    await add_matches(store, topic, {"2606.00001": 1.0}, MON - 2 * WEEK + timedelta(days=1))
    shown_before = await _deliver(store, [sub], MON - WEEK)
    assert _ids(shown_before) == ["2606.00001"]

    # Re-matched (a topic edit forgets and re-matches its backlog): shown here, not in c-2.
    async with store.unit() as unit:
        await unit.matches.delete_for_topic(topic.id)
    await add_matches(store, topic, dict.fromkeys(ids, 1.0), MON - timedelta(days=1))
    await put_on_list(store, ws, "2606.00002", MON)

    digest = await _build(store, [sub], MON)
    assert sorted(_ids(digest)) == ["2606.00003", "2606.00004"]
    assert (digest.left_out_on_list, digest.left_out_already_shown) == (1, 1)
    header = digest_messages(digest, "⭐", False)[0]
    assert header.footer == (Plain("Left out: 1 already on the list, 1 shown here before."),)

    elsewhere = await _build(store, [other], MON)
    assert sorted(_ids(elsewhere)) == ["2606.00001", "2606.00003", "2606.00004"]


async def test_ranked_by_score_then_group_votes_then_date(store: SqlStore) -> None:
    ws = await make_workspace(store)
    topic = await make_topic(store, ws, "llm")
    sub = await make_subscription(store, ws, "c-1", topic, watermark=MON - WEEK)
    await add_papers(store, ["2606.00001", "2606.00002"], announced=date(2026, 6, 22))
    await add_papers(store, ["2606.00003", "2606.00004"], announced=date(2026, 6, 26))
    await add_papers(store, ["2606.00005"], announced=date(2026, 6, 24))
    at = MON - timedelta(days=2)
    await add_matches(
        store,
        topic,
        {"2606.00001": 2.0, "2606.00002": 2.0, "2606.00003": 2.0, "2606.00004": 5.0},
        at,
    )
    await add_matches(store, topic, {"2606.00005": 2.0}, at)
    # Nominated in another channel: votes lift it above equal scores, not above a better one.
    await nominate(store, ws, "2606.00001", ["u-a", "u-b"], at)
    await nominate(store, ws, "2606.00005", ["u-c"], at)

    digest = await _build(store, [sub], MON)
    assert _ids(digest) == ["2606.00004", "2606.00001", "2606.00005", "2606.00003", "2606.00002"]
    assert [item.votes for item in digest.items] == [0, 2, 1, 0, 0]
    card = digest_messages(digest, "⭐", False)[2].cards[0]
    assert card.note == "Already nominated elsewhere in this workspace (2 votes)."


async def test_the_cap_keeps_the_best_and_says_how_many_more(store: SqlStore) -> None:
    ws = await make_workspace(store)
    topic = await make_topic(store, ws, "llm")
    sub = await make_subscription(store, ws, "c-1", topic, cap=3, watermark=MON - WEEK)
    ids = [f"2606.{n:05d}" for n in range(1, 9)]
    await add_papers(store, ids)
    await add_matches(store, topic, {i: float(n) for n, i in enumerate(ids)}, MON - timedelta(1))

    digest = await _deliver(store, [sub], MON)
    assert _ids(digest) == ["2606.00008", "2606.00007", "2606.00006"]
    assert digest.more_matched == 5
    assert [o.paper_id for o in digest.overflow] == ids[4::-1]
    closing = digest_messages(digest, "⭐", False)[-1]
    assert closing.body[0] == Bold("5 more")
    assert "5 more matched beyond this digest's limit of 3" in closing.text
    assert closing.buttons[0].label == "Show 5 more"
    assert closing.buttons[0].value == str(digest.id)

    async with store.unit() as unit:
        stored = await unit.digests.overflow(digest.id or 0)
        shown = await unit.digests.shown_paper_ids(ws.id, "c-1")
    assert [o.paper_id for o in stored] == ids[4::-1]
    assert shown == set(ids[5:])  # the overflow was not posted, so it was not shown here


async def test_two_topics_in_a_channel_make_one_digest_with_each_paper_once(
    store: SqlStore,
) -> None:
    ws = await make_workspace(store)
    serving = await make_topic(store, ws, "serving")
    moe = await make_topic(store, ws, "moe")
    subs = [
        await make_subscription(store, ws, "c-1", serving, watermark=MON - WEEK),
        await make_subscription(store, ws, "c-1", moe, watermark=MON - WEEK),
    ]
    await add_papers(store, ["2606.00001", "2606.00002", "2606.00003"])
    at = MON - timedelta(days=1)
    await add_matches(store, serving, {"2606.00001": 4.0, "2606.00002": 1.0}, at)
    await add_matches(store, moe, {"2606.00001": 3.0, "2606.00003": 2.0}, at)

    digest = await _build(store, subs, MON)
    assert [(i.topic_name, i.paper.arxiv_id) for i in digest.items] == [
        ("moe", "2606.00003"),
        ("serving", "2606.00001"),
        ("serving", "2606.00002"),
    ]
    both = digest.items[1]
    assert both.also_topics == ("moe",)
    assert digest.topic_names == ("moe", "serving")
    messages = digest_messages(digest, "⭐", False)
    assert messages[0].title == "Weekly digest: moe, serving"
    assert len(messages) == 4
    assert messages[2].cards[0].topic == "serving (also moe)"


async def test_topics_share_the_cap_so_a_broad_one_cannot_fill_it(store: SqlStore) -> None:
    ws = await make_workspace(store)
    broad = await make_topic(store, ws, "broad")
    narrow = await make_topic(store, ws, "narrow")
    subs = [
        await make_subscription(store, ws, "c-1", broad, cap=4, watermark=MON - WEEK),
        await make_subscription(store, ws, "c-1", narrow, cap=4, watermark=MON - WEEK),
    ]
    broad_ids = [f"2606.001{n:02d}" for n in range(10)]
    await add_papers(store, [*broad_ids, "2606.00201", "2606.00202"])
    at = MON - timedelta(days=1)
    await add_matches(store, broad, dict.fromkeys(broad_ids, 9.0), at)
    await add_matches(store, narrow, {"2606.00201": 1.0, "2606.00202": 1.0}, at)

    digest = await _build(store, subs, MON)
    assert [i.topic_name for i in digest.items] == ["broad", "broad", "narrow", "narrow"]
    assert digest.more_matched == 8


async def test_an_empty_week_says_so_or_stays_quiet(store: SqlStore) -> None:
    ws = await make_workspace(store)
    serving = await make_topic(store, ws, "serving")
    moe = await make_topic(store, ws, "moe")
    subs = [
        await make_subscription(store, ws, "c-1", serving, watermark=MON - WEEK),
        await make_subscription(store, ws, "c-1", moe, watermark=MON - WEEK),
    ]
    empty = await _build(store, subs, MON)
    said = digest_messages(empty, "⭐", quiet_when_empty=False)
    assert len(said) == 1
    assert said[0].body == text(
        "Nothing new on ", bold("moe"), " or ", bold("serving"), " this week."
    )
    assert digest_messages(empty, "⭐", quiet_when_empty=True) == []

    await add_papers(store, ["2606.00001"])
    await add_matches(store, serving, {"2606.00001": 1.0}, MON - timedelta(days=1))
    half = await _build(store, subs, MON)
    assert half.empty_topics == ("moe",)
    header = digest_messages(half, "⭐", False)[0]
    assert header.text.endswith(" Nothing new on moe.")
    assert header.body[-3:] == text(" Nothing new on ", bold("moe"), ".")


async def test_a_quiet_empty_week_still_moves_the_watermark(store: SqlStore) -> None:
    ws = await make_workspace(store)
    topic = await make_topic(store, ws, "llm")
    sub = await make_subscription(store, ws, "c-1", topic, watermark=MON - WEEK)
    async with store.unit() as unit:
        await unit.subscriptions.set_options([sub.id], quiet_when_empty=True)
        subs = await unit.subscriptions.for_channel(ws.id, "c-1")
        digest = await weekly.build_digest(unit, ws.id, "c-1", subs, MON)
        saved = await weekly.record_digest(unit, digest, lambda d: [])
        assert await unit.outbox.for_digest(saved.id or 0) == []
        after = await unit.subscriptions.get(sub.id)
    assert after is not None
    assert after.watermark == MON


async def test_many_channels_are_built_in_one_go_like_one_by_one(store: SqlStore) -> None:
    ws = await make_workspace(store)
    topics = [await make_topic(store, ws, f"t{n}") for n in range(3)]
    ids = [f"2606.{n:05d}" for n in range(1, 13)]
    await add_papers(store, ids)
    for n, topic in enumerate(topics):
        await add_matches(store, topic, {i: 1.0 + k for k, i in enumerate(ids[n::2])}, MON)
    channels = []
    for n in range(4):
        subs = [
            await make_subscription(store, ws, f"c-{n}", t, cap=3, watermark=MON - WEEK)
            for t in topics[: n % 3 + 1]
        ]
        channels.append(subs)
    async with store.unit() as unit:
        together = await weekly.build_digests(unit, channels, MON)
        alone = [
            await weekly.build_digest(unit, ws.id, subs[0].channel_id, subs, MON)
            for subs in channels
        ]
    assert together == alone
    assert all(len(d.items) == 3 for d in together)


async def test_the_statement_count_does_not_follow_the_number_of_papers(store: SqlStore) -> None:
    ws = await make_workspace(store)
    serving = await make_topic(store, ws, "serving")
    moe = await make_topic(store, ws, "moe")
    subs = [
        await make_subscription(store, ws, "c-1", serving, cap=2, watermark=MON - WEEK),
        await make_subscription(store, ws, "c-1", moe, cap=2, watermark=MON - WEEK),
    ]
    ids = [f"2606.{n:05d}" for n in range(1, 41)]
    await add_papers(store, ids)
    await add_matches(store, serving, dict.fromkeys(ids[:30], 1.0), MON - timedelta(days=1))
    await add_matches(store, moe, dict.fromkeys(ids[10:], 2.0), MON - timedelta(days=1))
    await nominate(store, ws, ids[3], ["u-a"], MON - WEEK)
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    counts = []
    for cap in (2, 30):
        async with store.unit() as unit:
            await unit.subscriptions.set_options([s.id for s in subs], cap=cap)
        statements.clear()
        event.listen(store.engine.sync_engine, "before_cursor_execute", count)
        try:
            digest = await _deliver(store, subs, MON)
        finally:
            event.remove(store.engine.sync_engine, "before_cursor_execute", count)
        assert len(digest.items) == min(cap, 40)
        counts.append(len(statements))
        async with store.unit() as unit:
            await unit.subscriptions.set_watermark([s.id for s in subs], MON - WEEK)
            await unit.session.execute(delete(DigestRow))
    assert counts[0] == counts[1] > 0
