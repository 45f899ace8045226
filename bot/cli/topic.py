"""`paperbot topic check RULE`."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from bot.cli.common import iso_date, opened_store, week_count
from config import Settings
from digest.backlog import BacklogWindow, backlog_window, window_until
from digest.query import QueryError, pointed
from digest.topics import RuleCheck, check_rule


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `topic`."""
    topic = commands.add_parser("topic", help="topic rules", description="Topic rules.")
    actions = topic.add_subparsers(dest="topic_command", required=True, metavar="ACTION")
    check = actions.add_parser(
        "check",
        help="check a rule: how it is understood and what it matches",
        description="Print a rule as paperbot understands it (or where it is wrong), the arXiv "
        "API query that fetches its papers, and how many stored papers of the last weeks it "
        "matches.",
    )
    check.add_argument("rule", help="a rule, like 'abs:\"LLM serving\" AND cat:cs.DC'")
    check.add_argument(
        "--weeks", type=week_count, default=4, help="weeks of papers to count, 1 to 520 (4)"
    )
    check.add_argument(
        "--until",
        type=iso_date,
        help="last day counted (default: today, or the newest stored announcement when nothing "
        "of those weeks is stored)",
    )


def error_lines(rule: str, error: QueryError) -> list[str]:
    """The rule, a caret under the position of the error, and the reason."""
    shown, caret = pointed(rule, error)
    return [shown, caret, f"error: {error.reason}"]


def report_lines(check: RuleCheck, window: BacklogWindow) -> list[str]:
    """What `topic check` prints for a rule that parses."""
    lines = [f"understood as: {check.normalised}"]
    if check.api.query is None:
        lines.append(f"arXiv API query: none ({check.api.note})")
    else:
        suffix = f"  ({check.api.note})" if check.api.note else ""
        lines.append(f"arXiv API query: {check.api.query}{suffix}")
    lines.append(f"matches {check.matched:,} of {check.scanned:,} papers in {window.describe()}")
    if not check.scanned:
        lines.append("  (no papers stored for those weeks: run `paperbot ingest`, or pass --until)")
    lines.extend(f"  e.g. {title}" for title in check.sample)
    return lines


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """Print the normalised rule and its matches, or the error with its position."""
    async with opened_store(settings) as store, store.unit() as unit:
        window = (
            window_until(args.until, args.weeks)
            if args.until
            else await backlog_window(unit, datetime.now(UTC).date(), args.weeks)
        )
        try:
            check = await check_rule(unit, args.rule, window.last, args.weeks)
        except QueryError as exc:
            print("\n".join(error_lines(args.rule, exc)), file=sys.stderr)
            return 1
    print("\n".join(report_lines(check, window)))
    return 0
