"""The llmsys style: `- [Name](link): subtitle | SOSP' 23` under nested headings, no TOC."""

from __future__ import annotations

from digest.list_document import ListDocument, ListItem
from digest.list_markdown.inline import escape_label
from digest.list_markdown.writing import (
    StyleWriter,
    blank_line,
    extra_links,
    plain_head,
    plain_title,
    split_name,
    title_line,
    title_link,
    venue_text,
    write_document,
)
from digest.list_venues import llmsys_venue


def format_item(item: ListItem) -> list[str]:
    """One entry as an llmsys bullet."""
    link = title_link(item)
    if link:
        name, subtitle = split_name(item.title)
        line = f"- [{escape_label(name)}]({link})"
        if subtitle is not None:
            line += ": " + plain_title(subtitle)
    else:
        line = "- " + plain_title(item.title)
    line += extra_links(item)
    venue = venue_text(item, llmsys_venue)
    if venue:
        line += " | " + venue
    if item.note:
        line += " | " + escape_label(item.note)
    return [line]


WRITER = StyleWriter("llmsys", title_line, plain_head, format_item, blank_line)


def write(document: ListDocument) -> str:
    """The whole list in the llmsys style."""
    return write_document(document, WRITER)
