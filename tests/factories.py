"""Small hand-written values for tests."""

from __future__ import annotations

from datetime import UTC, date, datetime

from digest.models import Author, Paper


def make_paper(
    arxiv_id: str = "2606.00001",
    title: str = "Fast LLM Serving with Paged KV Caches",
    version: int = 1,
    abstract: str = "We serve large language models faster.",
    categories: tuple[str, ...] = ("cs.DC", "cs.LG"),
    authors: tuple[str, ...] = ("Ada Lovelace", "Ion Stoica"),
    announced: date | None = date(2026, 6, 23),
    comment: str | None = None,
    venue: str | None = None,
) -> Paper:
    """A paper with sensible defaults."""
    return Paper(
        arxiv_id=arxiv_id,
        version=version,
        title=title,
        abstract=abstract,
        authors=tuple(Author(name) for name in authors),
        categories=categories,
        submitted=datetime(2026, 6, 19, 17, 0, tzinfo=UTC),
        updated=datetime(2026, 6, 19, 17, 0, tzinfo=UTC),
        announced=announced,
        comment=comment,
        venue=venue,
    )
