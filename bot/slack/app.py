"""slack-bolt's AsyncApp for paperbot's three ways of running on Slack.

- Socket Mode, one workspace: a bot token and an app-level token; no public URL.
- HTTP, one workspace: a bot token and the signing secret; Slack calls our URL.
- HTTP, many workspaces: the app's client id and secret and the signing secret; workspaces
  install through /slack/install and their tokens live in our database (bot/slack/oauth.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import SecretStr
from slack_bolt.async_app import AsyncApp
from slack_bolt.middleware.request_verification.async_request_verification import (
    AsyncRequestVerification,
)
from slack_sdk.signature import Clock as SignatureClock
from slack_sdk.signature import SignatureVerifier
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.handlers import Handlers
from bot.slack import oauth
from bot.slack.client import SLACK_API_URL, web_client
from bot.slack.listeners import SlackListeners
from bot.slack.manifest import bot_scopes
from bot.slack.platform import SlackPlatform, Tokens, Transport
from bot.slack.transport import HttpTransport, SocketModeTransport
from bot.slack.users import UserFacts
from config import Settings
from digest.ports import Clock

log = logging.getLogger(__name__)


class SlackMode(StrEnum):
    """How paperbot talks to Slack."""

    SOCKET = "socket"
    HTTP = "http"
    OAUTH = "oauth"


@dataclass(frozen=True, slots=True)
class SlackConfig:
    """The Slack credentials and where to listen, from the settings."""

    bot_token: str | None = None
    app_token: str | None = None
    signing_secret: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    api_url: str = SLACK_API_URL
    host: str = "0.0.0.0"
    port: int = 3000
    redirect_uri: str | None = None

    @property
    def mode(self) -> SlackMode | None:
        """The way these credentials run, or None when they are not enough for any."""
        if self.client_id and self.client_secret and self.signing_secret:
            return SlackMode.OAUTH
        if self.bot_token and self.app_token:
            return SlackMode.SOCKET
        if self.bot_token and self.signing_secret:
            return SlackMode.HTTP
        return None


class _SignatureClock(SignatureClock):
    """slack-sdk's verifier clock, reading paperbot's injected clock."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def now(self) -> float:
        return self.clock.now().timestamp()


class ClockedRequestVerification(AsyncRequestVerification):
    """Bolt's request signature check (HMAC of the body, five-minute window), on our clock."""

    def __init__(self, signing_secret: str, clock: Clock) -> None:
        super().__init__(signing_secret, base_logger=log)
        self._verifier = SignatureVerifier(signing_secret, clock=_SignatureClock(clock))


def build_app(
    config: SlackConfig,
    clock: Clock,
    engine: AsyncEngine | None = None,
    process_before_response: bool = False,
) -> AsyncApp:
    """The bolt app for `config.mode`, with no listeners yet (bot/slack/listeners.py adds them).

    Every value is passed explicitly: bolt would otherwise read SLACK_* variables itself.
    `process_before_response` runs listeners before answering Slack (tests use it to know
    when a request is done; lazy listeners still run after the answer).
    """
    mode = config.mode
    common: dict[str, Any] = {
        "name": "paperbot",
        "logger": logging.getLogger("bot.slack.bolt"),
        "process_before_response": process_before_response,
        "signing_secret": "",
        # The built-in check reads the system clock; ours (below) reads the injected one.
        "request_verification_enabled": False,
    }
    if mode is SlackMode.SOCKET:
        return AsyncApp(client=web_client(config.bot_token, config.api_url), **common)
    if mode is None or config.signing_secret is None:
        raise ValueError("the Slack settings name no way to run (see SlackConfig.mode)")
    verification = ClockedRequestVerification(config.signing_secret, clock)
    if mode is SlackMode.HTTP:
        client = web_client(config.bot_token, config.api_url)
        return AsyncApp(client=client, before_authorize=verification, **common)
    assert config.client_id is not None
    assert config.client_secret is not None
    if engine is None:
        raise ValueError("installing in many workspaces needs the database engine")
    client = web_client(None, config.api_url)
    settings = oauth.oauth_settings(
        engine, config.client_id, config.client_secret, bot_scopes(), config.redirect_uri
    )
    authorize = oauth.caching_authorize(
        settings.installation_store, config.client_id, config.client_secret, client
    )
    app = AsyncApp(
        client=client,
        before_authorize=verification,
        oauth_settings=settings,
        # bolt takes an AsyncAuthorize instance as it is (its annotation says a function).
        authorize=authorize,  # type: ignore[arg-type]
        **common,
    )
    # tokens_revoked and app_uninstalled delete the workspace's installation.
    app.enable_token_revocation_listeners()
    return app


def config_from(settings: Settings) -> SlackConfig:
    """The Slack part of the settings."""

    def secret(value: SecretStr | None) -> str | None:
        return value.get_secret_value() if value is not None else None

    return SlackConfig(
        bot_token=secret(settings.slack_bot_token),
        app_token=secret(settings.slack_app_token),
        signing_secret=secret(settings.slack_signing_secret),
        client_id=settings.slack_client_id,
        client_secret=secret(settings.slack_client_secret),
        api_url=settings.slack_api_url,
        host=settings.slack_host,
        port=settings.slack_port,
    )


def slack_platform(
    config: SlackConfig,
    clock: Clock,
    engine: AsyncEngine | None = None,
    process_before_response: bool = False,
) -> tuple[AsyncApp, SlackPlatform]:
    """The bolt app and the ChatPlatform around it, with the transport `config.mode` needs.

    The listeners come after (`attach`), once the bot's handlers exist.
    """
    app = build_app(config, clock, engine, process_before_response)
    if config.mode is SlackMode.OAUTH:
        assert app.installation_store is not None
        tokens = Tokens(config.api_url, installations=app.installation_store)
    else:
        tokens = Tokens(config.api_url, token=config.bot_token)
    transport: Transport
    if config.mode is SlackMode.SOCKET:
        assert config.app_token is not None
        transport = SocketModeTransport(app, config.app_token)
    else:
        transport = HttpTransport(app, config.host, config.port)
    return app, SlackPlatform(tokens, transport)


def attach(
    app: AsyncApp, handlers: Handlers, platform: SlackPlatform, clock: Clock
) -> SlackListeners:
    """Slack's requests to the bot's handlers."""
    listeners = SlackListeners(handlers, platform, UserFacts(clock))
    listeners.register(app)
    platform.listeners = listeners
    return listeners
