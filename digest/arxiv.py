"""arXiv export API feeds: ids, the window query, and parsing Atom pages into Papers (pure)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from digest.announcements import listing_date
from digest.arxiv_links import ID_PATTERN, arxiv_id_from_text
from digest.models import Author, Paper
from digest.text import normalise_space
from digest.venues import detect_code_url, detect_venue

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
# The id with its version, not part of a longer word or number (`math.GT/...`, not `GT/...`).
_ID = re.compile(rf"(?<![\w.-])({ID_PATTERN})(?:v(\d+))?(?!\d)", re.IGNORECASE)
_DOI_LINK = re.compile(r"^https?://(?:dx\.)?doi\.org/(.+)$")
_STAMP = "%Y%m%d%H%M"


class FeedError(ValueError):
    """A feed that is not a valid arXiv Atom response (or is arXiv's error feed)."""


class ArxivErrorFeed(FeedError):
    """arXiv answered with its error feed (a bad query or id); retrying will not help."""


@dataclass(frozen=True, slots=True)
class FeedPage:
    """One page of an API response: the result count, where the page starts, its papers."""

    total: int
    start: int
    per_page: int
    papers: list[Paper]


def split_id(text: str) -> tuple[str, int]:
    """An arXiv id or URL split into the id without version and the version (1 if none)."""
    found = _ID.search(text)
    # arxiv_id_from_text spells the id as arXiv does (math.gt/0309136 -> math.GT/0309136).
    if found is None or (arxiv_id := arxiv_id_from_text(found.group(1))) is None:
        raise FeedError(f"not an arXiv id: {text!r}")
    return arxiv_id, int(found.group(2) or 1)


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError as exc:
        raise FeedError(f"bad timestamp {text!r}") from exc


def _text(node: ET.Element, tag: str) -> str | None:
    found = node.find(tag)
    if found is None or found.text is None:
        return None
    return normalise_space(found.text) or None


def _categories(entry: ET.Element) -> tuple[str, ...]:
    primary = entry.find(ARXIV + "primary_category")
    ordered = [primary.get("term", "")] if primary is not None else []
    for node in entry.findall(ATOM + "category"):
        term = node.get("term", "")
        if term and term not in ordered:
            ordered.append(term)
    return tuple(term for term in ordered if term)


def _authors(entry: ET.Element) -> tuple[Author, ...]:
    return tuple(
        Author(
            normalise_space(node.findtext(ATOM + "name") or ""),
            tuple(
                text
                for a in node.findall(ARXIV + "affiliation")
                if (text := normalise_space(a.text or ""))
            ),
        )
        for node in entry.findall(ATOM + "author")
    )


def _doi(entry: ET.Element) -> str | None:
    doi = _text(entry, ARXIV + "doi")
    if doi:
        return doi
    # Older feeds carry the DOI only as <link title="doi" href="http://dx.doi.org/...">.
    for node in entry.findall(ATOM + "link"):
        if node.get("title") == "doi" and (found := _DOI_LINK.match(node.get("href", ""))):
            return found.group(1)
    return None


def parse_entry(entry: ET.Element) -> Paper:
    """One Atom <entry> as a Paper (its announcement date derived from its first version)."""
    raw_id = _text(entry, ATOM + "id")
    if raw_id is None:
        raise FeedError("an entry without <id>")
    arxiv_id, version = split_id(raw_id)
    title = _text(entry, ATOM + "title")
    if title is None:
        raise FeedError(f"entry {arxiv_id} has no title")
    submitted = _time(_text(entry, ATOM + "published"))
    comment = _text(entry, ARXIV + "comment")
    journal_ref = _text(entry, ARXIV + "journal_ref")
    abstract = _text(entry, ATOM + "summary") or ""
    return Paper(
        arxiv_id=arxiv_id,
        version=version,
        title=title,
        abstract=abstract,
        authors=_authors(entry),
        categories=_categories(entry),
        submitted=submitted,
        updated=_time(_text(entry, ATOM + "updated")),
        announced=listing_date(submitted) if submitted else None,
        comment=comment,
        journal_ref=journal_ref,
        doi=_doi(entry),
        venue=detect_venue(comment, journal_ref),
        code_url=detect_code_url(comment, abstract),
        links=tuple(href for node in entry.findall(ATOM + "link") if (href := node.get("href"))),
    )


def _count(root: ET.Element, tag: str) -> int:
    text = (root.findtext(OPENSEARCH + tag) or "0").strip()
    try:
        return int(text)
    except ValueError as exc:
        raise FeedError(f"opensearch:{tag} is not a number: {text!r}") from exc


def parse_feed(body: bytes | str) -> FeedPage:
    """Parse an API response into a page of papers; raise FeedError on error or broken feeds."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise FeedError(f"malformed feed: {exc}") from exc
    if root.tag != ATOM + "feed":
        raise FeedError(f"not an Atom feed (root element {root.tag})")
    papers = []
    for entry in root.findall(ATOM + "entry"):
        if "/api/errors" in (entry.findtext(ATOM + "id") or ""):
            summary = normalise_space(entry.findtext(ATOM + "summary") or "unknown error")
            raise ArxivErrorFeed(f"arXiv error: {summary}")
        papers.append(parse_entry(entry))
    return FeedPage(
        total=_count(root, "totalResults"),
        start=_count(root, "startIndex"),
        per_page=_count(root, "itemsPerPage"),
        papers=papers,
    )


def category_query(categories: Sequence[str]) -> str:
    """The part of a search query that asks for any of `categories`."""
    return " OR ".join(f"cat:{category}" for category in categories)


def window_query(categories: Sequence[str], start: datetime, end: datetime) -> str:
    """The API search query for papers in `categories` last updated in [start, end).

    The API's date ranges are inclusive and count whole minutes, so the range ends one minute
    before `end`; window bounds are whole minutes (arXiv's deadlines), so nothing falls between.
    """
    cats = category_query(categories)
    first = start.astimezone(UTC)
    last = (end - timedelta(minutes=1)).astimezone(UTC)
    return f"({cats}) AND lastUpdatedDate:[{first:{_STAMP}} TO {last:{_STAMP}}]"
