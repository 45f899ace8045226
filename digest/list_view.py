"""A workspace's list as loaded for export, and its conversion to a ListDocument."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from digest.list_document import (
    DocSection,
    DocumentLayout,
    Lines,
    ListDocument,
    ListItem,
    SectionLayout,
)
from digest.models import ListEntry, ListSection, Paper

_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:\s|$)")


@dataclass(frozen=True, slots=True)
class ListView:
    """A workspace's list as exported: title, sections in order, live entries, their papers.

    `sections` may hold removed ones (see `digest.lists.load_list`); exports skip every section
    that holds no entry.

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


def subtree_ids(sections: Iterable[ListSection], section_id: int) -> list[int]:
    """A section's id and the ids of every section below it."""
    children: dict[int | None, list[int]] = {}
    for section in sections:
        children.setdefault(section.parent_id, []).append(section.id)
    found, todo = [], [section_id]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, ()))
    return found


def filled_sections(sections: Iterable[ListSection], entries: Iterable[ListEntry]) -> set[int]:
    """Ids of the sections that hold an entry, themselves or in a section below them."""
    parent_of = {s.id: s.parent_id for s in sections}
    filled: set[int] = set()
    for entry in entries:
        current: int | None = entry.section_id
        while current is not None and current not in filled and current in parent_of:
            filled.add(current)
            current = parent_of[current]
    return filled


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


def shown_sections(view: ListView) -> list[ListSection]:
    """The sections an export writes: those holding an entry, themselves or below them.

    A section emptied on the list (its entries moved or taken off) is not written: no empty
    headings. The empty sections of an imported file never became sections; their lines stand,
    as written, among the lines kept of the sections around them (see `view_document`).
    """
    filled = filled_sections(view.sections, view.entries)
    return [s for s in view.sections if s.id in filled]


def view_document(view: ListView) -> ListDocument:
    """The list as a document: sections holding entries in display order, entries in order.

    An emptied section that was imported is left out with its heading and what follows it, but
    what its file had after it at its own level or above (a placeholder section the file had
    with no entries, say) stays: it goes before the next section's heading, kept lines of the
    same file, or else after the previous one's.
    """
    paths = section_paths(view.sections)
    by_section: dict[int, list[ListItem]] = {s.id: [] for s in view.sections}
    for entry in view.entries:
        by_section.setdefault(entry.section_id, []).append(entry_item(entry))
    shown = {s.id for s in shown_sections(view)}
    sections: list[DocSection] = []
    carried: list[tuple[str, Lines]] = []  # (style, lines) of emptied sections, in order
    for section in view.sections:
        layout = section.layout
        if section.id not in shown:
            after = _after_own_lines(layout) if layout is not None else ()
            if layout is not None and after:
                carried.append((layout.style, after))
            continue
        if layout is not None and carried:
            before = [lines for style, lines in carried if style == layout.style]
            carried = [(style, lines) for style, lines in carried if style != layout.style]
            layout = replace(layout, head=(*(ln for lines in before for ln in lines), *layout.head))
        if carried and sections:
            _carry_into_tail(sections, carried)
            carried = []
        sections.append(DocSection(paths[section.id], tuple(by_section[section.id]), layout))
    if carried and sections:
        _carry_into_tail(sections, carried)
    return ListDocument(view.title, tuple(sections), view.layout)


def _carry_into_tail(sections: list[DocSection], carried: list[tuple[str, Lines]]) -> None:
    """Put carried lines after the last section's kept tail, where the styles agree."""
    last = sections[-1]
    layout = last.layout
    if layout is None:
        return  # a section the bot made has no kept lines to stand beside
    tail = [
        *layout.tail,
        *(ln for style, lines in carried if style == layout.style for ln in lines),
    ]
    sections[-1] = replace(last, layout=replace(layout, tail=tuple(tail)))


def _level(line: str) -> int | None:
    """`## Title` -> 2; None for a line that is not an ATX heading."""
    found = _HEADING.match(line)
    return len(found.group(1)) if found else None


def _after_own_lines(layout: SectionLayout) -> Lines:
    """What a section's kept tail holds from the first heading at its own level or above: the
    file's next sections (with no entries of their own) rather than this one's lines."""
    own = next((lvl for lvl in map(_level, layout.head) if lvl is not None), None)
    if own is None:
        return ()
    for index, line in enumerate(layout.tail):
        level = _level(line)
        if level is not None and level <= own:
            return layout.tail[index:]
    return ()
