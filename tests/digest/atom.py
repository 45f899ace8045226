"""Write small arXiv API Atom feeds for tests, in the 2026 format of the recorded responses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from xml.sax.saxutils import escape, quoteattr


@dataclass(frozen=True)
class Entry:
    """One entry as the API writes it."""

    arxiv_id: str
    version: int = 1
    title: str = "A paper"
    summary: str = "An abstract."
    published: datetime = datetime(2026, 6, 19, 15, 0, tzinfo=UTC)
    updated: datetime | None = None
    primary: str = "cs.DC"
    categories: tuple[str, ...] = ("cs.DC",)
    authors: tuple[tuple[str, tuple[str, ...]], ...] = (("Ada Lovelace", ()),)
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    extra: tuple[str, ...] = field(default=())

    @property
    def last_updated(self) -> datetime:
        """When its latest version was submitted."""
        return self.updated or self.published


def _stamp(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def entry_xml(entry: Entry) -> str:
    """The <entry> element of one paper."""
    vid = f"{entry.arxiv_id}v{entry.version}"
    parts = [
        "  <entry>",
        f"    <id>http://arxiv.org/abs/{vid}</id>",
        f"    <title>{escape(entry.title)}</title>",
        f"    <updated>{_stamp(entry.last_updated)}</updated>",
        f'    <link href="https://arxiv.org/abs/{vid}" rel="alternate" type="text/html"/>',
        f'    <link href="https://arxiv.org/pdf/{vid}" rel="related" type="application/pdf"'
        ' title="pdf"/>',
        f"    <summary>{escape(entry.summary)}</summary>",
    ]
    parts += [
        f'    <category term={quoteattr(c)} scheme="http://arxiv.org/schemas/atom"/>'
        for c in entry.categories
    ]
    parts.append(f"    <published>{_stamp(entry.published)}</published>")
    if entry.comment:
        parts.append(f"    <arxiv:comment>{escape(entry.comment)}</arxiv:comment>")
    parts.append(f"    <arxiv:primary_category term={quoteattr(entry.primary)}/>")
    if entry.journal_ref:
        parts.append(f"    <arxiv:journal_ref>{escape(entry.journal_ref)}</arxiv:journal_ref>")
    for name, affiliations in entry.authors:
        parts.append(f"    <author>\n      <name>{escape(name)}</name>")
        parts += [f"      <arxiv:affiliation>{escape(a)}</arxiv:affiliation>" for a in affiliations]
        parts.append("    </author>")
    if entry.doi:
        parts.append(f"    <arxiv:doi>{escape(entry.doi)}</arxiv:doi>")
    parts += list(entry.extra)
    parts.append("  </entry>")
    return "\n".join(parts)


def feed_xml(
    entries: list[Entry], total: int | None = None, start: int = 0, per_page: int = 100
) -> bytes:
    """A whole feed page."""
    head = (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">\n'
        "  <id>https://arxiv.org/api/test</id>\n"
        "  <title>arXiv Query: test</title>\n"
        "  <updated>2026-06-23T00:00:00Z</updated>\n"
        f"  <opensearch:itemsPerPage>{per_page}</opensearch:itemsPerPage>\n"
        f"  <opensearch:totalResults>{len(entries) if total is None else total}"
        "</opensearch:totalResults>\n"
        f"  <opensearch:startIndex>{start}</opensearch:startIndex>\n"
    )
    body = "\n".join(entry_xml(e) for e in entries)
    return (head + body + "\n</feed>\n").encode()
