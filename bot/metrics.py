"""Prometheus metrics of a running paperbot (`/metrics`).

Two kinds: counters of what this process did (papers ingested, matches, messages posted or failed
by platform and kind, ingestion runs and their duration, arXiv requests and retries), which add up
over the processes; and gauges read from the database at each scrape (outbox depth, the oldest
message not yet posted, digests wholly posted, nominations by status), which are the same on
every process. Each Bot has its own registry: nothing is built at import time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.registry import Collector

from digest.arxiv_fetch import ArxivApiSource
from digest.harvest import HarvestReport
from digest.models import OutboxMessage, Platform
from storage.stats import DatabaseStats

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Seconds: a quiet day's harvest takes a few requests, a week's back-fill some minutes.
INGEST_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600)
OUTCOMES = {"posted": "posted", "retry": "retried", "failed": "failed", "skipped": "skipped"}


class _ArxivCollector(Collector):
    """arXiv requests and retries, read from the source's own counts at each scrape."""

    def __init__(self, source: Callable[[], ArxivApiSource | None]) -> None:
        self.source = source

    def collect(self) -> Iterator[Metric]:
        """The two counters (zero before the first harvest)."""
        found = self.source()
        requests = CounterMetricFamily(
            "paperbot_arxiv_requests", "Requests made to the arXiv API by this process"
        )
        retries = CounterMetricFamily(
            "paperbot_arxiv_retries", "arXiv API requests retried after a failure (429, 5xx, ...)"
        )
        requests.add_metric([], found.requests if found else 0)
        retries.add_metric([], found.retries if found else 0)
        yield requests
        yield retries


class Metrics:
    """Every metric of one running bot, in its own registry."""

    def __init__(self, arxiv: Callable[[], ArxivApiSource | None] = lambda: None) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self.papers = Counter(
            "paperbot_papers_ingested",
            "Papers stored by ingestion: new ones, and newer versions of stored ones",
            ["change"],
            registry=registry,
        )
        self.matches = Counter(
            "paperbot_matches", "Topic matches found by ingestion", registry=registry
        )
        self.ingestions = Counter(
            "paperbot_ingestions",
            "Ingestion runs: complete, incomplete (a category failed) or failed",
            ["outcome"],
            registry=registry,
        )
        self.ingest_seconds = Histogram(
            "paperbot_ingestion_duration_seconds",
            "How long one ingestion run took",
            buckets=INGEST_BUCKETS,
            registry=registry,
        )
        self.messages = Counter(
            "paperbot_messages",
            "Outbox messages by platform, kind (digest, review, dm, ...) and outcome",
            ["platform", "kind", "outcome"],
            registry=registry,
        )
        self.outbox = Gauge(
            "paperbot_outbox_messages",
            "Outbox rows by status (database-wide)",
            ["status"],
            registry=registry,
        )
        self.outbox_oldest = Gauge(
            "paperbot_outbox_oldest_unposted_seconds",
            "Age of the oldest message not yet posted, 0 when none waits (database-wide)",
            registry=registry,
        )
        self.digests_posted = Gauge(
            "paperbot_digests_posted",
            "Digests whose every message is posted (database-wide)",
            registry=registry,
        )
        self.nominations = Gauge(
            "paperbot_nominations",
            "Nominations by status: pending, approved, rejected (database-wide; the decided "
            "ones are approved plus rejected)",
            ["status"],
            registry=registry,
        )
        self.database_up = Gauge(
            "paperbot_database_up", "1 when the database answered this scrape", registry=registry
        )
        self.leader = Gauge(
            "paperbot_scheduler_leader",
            "1 when this process runs the harvest and the digests",
            registry=registry,
        )
        self.connected = Gauge(
            "paperbot_platform_connected",
            "1 when the chat platform is connected",
            ["platform"],
            registry=registry,
        )
        registry.register(_ArxivCollector(arxiv))
        ProcessCollector(registry=registry)  # CPU, memory and open files of this process

    def ingested(self, report: HarvestReport, seconds: float) -> None:
        """Count one ingestion run that returned."""
        self.papers.labels("new").inc(report.stored.inserted)
        self.papers.labels("updated").inc(report.stored.updated)
        self.matches.inc(report.matches)
        self.ingestions.labels("incomplete" if report.failures else "complete").inc()
        self.ingest_seconds.observe(seconds)

    def ingestion_failed(self, seconds: float) -> None:
        """Count one ingestion run that raised."""
        self.ingestions.labels("failed").inc()
        self.ingest_seconds.observe(seconds)

    def delivered(self, message: OutboxMessage, platform: Platform | None, outcome: str) -> None:
        """Count one outbox message's attempt: posted, retried, failed or skipped."""
        name = platform.value if platform is not None else "none"
        self.messages.labels(name, message.kind, OUTCOMES.get(outcome, outcome)).inc()

    def observe_database(self, stats: DatabaseStats, now: datetime) -> None:
        """Set the database-wide gauges from a fresh read."""
        for status in ("pending", "sending", "posted", "failed"):
            self.outbox.labels(status).set(stats.outbox.get(status, 0))
        oldest = stats.oldest_unposted
        self.outbox_oldest.set(max((now - oldest).total_seconds(), 0.0) if oldest else 0.0)
        self.digests_posted.set(stats.digests_posted)
        for status in ("pending", "approved", "rejected"):
            self.nominations.labels(status).set(stats.nominations.get(status, 0))

    def exposition(self) -> bytes:
        """The registry in Prometheus' text format."""
        return generate_latest(self.registry)
