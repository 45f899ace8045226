"""Several `paperbot run` processes over one database: on PostgreSQL one leads (harvest and
digests) and another takes over when it is killed, every message posted exactly once; on SQLite a
second process refuses to start, saying why."""

from __future__ import annotations

import asyncio
import signal
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import func, select

from digest.clock import SystemClock
from digest.models import DeliveryStatus
from storage.engine import create_engine, sqlite_url
from storage.store import SqlStore
from storage.tables import DigestRow, PaperRow
from tests.bot.processes import BotProcess, posts, rows_of, seed_due_digest, wait_for
from tests.conftest import PG_ADMIN, _postgres_or_skip
from tests.digest.arxiv_server import ApiServer, FakeArxiv
from tests.digest.atom import Entry

PAPERS = 24
POSTED = DeliveryStatus.POSTED.value


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A database of its own on the test PostgreSQL (the processes share it)."""
    _postgres_or_skip()
    name = f"paperbot_procs_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    yield f"{base}/{name}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def arxiv() -> Iterator[ApiServer]:
    """The local arXiv API with a few days of cs.DC papers, all announced by now."""
    now = datetime.now(UTC)
    entries = [
        Entry(f"2606.{n:05d}", title=f"Paper {n}", published=now - timedelta(days=4, hours=n))
        for n in range(1, PAPERS + 1)
    ]
    server = ApiServer(FakeArxiv(SystemClock(), entries)).start()
    yield server
    server.stop()


def _environment(url: str, arxiv: ApiServer) -> dict[str, str]:
    return {
        "PAPERBOT_DATABASE_URL": url,
        "PAPERBOT_LOG_FORMAT": "json",
        "PAPERBOT_ARXIV_API_URL": arxiv.url,
        "PAPERBOT_ARXIV_CATEGORIES": "cs.DC",
        "PAPERBOT_ARXIV_DELAY_SECONDS": "0",
        "PAPERBOT_LEADER_POLL_SECONDS": "0.5",
        "PAPERBOT_OUTBOX_POLL_SECONDS": "1",
        "PAPERBOT_OUTBOX_LEASE_SECONDS": "3",
    }


async def _count(url: str, table: type[DigestRow] | type[PaperRow]) -> int:
    store = SqlStore(create_engine(url), SystemClock())
    try:
        async with store.unit() as unit:
            return int(await unit.session.scalar(select(func.count()).select_from(table)) or 0)
    finally:
        await store.close()


def test_the_leader_killed_mid_digest_is_replaced_and_every_message_is_posted_once(
    tmp_path: Path, postgres_url: str, arxiv: ApiServer
) -> None:
    asyncio.run(seed_due_digest(postgres_url, datetime.now(UTC), 0, harvested=False, cap=50))
    transcript = tmp_path / "posts.jsonl"
    environment = _environment(postgres_url, arxiv)
    bots = [
        BotProcess(tmp_path / name, environment, transcript, pace=0.5).start()
        for name in ("a", "b")
    ]
    try:
        wait_for("both processes up", lambda: all(bot.health() for bot in bots))
        wait_for("three posts", lambda: len(posts(transcript)) >= 3)
        leaders = [bot for bot in bots if bot.leading()]
        assert len(leaders) == 1, [bot.health() for bot in bots]
        [leader] = leaders
        [other] = [bot for bot in bots if bot is not leader]
        leader.signal(signal.SIGKILL)
        killed = time.monotonic()
        leader.wait(10)
        made = len(posts(transcript))
        rows = rows_of(postgres_url)
        assert made < len(rows), "the digest was posted before the leader could be killed"

        wait_for("the other process to lead", other.leading, timeout=20)
        took_over = time.monotonic() - killed
        wait_for(
            "every message posted", lambda: all(r.status == POSTED for r in rows_of(postgres_url))
        )
        other.signal(signal.SIGTERM)
        assert other.wait(30) == 0, other.stderr()
    finally:
        for bot in bots:
            bot.stop()

    rows = rows_of(postgres_url)
    assert len(rows) == PAPERS + 1  # the header, then one message a paper
    nonces = Counter(str(post["nonce"]) for post in posts(transcript))
    assert nonces == Counter(f"paperbot-{row.id}" for row in rows), "each posted exactly once"
    recorded = {post["nonce"]: post["message_id"] for post in posts(transcript)}
    assert all(recorded[f"paperbot-{row.id}"] == row.platform_message_id for row in rows)
    assert asyncio.run(_count(postgres_url, DigestRow)) == 1
    assert asyncio.run(_count(postgres_url, PaperRow)) == PAPERS
    # One harvest: one ingestion run logged across both processes, no arXiv page asked twice.
    ingested = [
        record
        for bot in bots
        for record in bot.log_records()
        if record["message"].startswith("ingested ")
    ]
    assert len(ingested) == 1, ingested
    assert ingested[0]["job"] == "ingest"
    asked = Counter((r.get("search_query"), r.get("start")) for r in arxiv.requests)
    assert asked and max(asked.values()) == 1, asked
    print(f"took over {took_over:.1f} s after the kill, {made} of {len(rows)} posts made by then")


def test_a_second_process_on_sqlite_stops_and_says_why(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "paperbot.db")
    asyncio.run(seed_due_digest(url, datetime.now(UTC), 1))
    transcript = tmp_path / "posts.jsonl"
    environment = {"PAPERBOT_DATABASE_URL": url, "PAPERBOT_ARXIV_API_URL": "http://127.0.0.1:9/x"}
    first = BotProcess(tmp_path / "first", environment, transcript).start()
    try:
        wait_for("the first process up", first.health)
        second = BotProcess(tmp_path / "second", environment, transcript).start()
        try:
            assert second.wait(60) == 2
        finally:
            second.stop()
        said = second.stderr()
        assert f"is using the SQLite database {tmp_path / 'paperbot.db'}" in said
        assert f"pid {first.pid}" in said
        assert "SQLite serves one process" in said
        assert "PostgreSQL" in said
        assert first.health() is not None  # the first goes on
        first.signal(signal.SIGTERM)
        assert first.wait(30) == 0
    finally:
        first.stop()
