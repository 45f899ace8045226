"""The health and metrics endpoint of a running paperbot: `/healthz` and `/metrics` over aiohttp.

Off unless PAPERBOT_HEALTH_PORT is set. `/healthz` answers 200 with a JSON report when the bot is
well and 503 with the same report when it is not: the database does not answer, a chat platform
is not connected, the last complete ingestion is more than two days old (counted from this
process's start at the earliest, so a fresh install is not unhealthy before its first harvest),
a message has waited more than an hour to be posted, or the process is stopping. `/metrics` is
the Prometheus text format (bot/metrics.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.metrics import CONTENT_TYPE
from storage.stats import DatabaseStats, database_stats, ping

if TYPE_CHECKING:
    from bot.app import Bot

log = logging.getLogger(__name__)

PATH = "/healthz"
INGEST_MAX_AGE = timedelta(days=2)
OUTBOX_MAX_AGE = timedelta(hours=1)
DATABASE_TIMEOUT = 5.0


@dataclass(frozen=True, slots=True)
class Health:
    """One check's verdict and its report."""

    healthy: bool
    report: dict[str, Any]


def _iso(instant: datetime | None) -> str | None:
    return instant.isoformat(timespec="seconds") if instant else None


class HealthServer:
    """Serves `/healthz` and `/metrics` for one Bot."""

    def __init__(
        self, bot: Bot, leading: Callable[[], bool], host: str, port: int, started: datetime
    ) -> None:
        self.bot = bot
        self.leading = leading
        self.host = host
        self.port = port
        self.started = started
        self.stopping = False
        app = web.Application()
        app.router.add_get(PATH, self._healthz)
        app.router.add_get("/metrics", self._metrics)
        self._runner = web.AppRunner(app, access_log=None)
        self._site: web.TCPSite | None = None

    async def start(self) -> None:
        """Listen on the configured host and port."""
        await self._runner.setup()
        self._site = web.TCPSite(self._runner, self.host, self.port)
        await self._site.start()
        log.info("health and metrics on http://%s:%d%s and /metrics", self.host, self.port, PATH)

    async def close(self) -> None:
        """Stop listening."""
        await self._runner.cleanup()

    async def _database(self) -> DatabaseStats:
        async with asyncio.timeout(DATABASE_TIMEOUT), self.bot.store.unit() as unit:
            await ping(unit.session)
            return await database_stats(unit.session)

    async def check(self) -> Health:
        """Look at every part; unhealthy if any is."""
        now = self.bot.clock.now()
        report: dict[str, Any] = {"leader": self.leading()}
        problems: list[str] = []
        stats: DatabaseStats | None = None
        try:
            stats = await self._database()
            report["database"] = {"ok": True}
        except Exception as error:
            report["database"] = {"ok": False, "error": type(error).__name__}
            problems.append("database unreachable")
        platforms = {}
        for platform, adapter in self.bot.platforms.items():
            platforms[platform.value] = {"connected": bool(adapter.connected)}
            if not adapter.connected:
                problems.append(f"{platform.value} not connected")
        report["platforms"] = platforms
        if stats is not None:
            report["ingestion"] = await self._ingestion(now, problems)
            report["outbox"] = self._outbox(stats, now, problems)
        if self.stopping:
            problems.append("stopping")
        report["status"] = "unhealthy" if problems else "ok"
        report["problems"] = problems
        return Health(not problems, report)

    async def _ingestion(self, now: datetime, problems: list[str]) -> dict[str, Any]:
        if not self.bot.ingest_enabled:
            return {"enabled": False}
        finished = await self.bot.gate.finished_at()
        since = max(finished, self.started) if finished else self.started
        fresh = now - since <= INGEST_MAX_AGE
        if not fresh:
            problems.append("no complete ingestion in two days")
        return {"enabled": True, "last_complete": _iso(finished), "ok": fresh}

    @staticmethod
    def _outbox(stats: DatabaseStats, now: datetime, problems: list[str]) -> dict[str, Any]:
        oldest = stats.oldest_unposted
        age = (now - oldest).total_seconds() if oldest else 0.0
        moving = age <= OUTBOX_MAX_AGE.total_seconds()
        if not moving:
            problems.append("a message has waited over an hour to be posted")
        return {
            "depth": stats.outbox_depth,
            "failed": stats.outbox.get("failed", 0),
            "oldest_unposted": _iso(oldest),
            "oldest_age_seconds": round(age),
            "ok": moving,
        }

    async def _healthz(self, _request: web.Request) -> web.Response:
        health = await self.check()
        return web.json_response(health.report, status=200 if health.healthy else 503)

    async def _metrics(self, _request: web.Request) -> web.Response:
        metrics = self.bot.metrics
        try:
            metrics.observe_database(await self._database(), self.bot.clock.now())
            metrics.database_up.set(1)
        except Exception:
            metrics.database_up.set(0)
        metrics.leader.set(1 if self.leading() else 0)
        for platform, adapter in self.bot.platforms.items():
            metrics.connected.labels(platform.value).set(1 if adapter.connected else 0)
        return web.Response(body=metrics.exposition(), headers={"Content-Type": CONTENT_TYPE})
