"""Ingestion: store papers (upsert by id, newest version wins) and match new ones to topics."""

from __future__ import annotations

import gzip
import json
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from digest.arxiv import split_id
from digest.matching import Matcher
from digest.models import Author, Paper
from digest.ports import PaperSource, Store, UpsertResult
from digest.text import normalise_space
from digest.venues import detect_code_url, detect_venue

log = logging.getLogger(__name__)

BATCH = 1000


@dataclass(frozen=True, slots=True)
class IngestReport:
    """What an ingestion run stored and matched."""

    stored: UpsertResult
    matches: int


def paper_from_corpus(record: dict[str, Any]) -> Paper:
    """A paper from one line of a corpus dump (the format of ../shared/data/corpus)."""
    arxiv_id, version = split_id(str(record["id"]))
    comment = record.get("comment") or None
    abstract = normalise_space(record.get("summary") or "")
    announced = record.get("daily_file_date")
    return Paper(
        arxiv_id=arxiv_id,
        version=version,
        title=normalise_space(record.get("title") or ""),
        abstract=abstract,
        authors=tuple(Author(normalise_space(name)) for name in record.get("authors") or ()),
        categories=tuple(record.get("categories") or ()),
        announced=date.fromisoformat(announced) if announced else None,
        comment=comment,
        venue=detect_venue(comment),
        code_url=detect_code_url(comment, abstract),
    )


def read_corpus(path: Path) -> Iterator[Paper]:
    """Papers from a .jsonl or .jsonl.gz dump; bad lines are logged by number and skipped."""
    opener: Callable[..., Any] = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                yield paper_from_corpus(json.loads(line))
            except (ValueError, KeyError, TypeError) as exc:
                log.warning("%s:%d: skipped a line that is not a paper: %s", path, number, exc)


async def compile_topics(store: Store) -> Matcher:
    """Every workspace's topics compiled into one matcher (once per ingestion run)."""
    async with store.unit() as unit:
        return Matcher(await unit.topics.list())


async def store_papers(
    store: Store, papers: Iterable[Paper], batch: int = BATCH, matcher: Matcher | None = None
) -> IngestReport:
    """Upsert papers in batches and match every new or newer one against all topics."""
    if matcher is None:
        matcher = await compile_topics(store)
    stored = UpsertResult()
    matched = 0
    chunk: list[Paper] = []

    async def flush() -> None:
        nonlocal stored, matched
        async with store.unit() as unit:
            result = await unit.papers.upsert_many(chunk)
            written = set(result.written_ids)
            if matcher.topics and written:
                found = matcher.match([p for p in chunk if p.arxiv_id in written])
                matched += await unit.matches.add_many(found)
        stored += result
        chunk.clear()

    for paper in papers:
        chunk.append(paper)
        if len(chunk) >= batch:
            await flush()
    if chunk:
        await flush()
    return IngestReport(stored=stored, matches=matched)


async def harvest(
    store: Store,
    source: PaperSource,
    categories: Sequence[str],
    since: datetime,
    until: datetime,
) -> IngestReport:
    """Fetch papers updated in [since, until) and store them; the watermark moves at the end."""
    report = IngestReport(UpsertResult(), 0)
    key = ",".join(sorted(categories))
    matcher = await compile_topics(store)
    async for page in source.window(categories, since, until):
        got = await store_papers(store, page, matcher=matcher)
        report = IngestReport(report.stored + got.stored, report.matches + got.matches)
    async with store.unit() as unit:
        await unit.harvest.set_watermark(key, until)
    return report
