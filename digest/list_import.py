"""Import a Markdown list into a workspace: sections, entries, and stub papers for unknown ids.

Entries reference papers by arXiv id, and a list names many papers the database has never
ingested. Such a paper gets a stub row: the list's title, no authors, version 0. A stub is a
real paper row, so every rule that asks "is this paper on the list" keeps working, and the
first real record ingestion stores (version 1 or later) replaces it, because papers are only
ever replaced by a newer version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from digest.list_document import Duplicate, ReadProblem, ReadResult
from digest.lists import section_for_parts, section_path_of
from digest.models import Paper
from digest.ports import Unit

STUB_VERSION = 0


@dataclass(frozen=True, slots=True)
class AlreadyListed:
    """An imported item whose paper was on the list before the import (left where it was)."""

    line: int
    title: str
    section: str


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did, and what it could not read."""

    style: str
    title: str
    sections: int
    added: int
    stubs: int
    already_listed: tuple[AlreadyListed, ...]
    problems: tuple[ReadProblem, ...]
    duplicates: tuple[Duplicate, ...]
    skipped_sections: tuple[str, ...]


def stub_paper(arxiv_id: str, title: str, venue: str | None) -> Paper:
    """A placeholder paper known only from a list, to be replaced by ingestion."""
    return Paper(
        arxiv_id=arxiv_id,
        title=title,
        authors=(),
        categories=(),
        version=STUB_VERSION,
        venue=venue,
    )


async def import_list(
    unit: Unit, workspace_id: int, read: ReadResult, now: datetime, added_by: str = "import"
) -> ImportReport:
    """Add every item of a read list to the workspace's list, keeping sections and order."""
    document = read.document
    before = await unit.lists.paper_ids_on_list(workspace_id)
    wanted = {item.arxiv_id for item in document.items if item.arxiv_id}
    known = await unit.papers.get_many(wanted)
    stubs = {}
    for item in document.items:
        if item.arxiv_id and item.arxiv_id not in known and item.arxiv_id not in stubs:
            stubs[item.arxiv_id] = stub_paper(item.arxiv_id, item.title, item.venue)
    if stubs:
        await unit.papers.upsert_many(list(stubs.values()))
    sections_before = len(await unit.lists.sections(workspace_id))
    added = 0
    already: list[AlreadyListed] = []
    for section in document.sections:
        target = await section_for_parts(unit, workspace_id, section.path)
        for item in section.items:
            if item.arxiv_id in before:
                entry = await unit.lists.entry_for_paper(workspace_id, item.arxiv_id or "")
                where = await section_path_of(unit, workspace_id, entry.section_id) if entry else ""
                already.append(AlreadyListed(item.line, item.title, where))
                continue
            await unit.lists.add_entry(
                workspace_id,
                target.id,
                item.title,
                now,
                paper_id=item.arxiv_id,
                external_url=item.url,
                venue=item.venue,
                note=item.note,
                added_by=added_by,
                approved_by=added_by,
                links=item.links,
            )
            added += 1
    return ImportReport(
        style=read.style,
        title=document.title,
        sections=len(await unit.lists.sections(workspace_id)) - sections_before,
        added=added,
        stubs=len(stubs),
        already_listed=tuple(already),
        problems=read.problems,
        duplicates=read.duplicates,
        skipped_sections=read.skipped_sections,
    )
