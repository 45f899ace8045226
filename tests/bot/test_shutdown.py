"""SIGTERM in the middle of a digest: a real `paperbot run --console` stops taking work, finishes
or releases the post in flight, exits 0 in bounded time, and leaves the outbox whole for the
next run, which posts the rest, each message once."""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from digest.models import DeliveryStatus
from storage.engine import sqlite_url
from tests.bot.processes import BotProcess, posts, rows_of, seed_due_digest, wait_for

POSTED = DeliveryStatus.POSTED.value
PENDING = DeliveryStatus.PENDING.value
SENDING = DeliveryStatus.SENDING.value


def _environment(url: str, **more: str) -> dict[str, str]:
    return {
        "PAPERBOT_DATABASE_URL": url,
        "PAPERBOT_LOG_FORMAT": "json",
        "PAPERBOT_ARXIV_API_URL": "http://127.0.0.1:9/unused",
        **more,
    }


def _finish_the_rest(tmp_path: Path, url: str, transcript: Path) -> None:
    """A second run posts what the first left, then stops on SIGTERM too."""
    rest = BotProcess(tmp_path / "second", _environment(url), transcript).start()
    try:
        wait_for("every message posted", lambda: all(r.status == POSTED for r in rows_of(url)))
        rest.signal(signal.SIGTERM)
        assert rest.wait(30) == 0, rest.stderr()
    finally:
        rest.stop()
    rows = rows_of(url)
    nonces = Counter(str(post["nonce"]) for post in posts(transcript))
    assert all(nonces[f"paperbot-{row.id}"] == 1 for row in rows), nonces
    assert sum(nonces.values()) == len(rows)
    recorded = {post["nonce"]: post["message_id"] for post in posts(transcript)}
    assert all(recorded[f"paperbot-{row.id}"] == row.platform_message_id for row in rows)


def test_sigterm_mid_digest_finishes_the_post_in_flight_and_exits_0(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "paperbot.db")
    asyncio.run(seed_due_digest(url, datetime.now(UTC), papers=12))
    transcript = tmp_path / "posts.jsonl"
    bot = BotProcess(tmp_path / "first", _environment(url), transcript, pace=0.4).start()
    try:
        wait_for("three posts", lambda: len(posts(transcript)) >= 3)
        bot.signal(signal.SIGTERM)
        assert bot.wait(30) == 0, bot.stderr()
    finally:
        bot.stop()

    rows = rows_of(url)
    statuses = Counter(row.status for row in rows)
    assert SENDING not in statuses, statuses
    assert 3 <= statuses[POSTED] < len(rows), statuses  # stopped in the middle
    assert statuses[PENDING] == len(rows) - statuses[POSTED]
    # Every post made is recorded, and nothing recorded was not posted.
    assert len(posts(transcript)) == statuses[POSTED]
    assert not any(row.in_doubt for row in rows)
    messages = [record["message"] for record in bot.log_records()]
    assert "SIGTERM received: stopping" in messages
    assert any(message.startswith("stopped in") for message in messages)
    _finish_the_rest(tmp_path, url, transcript)


def test_sigterm_releases_a_post_that_does_not_finish_in_time(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "paperbot.db")
    asyncio.run(seed_due_digest(url, datetime.now(UTC), papers=3))
    transcript = tmp_path / "posts.jsonl"
    slow = _environment(url, PAPERBOT_SHUTDOWN_SECONDS="1")
    bot = BotProcess(tmp_path / "first", slow, transcript, pace=120).start()
    try:
        wait_for("a post under way", lambda: any(r.status == SENDING for r in rows_of(url)))
        bot.signal(signal.SIGTERM)
        assert bot.wait(30) == 0, bot.stderr()
    finally:
        bot.stop()

    rows = rows_of(url)
    assert [row.status for row in rows] == [PENDING] * len(rows)
    # The one under way might have reached the platform: the next run looks before posting.
    assert [row.in_doubt for row in rows] == [True] + [False] * (len(rows) - 1)
    assert posts(transcript) == []
    _finish_the_rest(tmp_path, url, transcript)
