"""One list line (a bullet or a table row) read into a ListItem, whatever the style."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from digest.arxiv_links import abs_url, arxiv_id_from_url, is_arxiv_host
from digest.list_document import ListItem
from digest.list_markdown.inline import (
    NO_REFERENCES,
    Brackets,
    Group,
    Link,
    References,
    Token,
    link_at,
    plain_text,
    tokenize,
)
from digest.list_venues import is_implied_arxiv, read_venue_tag

# Labels that name the link rather than the paper: the title is elsewhere on the line.
GENERIC_LABELS = frozenset(
    {"paper", "link", "pdf", "arxiv", "abs", "url", "-", "", "html", "[paper]", "[pdf]"}
)
_LEADING_PAREN = re.compile(r"\(([^()]{1,40})\)\s+")
_DATE = re.compile(r"^\d{4}(?:-\d{2}){0,2}$")
# `(`Synergy`)` ending a title; the whitespace before it is stripped separately, as a leading
# `\s*` here would rescan every run of spaces from each of its positions.
_CODE_NOTE = re.compile(r"\(`[^()]*`\)$")
_SEPARATORS = " \t|:-–—,;"


class ItemError(ValueError):
    """A line that looks like an entry but cannot be read as one."""


@dataclass(slots=True)
class _Parts:
    title: str = ""
    main: Link | None = None
    links: list[Link] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    venue: str | None = None
    venue_tag: str | None = None
    warnings: list[str] = field(default_factory=list)
    line: int = 0

    def take_venue(self, text: str) -> bool:
        """Whether `text` is a venue tag; the first one found is the entry's venue."""
        found = read_venue_tag(text)
        if found is None:
            return False
        if self.venue is None:
            self.venue, self.venue_tag = found
            return True
        return False


def _leading_tags(text: str, parts: _Parts, brackets: Brackets, references: References) -> int:
    """Consume `[OSDI'24] [Survey]` and `(NSDI'24)` prefixes; where the rest starts."""
    pos = 0
    size = len(text)
    while pos < size:
        if text[pos] == "[":
            end = brackets.square(pos)
            if (
                end == -1
                or text[end + 1 : end + 2] == "("
                or link_at(text, pos, brackets, references) is not None
            ):
                break
            tag = plain_text(text[pos + 1 : end])
            pos = end + 1
            while pos < size and text[pos].isspace():
                pos += 1
            if not tag:
                continue
        else:
            found = _LEADING_PAREN.match(text, pos)
            if found is None:
                break
            tag = found.group(1).strip()
            if read_venue_tag(tag) is None and not _DATE.match(tag):
                break
            pos = found.end()
        if not parts.take_venue(tag):
            parts.notes.append(tag)
    return pos


def _trailing_text(parts: _Parts, text: str, subtitle_allowed: bool) -> None:
    """Read `: subtitle | SOSP' 23 | Google`, `- description` or a raw note after the title."""
    text = text.strip()
    if not text:
        return
    if text.startswith(("- ", "— ", "– ")) and " | " not in text:
        parts.notes.append(plain_text(text[2:]))
        return
    pieces = [p.strip() for p in text.split(" | ")]
    first = pieces[0]
    if first.startswith("|"):
        first = first[1:].strip()
    elif subtitle_allowed and (first.startswith(":") or parts.title.endswith(":")):
        subtitle = first.lstrip(":").strip()
        if subtitle:
            parts.title = parts.title.rstrip(":").rstrip() + ": " + plain_text(subtitle)
        first = ""
    rest = [first, *pieces[1:]] if first else pieces[1:]
    for raw in rest:
        piece = raw.lstrip(_SEPARATORS).rstrip(" |")
        if not piece:
            continue
        if not parts.take_venue(piece):
            parts.notes.append(plain_text(piece))


def _read_tokens(parts: _Parts, tokens: list[Token], title_in_link: bool) -> None:
    trailing: list[str] = []
    for token in tokens:
        if isinstance(token, Link):
            if parts.main is None and not title_in_link:
                parts.main = token
            else:
                parts.links.append(token)
        elif isinstance(token, Group):
            if token.text.strip():
                parts.notes.append(plain_text(token.text))
        else:
            trailing.append(token)
    text = " ".join(t.strip() for t in trailing if t.strip(_SEPARATORS))
    _trailing_text(parts, text, subtitle_allowed=title_in_link)


def _url_of(link: Link, parts: _Parts) -> str:
    url = link.url.strip().strip("<>")
    if "](" in url or url.startswith("["):
        # A link nested inside a link target: keep the last address, and say so.
        found = re.findall(r"https?://[^\s()\[\]]+", url)
        parts.warnings.append("malformed link target")
        url = found[-1] if found else ""
    return url


