"""The shared list as a document: sections in order, each with its items, as read or written."""

from __future__ import annotations

from dataclasses import dataclass, field

from digest.arxiv_links import abs_url

SECTION_SEPARATOR = " / "
# Where entries go that no section names (a list without headings, a paper approved as is).
DEFAULT_SECTION = "Uncategorized"


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
    # The lines it was read from, as written (its first is `line`), for exact round trips.
    source: str = field(default="", compare=False)

    @property
    def link(self) -> str | None:
        """Where the title links to: the external link if there is one, else the arXiv page."""
        if self.url:
            return self.url
        return abs_url(self.arxiv_id) if self.arxiv_id else None

    def key(self) -> tuple[object, ...]:
        """What a round trip must keep (everything but where it was read from)."""
        return (self.title, self.arxiv_id, self.url, self.venue, self.note, self.links)


@dataclass(frozen=True, slots=True)
class DocSection:
    """A section by its path from the top ("Training System", "Distributed training")."""

    path: tuple[str, ...]
    items: tuple[ListItem, ...] = ()

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
