"""`paperbot ingest --since DATE | --from-file FILE`."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, time
from pathlib import Path

from rich.progress import Progress

from bot.cli.common import CliError, iso_date, opened_store
from config import Settings
from digest.arxiv import ArxivApiSource
from digest.ingest import IngestReport, harvest, read_corpus, store_papers
from digest.models import Paper


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `ingest`."""
    ingest = commands.add_parser(
        "ingest",
        help="fetch papers from arXiv, or load a dump",
        description="Fetch papers from the arXiv API (--since) or load a JSONL dump "
        "(--from-file), store them and match them against every topic.",
    )
    source = ingest.add_mutually_exclusive_group(required=True)
    source.add_argument("--since", type=iso_date, help="harvest papers updated since this date")
    source.add_argument("--from-file", type=Path, help="load a .jsonl or .jsonl.gz dump")
    ingest.add_argument(
        "--categories", nargs="+", help="arXiv categories (default: PAPERBOT_ARXIV_CATEGORIES)"
    )


def _print_report(report: IngestReport) -> None:
    stored = report.stored
    print(
        f"stored {stored.inserted} new and {stored.updated} newer papers "
        f"({stored.unchanged} already known); {report.matches} new topic matches"
    )


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """Load a dump or harvest the API."""
    if args.from_file:
        return await _from_file(settings, args.from_file)
    return await _from_api(settings, args)


async def _from_file(settings: Settings, path: Path) -> int:
    if not await asyncio.to_thread(path.exists):
        raise CliError(f"{path}: no such file")
    async with opened_store(settings) as store:
        with Progress(transient=True) as progress:
            task = progress.add_task(f"loading {path.name}", total=None)

            def counted() -> Iterator[Paper]:
                for paper in read_corpus(path):
                    progress.advance(task)
                    yield paper

            report = await store_papers(store, counted())
    _print_report(report)
    return 0


async def _from_api(settings: Settings, args: argparse.Namespace) -> int:
    source = ArxivApiSource(
        settings.arxiv_api_url,
        settings.arxiv_page_size,
        settings.arxiv_delay_seconds,
        settings.arxiv_timeout_seconds,
    )
    categories = list(args.categories or settings.arxiv_categories)
    start = datetime.combine(args.since, time(0), tzinfo=UTC)
    print(
        f"harvesting {', '.join(categories)} since {args.since} (one request every "
        f"{settings.arxiv_delay_seconds:g} s, as arXiv asks)"
    )
    async with opened_store(settings) as store:
        report = await harvest(store, source, categories, start, datetime.now(UTC))
    _print_report(report)
    return 0