def parse_bullet(
    content: str, references: References = NO_REFERENCES, line: int = 0
) -> tuple[ListItem, list[str]]:
    """A bullet's text (after `- `) as an item, with warnings; ItemError if there is no entry."""
    parts = _Parts(line=line)
    text = content.strip()
    brackets = Brackets(text)
    rest = _leading_tags(text, parts, brackets, references)
    tokens = tokenize(text, references, rest, brackets)
    # Markup around the title's link (`**[Title](url)**`) leaves no text before it.
    at = 0
    while at < len(tokens) and isinstance(lead := tokens[at], str) and not plain_text(lead):
        at += 1
    first = tokens[at] if at < len(tokens) else None
    if isinstance(first, Link) and plain_text(first.label).casefold() not in GENERIC_LABELS:
        parts.main = first
        parts.title = plain_text(first.label)
        _read_tokens(parts, tokens[at + 1 :], title_in_link=True)
    else:
        at = 0
        while at < len(tokens) and isinstance(tokens[at], str):
            at += 1
        title = "".join(t for t in tokens[:at] if isinstance(t, str))
        code_note = _CODE_NOTE.search(title)
        if code_note:
            parts.notes.append(code_note.group(0))
            title = title[: code_note.start()].rstrip()
        pieces = title.split(" | ")
        parts.title = plain_text(pieces[0]).rstrip(":").strip()
        _read_tokens(parts, tokens[at:], title_in_link=False)
        if len(pieces) > 1:
            _trailing_text(parts, " | " + " | ".join(pieces[1:]), subtitle_allowed=False)
    return _finish(parts)


def parse_table_row(
    cells: dict[str, list[str]],
    references: References = NO_REFERENCES,
    line: int = 0,
) -> tuple[ListItem, list[str]]:
    """A table row, its cells grouped by role (title, link, venue, note), as an item."""
    parts = _Parts(line=line)
    for cell in cells.get("title", []):
        tokens = tokenize(cell, references)
        links = [t for t in tokens if isinstance(t, Link)]
        if links and not parts.title:
            parts.main = links[0]
            parts.title = plain_text(links[0].label)
            parts.links.extend(links[1:])
        elif not parts.title:
            parts.title = plain_text(cell)
    for cell in cells.get("link", []):
        for token in tokenize(cell, references):
            if isinstance(token, Link):
                label = plain_text(token.label).strip("[]")
                link = Link(label, token.url)
                if not parts.title and label.casefold() not in GENERIC_LABELS:
                    parts.title, parts.main = label, link
                elif parts.main is None:
                    parts.main = link
                else:
                    parts.links.append(link)
    for cell in cells.get("venue", []):
        text = plain_text(cell)
        if text and not parts.take_venue(text):
            parts.notes.append(text)
    parts.notes.extend(text for cell in cells.get("note", []) if (text := plain_text(cell)))
    return _finish(parts, note_separator="; ")


def _finish(parts: _Parts, note_separator: str = " | ") -> tuple[ListItem, list[str]]:
    title = parts.title.strip()
    arxiv_id = url = arxiv_url = None
    if parts.main is not None:
        url = _url_of(parts.main, parts) or None
        if url is not None and url.startswith("#"):
            raise ItemError("links to a heading of the page, not to a paper")
        arxiv_id = arxiv_id_from_url(url) if url else None
        if arxiv_id is not None:
            arxiv_url, url = url, None
        elif url is not None and is_arxiv_host(url):
            parts.warnings.append(f"arXiv link without a readable id: {url}")
    extras: list[tuple[str, str]] = []
    for link in parts.links:
        target = _url_of(link, parts)
        if not target or target.startswith("#"):
            continue
        found = arxiv_id_from_url(target)
        if found is not None and arxiv_id is None and _names_arxiv(link.label):
            arxiv_id, arxiv_url = found, target
            continue
        extras.append((plain_text(link.label).strip("[]") or target, target))
    if not title:
        raise ItemError("no title")
    venue, venue_tag = parts.venue, parts.venue_tag
    if is_implied_arxiv(venue, arxiv_id):
        venue = venue_tag = None
    note = note_separator.join(n for n in parts.notes if n) or None
    item = ListItem(
        title=title,
        arxiv_id=arxiv_id,
        url=url,
        venue=venue,
        note=note,
        links=tuple(extras),
        line=parts.line,
        venue_tag=venue_tag,
        arxiv_url=None if arxiv_id is None or arxiv_url == abs_url(arxiv_id) else arxiv_url,
    )
    return item, parts.warnings


def _names_arxiv(label: str) -> bool:
    """A link labelled as the paper's arXiv version (not a paper the description cites)."""
    text = plain_text(label).strip("[]").casefold()
    return "arxiv" in text or text in GENERIC_LABELS


def child_arxiv_id(
    content: str, references: References = NO_REFERENCES, depth: int = 2
) -> str | None:
    """The entry's own arXiv id from a line under it (`  - [arxiv version](...)`), if any.

    Only a link labelled as the arXiv version counts: "Journal version of [X](...)" cites another.
    Links inside bracket groups (`[[arXiv](...)] [[OpenReview](...)]`) count too.
    """
    for token in tokenize(content.strip(), references):
        if isinstance(token, Group) and depth > 0:
            found = child_arxiv_id(token.text, references, depth - 1)
        elif isinstance(token, Link):
            label = plain_text(token.label).strip("[]").casefold()
            found = arxiv_id_from_url(token.url)
            names = "arxiv" in label or label.endswith("version") or label in GENERIC_LABELS
            found = found if names else None
        else:
            continue
        if found is not None:
            return found
    return None
