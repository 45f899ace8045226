"""The shared list: sections, adding papers, and export as Markdown, JSON and BibTeX."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime

from digest.models import ListEntry, ListSection, Paper
from digest.ports import Unit

DEFAULT_SECTION = "Uncategorized"
SECTION_SEPARATOR = " / "


@dataclass(frozen=True, slots=True)
class ListView:
    """A workspace's list as exported: title, sections in order, live entries, their papers."""

    title: str
    sections: tuple[ListSection, ...]
    entries: tuple[ListEntry, ...]
    papers: dict[str, Paper]


def split_path(path: str) -> list[str]:
    """`"A / B"` -> ["A", "B"]."""
    return [part.strip() for part in path.split("/") if part.strip()]


async def section_for_path(unit: Unit, workspace_id: int, path: str) -> ListSection:
    """The section at `path` ("Training / Distributed"), created level by level if missing."""
    parts = split_path(path) or [DEFAULT_SECTION]
    sections = await unit.lists.sections(workspace_id)
    parent: ListSection | None = None
    for part in parts:
        parent_id = parent.id if parent else None
        found = next(
            (
                s
                for s in sections
                if s.parent_id == parent_id and s.title.casefold() == part.casefold()
            ),
            None,
        )
        if found is None:
            found = await unit.lists.add_section(workspace_id, part, parent_id)
            sections.append(found)
        parent = found
    assert parent is not None
    return parent


async def section_path_of(unit: Unit, workspace_id: int, section_id: int) -> str:
    """The full path of a section, like "Training / Distributed"."""
    by_id = {s.id: s for s in await unit.lists.sections(workspace_id)}
    parts: list[str] = []
    current = by_id.get(section_id)
    while current is not None:
        parts.append(current.title)
        current = by_id.get(current.parent_id) if current.parent_id else None
    return SECTION_SEPARATOR.join(reversed(parts))


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
    """The list of a workspace, ready to export."""
    entries = await unit.lists.entries(workspace_id)
    papers = await unit.papers.get_many(e.paper_id for e in entries if e.paper_id)
    return ListView(
        title=title,
        sections=tuple(await unit.lists.sections(workspace_id)),
        entries=tuple(entries),
        papers=papers,
    )


def entry_url(entry: ListEntry) -> str:
    """Where an entry links to: its arXiv abstract page or its external link."""
    if entry.paper_id:
        return f"https://arxiv.org/abs/{entry.paper_id}"
    return entry.external_url or ""


def _depth(section: ListSection, by_id: dict[int, ListSection]) -> int:
    depth = 0
    while section.parent_id is not None and section.parent_id in by_id:
        section = by_id[section.parent_id]
        depth += 1
    return depth


def _escape_md(text: str) -> str:
    return re.sub(r"([\[\]])", r"\\\1", text)


def export_markdown(view: ListView) -> str:
    """The list as Markdown: `- [Title](link) | Venue` under nested headings."""
    by_id = {s.id: s for s in view.sections}
    lines = [f"# {view.title}", ""]
    for section in view.sections:
        level = min(2 + _depth(section, by_id), 6)
        lines += [f"{'#' * level} {section.title}"]
        for entry in (e for e in view.entries if e.section_id == section.id):
            line = f"- [{_escape_md(entry.title)}]({entry_url(entry)})"
            if entry.venue:
                line += f" | {entry.venue}"
            lines.append(line)
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def export_json(view: ListView) -> str:
    """The list as JSON: sections in order, each with its entries."""
    by_id = {s.id: s for s in view.sections}
    doc = {
        "title": view.title,
        "sections": [
            {
                "title": s.title,
                "parent": by_id[s.parent_id].title if s.parent_id in by_id else None,
                "entries": [
                    {
                        "title": e.title,
                        "arxiv_id": e.paper_id,
                        "url": entry_url(e),
                        "venue": e.venue,
                        "note": e.note,
                    }
                    for e in view.entries
                    if e.section_id == s.id
                ],
            }
            for s in view.sections
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def export_bibtex(view: ListView) -> str:
    """The list's arXiv papers as BibTeX @misc entries keyed by arXiv id."""
    records = []
    for entry in view.entries:
        paper = view.papers.get(entry.paper_id or "")
        if paper is None:
            continue
        fields = {
            "title": "{" + paper.title + "}",
            "author": " and ".join(paper.author_names),
            "eprint": paper.arxiv_id,
            "archivePrefix": "arXiv",
            "primaryClass": paper.primary_category or "",
            "url": paper.abs_url,
        }
        if entry.venue:
            fields["note"] = entry.venue
        body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields.items() if v)
        records.append(f"@misc{{arxiv:{paper.arxiv_id},\n{body}\n}}")
    return "\n\n".join(records) + ("\n" if records else "")
