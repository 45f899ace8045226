"""The conference-notes style: `* (NSDI'24) Title [link](url) [tags | org]` per conference."""

from __future__ import annotations

from digest.list_document import DocSection, ListDocument, ListItem
from digest.list_markdown.writing import (
    StyleWriter,
    blank_line,
    extra_links,
    heading,
    note_group,
    plain_title,
    title_line,
    title_link,
    venue_text,
    write_document,
)


def format_item(item: ListItem) -> list[str]:
    """One entry as a conference-notes bullet."""
    venue = venue_text(item)
    line = "* " + (f"({venue}) " if venue else "") + plain_title(item.title)
    link = title_link(item)
    if link:
        line += f" [link]({link})"
    line += extra_links(item)
    if item.note:
        line += " " + note_group(item.note)
    return [line]


def _head(_document: ListDocument, section: DocSection) -> list[str]:
    """A rule above each top-level section."""
    return ["---", heading(section)] if section.depth == 0 else [heading(section)]


WRITER = StyleWriter("conference-notes", title_line, _head, format_item, blank_line)


def write(document: ListDocument) -> str:
    """The whole list in the conference-notes style, a rule above each top-level section."""
    return write_document(document, WRITER)
