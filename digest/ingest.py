"""Ingestion: store papers (upsert by id, newest version wins), match them, load corpus dumps."""

from __future__ import annotations

import gzip
import json
import logging
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from digest.corpus_record import RecordError, paper_from_record
from digest.matching import Matcher
from digest.models import Paper
from digest.ports import Store, UpsertResult

log = logging.getLogger(__name__)

BATCH = 5000


class CorpusError(ValueError):
    """A dump that cannot be read at all (missing, not gzip); the message says why."""


@dataclass(frozen=True, slots=True)
class Refusal:
    """A line of a dump that is not a paper, and why."""

    line: int
    reason: str


@dataclass(slots=True)
class CorpusReading:
    """What reading a dump met besides papers: the lines refused, and an early end."""

    lines: int = 0
    papers: int = 0
    refused: list[Refusal] = field(default_factory=list)
    ended_early: str | None = None


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


def _paper_or_reason(raw: bytes, first: bool) -> Paper | str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"not UTF-8: the byte {raw[exc.start]:#04x} at column {exc.start + 1}"
    if first:
        text = text.removeprefix("\ufeff")
    if not text.strip():
        return ""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return f"not JSON: {exc.msg} at column {exc.colno}"
    except ValueError as exc:  # an integer of thousands of digits
        return f"not JSON this reader takes: {exc}"
    except RecursionError:
        return "not JSON this reader takes: nested too deeply"
    try:
        return paper_from_record(value)
    except RecordError as exc:
        return str(exc)


def read_corpus(path: Path, reading: CorpusReading | None = None) -> Iterator[Paper]:
    """Papers from a .jsonl or .jsonl.gz dump, each line validated (see digest.corpus_record).

    Lines that are not papers are refused, by number and reason, into `reading` (logged when
    none is given); a truncated or corrupt gzip ends the reading with what was read before.
    """
    opener: Callable[..., Any] = gzip.open if path.suffix == ".gz" else open
    seen = reading if reading is not None else CorpusReading()
    try:
        handle = opener(path, "rb")
    except OSError as exc:
        raise CorpusError(f"{path}: cannot open it: {exc.strerror or exc}") from exc
    with handle:
        while True:
            try:
                raw = handle.readline()
            except (OSError, EOFError, zlib.error) as exc:
                if seen.lines == 0:
                    raise CorpusError(f"{path}: cannot read it as JSON lines: {exc}") from exc
                seen.ended_early = (
                    f"{path} ends early after line {seen.lines:,} ({exc}): "
                    "the papers before it are kept"
                )
                log.warning("%s", seen.ended_early)
                return
            if not raw:
                return
            seen.lines += 1
            found = _paper_or_reason(raw, seen.lines == 1)
            if isinstance(found, Paper):
                seen.papers += 1
                yield found
            elif found:
                seen.refused.append(Refusal(seen.lines, found))
                if reading is None:
                    log.warning("%s:%d: refused: %s", path, seen.lines, found)


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
