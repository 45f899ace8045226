"""`paperbot topic check RULE`."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime

from bot.cli.common import opened_store
from config import Settings
from digest.ports import Unit
from digest.query import QueryError
from digest.topics import check_rule


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `topic`."""
    topic = commands.add_parser("topic", help="topic rules", description="Topic rules.")
    actions = topic.add_subparsers(dest="topic_command", required=True, metavar="ACTION")
    check = actions.add_parser(
        "check", help="check a rule: how it is understood and what it matches"
    )
    check.add_argument("rule", help="a rule, like 'abs:\"LLM serving\" AND cat:cs.DC'")
    check.add_argument("--weeks", type=int, default=4, help="weeks of papers to count (4)")


async def _newest_day(unit: Unit) -> date:
    """The newest announcement day stored (today when nothing is stored)."""
    return await unit.papers.newest_announced() or datetime.now(UTC).date()


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """Print the normalised rule and its matches, or the error with its position."""
    async with opened_store(settings) as store, store.unit() as unit:
        newest = await _newest_day(unit)
        try:
            check = await check_rule(unit, args.rule, newest, args.weeks)
        except QueryError as exc:
            print(args.rule, file=sys.stderr)
            print(" " * exc.position + "^", file=sys.stderr)
            print(f"error: {exc}", file=sys.stderr)
            return 1
    print(f"understood as: {check.normalised}")
    print(
        f"matches {check.matched} of {check.scanned} papers in the {args.weeks} weeks to {newest}"
    )
    for title in check.sample:
        print(f"  e.g. {title}")
    return 0
