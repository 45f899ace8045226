"""The llmsys style: `- [Name](link): subtitle | SOSP' 23` under nested headings, no TOC."""

from __future__ import annotations

from digest.list_document import ListDocument, ListItem
from digest.list_markdown.inline import escape_label
from digest.list_markdown.writing import extra_links, heading, lines_out, plain_title, split_name
from digest.list_venues import llmsys_venue


def format_item(item: ListItem) -> str:
    """One entry as an llmsys bullet."""
    link = item.link
    if link:
        name, subtitle = split_name(item.title)
        line = f"- [{escape_label(name)}]({link})"
        if subtitle is not None:
            line += ": " + plain_title(subtitle)
    else:
        line = "- " + plain_title(item.title)
    line += extra_links(item)
    if item.venue:
        line += " | " + llmsys_venue(item.venue)
    if item.note:
        line += " | " + escape_label(item.note)
    return line


def write(document: ListDocument) -> str:
    """The whole list in the llmsys style."""
    body: list[str] = []
    for section in document.sections:
        body.append(heading(section))
        body.extend(format_item(item) for item in section.items)
        body.append("")
    return lines_out(document, body)
