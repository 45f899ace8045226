"""`paperbot digest preview --topic NAME [--week DATE] [--channel ID]`."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.cli.common import CliError, iso_date, opened_store, pick_workspace

if TYPE_CHECKING:
    from config import Settings
    from digest.models import Digest, Subscription, Topic, Workspace
    from digest.ports import Clock, Unit
    from digest.relevance import Relevance

TITLE_WIDTH = 72


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `digest`."""
    digest = commands.add_parser("digest", help="weekly digests", description="Weekly digests.")
    actions = digest.add_subparsers(dest="digest_command", required=True, metavar="ACTION")
    preview = actions.add_parser(
        "preview",
        help="print what the next digest would hold",
        description="Print what a topic's next digest would hold, ranked and capped, with what "
        "it leaves out. With --week, the digest of the papers announced in that week instead.",
    )
    preview.add_argument("--topic", required=True, help="topic name")
    preview.add_argument("--week", type=iso_date, help="the week (Mon-Sun) that holds this date")
    preview.add_argument("--channel", help="channel id, when several channels subscribe the topic")
    preview.add_argument("--workspace", help="workspace (guild or team) id, if names clash")


async def run(args: argparse.Namespace, settings: Settings, clock: Clock | None = None) -> int:
    """Print what the next digest of a topic would hold (or a given week's digest)."""
    from digest import weekly
    from digest.backlog import backlog_window
    from digest.clock import SystemClock
    from digest.topics import find_topic

    now = (clock or SystemClock()).now()
    async with opened_store(settings) as store, store.unit() as unit:
        workspace = await pick_workspace(unit, args.workspace, settings)
        topic = await find_topic(unit, workspace.id, args.topic)
        if topic is None:
            known = ", ".join(t.name for t in await unit.topics.list(workspace.id)) or "none yet"
            raise CliError(f"no topic {args.topic!r} in {workspace.name} (topics: {known})")
        sub = await _subscription(unit, workspace.id, topic, args.channel)
        relevance, order = await _ranker(unit, workspace)
        if args.week:
            monday = args.week - timedelta(days=args.week.weekday())
            week = (monday, monday + timedelta(6))
            digest = await _announced_digest(unit, sub, topic, week, now, relevance, workspace)
            head = f"{topic.name}: the digest of the week of {monday:%a %d %b %Y}"
        elif sub.id:
            digest = await weekly.build_digest(
                unit, workspace.id, sub.channel_id, [sub], now, relevance
            )
            due = weekly.next_due(sub, now).astimezone(ZoneInfo(sub.timezone))
            start = weekly.window_start(sub, now)
            head = (
                f"{topic.name} in {sub.channel_id}: next digest {due:%a %d %b %H:%M} "
                f"{sub.timezone}, so far (matched since {start:%a %d %b %H:%M} UTC)"
            )
        else:
            # Nobody subscribes the topic yet: what a first digest would hold today (or of the
            # newest stored week, when nothing of the last one is stored).
            window = await backlog_window(unit, now.date(), 1)
            first = window.first + timedelta(days=1)
            week = (first, window.last)
            digest = await _announced_digest(unit, sub, topic, week, now, relevance, workspace)
            head = f"{topic.name} (no channel subscribes it): papers of {window.describe()}"
        over = await unit.papers.get_many(item.paper_id for item in digest.overflow)
    titles = {paper_id: paper.title for paper_id, paper in over.items()}
    print("\n".join([head, *preview_lines(digest, titles), order]))
    return 0


async def _ranker(unit: Unit, workspace: Workspace) -> tuple[Relevance | None, str]:
    """The workspace's relevance model, trained now from what the bot trains it on (the bot
    keeps its own, trained in the background), and a line saying how the preview is ordered."""
    from digest.models import LEARNED_MIN_ENTRIES, RANKINGS
    from digest.offload import inline
    from digest.relevance import MATCH_WEIGHT, Relevance, training_set

    ranking = workspace.settings.ranking
    if ranking != "learned":
        return None, f"Order: {ranking} ({RANKINGS[ranking]})."
    training = await training_set(unit, workspace.id)
    if not training.enough:
        return None, (
            f"Order: the rule's ({RANKINGS['rule']}) until the list has "
            f"{LEARNED_MIN_ENTRIES} entries (it has {training.entries}); then learned."
        )
    relevance = Relevance(run=inline)
    await relevance.train(workspace.id, training)
    return relevance, (
        f"Order: learned, by what the list keeps ({training.entries} entries): relevance "
        f"+ {MATCH_WEIGHT:g} x match score."
    )


