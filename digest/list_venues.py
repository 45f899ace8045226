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
# What a tag may say besides the venue: `NAIC @ SIGCOMM'25`, `KDD'20 Tutorial`.
_AT = re.compile(r"^(?P<qualifier>\S.{0,60}?)\s+@\s+(?P<venue>\S.*)$")
_AFTER_YEAR = re.compile(
    r"^(?P<venue>.+?(?:['’`]\s*\d{2}|\s(?:19|20)\d{2}))"
    r"\s+(?P<qualifier>\(?[A-Za-z][A-Za-z\- ]{0,40}\)?)$"
)
ARXIV = "arXiv"
MAX_VENUE_CHARS = 64  # what storage keeps of a venue; a longer "tag" is read as a note
MAX_TAG_CHARS = 128  # what storage keeps of a tag as written


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


def read_venue_tag(text: str) -> tuple[str, str | None] | None:
    """A tag's venue, and the tag as written when it qualifies the venue; None if no venue.

    `OSDI'24` -> ("OSDI'24", None); `NAIC @ SIGCOMM'25` -> ("SIGCOMM'25", "NAIC @ SIGCOMM'25");
    `NeurIPS'25 Spotlight` -> ("NeurIPS'25", "NeurIPS'25 Spotlight"). Only a known venue with
    its year takes words after it, so a note like `Google 2023 blog` stays a note.
    """
    venue = parse_venue_tag(text)
    if venue is not None:
        return venue, None
    written = " ".join(text.strip().split())
    if len(written) > MAX_TAG_CHARS:
        return None
    at = _AT.match(written)
    if at is not None:
        venue = parse_venue_tag(at.group("venue"))
    elif (after := _AFTER_YEAR.match(written)) is not None:
        venue = parse_venue_tag(after.group("venue"))
        if venue is not None and split_venue(venue)[0].casefold() not in _KNOWN:
            venue = None
    if venue is None or split_venue(venue)[1] is None or split_venue(venue)[0] == ARXIV:
        return None
    return venue, written


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
