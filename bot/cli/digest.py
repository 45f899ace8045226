"""`paperbot digest preview --topic NAME [--week DATE]`."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime, timedelta

from bot.cli.common import CliError, iso_date, opened_store, pick_workspace
from config import Settings
from digest import weekly
from digest.matching import Matcher
from digest.models import Subscription, Topic, Workspace
from digest.ports import Unit


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `digest`."""
    digest = commands.add_parser("digest", help="weekly digests", description="Weekly digests.")
    actions = digest.add_subparsers(dest="digest_command", required=True, metavar="ACTION")
    preview = actions.add_parser("preview", help="print what the next digest would hold")
    preview.add_argument("--topic", required=True, help="topic name")
    preview.add_argument("--week", type=iso_date, help="show the week that holds this date")
    preview.add_argument("--workspace", help="workspace (guild or team) id, if names clash")


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """Print what the next digest of a topic would hold (or a given week's papers)."""
    async with opened_store(settings) as store, store.unit() as unit:
        workspace = await pick_workspace(unit, args.workspace)
        topic = await unit.topics.get_by_name(workspace.id, args.topic)
        if topic is None:
            raise CliError(f"no topic {args.topic!r} in {workspace.name}")
        if args.week:
            lines = await _week_lines(unit, topic, args.week)
        else:
            lines = await _next_lines(unit, workspace, topic)
    print("\n".join(lines))
    return 0


async def _week_lines(unit: Unit, topic: Topic, week: date) -> list[str]:
    monday = week - timedelta(days=week.weekday())
    papers = await unit.papers.announced_between(monday, monday + timedelta(days=6))
    found = sorted(Matcher([topic]).match(papers), key=lambda m: -m.score)
    by_id = {p.arxiv_id: p for p in papers}
    head = f"{topic.name}, week of {monday}: {len(found)} of {len(papers)} papers match"
    return [head] + [f"  {m.score:5.1f}  {m.paper_id}  {by_id[m.paper_id].title}" for m in found]


async def _next_lines(unit: Unit, workspace: Workspace, topic: Topic) -> list[str]:
    now = datetime.now(UTC)
    subs = [s for s in await unit.subscriptions.all_active() if s.topic_id == topic.id]
    sub = subs[0] if subs else Subscription(0, workspace.id, "(preview)", topic.id)
    digest = await weekly.build_digest(unit, workspace.id, sub.channel_id, [sub], now)
    head = f"{topic.name}: next digest holds {len(digest.items)} papers"
    if digest.more_matched:
        head += f" (+{digest.more_matched} over the cap)"
    return [head] + [f"  {i.score:5.1f}  {i.paper.arxiv_id}  {i.paper.title}" for i in digest.items]
