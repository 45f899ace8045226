"""Ingestion: store papers (upsert by id, newest version wins), match them, load corpus dumps."""

from __future__ import annotations

import gzip
import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from digest.arxiv import split_id
from digest.matching import Matcher
from digest.models import Author, Paper
from digest.ports import Store, UpsertResult
from digest.text import normalise_space
from digest.venues import detect_code_url, detect_venue

log = logging.getLogger(__name__)

BATCH = 5000


class CorpusError(ValueError):
    """A dump that cannot be read at all (not JSON lines, not gzip)."""


@dataclass(frozen=True, slots=True)
class IngestReport:
    """What an ingestion run stored and matched (written_ids are left out of totals)."""

    stored: UpsertResult
    matches: int

    def __add__(self, other: IngestReport) -> IngestReport:
        a, b = self.stored, other.stored
        total = UpsertResult(
            a.inserted + b.inserted, a.updated + b.updated, a.unchanged + b.unchanged
        )
        return IngestReport(total, self.matches + other.matches)


def paper_from_corpus(record: dict[str, Any]) -> Paper:
    """A paper from one line of a corpus dump (the format of ../shared/data/corpus)."""
    arxiv_id, version = split_id(str(record["id"]))
    comment = normalise_space(record.get("comment") or "") or None
    journal_ref = normalise_space(record.get("journal_ref") or "") or None
    abstract = normalise_space(record.get("summary") or "")
    title = normalise_space(record.get("title") or "")
    if not title:
        raise ValueError("no title")
    announced = record.get("daily_file_date")
    return Paper(
        arxiv_id=arxiv_id,
        version=version,
        title=title,
        abstract=abstract,
        authors=tuple(Author(normalise_space(name)) for name in record.get("authors") or ()),
        categories=tuple(record.get("categories") or ()),
        announced=date.fromisoformat(announced) if announced else None,
        comment=comment,
        journal_ref=journal_ref,
        doi=record.get("doi") or None,
        venue=detect_venue(comment, journal_ref),
        code_url=detect_code_url(comment, abstract),
    )


def read_corpus(path: Path) -> Iterator[Paper]:
    """Papers from a .jsonl or .jsonl.gz dump; bad lines are logged by number and skipped."""
    opener: Callable[..., Any] = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                try:
                    yield paper_from_corpus(json.loads(line))
                except (ValueError, KeyError, TypeError, AttributeError) as exc:
                    log.warning("%s:%d: skipped a line that is not a paper: %s", path, number, exc)
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{path}: cannot read it as JSON lines: {exc}") from exc


async def compile_topics(store: Store) -> Matcher:
    """Every workspace's topics compiled into one matcher (once per ingestion run)."""
    async with store.unit() as unit:
        return Matcher(await unit.topics.list())


async def store_papers(
    store: Store, papers: Iterable[Paper], batch: int = BATCH, matcher: Matcher | None = None
) -> IngestReport:
    """Upsert papers in batches, each with the matches of its new or newer papers, atomically."""
    if matcher is None:
        matcher = await compile_topics(store)
    report = IngestReport(UpsertResult(), 0)
    chunk: list[Paper] = []

    async def flush() -> None:
        nonlocal report
        async with store.unit() as unit:
            result = await unit.papers.upsert_many(chunk)
            written = set(result.written_ids)
            matched = 0
            if matcher.topics and written:
                found = matcher.match([p for p in chunk if p.arxiv_id in written])
                matched = await unit.matches.add_many(found)
        report = report + IngestReport(result, matched)
        chunk.clear()

    for paper in papers:
        chunk.append(paper)
        if len(chunk) >= batch:
            await flush()
    if chunk:
        await flush()
    return report
