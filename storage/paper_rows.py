"""Papers and matches as rows the drivers take directly: tuples in column order.

Bulk writes skip SQLAlchemy's per-row parameter processing (the larger part of a load's time
when it ran per value); each value is put into its stored form here instead, once per row: JSON
columns as their text, and on SQLite the date and time columns as SQLAlchemy's own bind
processors write them, so rows written here read back like rows written through the ORM.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from json.encoder import encode_basestring_ascii
from typing import Any

from sqlalchemy import Dialect, Table

from digest.models import Match, Paper
from storage.tables import MatchRow, PaperRow

PAPERS: Table = PaperRow.__table__  # type: ignore[assignment]
MATCHES: Table = MatchRow.__table__  # type: ignore[assignment]
PAPER_COLUMNS = tuple(column.name for column in PAPERS.columns)
MATCH_COLUMNS = ("topic_id", "paper_id", "score", "terms", "matched_at")
EMPTY_LIST = "[]"

Convert = Callable[[Any], Any]


def strings_json(items: Iterable[str]) -> str:
    """A list of strings as json.dumps writes it, by its C string encoder alone."""
    return "[" + ", ".join(map(encode_basestring_ascii, items)) + "]"


def _same(value: Any) -> Any:
    return value


def _bind(table: Table, column: str, dialect: Dialect) -> Convert:
    """The engine's own conversion of a column's values (identity when it has none)."""
    processor = table.c[column].type._cached_bind_processor(dialect)
    return processor if processor is not None else _same


class RowMaker:
    """Builds paper and match rows for one engine (dates as that engine stores them)."""

    def __init__(self, dialect: Dialect) -> None:
        # PostgreSQL's driver takes aware datetimes and dates as they are; SQLite stores text.
        native = dialect.name == "postgresql"
        self.instant: Convert = _same if native else _bind(PAPERS, "updated", dialect)
        self.day: Convert = _same if native else _bind(PAPERS, "announced", dialect)
        self._categories: dict[tuple[str, ...], str] = {}

    def _categories_json(self, categories: tuple[str, ...]) -> str:
        # A few thousand distinct category lists cover a corpus: each is encoded once.
        found = self._categories.get(categories)
        if found is None:
            found = self._categories[categories] = strings_json(categories)
        return found

    def paper(self, paper: Paper, stored_at: Any) -> tuple[Any, ...]:
        """A paper's row in PAPER_COLUMNS order; `stored_at` is already converted."""
        instant, day = self.instant, self.day
        authors = paper.authors
        if any(author.affiliations for author in authors):
            names = json.dumps(
                [[a.name, list(a.affiliations)] if a.affiliations else a.name for a in authors]
            )
        else:
            names = strings_json([author.name for author in authors])
        categories = paper.categories
        return (
            paper.arxiv_id,
            paper.version,
            paper.title,
            paper.abstract,
            names,
            self._categories_json(categories),
            categories[0] if categories else None,
            None if paper.submitted is None else instant(paper.submitted),
            None if paper.updated is None else instant(paper.updated),
            None if paper.announced is None else day(paper.announced),
            paper.comment,
            paper.journal_ref,
            paper.doi,
            paper.venue,
            paper.code_url,
            strings_json(paper.links) if paper.links else EMPTY_LIST,
            stored_at,
        )

    def papers(self, papers: Sequence[Paper], now: datetime) -> list[tuple[Any, ...]]:
        """Rows of papers stored at `now`."""
        stored_at = self.instant(now)
        return [self.paper(paper, stored_at) for paper in papers]

    def matches(self, matches: Sequence[Match], now: datetime) -> list[tuple[Any, ...]]:
        """Rows of matches in MATCH_COLUMNS order; a match without a time is matched `now`."""
        instant = self.instant
        default = instant(now)
        return [
            (
                m.topic_id,
                m.paper_id,
                m.score,
                strings_json(m.terms),
                default if m.matched_at is None else instant(m.matched_at),
            )
            for m in matches
        ]
