"""The table style: `| Title | [[paper]](link) |` under headings; Venue and Note columns if used."""

from __future__ import annotations

from dataclasses import replace

from digest.list_document import DocSection, ListDocument, ListItem
from digest.list_markdown.inline import escape_cell, escape_label
from digest.list_markdown.writing import (
    StyleWriter,
    extra_links,
    heading,
    title_line,
    venue_text,
    write_document,
)


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
            cells.append(venue_text(item) or "")
        elif column == "Link":
            link = f"[[paper]]({item.link})" if item.link else ""
            cells.append((link + extra_links(item, double=True)).strip())
        else:
            cells.append(escape_cell(escape_label(item.note or "")))
    return "| " + " | ".join(cells) + " |"


def write(document: ListDocument) -> str:
    """The whole list as one table per section."""
    columns = _columns(document)

    def head(_document: ListDocument, section: DocSection) -> list[str]:
        lines = [heading(section), ""]
        if section.items:
            lines.append("| " + " | ".join(columns) + " |")
            lines.append("| " + " | ".join("---" for _ in columns) + " |")
        return lines

    def row(item: ListItem) -> list[str]:
        # A row has no lines under it: an arXiv link kept in one goes in the row's links.
        return [format_row(replace(item, children=()), columns)]

    def end(section: DocSection) -> list[str]:
        return [""] if section.items else []

    return write_document(document, StyleWriter("table", title_line, head, row, end, False))
