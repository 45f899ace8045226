"""The shared list: sections by path, adding, moving and removing entries, loading for export."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime

from digest.arxiv_links import arxiv_id_from_text, arxiv_id_from_url
from digest.bibtex import export_bibtex
from digest.list_document import DEFAULT_SECTION, SECTION_SEPARATOR
from digest.list_json import export_json
from digest.list_markdown import write_list
from digest.list_view import ListView, section_paths, subtree_ids, view_document
from digest.models import ListEntry, ListSection, Paper
from digest.ports import Unit

# `#12`, `12`, or `#12 Title…` as autocomplete offers it.
_ENTRY_NUMBER = re.compile(r"^#?(\d+)(?:\s.*)?$")
MAX_MATCHES_SHOWN = 5

__all__ = [
    "DEFAULT_SECTION",
    "SECTION_SEPARATOR",
    "ListError",
    "ListView",
    "add_paper",
    "export_bibtex",
    "export_json",
    "export_markdown",
    "find_entry",
    "find_section",
    "load_list",
    "move_entry",
    "remove_entry",
    "remove_section",
    "rename_section",
    "reorder_section",
    "section_for_path",
    "section_path_of",
    "split_path",
]


class ListError(Exception):
    """A list change that cannot be made; the message says why."""


class SectionNotEmpty(ListError):
    """A section that cannot be removed: it (or a section below it) still holds entries."""

    def __init__(self, path: str, entries: int, below: int) -> None:
        self.path = path
        self.entries = entries
        self.below = below
        super().__init__(
            f"“{path}” still holds {self.holding}, so it stays. Move them with "
            "`/paper list-move` (or take them off with `/paper list-remove`), then remove it."
        )

    @property
    def holding(self) -> str:
        """`3 entries (2 of them in sections below it)`."""
        held = f"{self.entries} entr{'y' if self.entries == 1 else 'ies'}"
        if self.below:
            held += (
                f" ({self.below} of {'it' if self.entries == 1 else 'them'} in sections below it)"
            )
        return held


def split_path(path: str) -> list[str]:
    """`"A / B"` -> ["A", "B"]; `"A/B"` too, unless spaced slashes say a title holds a `/`."""
    separator = SECTION_SEPARATOR if SECTION_SEPARATOR in path else "/"
    return [part.strip() for part in path.split(separator) if part.strip()]


def _child(sections: list[ListSection], parent_id: int | None, title: str) -> ListSection | None:
    return next(
        (
            s
            for s in sections
            if s.parent_id == parent_id and s.title.casefold() == title.casefold()
        ),
        None,
    )


async def find_section(unit: Unit, workspace_id: int, path: str) -> ListSection | None:
    """The section at `path` ("Training / Distributed", any case), or None."""
    return _section_at(await unit.lists.sections(workspace_id), path)


def _section_at(sections: list[ListSection], path: str) -> ListSection | None:
    """The section at `path` among `sections` (any case), or None."""
    parent: ListSection | None = None
    for part in split_path(path):
        parent = _child(sections, parent.id if parent else None, part)
        if parent is None:
            return None
    return parent


async def section_for_path(unit: Unit, workspace_id: int, path: str) -> ListSection:
    """The section at `path` ("Training / Distributed"), created level by level if missing."""
    return await section_for_parts(unit, workspace_id, split_path(path))


class SectionIndex:
    """A workspace's sections by parent and title (any case), for finding many paths in a row."""

    def __init__(self, sections: Iterable[ListSection]) -> None:
        self._by_title: dict[tuple[int | None, str], ListSection] = {}
        self.created = 0
        for section in sections:
            self._by_title.setdefault((section.parent_id, section.title.casefold()), section)

    def child(self, parent_id: int | None, title: str) -> ListSection | None:
        """The section titled `title` under `parent_id`, if there is one."""
        return self._by_title.get((parent_id, title.casefold()))

    def add(self, section: ListSection) -> None:
        """Count a section just created in."""
        self._by_title.setdefault((section.parent_id, section.title.casefold()), section)
        self.created += 1


