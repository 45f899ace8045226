"""A workspace's list as loaded for export, and its conversion to a ListDocument."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from digest.list_document import DocSection, DocumentLayout, ListDocument, ListItem
from digest.models import ListEntry, ListSection, Paper


@dataclass(frozen=True, slots=True)
class ListView:
    """A workspace's list as exported: title, sections in order, live entries, their papers.

    `layout` is what an imported list held before its first section, if one was imported.
    """

    title: str
    sections: tuple[ListSection, ...]
    entries: tuple[ListEntry, ...]
    papers: dict[str, Paper]
    layout: DocumentLayout | None = None


def section_paths(sections: Iterable[ListSection]) -> dict[int, tuple[str, ...]]:
    """Every section's path from the top, by id."""
    by_id = {s.id: s for s in sections}
    paths: dict[int, tuple[str, ...]] = {}
    for section in by_id.values():
        parts: list[str] = []
        current: ListSection | None = section
        while current is not None:
            parts.append(current.title)
            current = by_id.get(current.parent_id) if current.parent_id is not None else None
        paths[section.id] = tuple(reversed(parts))
    return paths


def entry_item(entry: ListEntry) -> ListItem:
    """An entry as a document item."""
    return ListItem(
        title=entry.title,
        arxiv_id=entry.paper_id,
        url=entry.external_url,
        venue=entry.venue,
        note=entry.note,
        links=entry.links,
        venue_tag=entry.venue_tag,
        arxiv_url=entry.arxiv_url,
        children=entry.children,
        layout=entry.layout,
    )


def entry_link(entry: ListEntry) -> str | None:
    """Where an entry links to, as every export writes it (see ListItem.link)."""
    return entry_item(entry).link


def view_document(view: ListView) -> ListDocument:
    """The list as a document: sections in display order with their entries in order."""
    paths = section_paths(view.sections)
    by_section: dict[int, list[ListItem]] = {s.id: [] for s in view.sections}
    for entry in view.entries:
        by_section.setdefault(entry.section_id, []).append(entry_item(entry))
    return ListDocument(
        view.title,
        tuple(DocSection(paths[s.id], tuple(by_section[s.id]), s.layout) for s in view.sections),
        view.layout,
    )
