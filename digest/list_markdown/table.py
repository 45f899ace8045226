"""The table style: `| Title | [[paper]](link) |` under headings; Venue and Note columns if used."""

from __future__ import annotations

from digest.list_document import ListDocument, ListItem
from digest.list_markdown.inline import escape_cell, escape_label
from digest.list_markdown.writing import extra_links, heading, lines_out


def _columns(document: ListDocument) -> list[str]:
    # Decided for the whole list, so one new entry changes one row, not a table's shape.
    items = document.items
    columns = ["Title"]
    if any(item.venue for item in items):
        columns.append("Venue")
    columns.append("Link")
    if any(item.note for item in items):
        columns.append("Note")
    return columns


def format_row(item: ListItem, columns: list[str]) -> str:
    """One entry as a table row."""
    cells = []
    for column in columns:
        if column == "Title":
            cells.append(escape_cell(escape_label(item.title)))
        elif column == "Venue":
            cells.append(item.venue or "")
        elif column == "Link":
            link = f"[[paper]]({item.link})" if item.link else ""
            cells.append((link + extra_links(item, double=True)).strip())
        else:
            cells.append(escape_cell(escape_label(item.note or "")))
    return "| " + " | ".join(cells) + " |"


def write(document: ListDocument) -> str:
    """The whole list as one table per section."""
    columns = _columns(document)
    header = "| " + " | ".join(columns) + " |"
    rule = "| " + " | ".join("---" for _ in columns) + " |"
    body: list[str] = []
    for section in document.sections:
        body.extend([heading(section), ""])
        if section.items:
            body.extend([header, rule])
            body.extend(format_row(item, columns) for item in section.items)
            body.append("")
    return lines_out(document, body)