async def section_for_parts(
    unit: Unit,
    workspace_id: int,
    parts: Sequence[str],
    sections: SectionIndex | None = None,
) -> ListSection:
    """The section at a path given as its titles, created level by level if missing.

    `sections`, the workspace's sections if the caller has them, spares reading them again and
    gains the sections created here (an import files many paths in a row).
    """
    parts = list(parts) or [DEFAULT_SECTION]
    if sections is None:
        sections = SectionIndex(await unit.lists.sections(workspace_id))
    parent: ListSection | None = None
    for part in parts:
        parent_id = parent.id if parent else None
        found = sections.child(parent_id, part)
        if found is None:
            found = await unit.lists.add_section(workspace_id, part, parent_id)
            sections.add(found)
        parent = found
    assert parent is not None
    return parent


async def section_path_of(unit: Unit, workspace_id: int, section_id: int) -> str:
    """The full path of a section, like "Training / Distributed" (a removed one's too)."""
    paths = section_paths(await unit.lists.sections(workspace_id, include_removed=True))
    return SECTION_SEPARATOR.join(paths.get(section_id, ()))


async def add_paper(
    unit: Unit,
    workspace_id: int,
    paper: Paper,
    section: str | None,
    now: datetime,
    added_by: str | None = None,
    approved_by: str | None = None,
    note: str | None = None,
) -> ListEntry:
    """Put a paper on the list in a section (created if new), with its venue."""
    target = await section_for_path(unit, workspace_id, section or DEFAULT_SECTION)
    return await unit.lists.add_entry(
        workspace_id,
        target.id,
        paper.title,
        now,
        paper_id=paper.arxiv_id,
        venue=paper.venue,
        note=note,
        added_by=added_by,
        approved_by=approved_by,
    )


async def load_list(unit: Unit, workspace_id: int, title: str) -> ListView:
    """The list of a workspace, ready to export.

    Removed sections are in it too: no export writes them (they hold no entries), but the lines
    an imported file had after one (its empty sections) stay where they stood.
    """
    entries = await unit.lists.entries(workspace_id)
    papers = await unit.papers.get_many(e.paper_id for e in entries if e.paper_id)
    return ListView(
        title=title,
        sections=tuple(await unit.lists.sections(workspace_id, include_removed=True)),
        entries=tuple(entries),
        papers=papers,
        layout=await unit.lists.layout(workspace_id),
    )


def export_markdown(view: ListView, style: str = "llmsys") -> str:
    """The list as Markdown in one of the styles (see digest.list_markdown.STYLES)."""
    return write_list(view_document(view), style)


def describe_removed_section(path: str, below: int) -> str:
    """`section “A” and the 2 empty sections below it`, as `remove_section` returned them."""
    with_below = f" and the {below} empty section{'s' if below != 1 else ''} below it"
    return f"section “{path}”" + (with_below if below else "")


def describe_entry(entry: ListEntry) -> str:
    """`#12 “Title”` as the chat commands name an entry."""
    return f"#{entry.id} “{entry.title}”"


async def find_entry(unit: Unit, workspace_id: int, ref: str) -> ListEntry:
    """The live entry that `ref` names: `#12`, an arXiv id or link, or words of its title."""
    ref = ref.strip().strip("<>")
    number = _ENTRY_NUMBER.match(ref)
    if number is not None and (ref.startswith("#") or ref.isdigit()):
        entry = await unit.lists.get_entry(int(number.group(1)))
        if entry is None or entry.workspace_id != workspace_id or entry.removed_at is not None:
            raise ListError(f"There is no entry {ref} on the list.")
        return entry
    arxiv_id = arxiv_id_from_text(ref) or arxiv_id_from_url(ref)
    if arxiv_id is not None:
        found = await unit.lists.entry_for_paper(workspace_id, arxiv_id)
        if found is None:
            raise ListError(f"`{arxiv_id}` is not on the list.")
        return found
    words = ref.casefold()
    entries = await unit.lists.entries(workspace_id)
    exact = [e for e in entries if e.title.casefold() == words]
    matches = exact or [e for e in entries if words in e.title.casefold()]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise ListError(f"No entry on the list has “{ref}” in its title.")
    shown = "; ".join(describe_entry(e) for e in matches[:MAX_MATCHES_SHOWN])
    raise ListError(f"“{ref}” matches {len(matches)} entries: {shown}. Use the `#number`.")


