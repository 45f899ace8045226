"""The shared list as a document: sections in order, each with its items, as read or written.

A document read from Markdown also carries its layout: the lines as the maintainer wrote them
(each entry's own lines, what stands between entries, each section's heading, what comes before
the first section). Writing a document in the style it was read in gives those lines back, so an
unchanged list comes back byte for byte; an entry whose fields changed since is written anew.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from digest.arxiv_links import abs_url

SECTION_SEPARATOR = " / "
# Where entries go that no section names (a list without headings, a paper approved as is).
DEFAULT_SECTION = "Uncategorized"

Lines = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ItemLayout:
    """An entry as written in the list it was read from: in which style, its lines, what follows.

    `key` is the fingerprint of the fields those lines were read as (see `fingerprint`): the
    lines stand for the entry only while its fields still have that fingerprint.
    """

    style: str
    source: Lines
    tail: Lines = ()  # lines after it (and its children) up to the next entry of its section
    key: str = ""


@dataclass(frozen=True, slots=True)
class SectionLayout:
    """A section as written: its heading and the lines up to its first entry, and those after."""

    style: str
    head: Lines
    tail: Lines = ()  # after its last entry, up to the next section (empty or skipped ones too)


@dataclass(frozen=True, slots=True)
class DocumentLayout:
    """What a list holds before its first section (title, badges, introduction, contents)."""

    style: str
    preamble: Lines


@dataclass(frozen=True, slots=True)
class ListItem:
    """One entry: an arXiv paper, an external link, or a title alone, with its venue and note."""

    title: str
    arxiv_id: str | None = None
    url: str | None = None
    venue: str | None = None
    note: str | None = None
    links: tuple[tuple[str, str], ...] = ()
    line: int = 0
    # The venue tag as the list wrote it when it says more than the venue ("NAIC @ SIGCOMM'25").
    venue_tag: str | None = None
    # The arXiv link as the list wrote it (`.../pdf/2401.00001v1.pdf`), the id derived from it.
    arxiv_url: str | None = None
    # Indented lines under the entry (sub-bullets, further links), as written.
    children: Lines = ()
    layout: ItemLayout | None = field(default=None, compare=False)

    @property
    def link(self) -> str | None:
        """Where the title links to: the external link, else the arXiv link as written."""
        if self.url:
            return self.url
        return self.arxiv_link

    @property
    def arxiv_link(self) -> str | None:
        """The arXiv link as written, or the abstract page of the id."""
        if self.arxiv_url:
            return self.arxiv_url
        return abs_url(self.arxiv_id) if self.arxiv_id else None

    def key(self) -> tuple[object, ...]:
        """What a round trip must keep in every style (not its children: tables have no place)."""
        return (
            self.title,
            self.arxiv_id,
            self.url,
            self.venue,
            self.note,
            self.links,
            self.venue_tag,
            self.arxiv_url,
        )


def fingerprint(key: tuple[object, ...], children: Lines = ()) -> str:
    """A short stable digest of an entry's fields, stored with the lines they were read from."""
    text = json.dumps([key, children], ensure_ascii=False)  # tuples are written as arrays
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class DocSection:
    """A section by its path from the top ("Training System", "Distributed training")."""

    path: tuple[str, ...]
    items: tuple[ListItem, ...] = ()
    layout: SectionLayout | None = field(default=None, compare=False)

    @property
    def title(self) -> str:
        """The section's own title (the last part of its path)."""
        return self.path[-1]

    @property
    def depth(self) -> int:
        """0 for a top-level section."""
        return len(self.path) - 1

    @property
    def path_text(self) -> str:
        """`"Training System / Distributed training"`."""
        return SECTION_SEPARATOR.join(self.path)


@dataclass(frozen=True, slots=True)
class ListDocument:
    """A list: its title and its sections, parents before children, in display order."""

    title: str
    sections: tuple[DocSection, ...] = ()
    layout: DocumentLayout | None = field(default=None, compare=False)

    @property
    def items(self) -> list[ListItem]:
        """Every item in display order."""
        return [item for section in self.sections for item in section.items]

    def has_children(self, section: DocSection) -> bool:
        """Whether any section sits below this one."""
        size = len(section.path)
        return any(
            len(other.path) > size and other.path[:size] == section.path for other in self.sections
        )


@dataclass(frozen=True, slots=True)
class ReadLimits:
    """Bounds on what one read may hold; reading stops at the first one passed (ListTooBig)."""

    max_sections: int | None = None
    max_entries: int | None = None


class ListTooBig(ValueError):
    """A list over one of its ReadLimits: which one (`what`, `limit`), and the line past it."""

    def __init__(self, what: str, limit: int, line: int | None = None) -> None:
        at = f" (line {line} is past it)" if line else ""
        super().__init__(f"the list has more than {limit:,} {what}{at}")
        self.what = what
        self.limit = limit
        self.line = line


@dataclass(frozen=True, slots=True)
class ReadProblem:
    """A line of a Markdown list that could not be read as an entry, and why."""

    line: int
    text: str
    reason: str


@dataclass(frozen=True, slots=True)
class Duplicate:
    """Two or more items of one list that are the same paper (by id or by title)."""

    reason: str
    lines: tuple[int, ...]
    title: str


@dataclass(frozen=True, slots=True)
class ReadResult:
    """What reading a Markdown list gave: the document, its style, and what went wrong."""

    document: ListDocument
    style: str
    problems: tuple[ReadProblem, ...] = ()
    duplicates: tuple[Duplicate, ...] = ()
    skipped_sections: tuple[str, ...] = field(default=())
    # What reading left unchecked because a bound on its work was reached.
    unchecked: tuple[str, ...] = ()
