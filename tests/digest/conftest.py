"""Fixtures for the core's tests: a local arXiv API server and a source pointed at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from digest.arxiv_fetch import ArxivApiSource, ArxivClient, RetryPolicy
from tests.digest.arxiv_server import ApiServer, Responder


class Waits(list[float]):
    """Records the pauses a source asks for, without pausing (tests never sleep)."""

    async def __call__(self, seconds: float) -> None:
        self.append(round(seconds, 4))


@pytest.fixture
def serve() -> Iterator[Callable[[Responder], ApiServer]]:
    """Start a local API server with a responder; every one is stopped after the test."""
    servers: list[ApiServer] = []

    def start(respond: Responder) -> ApiServer:
        servers.append(ApiServer(respond).start())
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def waits() -> Waits:
    """The pauses requested by a source made with `make_source`."""
    return Waits()


@pytest.fixture
def make_source(waits: Waits) -> Iterator[Callable[..., ArxivApiSource]]:
    """An ArxivApiSource on a local server: tiny timeout, fixed jitter, pauses recorded."""
    sources: list[ArxivApiSource] = []

    def make(
        server: ApiServer,
        page_size: int = 10,
        timeout: float = 0.3,
        delay: float = 0.0,
        attempts: int = 3,
    ) -> ArxivApiSource:
        client = ArxivClient(server.url, page_size=page_size, timeout=timeout)
        policy = RetryPolicy(attempts=attempts, backoff=0.01, max_backoff=1.0, max_retry_after=60)
        sources.append(ArxivApiSource(client, delay, policy, sleep=waits, jitter=lambda: 0.5))
        return sources[-1]

    yield make
    for source in sources:
        source.close()
