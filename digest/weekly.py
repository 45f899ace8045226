"""Weekly digests: when each is due, and what it holds (window, ranking, cap, grouping)."""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from digest.collection_pause import collection_paused
from digest.models import (
    Digest,
    DigestCandidate,
    DigestItem,
    OverflowItem,
    Paper,
    Subscription,
    Topic,
)
from digest.ports import Unit
from digest.relevance import Relevance

FIRST_WINDOW = timedelta(days=7)
DEFAULT_CAP = 15

RankKey = tuple[float, int, int, str]


def next_due(subscription: Subscription, after: datetime) -> datetime:
    """The first instant strictly after `after` at the subscription's weekday and local time."""
    zone = ZoneInfo(subscription.timezone)
    local = after.astimezone(zone)
    day = local.date() + timedelta(days=(subscription.weekday - local.weekday()) % 7)
    for _ in range(3):
        candidate = datetime.combine(day, subscription.at, tzinfo=zone)
        # Round-trip through UTC so a wall time inside a DST gap resolves to a real instant
        # (the same one APScheduler's CronTrigger picks).
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


def is_due(subscription: Subscription, now: datetime) -> bool:
    """True when a scheduled time passed since the subscription's last delivered window."""
    since = subscription.watermark or subscription.created_at
    return since is not None and last_due(subscription, now) > since


def window_start(subscription: Subscription, now: datetime) -> datetime:
    """Where the subscription's next digest starts: its watermark, or a week before it began."""
    if subscription.watermark is not None:
        return subscription.watermark
    return min(subscription.created_at or now, now) - FIRST_WINDOW


class _Pick(NamedTuple):
    """One distinct paper of a channel's digest, under the topic that matched it best (a tuple:
    one is made for each candidate, a couple of hundred thousand for 10,000 subscriptions)."""

    candidate: DigestCandidate
    topic: Topic
    also: tuple[str, ...]
    key: RankKey


def _rank_key(candidate: DigestCandidate) -> RankKey:
    # Match score (or the learned order's value, digest.relevance, when it ranks) first, then
    # the group's interest (votes on a pending nomination of the paper elsewhere in the
    # workspace), then the newest announcement; the id keeps it stable.
    day = candidate.announced or date.min
    first = candidate.match.score if candidate.rank is None else candidate.rank
    return (-first, -candidate.votes, -day.toordinal(), candidate.match.paper_id)


def _picks(
    candidates: Sequence[DigestCandidate], topics: Mapping[int, Topic]
) -> tuple[list[_Pick], int, int, set[int]]:
    """Distinct papers to choose from, how many were left out (listed, shown), topics with any."""
    by_paper: dict[str, list[DigestCandidate]] = defaultdict(list)
    for candidate in candidates:
        if candidate.match.topic_id in topics:
            by_paper[candidate.match.paper_id].append(candidate)
    on_list = shown = 0
    picks: list[_Pick] = []
    live_topics: set[int] = set()
    for found in by_paper.values():
        if len(found) == 1:  # most papers: matched by one topic of the channel
            only = found[0]
            if only.on_list:
                on_list += 1
            elif only.shown:
                shown += 1
            else:
                live_topics.add(only.match.topic_id)
                picks.append(_Pick(only, topics[only.match.topic_id], (), _rank_key(only)))
            continue
        if any(c.on_list for c in found):
            on_list += 1
            continue
        if any(c.shown for c in found):
            shown += 1
            continue
        found.sort(key=lambda c: (-c.match.score, topics[c.match.topic_id].name))
        best = found[0]
        live_topics.update(c.match.topic_id for c in found)
        also = tuple(sorted({topics[c.match.topic_id].name for c in found[1:]}))
        picks.append(_Pick(best, topics[best.match.topic_id], also, _rank_key(best)))
    return picks, on_list, shown, live_topics


def _share_cap(picks: list[_Pick], cap: int) -> tuple[list[_Pick], list[_Pick]]:
    """Kept and overflow: topics take turns (best topic first) so a broad one cannot fill it."""
    ranked = sorted(picks, key=lambda p: p.key)
    queues: dict[int, deque[_Pick]] = defaultdict(deque)
    for pick in ranked:
        queues[pick.topic.id].append(pick)
    order = list(queues)  # each topic first seen at its best pick: best topic first
    kept: list[_Pick] = []
    turn = 0
    waiting = len(picks)
    while len(kept) < cap and waiting:
        queue = queues[order[turn % len(order)]]
        if queue:
            kept.append(queue.popleft())
            waiting -= 1
        turn += 1
    taken = {id(p) for p in kept}
    return kept, [p for p in ranked if id(p) not in taken]


@dataclass(frozen=True, slots=True)
class _Selection:
    """What a channel's digest keeps and leaves out, before its papers are loaded."""

    subscriptions: Sequence[Subscription]
    topics: Mapping[int, Topic]
    kept: list[_Pick]
    overflow: list[_Pick]
    on_list: int
    shown: int
    live_topics: set[int]
    cap: int


