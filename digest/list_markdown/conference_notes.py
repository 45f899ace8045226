"""The conference-notes style: `* (NSDI'24) Title [link](url) [tags | org]` per conference."""

from __future__ import annotations

from digest.list_document import ListDocument, ListItem
from digest.list_markdown.writing import extra_links, heading, lines_out, note_group, plain_title


def format_item(item: ListItem) -> str:
    """One entry as a conference-notes bullet."""
    line = "* " + (f"({item.venue}) " if item.venue else "") + plain_title(item.title)
    if item.link:
        line += f" [link]({item.link})"
    line += extra_links(item)
    if item.note:
        line += " " + note_group(item.note)
    return line


def write(document: ListDocument) -> str:
    """The whole list in the conference-notes style, a rule above each top-level section."""
    body: list[str] = []
    for section in document.sections:
        if section.depth == 0:
            body.extend(["---", heading(section)])
        else:
            body.append(heading(section))
        body.extend(format_item(item) for item in section.items)
        body.append("")
    return lines_out(document, body)
