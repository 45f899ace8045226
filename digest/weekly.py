"""Weekly digests: when each is due, and what it holds (window, ranking, cap, grouping)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from digest.models import Digest, DigestItem, Match, Paper, Subscription
from digest.ports import Unit

FIRST_WINDOW = timedelta(days=7)


def next_due(subscription: Subscription, after: datetime) -> datetime:
    """The first instant strictly after `after` at the subscription's weekday and local time."""
    zone = ZoneInfo(subscription.timezone)
    local = after.astimezone(zone)
    day = local.date() + timedelta(days=(subscription.weekday - local.weekday()) % 7)
    for _ in range(3):
        candidate = datetime.combine(day, subscription.at, tzinfo=zone)
        # Round-trip through UTC so a wall time inside a DST gap resolves to a real instant.
        instant = candidate.astimezone(UTC)
        if instant > after.astimezone(UTC):
            return instant
        day += timedelta(days=7)
    raise AssertionError("unreachable: a week later is always after")


def last_due(subscription: Subscription, at_or_before: datetime) -> datetime:
    """The latest scheduled instant at or before `at_or_before`."""
    due = next_due(subscription, at_or_before - timedelta(days=8))
    while (following := next_due(subscription, due)) <= at_or_before:
        due = following
    return due


def _sort_date(paper: Paper) -> date:
    if paper.announced:
        return paper.announced
    if paper.updated:
        return paper.updated.date()
    return date.min


async def build_digest(
    unit: Unit,
    workspace_id: int,
    channel_id: str,
    subscriptions: Sequence[Subscription],
    now: datetime,
) -> Digest:
    """The digest of a channel's subscriptions for everything matched since their watermarks."""
    topics = await unit.topics.get_many(s.topic_id for s in subscriptions)
    on_list = await unit.lists.paper_ids_on_list(workspace_id)
    shown = await unit.digests.shown_paper_ids(workspace_id, channel_id)
    best: dict[str, Match] = {}
    for subscription in subscriptions:
        after = subscription.watermark or (now - FIRST_WINDOW)
        for match in await unit.matches.for_topics([subscription.topic_id], after, now):
            known = best.get(match.paper_id)
            if known is None or match.score > known.score:
                best[match.paper_id] = match
    left_on_list = sum(1 for paper_id in best if paper_id in on_list)
    left_shown = sum(1 for paper_id in best if paper_id in shown and paper_id not in on_list)
    candidates = [m for pid, m in best.items() if pid not in on_list and pid not in shown]
    papers = await unit.papers.get_many(m.paper_id for m in candidates)
    candidates = [m for m in candidates if m.paper_id in papers]
    candidates.sort(
        key=lambda m: (-m.score, -_sort_date(papers[m.paper_id]).toordinal(), m.paper_id)
    )
    cap = max((s.cap for s in subscriptions), default=15)
    kept = candidates[:cap]
    topic_order = sorted(topics.values(), key=lambda t: t.name)
    rank = {t.id: i for i, t in enumerate(topic_order)}
    kept.sort(key=lambda m: rank.get(m.topic_id, len(rank)))
    items = tuple(
        DigestItem(
            paper=papers[m.paper_id],
            topic_id=m.topic_id,
            topic_name=topics[m.topic_id].name,
            score=m.score,
            terms=m.terms,
        )
        for m in kept
    )
    watermarks = [s.watermark for s in subscriptions if s.watermark is not None]
    return Digest(
        workspace_id=workspace_id,
        channel_id=channel_id,
        window_start=min(watermarks) if watermarks else None,
        window_end=now,
        items=items,
        topic_names=tuple(t.name for t in topic_order),
        more_matched=len(candidates) - len(kept),
        left_out_on_list=left_on_list,
        left_out_already_shown=left_shown,
        subscription_ids=tuple(s.id for s in subscriptions),
    )


async def record_digest(
    unit: Unit, digest: Digest, messages: Sequence[Mapping[str, object]]
) -> Digest:
    """Save a digest, write its messages to the outbox and advance the watermarks, atomically."""
    saved = await unit.digests.save(digest)
    await unit.outbox.enqueue(
        digest.workspace_id, digest.channel_id, "digest", messages, digest_id=saved.id
    )
    await unit.subscriptions.set_watermark(digest.subscription_ids, digest.window_end)
    return saved
