"""What every Markdown writer shares: heading levels, escaping titles, extra links."""

from __future__ import annotations

from digest.arxiv_links import abs_url
from digest.list_document import DocSection, ListDocument, ListItem
from digest.list_markdown.inline import escape_label
from digest.list_markdown.items import GENERIC_LABELS

MAX_HEADING = 6
SHORT_NAME_WORDS = 3


def heading(section: DocSection) -> str:
    """`## Title` for a top-level section, one more `#` per level below."""
    return "#" * min(section.depth + 2, MAX_HEADING) + " " + section.title


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
    if arxiv_label and item.url and item.arxiv_id:
        links.append((arxiv_label, abs_url(item.arxiv_id)))
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


def lines_out(document: ListDocument, body: list[str]) -> str:
    """The title, a blank line, the body, one newline at the end."""
    return "\n".join([f"# {document.title}", "", *body]).rstrip() + "\n"
