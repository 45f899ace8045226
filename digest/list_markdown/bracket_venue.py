"""The bracket-venue style: `- [OSDI'24] [Title](link)`, bold sub-groups, a table of contents."""

from __future__ import annotations

from digest.list_document import DocSection, ListDocument, ListItem
from digest.list_markdown.inline import escape_label, github_anchor
from digest.list_markdown.writing import (
    StyleWriter,
    arxiv_in_children,
    blank_line,
    links_and_note,
    note_group,
    plain_head,
    plain_title,
    title_line,
    title_link,
    write_document,
)
from digest.list_venues import ARXIV, implied_arxiv_tag, split_venue

TOC_TITLE = "Table of Contents"


def venue_tag(item: ListItem) -> str | None:
    """The leading tag: the venue as written, or `arxiv'25` for a paper only on arXiv."""
    if item.venue_tag:
        return item.venue_tag
    if item.venue:
        name, year = split_venue(item.venue)
        return f"arxiv'{year}" if name == ARXIV and year else item.venue
    return implied_arxiv_tag(item.arxiv_id) if item.arxiv_id else None


def format_item(item: ListItem) -> list[str]:
    """One entry as a bracket-venue bullet (and its `arxiv version` line when it has one)."""
    tag = venue_tag(item)
    line = "- " + (f"[{tag}] " if tag else "")
    link = title_link(item)
    line += f"[{escape_label(item.title)}]({link})" if link else plain_title(item.title)
    lines = [line + links_and_note(item, arxiv_label=None, note=_note)]
    if item.url and item.arxiv_link and not arxiv_in_children(item):
        lines.append(f"  - [arxiv version]({item.arxiv_link})")
    return lines


def _note(note: str) -> str:
    if note.startswith("(`") and note.endswith("`)"):
        return note
    return note_group(note)


def _is_subgroup(document: ListDocument, section: DocSection) -> bool:
    """Leaves two levels down are bold lines, as the style writes them, if their siblings are."""
    if section.depth < 2:
        return False
    parent = section.path[:-1]
    siblings = [s for s in document.sections if s.path[:-1] == parent]
    return not any(document.has_children(s) for s in siblings)


def _toc(document: ListDocument) -> list[str]:
    seen: dict[str, int] = {}

    def anchor(text: str) -> str:
        base = github_anchor(text)
        count = seen.get(base, 0)
        seen[base] = count + 1
        return base if count == 0 else f"{base}-{count}"

    lines = [f"- [{escape_label(document.title)}](#{anchor(document.title)})"]
    lines.append(f"  - [{TOC_TITLE}](#{anchor(TOC_TITLE)})")
    for section in document.sections:
        if not _is_subgroup(document, section):
            indent = "  " * (section.depth + 1)
            title = escape_label(section.title).replace("&", "\\&")
            lines.append(f"{indent}- [{title}](#{anchor(section.title)})")
    return lines


def _preamble(document: ListDocument) -> list[str]:
    return [
        *title_line(document),
        f"## {TOC_TITLE}",
        "<!-- TOC -->",
        "",
        *_toc(document),
        "",
        "<!-- /TOC -->",
        "",
    ]


def _head(document: ListDocument, section: DocSection) -> list[str]:
    if _is_subgroup(document, section):
        return [f"**{section.title}**"]
    return plain_head(document, section)


WRITER = StyleWriter("bracket-venue", _preamble, _head, format_item, blank_line)


def write(document: ListDocument) -> str:
    """The whole list in the bracket-venue style, with its table of contents."""
    return write_document(document, WRITER)
