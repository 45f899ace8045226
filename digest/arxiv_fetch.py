"""Fetching pages of arXiv's export API: the `arxiv` package's client, made safe to run daily.

The package blocks (requests without a timeout, time.sleep between pages) and retries without
backing off. Here it is called one request at a time through a thread, with a read timeout, one
connection, arXiv's pause between requests, and retries with exponential back-off and jitter that
honour Retry-After. Pausing and backing off happen in asyncio, so a cancelled job stops at once.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import arxiv
import requests
from requests.adapters import HTTPAdapter

from digest.arxiv import ArxivErrorFeed, FeedError, FeedPage, parse_feed, window_query
from digest.models import Paper
from digest.ports import SourcePage

log = logging.getLogger(__name__)

USER_AGENT = "paperbot/0.1 (research group paper digest; arxiv.py client)"
CONNECT_TIMEOUT = 10.0
RETRIED_STATUSES = frozenset({408, 429})
# Ids in one id_list request: arXiv's API manual asks for pages of at most a few hundred.
ID_BATCH = 200


class FetchError(RuntimeError):
    """A page that could not be fetched after every retry; `url` says which."""

    def __init__(self, message: str, url: str) -> None:
        super().__init__(f"{message} ({url})")
        self.url = url


class HttpStatusError(FetchError):
    """arXiv answered with an HTTP error status."""

    def __init__(self, status: int, url: str, detail: str = "") -> None:
        super().__init__(f"HTTP {status}{': ' + detail if detail else ''}", url)
        self.status = status


class EmptyPageError(FetchError):
    """A page that should hold entries came back empty (a known fault of the API)."""


class MalformedPageError(FetchError):
    """A page that is not a valid feed (truncated or garbled)."""


class TransportError(FetchError):
    """No answer: a read timeout, a refused or dropped connection."""


@dataclass(frozen=True, slots=True)
class RawResponse:
    """One HTTP answer, before any parsing."""

    url: str
    status: int
    body: bytes
    retry_after: float | None = None


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard to try one page: attempts, and the back-off between them (seconds)."""

    attempts: int = 5
    backoff: float = 3.0
    max_backoff: float = 120.0
    max_retry_after: float = 600.0


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """The wait a Retry-After header asks for (seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class _TimeoutAdapter(HTTPAdapter):
    """A requests adapter with a default timeout and a single pooled connection."""

    def __init__(self, timeout: float) -> None:
        super().__init__(pool_connections=1, pool_maxsize=1, pool_block=True, max_retries=0)
        self._timeout = (min(CONNECT_TIMEOUT, timeout), timeout)

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float, float] | tuple[float, None] | None = None,
        verify: bool | str = True,
        cert: bytes | str | tuple[bytes | str, bytes | str] | None = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """Send with our timeout unless the caller gave one."""
        return super().send(request, stream, timeout or self._timeout, verify, cert, proxies)


class ArxivClient(arxiv.Client):  # type: ignore[misc]  # the package ships no type hints
    """The `arxiv` package's client with a read timeout and one connection, returning raw pages.

    Pausing and retrying are left to ArxivApiSource (the package's own would block a thread).
    """

    def __init__(self, api_url: str, page_size: int = 200, timeout: float = 30.0) -> None:
        super().__init__(page_size=page_size, delay_seconds=0.0, num_retries=0)
        self.query_url_format = api_url + "?{}"
        adapter = _TimeoutAdapter(timeout)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)

    def page_url(self, query: str, start: int) -> str:
        """The URL of one page of `query`, newest update first."""
        search = arxiv.Search(
            query=query,
            max_results=None,
            sort_by=arxiv.SortCriterion.LastUpdatedDate,
            sort_order=arxiv.SortOrder.Descending,
        )
        return str(self._format_url(search, start, self.page_size))

    def id_list_url(self, arxiv_ids: Sequence[str]) -> str:
        """The URL of one request for the records of these ids, all in one page."""
        search = arxiv.Search(id_list=list(arxiv_ids), max_results=None)
        return str(self._format_url(search, 0, len(arxiv_ids)))

    def get(self, url: str) -> RawResponse:
        """Fetch one URL (blocking; run it in a thread). Transport failures raise TransportError."""
        try:
            response = self._session.get(url, headers={"User-Agent": USER_AGENT})
            body = response.content
        except requests.RequestException as exc:
            raise TransportError(f"{type(exc).__name__}: {exc}", url) from exc
        return RawResponse(
            url,
            response.status_code,
            body,
            retry_after_seconds(response.headers.get("Retry-After")),
        )

    def close(self) -> None:
        """Close the pooled connection."""
        self._session.close()


Sleep = Callable[[float], Awaitable[None]]


class ArxivApiSource:
    """digest.ports.PaperSource on arXiv's export API through ArxivClient."""

    def __init__(
        self,
        client: ArxivClient,
        delay: float = 3.0,
        policy: RetryPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.delay = delay
        self.policy = policy or RetryPolicy()
        self._sleep = sleep
        self._jitter = jitter
        self._monotonic = monotonic
        self._lock = asyncio.Lock()
        self._last_request: float | None = None
        # What this source did, for the metrics: requests sent, and those that were retries.
        self.requests = 0
        self.retries = 0

    async def _get(self, url: str) -> RawResponse:
        # One request at a time, `delay` apart, as arXiv's terms of use ask.
        async with self._lock:
            if self._last_request is not None:
                wait = self.delay - (self._monotonic() - self._last_request)
                if wait > 0:
                    await self._sleep(wait)
            self.requests += 1
            try:
                return await asyncio.to_thread(self.client.get, url)
            finally:
                self._last_request = self._monotonic()

    def backoff(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry `attempt` (1-based): doubling, jittered, >= Retry-After."""
        policy = self.policy
        base: float = min(policy.max_backoff, policy.backoff * 2.0 ** (attempt - 1))
        wait = base * (0.5 + self._jitter())
        if retry_after is not None:
            wait = max(wait, min(retry_after, policy.max_retry_after))
        return wait

    def _check(self, raw: RawResponse, first: bool, expected: int) -> FeedPage:
        """The page in a response, or the error that says whether to retry it."""
        if raw.status != 200:
            detail = ""
            try:
                parse_feed(raw.body)
            except ArxivErrorFeed as exc:
                detail = str(exc)
            except FeedError:
                pass
            raise HttpStatusError(raw.status, raw.url, detail)
        try:
            page = parse_feed(raw.body)
        except ArxivErrorFeed as exc:
            raise HttpStatusError(raw.status, raw.url, str(exc)) from exc
        except FeedError as exc:
            raise MalformedPageError(str(exc), raw.url) from exc
        total = max(page.total, expected)
        if not page.papers and (not first or total > page.start):
            raise EmptyPageError(f"empty page at {page.start} of {total} results", raw.url)
        return page

    @staticmethod
    def _retryable(error: FetchError) -> bool:
        if isinstance(error, HttpStatusError):
            return error.status in RETRIED_STATUSES or error.status >= 500
        return True

    async def fetch_page(self, url: str, first: bool = True, expected: int = 0) -> FeedPage:
        """Fetch and parse one page, retrying what arXiv gets wrong; FetchError after that."""
        attempt = 0
        while True:
            attempt += 1
            retry_after: float | None = None
            try:
                raw = await self._get(url)
                retry_after = raw.retry_after
                return self._check(raw, first, expected)
            except FetchError as error:
                if not self._retryable(error) or attempt >= self.policy.attempts:
                    log.error("giving up on %s after %d attempts: %s", url, attempt, error)
                    raise
                wait = self.backoff(attempt, retry_after)
                log.warning("attempt %d failed (%s); retrying in %.1f s", attempt, error, wait)
                self.retries += 1
                await self._sleep(wait)

    async def records(self, arxiv_ids: Sequence[str]) -> tuple[Paper, ...]:
        """The records of these ids (ID_BATCH at most), one request; ids arXiv lacks are absent."""
        if len(arxiv_ids) > ID_BATCH:
            raise ValueError(f"at most {ID_BATCH} ids a request, not {len(arxiv_ids)}")
        if not arxiv_ids:
            return ()
        page = await self.fetch_page(self.client.id_list_url(arxiv_ids))
        return tuple(page.papers)

    async def window(
        self, categories: Sequence[str], start: datetime, end: datetime
    ) -> AsyncIterator[SourcePage]:
        """Pages of papers in these categories last updated in [start, end), newest first."""
        query = window_query(categories, start, end)
        offset = total = 0
        while True:
            url = self.client.page_url(query, offset)
            page = await self.fetch_page(url, first=offset == 0, expected=total)
            total = max(total, page.total)
            yield SourcePage(tuple(page.papers), total, offset, url)
            offset += len(page.papers)
            if not page.papers or offset >= total:
                return

    def close(self) -> None:
        """Release the client's connection."""
        self.client.close()
