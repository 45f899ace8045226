"""The shared list as JSON: sections in order, each with its path and its entries."""

from __future__ import annotations

import json
from typing import Any

from digest.list_view import ListView, entry_link, section_paths, shown_sections


def export_json(view: ListView) -> str:
    """The list as JSON, in display order (stable from one export to the next); sections that
    hold no entries, themselves or below them, are left out."""
    paths = section_paths(view.sections)
    sections: list[dict[str, Any]] = []
    for section in shown_sections(view):
        entries = [
            {
                "id": e.id,
                "title": e.title,
                "arxiv_id": e.paper_id,
                "url": entry_link(e),
                "venue": e.venue,
                "note": e.note,
                "links": [{"label": label, "url": url} for label, url in e.links],
                "added_by": e.added_by,
                "approved_by": e.approved_by,
                "added_at": e.added_at.isoformat() if e.added_at else None,
            }
            for e in view.entries
            if e.section_id == section.id
        ]
        sections.append(
            {"path": list(paths[section.id]), "title": section.title, "entries": entries}
        )
    doc = {"title": view.title, "sections": sections}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
