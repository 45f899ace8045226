"""What every Markdown writer shares: the layout kept from a read, heading levels, escaping.

A style is a `StyleWriter`: how it writes the part before the first section, a section's heading,
an entry, and a section's end. `write_document` puts them together, and wherever the document
carries the lines the maintainer wrote in this same style (its layout), writes those instead: the
preamble, a section's heading and what follows it, an entry whose fields are still the ones its
lines were read as, and everything that stood between entries.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from digest.list_document import DocSection, ListDocument, ListItem, fingerprint
from digest.list_markdown.inline import escape_label
from digest.list_markdown.items import GENERIC_LABELS

MAX_HEADING = 6
SHORT_NAME_WORDS = 3


@dataclass(frozen=True, slots=True)
class StyleWriter:
    """How one style writes each part of a list it has no kept lines for."""

    style: str
    preamble: Callable[[ListDocument], list[str]]
    head: Callable[[ListDocument, DocSection], list[str]]
    item: Callable[[ListItem], list[str]]
    end: Callable[[DocSection], list[str]]
    # Whether entries' children (sub-bullets) can stand under them (a table has no place).
    children: bool = True


def kept_lines(item: ListItem, style: str) -> tuple[str, ...] | None:
    """The lines an item was read from, if read in `style` and its fields are still the same."""
    layout = item.layout
    if layout is None or layout.style != style:
        return None
    if layout.key != fingerprint(item.key(), item.children):
        return None
    return layout.source


def write_document(document: ListDocument, writer: StyleWriter) -> str:
    """The list in one style, its kept lines where it has them (see the module's note)."""
    style = writer.style
    layout = document.layout
    out: list[str] = []
    kept_end = False  # whether the last lines written were kept ones (written exactly)

    def put(lines: Sequence[str], kept: bool) -> None:
        nonlocal kept_end
        out.extend(lines)
        if lines:
            kept_end = kept

    if layout is not None and layout.style == style:
        put(layout.preamble, True)
    else:
        put(writer.preamble(document), False)
    for section in document.sections:
        section_layout = (
            section.layout if section.layout and section.layout.style == style else None
        )
        if section_layout is not None:
            put(section_layout.head, True)
        else:
            put(writer.head(document, section), False)
        for item in section.items:
            kept = kept_lines(item, style)
            put(kept if kept is not None else writer.item(item), kept is not None)
            if writer.children:
                put(item.children, True)
            if item.layout is not None and item.layout.style == style:
                put(item.layout.tail, True)
        if section_layout is not None:
            put(section_layout.tail, True)
        else:
            put(writer.end(section), False)
    if not kept_end:
        while out and not out[-1].strip():
            out.pop()
    return "".join(line + "\n" for line in out)


def title_line(document: ListDocument) -> list[str]:
    """`# Title` and a blank line: what every style writes first."""
    return [f"# {document.title}", ""]


def heading(section: DocSection) -> str:
    """`## Title` for a top-level section, one more `#` per level below."""
    return "#" * min(section.depth + 2, MAX_HEADING) + " " + section.title


def plain_head(_document: ListDocument, section: DocSection) -> list[str]:
    """A section's heading line alone (no rule, no table header)."""
    return [heading(section)]


def blank_line(_section: DocSection) -> list[str]:
    """A section's end in most styles."""
    return [""]


def venue_text(item: ListItem, written: Callable[[str], str] = str) -> str | None:
    """The venue as the list wrote it (`NAIC @ SIGCOMM'25`), or in the style's notation."""
    if item.venue_tag:
        return item.venue_tag
    return written(item.venue) if item.venue else None


def title_link(item: ListItem) -> str | None:
    """Where the title links to, unless the arXiv link is one of the lines under the entry."""
    if item.url:
        return item.url
    return None if arxiv_in_children(item) else item.arxiv_link


def arxiv_in_children(item: ListItem) -> bool:
    """Whether a line under the entry already links to its arXiv id."""
    arxiv_id = item.arxiv_id
    return arxiv_id is not None and any(arxiv_id in line for line in item.children)


def plain_title(title: str) -> str:
    """A title written as plain text on a bullet (no link): brackets and pipes escaped."""
    return escape_label(title).replace("|", "\\|")


def split_name(title: str) -> tuple[str, str | None]:
    """`"vLLM: Easy, Fast"` -> ("vLLM", "Easy, Fast"): the llmsys `[Name](link): subtitle`."""
    name, sep, subtitle = title.partition(": ")
    if not sep or not name.strip() or not subtitle.strip() or name.casefold() in GENERIC_LABELS:
        return title, None
    if len(name.split()) > SHORT_NAME_WORDS:
        # Only a system's name goes in the link; a long title stays whole, as the lists do.
        return title, None
    return name, subtitle


def extra_links(item: ListItem, arxiv_label: str | None = "arXiv", double: bool = False) -> str:
    """` [code](...)` after the main link, with the arXiv page when the main link is elsewhere."""
    links: list[tuple[str, str]] = []
    arxiv_link = item.arxiv_link
    if arxiv_label and item.url and arxiv_link and not arxiv_in_children(item):
        links.append((arxiv_label, arxiv_link))
    links.extend(item.links)
    if double:
        return "".join(f" [[{escape_label(label)}]]({url})" for label, url in links)
    return "".join(f" [{escape_label(label)}]({url})" for label, url in links)


def note_group(note: str) -> str:
    """A note as a bracket group; Markdown inside it is kept when its brackets balance."""
    depth = 0
    for ch in note:
        depth += {"[": 1, "]": -1}.get(ch, 0)
        if depth < 0:
            break
    return f"[{note}]" if depth == 0 else f"[{escape_label(note)}]"


def links_and_note(
    item: ListItem, arxiv_label: str | None = "arXiv", note: Callable[[str], str] = note_group
) -> str:
    """What a bullet writes after its title: the other links, then the note as a group."""
    text = extra_links(item, arxiv_label=arxiv_label)
    if item.note:
        text += " " + note(item.note)
    return text
