"""The `paperbot` command line: one argparse tree, each command with its own --help."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-06-22") from exc


def build_parser() -> argparse.ArgumentParser:
    """The parser for every paperbot command."""
    parser = argparse.ArgumentParser(
        prog="paperbot",
        description="A Discord and Slack bot for research groups that keep a paper list.",
    )
    parser.add_argument("--env-file", type=Path, default=Path(".env"), help="settings file")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="run the bot (Discord and/or Slack, from the configured tokens)",
        description="Run the bot: chat platforms, weekly digests and daily ingestion.",
    )
    run.add_argument(
        "--console",
        action="store_true",
        help="chat with the bot in this terminal instead of Discord or Slack",
    )

    demo = commands.add_parser(
        "demo",
        help="run the whole loop offline on sample data",
        description="Create a scratch database, load a sample week of arXiv metadata, and run "
        "topics, a weekly digest, a nomination, an approval and the Markdown list.",
    )
    demo.add_argument("--keep", type=Path, help="keep the demo database in this folder")

    db = commands.add_parser("db", help="database schema", description="Database schema.")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser("upgrade", help="migrate the database to the latest schema")
    db_commands.add_parser("current", help="print the schema revision of the database")

    ingest = commands.add_parser(
        "ingest",
        help="fetch papers from arXiv, or load a dump",
        description="Fetch papers from the arXiv API (--since) or load a JSONL dump "
        "(--from-file), store them and match them against every topic.",
    )
    source = ingest.add_mutually_exclusive_group(required=True)
    source.add_argument("--since", type=_date, help="harvest papers updated since this date")
    source.add_argument("--from-file", type=Path, help="load a .jsonl or .jsonl.gz dump")
    ingest.add_argument(
        "--categories", nargs="+", help="arXiv categories (default: PAPERBOT_ARXIV_CATEGORIES)"
    )

    topic = commands.add_parser("topic", help="topic rules", description="Topic rules.")
    topic_commands = topic.add_subparsers(dest="topic_command", required=True, metavar="ACTION")
    check = topic_commands.add_parser(
        "check", help="check a rule: how it is understood and what it matches"
    )
    check.add_argument("rule", help="a rule, like 'abs:\"LLM serving\" AND cat:cs.DC'")
    check.add_argument("--weeks", type=int, default=4, help="weeks of papers to count (4)")

    digest = commands.add_parser("digest", help="weekly digests", description="Weekly digests.")
    digest_commands = digest.add_subparsers(dest="digest_command", required=True, metavar="ACTION")
    preview = digest_commands.add_parser("preview", help="print what the next digest would hold")
    preview.add_argument("--topic", required=True, help="topic name")
    preview.add_argument("--week", type=_date, help="show the week that holds this date instead")
    preview.add_argument("--workspace", help="workspace (guild or team) id, if names clash")

    lists = commands.add_parser("list", help="the shared list", description="The shared list.")
    list_commands = lists.add_subparsers(dest="list_command", required=True, metavar="ACTION")
    export = list_commands.add_parser("export", help="export the list")
    export.add_argument("--format", choices=("md", "json", "bibtex"), default="md")
    export.add_argument("--style", help="Markdown style (default: the workspace's)")
    export.add_argument("--workspace", help="workspace (guild or team) id")
    export.add_argument("--output", "-o", type=Path, help="write to this file")
    return parser
