"""Enrich a list from arXiv: fetch the records of the papers its entries name, in batches.

An imported list leaves stubs (title and venue from the list, nothing else). Enrichment asks
arXiv for those ids, 200 a request, and stores the records, so the papers get their abstracts,
authors, categories, dates and the venue arXiv's comment names. The list is what its
maintainers wrote: a venue it states wins over the one derived from the comment (the paper
keeps the list's), and where the two disagree the report says so, for an admin to settle.
Each batch is stored in its own transaction, so a failure keeps what came before it and a
second run fetches only what is still a stub.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from digest.arxiv_fetch import ID_BATCH
from digest.ingest import IngestReport, compile_topics, store_papers
from digest.models import ListEntry, Paper
from digest.ports import PaperRecords, Store, UpsertResult

log = logging.getLogger(__name__)

_NOT_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True, slots=True)
class VenueNote:
    """An entry whose venue on the list and the venue arXiv's comment names differ."""

    entry_id: int
    arxiv_id: str
    title: str
    listed: str | None
    derived: str


@dataclass(frozen=True, slots=True)
class EnrichReport:
    """What an enrichment asked arXiv, what it stored, and what an admin should look at.

    `not_asked` counts the ids left for a later run when a request failed (`error` says why).
    """

    asked: int
    stored: IngestReport
    missing: tuple[str, ...] = ()
    # The list states a venue and arXiv's comment names another (the list's is kept).
    disagreements: tuple[VenueNote, ...] = ()
    # The list states none and arXiv's comment names one (the entry is left as written).
    unlisted_venues: tuple[VenueNote, ...] = ()
    error: str | None = None
    not_asked: int = 0


def same_venue(listed: str, derived: str) -> bool:
    """True when the list's venue says what the derived one says (`NeurIPS'25 Spotlight`
    and `NeurIPS'25`, `OSDI '24` and `OSDI'24`): the derived one, letters and digits only, is
    part of the listed one."""
    want = _NOT_WORD.sub("", derived).casefold()
    return bool(want) and want in _NOT_WORD.sub("", listed).casefold()


def _listed_venues(entries: Sequence[ListEntry]) -> dict[str, ListEntry]:
    """The first live entry of each paper, preferring one that states a venue."""
    first: dict[str, ListEntry] = {}
    for entry in entries:
        if entry.paper_id is None:
            continue
        held = first.get(entry.paper_id)
        if held is None or (held.venue is None and entry.venue is not None):
            first[entry.paper_id] = entry
    return first


def _with_listed_venue(
    record: Paper, entry: ListEntry, disagreements: list[VenueNote], unlisted: list[VenueNote]
) -> Paper:
    derived = record.venue
    if entry.venue is None:
        if derived is not None:
            unlisted.append(VenueNote(entry.id, record.arxiv_id, entry.title, None, derived))
        return record
    if derived is not None and not same_venue(entry.venue, derived):
        note = VenueNote(entry.id, record.arxiv_id, entry.title, entry.venue, derived)
        disagreements.append(note)
    return replace(record, venue=entry.venue)


async def enrich_list(
    store: Store,
    source: PaperRecords,
    workspace_id: int,
    refresh: bool = False,
    batch: int = ID_BATCH,
) -> EnrichReport:
    """Fetch and store the arXiv records of the list's papers (only stubs unless `refresh`)."""
    async with store.unit() as unit:
        entries = await unit.lists.entries(workspace_id)
        by_paper = _listed_venues(entries)
        known = await unit.papers.get_many(by_paper)
    wanted = [
        arxiv_id
        for arxiv_id in by_paper
        if refresh or arxiv_id not in known or known[arxiv_id].is_stub
    ]
    matcher = await compile_topics(store)
    stored = IngestReport(UpsertResult(), 0)
    missing: list[str] = []
    disagreements: list[VenueNote] = []
    unlisted: list[VenueNote] = []
    asked = 0
    error: str | None = None
    for start in range(0, len(wanted), batch):
        ids = wanted[start : start + batch]
        try:
            records = await source.records(ids)
        except RuntimeError as exc:
            log.error("enrichment stopped after %d of %d ids: %s", start, len(wanted), exc)
            error = str(exc)
            break
        asked += len(ids)
        found = {record.arxiv_id: record for record in records if record.arxiv_id in by_paper}
        missing += [arxiv_id for arxiv_id in ids if arxiv_id not in found]
        papers = [
            _with_listed_venue(record, by_paper[arxiv_id], disagreements, unlisted)
            for arxiv_id, record in found.items()
        ]
        stored = stored + await store_papers(store, papers, matcher=matcher)
    return EnrichReport(
        asked=asked,
        stored=stored,
        missing=tuple(missing),
        disagreements=tuple(disagreements),
        unlisted_venues=tuple(unlisted),
        error=error,
        not_asked=len(wanted) - asked,
    )
