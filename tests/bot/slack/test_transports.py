"""The same recorded slash command through each way Slack reaches paperbot: bolt's dispatch,
the aiohttp server on a real port (HTTP mode), and a websocket (Socket Mode)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.handlers import Handlers
from bot.slack.app import SlackConfig, attach, slack_platform
from bot.slack.manifest import EVENTS_PATH
from bot.slack.platform import SlackPlatform
from bot.slack.transport import HttpTransport
from digest.clock import FixedClock
from storage.store import SqlStore
from tests.bot.slack.conftest import SECRET, form, signed_headers, slash_command
from tests.bot.slack.slack_api import SlackApi

TEAM = "T0PAPER"
TOKEN = "xoxb-paper"


def _help_body(shared: Path, api: SlackApi) -> dict[str, str]:
    return slash_command(
        shared,
        team_id=TEAM,
        channel_id="C0PAPERS",
        user_id="U0ALICE",
        text="help",
        response_url=api.response_url("help"),
    )


def _slack(
    api: SlackApi, store: SqlStore, clock: FixedClock, **config: str
) -> tuple[AsyncApp, SlackPlatform]:
    api.add_team(TEAM, "paperlab", TOKEN)
    api.add_user("U0ALICE", "alice", TEAM)
    settings = SlackConfig(
        bot_token=TOKEN, api_url=api.base_url, host="127.0.0.1", port=0, **config
    )  # type: ignore[arg-type]
    app, platform = slack_platform(settings, clock, process_before_response=True)
    attach(app, Handlers(store, clock), platform, clock)
    return app, platform


def _help_was_answered(api: SlackApi) -> None:
    name, reply = api.responses[0]
    assert name == "help"
    assert reply["response_type"] == "ephemeral"
    assert "/paper subscribe" in str(reply["blocks"])


@pytest.mark.shared
async def test_a_signed_command_is_acknowledged_then_answered(
    shared: Path, slack_api: SlackApi, sqlite_store: SqlStore, clock: FixedClock
) -> None:
    app, _ = _slack(slack_api, sqlite_store, clock, signing_secret=SECRET)
    body = form(_help_body(shared, slack_api))
    stamp = int(clock.now().timestamp())
    response = await app.async_dispatch(
        AsyncBoltRequest(body=body, headers=signed_headers(body, stamp))
    )
    assert (response.status, response.body) == (200, "")
    await slack_api.wait_for(lambda: slack_api.responses)
    _help_was_answered(slack_api)


@pytest.fixture
async def http(
    slack_api: SlackApi, sqlite_store: SqlStore, clock: FixedClock
) -> AsyncIterator[HttpTransport]:
    _, platform = _slack(slack_api, sqlite_store, clock, signing_secret=SECRET)
    await platform.start()
    assert isinstance(platform.transport, HttpTransport)
    yield platform.transport
    await platform.close()


@pytest.mark.shared
async def test_http_mode_on_a_real_port(
    shared: Path, slack_api: SlackApi, http: HttpTransport, clock: FixedClock
) -> None:
    body = form(_help_body(shared, slack_api))
    stamp = int(clock.now().timestamp())
    url = f"http://127.0.0.1:{http.port}{EVENTS_PATH}"
    async with aiohttp.ClientSession() as session:
        async with session.post(url, data=body, headers=signed_headers(body, stamp)) as answer:
            assert answer.status == 200
        async with session.post(url, data=body, headers=signed_headers(body, stamp - 600)) as old:
            assert old.status == 401
    await slack_api.wait_for(lambda: slack_api.responses)
    _help_was_answered(slack_api)
    assert len(slack_api.responses) == 1


@pytest.mark.shared
async def test_socket_mode_through_a_websocket(
    shared: Path, slack_api: SlackApi, sqlite_store: SqlStore, clock: FixedClock
) -> None:
    _, platform = _slack(slack_api, sqlite_store, clock, app_token=slack_api.app_token)
    await platform.start()
    try:
        ack = await slack_api.push("slash_commands", _help_body(shared, slack_api))
        await slack_api.wait_for(lambda: slack_api.responses)
    finally:
        await platform.close()
    assert [call.token for call in slack_api.calls_to("apps.connections.open")] == [
        slack_api.app_token
    ]
    assert "payload" not in ack  # an empty acknowledgement; the answer went to response_url
    _help_was_answered(slack_api)


@pytest.mark.shared
async def test_slack_gets_its_acknowledgement_before_the_work_is_done(
    shared: Path, slack_api: SlackApi, sqlite_store: SqlStore, clock: FixedClock
) -> None:
    # As `paperbot run` sets it up: bolt answers Slack as soon as the ack listener has run.
    slack_api.add_team(TEAM, "paperlab", TOKEN)
    slack_api.add_user("U0ALICE", "alice", TEAM)
    config = SlackConfig(
        bot_token=TOKEN, signing_secret=SECRET, api_url=slack_api.base_url, host="127.0.0.1", port=0
    )
    app, platform = slack_platform(config, clock)
    attach(app, Handlers(sqlite_store, clock), platform, clock)
    await platform.start()
    assert isinstance(platform.transport, HttpTransport)
    slow = slack_api.hold("users.info")  # the work waits on Slack itself
    body = form(_help_body(shared, slack_api))
    url = f"http://127.0.0.1:{platform.transport.port}{EVENTS_PATH}"
    try:
        async with aiohttp.ClientSession() as session:
            headers = signed_headers(body, int(clock.now().timestamp()))
            async with session.post(url, data=body, headers=headers) as answer:
                assert answer.status == 200
        await slack_api.wait_for(lambda: slack_api.calls_to("users.info"))
        assert slack_api.responses == []  # acknowledged, not yet answered
        slow.set()
        await slack_api.wait_for(lambda: slack_api.responses)
    finally:
        await platform.close()
    _help_was_answered(slack_api)
