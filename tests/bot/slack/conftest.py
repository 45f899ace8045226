"""Fixtures for the Slack adapter: the local Slack, recorded payloads adapted and signed."""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from slack_sdk.signature import SignatureVerifier

from tests.bot.slack.slack_api import SlackApi

SECRET = "paperbot-test-signing-secret"
SLACK = Path("chat") / "slack"


@pytest.fixture
async def slack_api() -> AsyncIterator[SlackApi]:
    """The local Slack on 127.0.0.1 (Web API, response URLs, Socket Mode)."""
    api = SlackApi()
    await api.start()
    yield api
    await api.close()


def signed_headers(body: str, timestamp: int, secret: str = SECRET) -> dict[str, str]:
    """The headers Slack sends with a request body, signed with `secret` at `timestamp`."""
    signature = SignatureVerifier(secret).generate_signature(timestamp=str(timestamp), body=body)
    assert signature is not None
    return {
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": str(timestamp),
        "x-slack-signature": signature,
    }


def json_headers(body: str, timestamp: int, secret: str = SECRET) -> dict[str, str]:
    """Signed headers for a JSON body (Events API)."""
    return {**signed_headers(body, timestamp, secret), "content-type": "application/json"}


def slash_command(shared: Path, **fields: str) -> dict[str, str]:
    """bolt-python's recorded slash command body with our team, channel, user and text."""
    raw = (shared / SLACK / "bolt-python" / "slash_command_body.form.txt").read_text()
    body = dict(parse_qsl(raw.strip(), keep_blank_values=True))
    body.pop("enterprise_id", None)
    body.pop("enterprise_name", None)
    return {**body, "command": "/paper", **fields}


def form(body: dict[str, str]) -> str:
    """A form body as Slack posts it."""
    return urlencode(body)


def reaction_event(shared: Path, **event: Any) -> dict[str, Any]:
    """bolt-python's recorded reaction_added event with our ids (`team_id` at the top)."""
    path = shared / SLACK / "bolt-python" / "events_api_reaction_added_body.json"
    body: dict[str, Any] = json.loads(path.read_text())
    body.pop("enterprise_id", None)
    body["team_id"] = event.pop("team_id")
    body["event"].update(event)
    return body


def block_actions(shared: Path, **fields: Any) -> dict[str, Any]:
    """bolt-python's recorded block_actions payload with our ids and action."""
    path = shared / SLACK / "bolt-python" / "block_actions_body.json"
    body: dict[str, Any] = copy.deepcopy(json.loads(path.read_text()))
    team = fields.pop("team_id")
    body["team"] = {"id": team, "domain": team.lower()}
    body["user"].update(id=fields.pop("user_id"), team_id=team)
    channel = fields.pop("channel_id")
    body["channel"] = {"id": channel, "name": fields.pop("channel_name", channel)}
    body["container"] = {
        "type": "message",
        "message_ts": fields.pop("message_ts"),
        "channel_id": channel,
        "is_ephemeral": False,
    }
    body["actions"][0].update(fields.pop("action"))
    body.update(fields)
    return body
