"""arXiv export API: fetching pages (I/O, in a thread) and parsing Atom feeds (pure)."""

from __future__ import annotations

import asyncio
import logging
import re
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from digest.models import Author, Paper
from digest.text import normalise_space
from digest.venues import detect_code_url, detect_venue

log = logging.getLogger(__name__)

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
_ID = re.compile(
    r"(?:arxiv\.org/(?:abs|pdf)/)?([a-z-]+(?:\.[A-Z]{2})?/\d{7}|\d{4}\.\d{4,5})(?:v(\d+))?"
)


class FeedError(ValueError):
    """A feed that is not a valid arXiv Atom response (or is arXiv's error feed)."""


@dataclass(frozen=True, slots=True)
class FeedPage:
    """One page of an API response."""

    total: int
    start: int
    per_page: int
    papers: list[Paper]


def split_id(text: str) -> tuple[str, int]:
    """An arXiv id or URL split into the id without version and the version (1 if none)."""
    found = _ID.search(text)
    if found is None:
        raise FeedError(f"not an arXiv id: {text!r}")
    return found.group(1), int(found.group(2) or 1)


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def _text(entry: ET.Element, tag: str) -> str | None:
    node = entry.find(tag)
    return normalise_space(node.text) if node is not None and node.text else None


def parse_entry(entry: ET.Element) -> Paper:
    """One Atom <entry> as a Paper."""
    arxiv_id, version = split_id(_text(entry, ATOM + "id") or "")
    primary = entry.find(ARXIV + "primary_category")
    categories = [primary.get("term", "")] if primary is not None else []
    categories += [
        term
        for node in entry.findall(ATOM + "category")
        if (term := node.get("term", "")) and term not in categories
    ]
    authors = tuple(
        Author(
            normalise_space(node.findtext(ATOM + "name") or ""),
            tuple(normalise_space(a.text or "") for a in node.findall(ARXIV + "affiliation")),
        )
        for node in entry.findall(ATOM + "author")
    )
    comment = _text(entry, ARXIV + "comment")
    journal_ref = _text(entry, ARXIV + "journal_ref")
    abstract = _text(entry, ATOM + "summary") or ""
    return Paper(
        arxiv_id=arxiv_id,
        version=version,
        title=_text(entry, ATOM + "title") or "",
        abstract=abstract,
        authors=authors,
        categories=tuple(c for c in categories if c),
        submitted=_time(_text(entry, ATOM + "published")),
        updated=_time(_text(entry, ATOM + "updated")),
        comment=comment,
        journal_ref=journal_ref,
        doi=_text(entry, ARXIV + "doi"),
        venue=detect_venue(comment, journal_ref),
        code_url=detect_code_url(comment, abstract),
        links=tuple(href for node in entry.findall(ATOM + "link") if (href := node.get("href"))),
    )


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
        if (entry.findtext(ATOM + "title") or "").strip() == "Error":
            raise FeedError(
                f"arXiv error: {normalise_space(entry.findtext(ATOM + 'summary') or '')}"
            )
        papers.append(parse_entry(entry))
    return FeedPage(
        total=int(root.findtext(OPENSEARCH + "totalResults") or 0),
        start=int(root.findtext(OPENSEARCH + "startIndex") or 0),
        per_page=int(root.findtext(OPENSEARCH + "itemsPerPage") or 0),
        papers=papers,
    )


def window_query(categories: Sequence[str], start: datetime, end: datetime) -> str:
    """The API search query for papers in `categories` last updated in [start, end)."""
    cats = " OR ".join(f"cat:{category}" for category in categories)
    stamp = "%Y%m%d%H%M"
    span = f"lastUpdatedDate:[{start.astimezone(UTC):{stamp}} TO {end.astimezone(UTC):{stamp}}]"
    return f"({cats}) AND {span}"


def _get(url: str, timeout: float) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "paperbot (research digest bot)"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        body: bytes = response.read()
        return body


class ArxivApiSource:
    """digest.ports.PaperSource on arXiv's export API: one request at a time, `delay` apart."""

    def __init__(
        self, api_url: str, page_size: int = 200, delay: float = 3.0, timeout: float = 30.0
    ) -> None:
        self.api_url = api_url
        self.page_size = page_size
        self.delay = delay
        self.timeout = timeout

    async def window(
        self, categories: Sequence[str], start: datetime, end: datetime
    ) -> AsyncIterator[list[Paper]]:
        """Pages of papers in these categories last updated in [start, end)."""
        offset = 0
        while True:
            params = {
                "search_query": window_query(categories, start, end),
                "start": str(offset),
                "max_results": str(self.page_size),
                "sortBy": "lastUpdatedDate",
                "sortOrder": "ascending",
            }
            url = f"{self.api_url}?{urllib.parse.urlencode(params)}"
            log.info("fetching %s", url)
            page = parse_feed(await asyncio.to_thread(_get, url, self.timeout))
            if not page.papers:
                return
            yield page.papers
            offset += len(page.papers)
            if offset >= page.total:
                return
            await asyncio.sleep(self.delay)
