"""How Slack's requests reach the bolt app: a Socket Mode websocket, or an aiohttp server."""

from __future__ import annotations

import logging

from aiohttp import web
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

from bot.slack.manifest import EVENTS_PATH

log = logging.getLogger(__name__)


class SocketModeTransport:
    """Socket Mode: paperbot dials out to Slack (apps.connections.open, then a websocket)."""

    def __init__(self, app: AsyncApp, app_token: str) -> None:
        self.handler = AsyncSocketModeHandler(app, app_token, logger=log)

    async def start(self) -> None:
        """Open the websocket (slack-sdk reconnects by itself when Slack rotates it)."""
        await self.handler.connect_async()  # type: ignore[no-untyped-call]

    async def close(self) -> None:
        """Close the websocket."""
        await self.handler.close_async()  # type: ignore[no-untyped-call]


class HttpTransport:
    """HTTP mode: bolt's aiohttp application (events, install, OAuth redirect) on host:port."""

    def __init__(self, app: AsyncApp, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.web_app: web.Application = app.web_app(path=EVENTS_PATH, port=port)
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Listen; with port 0 the system picks one and `port` tells which."""
        self._runner = web.AppRunner(self.web_app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        if self.port == 0:
            self.port = self._runner.addresses[0][1]
        log.info("Slack HTTP endpoint listening on %s:%d%s", self.host, self.port, EVENTS_PATH)

    async def close(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
