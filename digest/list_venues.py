"""Venue tags as hand-kept lists write them (`OSDI'24`, `SOSP' 23`, `(NSDI'24)`), per style."""

from __future__ import annotations

import re

from digest.arxiv_links import id_year
from digest.venues import VENUES

_KNOWN = {name.casefold(): name for name in (*VENUES, "NIPS", "arXiv")}
_TAG = re.compile(
    r"^(?P<name>[A-Za-z][A-Za-z0-9&.+\-]*(?: [A-Za-z][A-Za-z0-9&.+\-]*){0,2}?)"
    r"\s*(?:['’`]\s*|,\s*|\s+)(?P<year>(?:19|20)?\d{2})$"
)
ARXIV = "arXiv"
MAX_VENUE_CHARS = 64  # what storage keeps of a venue; a longer "tag" is read as a note


def parse_venue_tag(text: str) -> str | None:
    """`OSDI'24`, `SOSP' 23`, `ICML 24`, `SIGCOMM 2024`, `arxiv, 2022` -> canonical `NAME'YY`."""
    text = " ".join(text.strip().split())
    found = _TAG.match(text)
    if found is None:
        known = _KNOWN.get(text.casefold())
        return known if known and known != ARXIV else None
    name = found.group("name")
    name = _KNOWN.get(name.casefold(), name)
    venue = f"{name}'{found.group('year')[-2:]}"
    return venue if len(venue) <= MAX_VENUE_CHARS else None


def split_venue(venue: str) -> tuple[str, str | None]:
    """`OSDI'24` -> ("OSDI", "24"); a venue without a year keeps None."""
    name, sep, year = venue.rpartition("'")
    if sep and year.isdigit():
        return name, year
    return venue, None


def is_implied_arxiv(venue: str | None, arxiv_id: str | None) -> bool:
    """`arXiv'25` on a paper whose id dates from 2025 says nothing more than the id."""
    if venue is None or arxiv_id is None:
        return False
    name, year = split_venue(venue)
    return name == ARXIV and year is not None and int(year) == id_year(arxiv_id)


def implied_arxiv_tag(arxiv_id: str) -> str:
    """The tag bracket-venue lists give a paper that is only on arXiv (`arxiv'25`)."""
    return f"arxiv'{id_year(arxiv_id):02d}"


def llmsys_venue(venue: str) -> str:
    """The llmsys notation: `SOSP' 23`."""
    name, year = split_venue(venue)
    return f"{name}' {year}" if year else name
