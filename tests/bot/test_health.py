"""The health and metrics endpoint, over real HTTP: /healthz says 200 or 503 and why, /metrics
counts what the bot did and reads the outbox and nominations from the database."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.__main__ import main
from bot.app import Bot
from bot.cli.health import health_url
from bot.console.platform import ConsolePlatform
from bot.health import HealthServer
from bot.ingest_gate import MARKER
from config import Settings
from digest.clock import FixedClock
from digest.models import Platform
from storage.engine import create_engine
from storage.store import SqlStore
from tests.bot.processes import free_port
from tests.digest.arxiv_server import ApiServer, FakeArxiv
from tests.digest.atom import Entry
from tests.digest_world import add_matches, add_papers, make_subscription, make_topic, nominate

CHANNEL = "papers"


def _settings(**more: object) -> Settings:
    return Settings(_env_file=None, arxiv_categories="cs.DC", arxiv_delay_seconds=0, **more)  # type: ignore[call-arg]


class Served:
    """A bot with its health endpoint listening on 127.0.0.1."""

    def __init__(self, bot: Bot, health: HealthServer, console: ConsolePlatform) -> None:
        self.bot = bot
        self.health = health
        self.console = console
        self.base = f"http://127.0.0.1:{health.port}"

    async def get(self, path: str) -> tuple[int, str]:
        async with aiohttp.ClientSession() as client, client.get(self.base + path) as response:
            return response.status, await response.text()

    async def healthz(self) -> tuple[int, dict[str, object]]:
        async with aiohttp.ClientSession() as client, client.get(self.base + "/healthz") as found:
            return found.status, await found.json()


async def _serve(store: SqlStore, clock: FixedClock, settings: Settings) -> Served:
    console = ConsolePlatform(io.StringIO())
    bot = Bot(settings, store, clock, {Platform.CONSOLE: console})
    health = HealthServer(bot, lambda: True, "127.0.0.1", free_port(), clock.now())
    await health.start()
    return Served(bot, health, console)


@pytest.fixture
async def served(sqlite_store: SqlStore, clock: FixedClock) -> AsyncIterator[Served]:
    """The endpoint of a bot on SQLite whose console platform is connected."""
    found = await _serve(sqlite_store, clock, _settings())
    await found.console.start()
    yield found
    await found.health.close()


async def test_a_fresh_bot_is_healthy_and_reports_every_part(served: Served) -> None:
    status, report = await served.healthz()
    assert status == 200, report
    assert report["status"] == "ok"
    assert report["problems"] == []
    assert report["database"] == {"ok": True}
    assert report["platforms"] == {"console": {"connected": True}}
    assert report["leader"] is True
    # No ingestion yet, but this process has just started: not stale.
    assert report["ingestion"] == {"enabled": True, "last_complete": None, "ok": True}
    assert report["outbox"] == {
        "depth": 0,
        "failed": 0,
        "oldest_unposted": None,
        "oldest_age_seconds": 0,
        "ok": True,
    }


async def test_a_disconnected_platform_and_a_stopping_bot_are_unhealthy(served: Served) -> None:
    await served.console.close()
    status, report = await served.healthz()
    assert status == 503
    assert report["platforms"] == {"console": {"connected": False}}
    assert report["problems"] == ["console not connected"]
    await served.console.start()
    served.health.stopping = True
    status, report = await served.healthz()
    assert (status, report["problems"]) == (503, ["stopping"])


async def test_a_message_waiting_over_an_hour_is_unhealthy(
    served: Served, sqlite_store: SqlStore, clock: FixedClock
) -> None:
    async with sqlite_store.unit() as unit:
        workspace = await unit.workspaces.get_or_create(Platform.CONSOLE, "console", "lab")
        await unit.outbox.enqueue(workspace.id, CHANNEL, "notice", [{"text": "hi"}])
    clock.set(clock.now() + timedelta(minutes=59))
    status, report = await served.healthz()
    assert status == 200
    assert report["outbox"]["depth"] == 1  # type: ignore[index]
    clock.set(clock.now() + timedelta(minutes=2))
    status, report = await served.healthz()
    assert status == 503
    assert report["problems"] == ["a message has waited over an hour to be posted"]
    assert report["outbox"]["oldest_age_seconds"] == 61 * 60  # type: ignore[index]


async def test_ingestion_is_stale_two_days_after_the_last_complete_run_or_the_start(
    served: Served, sqlite_store: SqlStore, clock: FixedClock
) -> None:
    clock.set(clock.now() + timedelta(days=2, minutes=1))
    status, report = await served.healthz()
    assert (status, report["problems"]) == (503, ["no complete ingestion in two days"])
    async with sqlite_store.unit() as unit:
        await unit.harvest.set_watermark(MARKER, clock.now() - timedelta(hours=3))
    status, report = await served.healthz()
    assert status == 200
    assert report["ingestion"]["last_complete"] is not None  # type: ignore[index]


async def test_an_unreachable_database_is_unhealthy(clock: FixedClock) -> None:
    store = SqlStore(create_engine("postgresql+psycopg://nobody@127.0.0.1:9/none"), clock)
    found = await _serve(store, clock, _settings())
    await found.console.start()
    try:
        status, report = await found.healthz()
        assert status == 503
        assert report["database"] == {"ok": False, "error": "OperationalError"}
        assert report["problems"] == ["database unreachable"]
        status, text = await found.get("/metrics")
        assert status == 200
        assert "paperbot_database_up 0.0" in text
    finally:
        await found.health.close()
        await store.close()


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def test_metrics_count_ingestion_posts_and_read_the_database(
    sqlite_store: SqlStore, clock: FixedClock
) -> None:
    now = clock.now()
    arxiv = ApiServer(
        FakeArxiv(clock, [Entry(f"2606.{n:05d}", title=f"Paper {n}") for n in range(1, 4)])
    ).start()
    found = await _serve(sqlite_store, clock, _settings(arxiv_api_url=arxiv.url))
    try:
        async with sqlite_store.unit() as unit:
            workspace = await unit.workspaces.get_or_create(Platform.CONSOLE, "console", "lab")
        topic = await make_topic(sqlite_store, workspace, "dc", "cat:cs.DC")
        report = await found.bot.ingest_recent()
        assert report.stored.inserted == 3
        await add_papers(sqlite_store, ["2606.10001"])
        await nominate(sqlite_store, workspace, "2606.10001", ["bo", "cy"], now)
        await make_subscription(sqlite_store, workspace, CHANNEL, topic)
        await add_matches(sqlite_store, topic, {"2606.10001": 1.0}, now)
        digest = await found.bot.runner.run_channel(workspace.id, CHANNEL)
        assert digest is not None
        status, text = await found.get("/metrics")
    finally:
        await found.health.close()
        arxiv.stop()
    assert status == 200
    samples = _samples(text)
    messages = len(found.console.messages_in(CHANNEL))
    assert messages >= 2
    posted = (("kind", "digest"), ("outcome", "posted"), ("platform", "console"))
    assert samples[("paperbot_messages_total", posted)] == messages
    assert samples[("paperbot_papers_ingested_total", (("change", "new"),))] == 3
    assert samples[("paperbot_matches_total", ())] == 3
    assert samples[("paperbot_ingestions_total", (("outcome", "complete"),))] == 1
    assert samples[("paperbot_ingestion_duration_seconds_count", ())] == 1
    assert samples[("paperbot_arxiv_requests_total", ())] == len(arxiv.requests) > 0
    assert samples[("paperbot_arxiv_retries_total", ())] == 0
    assert samples[("paperbot_outbox_messages", (("status", "posted"),))] == messages
    assert samples[("paperbot_outbox_messages", (("status", "pending"),))] == 0
    assert samples[("paperbot_digests_posted", ())] == 1
    assert samples[("paperbot_nominations", (("status", "pending"),))] == 1
    assert samples[("paperbot_scheduler_leader", ())] == 1
    assert samples[("paperbot_platform_connected", (("platform", "console"),))] == 0
    assert samples[("paperbot_database_up", ())] == 1


async def test_paperbot_health_exits_0_when_healthy_and_1_when_not(served: Served) -> None:
    url = served.base + "/healthz"
    assert await asyncio.to_thread(main, ["health", "--url", url]) == 0
    await served.console.close()
    assert await asyncio.to_thread(main, ["health", "--url", url]) == 1
    await served.health.close()
    assert await asyncio.to_thread(main, ["health", "--url", url]) == 1  # nothing answers


def test_paperbot_health_needs_a_port(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("PAPERBOT_HEALTH_PORT", raising=False)
    assert main(["--env-file", "/dev/null", "health"]) == 1
    assert "PAPERBOT_HEALTH_PORT is not set" in capsys.readouterr().err


def test_the_default_url_reaches_this_machine_when_listening_everywhere() -> None:
    assert health_url(_settings(health_port=8080, health_host="0.0.0.0")) == (
        "http://127.0.0.1:8080/healthz"
    )
    assert health_url(_settings(health_port=81, health_host="::1")) == "http://[::1]:81/healthz"