async def _subscription(
    unit: Unit, workspace_id: int, topic: Topic, channel: str | None
) -> Subscription:
    from digest.models import Subscription

    subs = await unit.subscriptions.active_for_topic(topic.id)
    if channel:
        subs = [s for s in subs if s.channel_id == channel]
        if not subs:
            raise CliError(f"channel {channel!r} does not subscribe {topic.name!r}")
    if len(subs) > 1:
        channels = ", ".join(s.channel_id for s in subs)
        raise CliError(
            f"{topic.name!r} is subscribed in several channels; pick --channel: {channels}"
        )
    return subs[0] if subs else Subscription(0, workspace_id, "", topic.id)


async def _announced_digest(
    unit: Unit,
    sub: Subscription,
    topic: Topic,
    days: tuple[date, date],
    now: datetime,
    relevance: Relevance | None,
    workspace: Workspace,
) -> Digest:
    """The digest of papers announced on `days` (first, last), matched afresh against the
    topic's rule, ordered as the workspace's digests are."""
    from digest import weekly
    from digest.matching import Matcher
    from digest.models import DigestCandidate, NominationStatus

    papers = {p.arxiv_id: p for p in await unit.papers.announced_between(*days)}
    found = Matcher([topic]).match(list(papers.values()))
    on_list = await unit.lists.paper_ids_on_list(sub.workspace_id)
    shown = (
        await unit.digests.shown_paper_ids(sub.workspace_id, sub.channel_id)
        if sub.channel_id
        else set()
    )
    pending = await unit.nominations.list(sub.workspace_id, NominationStatus.PENDING)
    votes = {n.paper_id: len(n.votes) for n in pending}
    candidates = [
        DigestCandidate(
            subscription_id=sub.id,
            match=match,
            announced=papers[match.paper_id].announced,
            on_list=match.paper_id in on_list,
            shown=match.paper_id in shown,
            votes=votes.get(match.paper_id, 0),
            paper_version=papers[match.paper_id].version,
            ranking=workspace.settings.ranking,
        )
        for match in found
    ]
    if relevance is not None:
        candidates, _ = await relevance.rank(unit, [sub], candidates)
    return weekly.compose([sub], candidates, {topic.id: topic}, papers, now)


def _short(title: str) -> str:
    return title if len(title) <= TITLE_WIDTH else title[: TITLE_WIDTH - 1] + "…"


def preview_lines(digest: Digest, titles: Mapping[str, str]) -> list[str]:
    """A digest as terminal lines: what is posted (with why, when the learned order ranked it),
    what is over the cap, what is left out."""
    from bot.messages import likeness_text
    from bot.rich_text import plain_text

    count = len(digest.items)
    lines = [f"{count} paper{'s' if count != 1 else ''} (cap {digest.cap})"]
    for rank, item in enumerate(digest.items, 1):
        lines.append(
            f"  {rank:>3}. {item.score:5.1f}  {item.paper.arxiv_id:<12} {_short(item.paper.title)}"
            + (f"  [{item.votes} votes]" if item.votes else "")
        )
        if item.likeness is not None:
            # The reason its card gives (bot.messages.likeness_text), as plain text.
            lines.append(f"{'':>20}{plain_text(likeness_text(item.likeness))}")
    if digest.overflow:
        lines.append(f"{digest.more_matched} more over the cap (`/paper more` shows them in chat):")
        lines += [
            f"  {rank:>3}. {item.score:5.1f}  {item.paper_id:<12} "
            + _short(titles.get(item.paper_id, ""))
            for rank, item in enumerate(digest.overflow, count + 1)
        ]
    left = []
    if digest.left_out_on_list:
        left.append(f"{digest.left_out_on_list} already on the list")
    if digest.left_out_already_shown:
        left.append(f"{digest.left_out_already_shown} shown in this channel before")
    if left:
        lines.append("Left out: " + ", ".join(left) + ".")
    if not count and not digest.overflow:
        lines.append(f"Nothing new on {', '.join(digest.topic_names)}.")
    return lines
