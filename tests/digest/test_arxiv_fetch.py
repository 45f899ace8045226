"""Fetching through arxiv.Client against a real local server: paging, pacing and arXiv's faults."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from digest.arxiv_fetch import (
    ArxivApiSource,
    EmptyPageError,
    HttpStatusError,
    MalformedPageError,
    TransportError,
    retry_after_seconds,
)
from digest.ports import SourcePage
from tests.digest.arxiv_server import ApiServer, RecordedPages, Reply, Responder
from tests.digest.atom import Entry, feed_xml
from tests.digest.conftest import Waits

Serve = Callable[[Responder], ApiServer]
MakeSource = Callable[..., ArxivApiSource]
START = datetime(2026, 6, 19, 18, 0, tzinfo=UTC)
END = datetime(2026, 6, 22, 18, 0, tzinfo=UTC)


async def pages_of(source: ArxivApiSource) -> list[SourcePage]:
    """Every page of one window."""
    return [page async for page in source.window(["cs.DC"], START, END)]


def two_pages(params: dict[str, str]) -> Reply:
    """A result set of 12 entries, served in pages of `max_results`."""
    entries = [Entry(f"2606.{i:05d}") for i in range(12)]
    start, size = int(params["start"]), int(params["max_results"])
    return Reply(feed_xml(entries[start : start + size], total=12, start=start, per_page=size))


async def test_replays_recorded_pages_in_order(
    shared: Path, serve: Serve, make_source: MakeSource
) -> None:
    server = serve(RecordedPages(shared))
    pages = await pages_of(make_source(server))
    assert [p.start for p in pages] == [0, 10, 20, 30, 40, 50]
    assert sum(len(p.papers) for p in pages) == 60
    assert pages[0].papers[0].arxiv_id == "2202.12139"
    first = server.requests[0]
    assert first["sortBy"] == "lastUpdatedDate" and first["sortOrder"] == "descending"
    assert first["search_query"] == "(cat:cs.DC) AND lastUpdatedDate:[202606191800 TO 202606221759]"
    assert [r["start"] for r in server.requests] == ["0", "10", "20", "30", "40", "50"]
    assert pages[0].url.startswith(server.url)


async def test_pauses_between_requests_as_arxiv_asks(
    serve: Serve, make_source: MakeSource, waits: Waits
) -> None:
    source = make_source(serve(two_pages), delay=3.0)
    source._monotonic = lambda: 100.0  # no time passes between the requests
    await pages_of(source)
    assert waits == [3.0]


async def test_503_with_retry_after_is_honoured(
    serve: Serve, make_source: MakeSource, waits: Waits
) -> None:
    server = serve(two_pages)
    server.faults = [Reply(b"busy", status=503, headers={"Retry-After": "7"})]
    pages = await pages_of(make_source(server))
    assert sum(len(p.papers) for p in pages) == 12
    assert waits == [7.0]
    assert len(server.requests) == 3


async def test_429_and_5xx_back_off_exponentially(
    serve: Serve, make_source: MakeSource, waits: Waits
) -> None:
    server = serve(two_pages)
    server.faults = [Reply(status=429), Reply(status=502), Reply(status=500)]
    pages = await pages_of(make_source(server, attempts=4))
    assert sum(len(p.papers) for p in pages) == 12
    assert waits == [0.01, 0.02, 0.04]


def test_backoff_has_jitter_and_a_cap(serve: Serve, make_source: MakeSource) -> None:
    source = make_source(serve(two_pages))
    source._jitter = lambda: 0.0
    low = source.backoff(1)
    source._jitter = lambda: 0.999
    assert low == 0.005 and source.backoff(1) > 0.0149
    assert source.backoff(30) < 1.5  # capped at max_backoff (1 s) times the jitter
    assert source.backoff(1, retry_after=600) == 60  # Retry-After capped by the policy


async def test_persistent_503_is_reported_with_the_url(
    serve: Serve, make_source: MakeSource, caplog: pytest.LogCaptureFixture
) -> None:
    server = serve(lambda params: Reply(b"down", status=503))
    with pytest.raises(HttpStatusError) as raised, caplog.at_level(logging.WARNING):
        await pages_of(make_source(server))
    assert raised.value.status == 503
    assert raised.value.url.startswith(server.url)
    assert len(server.requests) == 3
    assert server.url in caplog.text


async def test_error_feed_400_is_not_retried(
    shared: Path, serve: Serve, make_source: MakeSource
) -> None:
    body = next((shared / "arxiv-api" / "recorded-2026").glob("id_abc_*.xml")).read_bytes()
    server = serve(lambda params: Reply(body, status=400))
    with pytest.raises(HttpStatusError, match="incorrect id format for abc"):
        await pages_of(make_source(server))
    assert len(server.requests) == 1


async def test_known_empty_page_is_retried(serve: Serve, make_source: MakeSource) -> None:
    server = serve(two_pages)
    # Page two comes back empty once (arXiv's known fault), then whole.
    server.faults = [Reply(feed_xml([Entry(f"2606.{i:05d}") for i in range(10)], total=12))]
    server.faults.append(Reply(feed_xml([], total=12, start=10)))
    pages = await pages_of(make_source(server))
    assert [len(p.papers) for p in pages] == [10, 2]
    assert len(server.requests) == 3


async def test_empty_pages_are_reported_after_the_retries(
    serve: Serve, make_source: MakeSource
) -> None:
    def empty_second_page(params: dict[str, str]) -> Reply:
        if params["start"] == "0":
            return two_pages(params)
        return Reply(feed_xml([], total=12, start=int(params["start"])))

    server = serve(empty_second_page)
    with pytest.raises(EmptyPageError, match="empty page at 10 of 12"):
        await pages_of(make_source(server))
    assert len(server.requests) == 4


async def test_an_empty_first_page_claiming_results_is_retried(
    serve: Serve, make_source: MakeSource
) -> None:
    server = serve(two_pages)
    server.faults = [Reply(feed_xml([], total=12))]
    pages = await pages_of(make_source(server))
    assert sum(len(p.papers) for p in pages) == 12


async def test_a_truly_empty_window_is_one_empty_page(
    serve: Serve, make_source: MakeSource
) -> None:
    server = serve(lambda params: Reply(feed_xml([], total=0)))
    pages = await pages_of(make_source(server))
    assert [(p.total, p.papers) for p in pages] == [(0, ())]
    assert len(server.requests) == 1


async def test_truncated_body_is_retried(serve: Serve, make_source: MakeSource) -> None:
    server = serve(two_pages)
    whole = two_pages({"start": "0", "max_results": "10"}).body
    server.faults = [Reply(whole[: len(whole) // 2])]
    pages = await pages_of(make_source(server))
    assert sum(len(p.papers) for p in pages) == 12


async def test_truncated_body_every_time_is_reported_with_the_url(
    serve: Serve, make_source: MakeSource, caplog: pytest.LogCaptureFixture
) -> None:
    whole = two_pages({"start": "0", "max_results": "10"}).body
    server = serve(lambda params: Reply(whole[:700]))
    with pytest.raises(MalformedPageError) as raised, caplog.at_level(logging.WARNING):
        await pages_of(make_source(server))
    assert "malformed feed" in str(raised.value)
    assert raised.value.url in caplog.text


async def test_connection_dropped_mid_body_is_retried(
    serve: Serve, make_source: MakeSource
) -> None:
    server = serve(two_pages)
    whole = two_pages({"start": "0", "max_results": "10"}).body
    server.faults = [Reply(whole[:500], claimed_length=len(whole))]
    pages = await pages_of(make_source(server))
    assert sum(len(p.papers) for p in pages) == 12


async def test_stalled_response_hits_the_read_timeout_and_is_retried(
    serve: Serve, make_source: MakeSource
) -> None:
    server = serve(two_pages)
    server.faults = [Reply(b"", stall=5.0)]
    pages = await pages_of(make_source(server, timeout=0.2))
    assert sum(len(p.papers) for p in pages) == 12
    assert len(server.requests) == 3


async def test_stalled_every_time_is_reported(serve: Serve, make_source: MakeSource) -> None:
    server = serve(lambda params: Reply(b"", stall=5.0))
    with pytest.raises(TransportError, match="ReadTimeout"):
        await pages_of(make_source(server, timeout=0.2, attempts=2))


def test_retry_after_forms() -> None:
    now = datetime(2026, 6, 22, 12, 0, tzinfo=UTC)
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds(format_datetime(now + timedelta(seconds=30), usegmt=True), now) == 30
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None
