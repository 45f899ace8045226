"""Real `paperbot run --console` processes for the tests of stopping and of several processes:
a seeded database with a digest due, the processes' environment, and waiting on what they do."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select

from bot.console.transcript import Transcript
from bot.ingest_gate import MARKER
from digest.clock import FixedClock
from digest.models import Platform
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.store import SqlStore
from storage.tables import OutboxRow
from tests.digest_world import add_matches, add_papers, make_subscription, make_topic

CHANNEL = "papers"
T = TypeVar("T")


def free_port() -> int:
    """A TCP port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def seed_due_digest(
    url: str, now: datetime, papers: int, harvested: bool = True, cap: int | None = None
) -> None:
    """The console workspace with a topic `lab` (`cat:cs.DC`) subscribed in #papers, its digest
    due an hour ago, and `papers` matched papers waiting; with `harvested`, today's ingestion
    counts as done. The digest holds up to `cap` papers (all of them by default)."""
    engine = create_engine(url)
    await upgrade(engine)
    store = SqlStore(engine, FixedClock(now - timedelta(days=8)))
    try:
        async with store.unit() as unit:
            workspace = await unit.workspaces.get_or_create(Platform.CONSOLE, "console", "lab")
        topic = await make_topic(store, workspace, "lab", "cat:cs.DC")
        due = now - timedelta(hours=1)
        at = due.time().replace(microsecond=0)
        await make_subscription(
            store, workspace, CHANNEL, topic, due.weekday(), at, cap=cap or max(papers, 1)
        )
        ids = [f"2606.{n:05d}" for n in range(1, papers + 1)]
        if ids:
            await add_papers(store, ids)
            await add_matches(
                store,
                topic,
                {i: 10.0 - n / 100 for n, i in enumerate(ids)},
                now - timedelta(hours=2),
            )
        if harvested:
            async with store.unit() as unit:
                await unit.harvest.set_watermark(MARKER, now)
    finally:
        await store.close()


async def outbox_rows(url: str) -> list[OutboxRow]:
    """Every outbox row, by id."""
    engine = create_engine(url)
    store = SqlStore(engine, FixedClock(datetime.now().astimezone()))
    try:
        async with store.unit() as unit:
            return list(await unit.session.scalars(select(OutboxRow).order_by(OutboxRow.id)))
    finally:
        await store.close()


def rows_of(url: str) -> list[OutboxRow]:
    """outbox_rows, from synchronous test code."""
    return asyncio.run(outbox_rows(url))


def wait_for(what: str, check: Callable[[], T | None], timeout: float = 60.0) -> T:
    """Poll `check` until it gives something; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@dataclass
class BotProcess:
    """One `paperbot run --console` in a folder of its own, its stdin held open (no input)."""

    folder: Path
    environment: Mapping[str, str]
    transcript: Path
    pace: float = 0.0
    health_port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> BotProcess:
        """Start it."""
        self.folder.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERBOT_")}
        env |= {"PAPERBOT_HEALTH_PORT": str(self.health_port), **self.environment}
        command = [sys.executable, "-m", "bot", "run", "--console"]
        command += ["--transcript", str(self.transcript), "--pace", str(self.pace)]
        with (self.folder / "stdout").open("wb") as out, (self.folder / "stderr").open("wb") as err:
            self.process = subprocess.Popen(
                command, cwd=self.folder, env=env, stdin=subprocess.PIPE, stdout=out, stderr=err
            )
        return self

    @property
    def pid(self) -> int:
        """The process id."""
        assert self.process is not None
        return self.process.pid

    def health(self) -> dict[str, Any] | None:
        """Its /healthz report, or None while nothing answers."""
        url = f"http://127.0.0.1:{self.health_port}/healthz"
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return dict(json.loads(response.read()))
        except urllib.error.HTTPError as error:
            return dict(json.loads(error.read()))
        except (urllib.error.URLError, OSError):
            return None

    def leading(self) -> bool:
        """Whether it says it leads the scheduler."""
        report = self.health()
        return bool(report and report.get("leader"))

    def signal(self, number: signal.Signals) -> None:
        """Send it a signal."""
        assert self.process is not None
        self.process.send_signal(number)

    def wait(self, timeout: float = 60.0) -> int:
        """Its exit status, once it exits."""
        assert self.process is not None
        return self.process.wait(timeout)

    def stop(self) -> None:
        """Make sure it is gone (SIGKILL if still running)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(30)
        if self.process is not None and self.process.stdin:
            self.process.stdin.close()

    def log_records(self) -> list[dict[str, Any]]:
        """Its log, one JSON object a line (PAPERBOT_LOG_FORMAT=json)."""
        text = (self.folder / "paperbot-console.log").read_text(encoding="utf-8")
        return [json.loads(line) for line in text.splitlines() if line.startswith("{")]

    def stderr(self) -> str:
        """What it wrote to stderr."""
        return (self.folder / "stderr").read_text(encoding="utf-8", errors="replace")


def posts(transcript: Path) -> list[dict[str, object]]:
    """Every post in a transcript."""
    return Transcript(transcript).posts()
