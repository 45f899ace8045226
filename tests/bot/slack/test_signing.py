"""Request signing: Slack's documented signed request passes bolt's check; anything else is 401
and reaches neither the authorizer nor a listener."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.handlers import Handlers
from bot.slack.app import SlackConfig, attach, slack_platform
from digest.clock import FixedClock
from storage.store import SqlStore
from tests.bot.slack.slack_api import SlackApi


@pytest.fixture
def signed(shared: Path) -> dict[str, Any]:
    """The example of Slack's request-signing docs (secret, timestamp, body, signature)."""
    path = shared / "chat" / "slack" / "java-slack-sdk" / "slash_command_signed_request.json"
    recorded: dict[str, Any] = json.loads(path.read_text())
    return recorded


def _app(
    signed: dict[str, Any], api: SlackApi, store: SqlStore, at: datetime, secret: str | None = None
) -> AsyncApp:
    api.add_team("T1DC2JH3J", "testteamnow", "xoxb-signing")
    config = SlackConfig(
        bot_token="xoxb-signing",
        signing_secret=secret or signed["signing_secret"],
        api_url=api.base_url,
    )
    clock = FixedClock(at)
    app, platform = slack_platform(config, clock, process_before_response=True)
    attach(app, Handlers(store, clock), platform, clock)
    return app


def _request(body: str, timestamp: str | None, signature: str | None) -> AsyncBoltRequest:
    headers = {"content-type": "application/x-www-form-urlencoded"}
    if timestamp is not None:
        headers["x-slack-request-timestamp"] = timestamp
    if signature is not None:
        headers["x-slack-signature"] = signature
    return AsyncBoltRequest(body=body, headers=headers)


def _at(signed: dict[str, Any], seconds: float = 0) -> datetime:
    stamp = int(signed["x_slack_request_timestamp"])
    return datetime.fromtimestamp(stamp, tz=UTC) + timedelta(seconds=seconds)


@pytest.mark.shared
@pytest.mark.parametrize("seconds", [0, 299, -299])
async def test_the_documented_signature_passes(
    signed: dict[str, Any], slack_api: SlackApi, sqlite_store: SqlStore, seconds: float
) -> None:
    app = _app(signed, slack_api, sqlite_store, _at(signed, seconds))
    response = await app.async_dispatch(
        _request(
            signed["body"],
            signed["x_slack_request_timestamp"],
            signed["expected_x_slack_signature"],
        )
    )
    # Past the check: bolt authorized the request with auth.test, then found no listener for
    # the recorded `/webhook-collect` (paperbot listens to `/paper`).
    assert response.status == 404
    assert [call.token for call in slack_api.calls_to("auth.test")] == ["xoxb-signing"]


def _tampered(signed: dict[str, Any]) -> list[tuple[str, str | None, str | None, str]]:
    body = signed["body"]
    stamp = signed["x_slack_request_timestamp"]
    good = signed["expected_x_slack_signature"]
    paper = body.replace("command=%2Fwebhook-collect", "command=%2Fpaper").replace(
        "text=&", "text=topic-remove+everything&"
    )
    return [
        (body.replace("text=&", "text=hi&"), stamp, good, "tampered text"),
        (paper, stamp, good, "tampered into a /paper command"),
        (body, str(int(stamp) + 1), good, "another timestamp"),
        (body, stamp, good[:-1] + ("0" if good[-1] != "0" else "1"), "altered signature"),
        (body, stamp, None, "no signature"),
        (body, None, good, "no timestamp"),
        (body, stamp, "", "empty signature"),
    ]


@pytest.mark.shared
async def test_anything_but_the_signed_request_is_refused(
    signed: dict[str, Any], slack_api: SlackApi, sqlite_store: SqlStore
) -> None:
    app = _app(signed, slack_api, sqlite_store, _at(signed))
    for body, stamp, signature, what in _tampered(signed):
        response = await app.async_dispatch(_request(body, stamp, signature))
        assert response.status == 401, what
    assert slack_api.calls == []
    assert slack_api.responses == []


@pytest.mark.shared
async def test_a_wrong_secret_is_refused(
    signed: dict[str, Any], slack_api: SlackApi, sqlite_store: SqlStore
) -> None:
    app = _app(signed, slack_api, sqlite_store, _at(signed), secret="not-the-secret")
    response = await app.async_dispatch(
        _request(
            signed["body"],
            signed["x_slack_request_timestamp"],
            signed["expected_x_slack_signature"],
        )
    )
    assert response.status == 401
    assert slack_api.calls == []


@pytest.mark.shared
@pytest.mark.parametrize("seconds", [301, 3600, -301])
async def test_a_request_outside_five_minutes_is_refused(
    signed: dict[str, Any], slack_api: SlackApi, sqlite_store: SqlStore, seconds: float
) -> None:
    app = _app(signed, slack_api, sqlite_store, _at(signed, seconds))
    response = await app.async_dispatch(
        _request(
            signed["body"],
            signed["x_slack_request_timestamp"],
            signed["expected_x_slack_signature"],
        )
    )
    assert response.status == 401
    assert slack_api.calls == []