async def move_entry(
    unit: Unit, workspace_id: int, ref: str, section: str, position: int | None = None
) -> tuple[ListEntry, str]:
    """Move an entry to a section (created if new), last or at a 1-based position."""
    entry = await find_entry(unit, workspace_id, ref)
    if not split_path(section):
        raise ListError("Name the section to move it to, like `Training / Distributed`.")
    target = await section_for_path(unit, workspace_id, section)
    moved = await unit.lists.move_entry(
        entry.id, target.id, None if position is None else position - 1
    )
    return moved, await section_path_of(unit, workspace_id, target.id)


async def remove_entry(
    unit: Unit, workspace_id: int, ref: str, removed_by: str, now: datetime
) -> tuple[ListEntry, str]:
    """Take an entry off the list; it stays in the history with who removed it and when."""
    entry = await find_entry(unit, workspace_id, ref)
    removed = await unit.lists.remove_entry(entry.id, removed_by, now)
    return removed, await section_path_of(unit, workspace_id, entry.section_id)


async def _existing_section(unit: Unit, workspace_id: int, path: str) -> ListSection:
    section = await find_section(unit, workspace_id, path)
    if section is None:
        raise _no_section(path)
    return section


def _no_section(path: str) -> ListError:
    return ListError(f"There is no section “{path}”. `/paper list` shows them.")


async def rename_section(unit: Unit, workspace_id: int, path: str, title: str) -> ListSection:
    """Give a section a new title; its entries and sub-sections stay with it."""
    section = await _existing_section(unit, workspace_id, path)
    title = " ".join(title.split())
    if not title or SECTION_SEPARATOR in title:
        raise ListError(f"A section title cannot be empty or contain `{SECTION_SEPARATOR}`.")
    sections = await unit.lists.sections(workspace_id)
    clash = _child(sections, section.parent_id, title)
    if clash is not None and clash.id != section.id:
        raise ListError(f"There is already a section “{clash.title}” beside it.")
    return await unit.lists.rename_section(section.id, title)


async def reorder_section(
    unit: Unit, workspace_id: int, path: str, where: str
) -> tuple[ListSection, int, int]:
    """Move a section among its siblings: `up`, `down`, `first`, `last` or a 1-based position.

    Returns the section, its new 1-based position and how many siblings it has (itself too).
    """
    section = await _existing_section(unit, workspace_id, path)
    siblings = [
        s for s in await unit.lists.sections(workspace_id) if s.parent_id == section.parent_id
    ]
    index = [s.id for s in siblings].index(section.id)
    where = where.strip().casefold()
    targets = {"up": index - 1, "down": index + 1, "first": 0, "top": 0}
    targets |= {"last": len(siblings) - 1, "bottom": len(siblings) - 1}
    if where in targets:
        target = targets[where]
    elif where.isdigit() and int(where) >= 1:
        target = int(where) - 1
    else:
        raise ListError("Say where: `up`, `down`, `first`, `last` or a position like `2`.")
    target = max(0, min(target, len(siblings) - 1))
    moved = await unit.lists.move_section(section.id, target)
    return moved, target + 1, len(siblings)


async def remove_section(
    unit: Unit, workspace_id: int, path: str, removed_by: str, now: datetime
) -> tuple[str, int]:
    """Take an empty section off the list, with the empty sections below it; SectionNotEmpty
    if any of them holds an entry. Their rows stay (removed entries and nominations name them).

    Returns the section's path and how many sections below it went with it.
    """
    sections = await unit.lists.sections(workspace_id)  # once: to find it and what is below it
    section = _section_at(sections, path)
    if section is None:
        raise _no_section(path)
    where = SECTION_SEPARATOR.join(section_paths(sections)[section.id])
    removed = subtree_ids(sections, section.id)
    inside = [e for e in await unit.lists.entries(workspace_id) if e.section_id in removed]
    if inside:
        below = sum(1 for e in inside if e.section_id != section.id)
        raise SectionNotEmpty(where, len(inside), below)
    await unit.lists.remove_sections(removed, removed_by, now)
    return where, len(removed) - 1
