"""The conference-notes style: `* (NSDI'24) Title [link](url) [tags | org]` per conference."""

from __future__ import annotations

from digest.list_document import DocSection, ListDocument, ListItem
from digest.list_markdown.writing import (
    StyleWriter,
    blank_line,
    links_and_note,
    plain_head,
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
    return [line + links_and_note(item)]


def _head(document: ListDocument, section: DocSection) -> list[str]:
    """A rule above each top-level section."""
    rule = ["---"] if section.depth == 0 else []
    return [*rule, *plain_head(document, section)]


WRITER = StyleWriter("conference-notes", title_line, _head, format_item, blank_line)


def write(document: ListDocument) -> str:
    """The whole list in the conference-notes style, a rule above each top-level section."""
    return write_document(document, WRITER)
