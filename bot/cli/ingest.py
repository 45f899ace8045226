"""`paperbot ingest [--since DATE] [--categories C ...] | --from-file FILE | --status`."""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.common import CliError, iso_date, opened_store

if TYPE_CHECKING:
    from config import Settings
    from digest.harvest import HarvestReport
    from digest.ingest import CorpusReading, IngestReport
    from digest.models import Paper

_CATEGORY = re.compile(r"^[A-Za-z-]+(\.[A-Za-z-]+)?$")
MAX_REFUSALS_SHOWN = 20


def category(text: str) -> str:
    """An argparse type for an arXiv category (`cs.DC`) or archive (`cs`)."""
    if not _CATEGORY.match(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not an arXiv category such as cs.DC")
    return text


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `ingest`."""
    ingest = commands.add_parser(
        "ingest",
        help="fetch papers from arXiv, or load a dump",
        description="Harvest the arXiv API (from each category's watermark, or --since a date), "
        "or load a JSONL dump (--from-file); store the papers and match them against every "
        "topic. One request every PAPERBOT_ARXIV_DELAY_SECONDS, as arXiv asks.",
    )
    source = ingest.add_mutually_exclusive_group()
    source.add_argument(
        "--since", type=iso_date, help="harvest the listings from this date (YYYY-MM-DD) on"
    )
    source.add_argument("--from-file", type=Path, help="load a .jsonl or .jsonl.gz dump")
    source.add_argument(
        "--status", action="store_true", help="show each category's harvest watermark"
    )
    ingest.add_argument(
        "--categories",
        nargs="+",
        type=category,
        metavar="CATEGORY",
        help="harvest only these (default: PAPERBOT_ARXIV_CATEGORIES and the topics' cat: terms)",
    )


def _print_stored(report: IngestReport, refused: int | None = None) -> None:
    stored = report.stored
    refusals = "" if refused is None else f"; refused {refused:,} lines"
    print(
        f"stored {stored.inserted:,} new and {stored.updated:,} newer papers "
        f"({stored.unchanged:,} already known){refusals}; {report.matches:,} new topic matches"
    )


def _print_reading(reading: CorpusReading) -> None:
    for refusal in reading.refused[:MAX_REFUSALS_SHOWN]:
        print(f"  line {refusal.line:,}: refused: {refusal.reason}")
    if len(reading.refused) > MAX_REFUSALS_SHOWN:
        print(f"  … and {len(reading.refused) - MAX_REFUSALS_SHOWN:,} more lines refused")
    if reading.ended_early:
        print(reading.ended_early)


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """Load a dump, show the watermarks, or harvest the API."""
    if args.from_file:
        return await _from_file(settings, args.from_file)
    if args.status:
        return await _status(settings)
    return await _from_api(settings, args)


async def _from_file(settings: Settings, path: Path) -> int:
    import asyncio

    from rich.progress import Progress

    from digest.ingest import CorpusError, CorpusReading, read_corpus, store_papers

    if not await asyncio.to_thread(path.is_file):
        raise CliError(f"{path}: no such file")
    reading = CorpusReading()
    async with opened_store(settings) as store:
        with Progress(transient=True) as progress:
            task = progress.add_task(f"loading {path.name}", total=None)

            def counted() -> Iterator[Paper]:
                for paper in read_corpus(path, reading):
                    progress.advance(task)
                    yield paper

            try:
                report = await store_papers(store, counted())
            except CorpusError as exc:
                raise CliError(str(exc)) from exc
    _print_reading(reading)
    _print_stored(report, len(reading.refused))
    return 1 if reading.ended_early else 0


async def _status(settings: Settings) -> int:
    from bot.app import harvest_categories

    async with opened_store(settings) as store:
        categories = await harvest_categories(store, settings)
        async with store.unit() as unit:
            marks = await unit.harvest.all()
    for category in sorted(categories | set(marks)):
        mark = marks.get(category)
        shown = f"{mark:%Y-%m-%d %H:%M} UTC" if mark else "never harvested"
        print(f"{category:<16} {shown}")
    return 0


def _print_harvest(report: HarvestReport) -> None:
    _print_stored(report.ingested)
    print(
        f"{report.windows} windows, {report.pages} requests "
        f"({report.stopped_early} windows already complete after their first page)"
    )
    for failure in report.failures:
        print(f"FAILED {failure.category} at the {failure.listing} listing: {failure.error}")


async def _from_api(settings: Settings, args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from bot.app import arxiv_source, harvest_categories, harvest_policy
    from bot.cli.harvest_bar import HarvestBar
    from digest.harvest import harvest

    source = arxiv_source(settings)
    async with opened_store(settings) as store:
        categories = set(args.categories or ()) or await harvest_categories(store, settings)
        print(
            f"harvesting {', '.join(sorted(categories))} "
            f"{'since ' + str(args.since) if args.since else 'from their watermarks'} "
            f"(one request every {settings.arxiv_delay_seconds:g} s, as arXiv asks)"
        )
        console = Console(stderr=True)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as progress:
            try:
                report = await harvest(
                    store,
                    source,
                    categories,
                    datetime.now(UTC),
                    harvest_policy(settings),
                    since=args.since,
                    progress=HarvestBar(progress),
                )
            finally:
                source.close()
    _print_harvest(report)
    return 1 if report.failures else 0
