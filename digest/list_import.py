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

from digest.list_document import SECTION_SEPARATOR, ReadResult
from digest.list_markdown.duplicates import title_key
from digest.list_view import section_paths
from digest.lists import section_for_parts
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
    """What an import did (what it could not read is in the ReadResult it was given)."""

    sections: int
    added: int
    stubs: int
    already_listed: tuple[AlreadyListed, ...]


def _keys(arxiv_id: str | None, url: str | None, title: str) -> list[str]:
    if arxiv_id:
        return ["arxiv:" + arxiv_id]
    if url:
        return ["url:" + url]
    return ["title:" + title_key(title)]


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
    live = await unit.lists.entries(workspace_id)
    sections = await unit.lists.sections(workspace_id)
    sections_before = len(sections)
    paths = section_paths(sections)
    # Importing the same list twice adds nothing: entries are recognised by id, link or title.
    listed: dict[str, str] = {}
    for entry in live:
        where = SECTION_SEPARATOR.join(paths.get(entry.section_id, ()))
        for key in _keys(entry.paper_id, entry.external_url, entry.title):
            listed.setdefault(key, where)
    wanted = {item.arxiv_id for item in document.items if item.arxiv_id}
    known = await unit.papers.get_many(wanted)
    stubs = {}
    for item in document.items:
        if item.arxiv_id and item.arxiv_id not in known and item.arxiv_id not in stubs:
            stubs[item.arxiv_id] = stub_paper(item.arxiv_id, item.title, item.venue)
    if stubs:
        await unit.papers.upsert_many(list(stubs.values()))
    added = 0
    already: list[AlreadyListed] = []
    for section in document.sections:
        target = await section_for_parts(unit, workspace_id, section.path, sections)
        for item in section.items:
            found = next(
                (listed[k] for k in _keys(item.arxiv_id, item.url, item.title) if k in listed),
                None,
            )
            if found is not None:
                already.append(AlreadyListed(item.line, item.title, found))
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
        sections=len(sections) - sections_before,
        added=added,
        stubs=len(stubs),
        already_listed=tuple(already),
    )