def _select(
    subscriptions: Sequence[Subscription],
    candidates: Sequence[DigestCandidate],
    topics: Mapping[int, Topic],
) -> _Selection:
    own = {s.topic_id: topics[s.topic_id] for s in subscriptions if s.topic_id in topics}
    picks, on_list, shown, live = _picks(candidates, own)
    cap = max((s.cap for s in subscriptions), default=DEFAULT_CAP)
    kept, overflow = _share_cap(picks, cap)
    kept.sort(key=lambda p: (p.topic.name, p.key))
    return _Selection(subscriptions, own, kept, overflow, on_list, shown, live, cap)


def _assemble(selection: _Selection, papers: Mapping[str, Paper], now: datetime) -> Digest:
    subscriptions = selection.subscriptions
    items = tuple(
        DigestItem(
            paper=papers[p.candidate.match.paper_id],
            topic_id=p.topic.id,
            topic_name=p.topic.name,
            score=p.candidate.match.score,
            terms=p.candidate.match.terms,
            votes=p.candidate.votes,
            also_topics=p.also,
            likeness=p.candidate.likeness,
        )
        for p in selection.kept
        if p.candidate.match.paper_id in papers
    )
    overflow = tuple(
        OverflowItem(
            paper_id=p.candidate.match.paper_id,
            topic_id=p.topic.id,
            topic_name=p.topic.name,
            score=p.candidate.match.score,
            terms=p.candidate.match.terms,
        )
        for p in selection.overflow
    )
    topics = selection.topics.values()
    return Digest(
        workspace_id=subscriptions[0].workspace_id,
        channel_id=subscriptions[0].channel_id,
        window_start=min(window_start(s, now) for s in subscriptions),
        window_end=now,
        items=items,
        topic_names=tuple(sorted(t.name for t in topics)),
        more_matched=len(overflow),
        left_out_on_list=selection.on_list,
        left_out_already_shown=selection.shown,
        subscription_ids=tuple(s.id for s in subscriptions),
        overflow=overflow,
        empty_topics=tuple(sorted(t.name for t in topics if t.id not in selection.live_topics)),
        cap=selection.cap,
    )


def compose(
    subscriptions: Sequence[Subscription],
    candidates: Sequence[DigestCandidate],
    topics: Mapping[int, Topic],
    papers: Mapping[str, Paper],
    now: datetime,
) -> Digest:
    """A channel's digest from candidates already in hand (previews of past weeks)."""
    return _assemble(_select(subscriptions, candidates, topics), papers, now)


async def build_digests(
    unit: Unit,
    channels: Sequence[Sequence[Subscription]],
    now: datetime,
    relevance: Relevance | None = None,
) -> list[Digest]:
    """The digest of each channel (its subscriptions given together) for everything matched
    since their watermarks, in a fixed number of queries however many channels or papers.

    With `relevance`, workspaces set to the learned order rank by their model's (when ready).
    """
    channels = [subs for subs in channels if subs]
    every = [s for subs in channels for s in subs]
    if not every:
        return []
    # Hundreds of thousands of candidates, picks and overflow items at 10,000 subscriptions.
    with collection_paused():
        topics = await unit.topics.get_many(s.topic_id for s in every)
        after = {s.id: window_start(s, now) for s in every}
        found = await unit.digests.candidates(every, after, now)
        read: dict[str, Paper] = {}
        if relevance is not None:
            found, read = await relevance.rank(unit, every, found)
        by_subscription: dict[int, list[DigestCandidate]] = defaultdict(list)
        for candidate in found:
            by_subscription[candidate.subscription_id].append(candidate)
        selections = [
            _select(subs, [c for s in subs for c in by_subscription[s.id]], topics)
            for subs in channels
        ]
        # Only the papers a digest posts are loaded in full: at most its cap, never the overflow
        # (and none that ranking read already).
        posted = {p.candidate.match.paper_id for selection in selections for p in selection.kept}
        papers = {paper_id: read[paper_id] for paper_id in posted & read.keys()}
        papers.update(await unit.papers.get_many(posted - read.keys()))
        return [_assemble(selection, papers, now) for selection in selections]


async def build_digest(
    unit: Unit,
    workspace_id: int,
    channel_id: str,
    subscriptions: Sequence[Subscription],
    now: datetime,
    relevance: Relevance | None = None,
) -> Digest:
    """The digest of a channel's subscriptions for everything matched since their watermarks."""
    mine = [
        s for s in subscriptions if s.workspace_id == workspace_id and s.channel_id == channel_id
    ]
    if not mine:
        return Digest(workspace_id, channel_id, None, now, (), ())
    return (await build_digests(unit, [mine], now, relevance))[0]


Renderer = Callable[[Digest], Sequence[Mapping[str, object]]]


async def record_digest(unit: Unit, digest: Digest, render: Renderer) -> Digest:
    """Save a digest, write its messages to the outbox and advance the watermarks, atomically.

    `render` turns the saved digest (it has its id then, for buttons) into message payloads.
    """
    saved = await unit.digests.save(digest)
    messages = render(saved)
    if messages:
        await unit.outbox.enqueue(
            digest.workspace_id, digest.channel_id, "digest", messages, digest_id=saved.id
        )
    await unit.subscriptions.set_watermark(digest.subscription_ids, digest.window_end)
    return saved
