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
from pathlib import Path

from digest.list_document import SECTION_SEPARATOR, ListTooBig, ReadLimits, ReadResult
from digest.list_markdown import AUTO, read_list
from digest.list_markdown.duplicates import title_key
from digest.list_view import section_paths
from digest.lists import SectionIndex, section_for_parts
from digest.models import NewListEntry, Paper
from digest.ports import Unit

STUB_VERSION = 0
# Each new section costs its own statements; a real list has tens, a generated one may have
# a heading per entry, which no one can browse as a list.
MAX_IMPORT_SECTIONS = 5_000
# Reading costs about 50 microseconds an entry however short: this bounds that part to seconds
# (the 50 MB list of the whole corpus has 74,728).
MAX_IMPORT_ENTRIES = 200_000
# A real list reads at 1 to 2.5 MB/s, and any text at 0.3 MB/s or faster; every line costs a
# few microseconds however short (README, benchmarks/list_import.py). These bound a file's read.
MAX_LIST_BYTES = 64_000_000
MAX_LIST_LINES = 1_000_000


class ListImportError(ValueError):
    """A list this import refuses as a whole, before writing anything; the message says why."""


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


def read_list_file(path: Path, style: str = AUTO) -> ReadResult:
    """Read a Markdown list file (UTF-8, a BOM allowed); ListImportError if it cannot be read."""
    limit = f"list import reads files of at most {MAX_LIST_BYTES // 1_000_000} MB"
    try:
        size = path.stat().st_size
        if size > MAX_LIST_BYTES:
            raise ListImportError(f"{path} is {size / 1_000_000:.1f} MB; {limit}")
        with path.open("rb") as file:
            data = file.read(MAX_LIST_BYTES + 1)  # a pipe or a growing file has no size to stat
    except OSError as exc:
        raise ListImportError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if len(data) > MAX_LIST_BYTES:
        raise ListImportError(f"{path} is over {MAX_LIST_BYTES // 1_000_000} MB; {limit}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ListImportError(
            f"{path} is not UTF-8 text: line {line} holds the byte {data[exc.start]:#04x}"
        ) from exc
    lines = text.count("\n") + 1
    if lines > MAX_LIST_LINES:
        raise ListImportError(
            f"{path} has {lines:,} lines; list import reads files of at most {MAX_LIST_LINES:,}"
        )
    try:
        return read_list(text, style, ReadLimits(MAX_IMPORT_SECTIONS, MAX_IMPORT_ENTRIES))
    except ListTooBig as exc:
        raise ListImportError(f"{path}: {exc}; an import takes at most {exc.limit:,}") from exc


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
    for count, most, what in (
        (len(document.sections), MAX_IMPORT_SECTIONS, "sections"),
        (len(document.items), MAX_IMPORT_ENTRIES, "entries"),
    ):
        if count > most:
            raise ListImportError(
                f"the list has {count:,} {what}; an import takes at most {most:,}"
            )
    live = await unit.lists.entries(workspace_id)
    known_sections = await unit.lists.sections(workspace_id)
    sections = SectionIndex(known_sections)
    paths = section_paths(known_sections)
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
    new: list[NewListEntry] = []
    already: list[AlreadyListed] = []
    existing = {s.id for s in known_sections}
    layouts = {}
    for section in document.sections:
        target = await section_for_parts(unit, workspace_id, section.path, sections)
        if target.id not in existing and section.layout is not None:
            layouts[target.id] = section.layout  # only a section this import made
        for item in section.items:
            found = next(
                (listed[k] for k in _keys(item.arxiv_id, item.url, item.title) if k in listed),
                None,
            )
            if found is not None:
                already.append(AlreadyListed(item.line, item.title, found))
                continue
            new.append(
                NewListEntry(
                    target.id,
                    item.title,
                    paper_id=item.arxiv_id,
                    external_url=item.url,
                    venue=item.venue,
                    note=item.note,
                    links=item.links,
                    venue_tag=item.venue_tag,
                    arxiv_url=item.arxiv_url,
                    children=item.children,
                    layout=item.layout,
                )
            )
    added = await unit.lists.add_entries(
        workspace_id, new, now, added_by=added_by, approved_by=added_by
    )
    await unit.lists.set_section_layouts(layouts)
    if not live and document.layout is not None:
        # A list imported into an empty one comes back as it was written, preamble and all.
        await unit.lists.set_layout(workspace_id, document.layout)
    return ImportReport(
        sections=sections.created,
        added=added,
        stubs=len(stubs),
        already_listed=tuple(already),
    )
