"""The Slack app manifest shipped with paperbot, and its HTTP-mode variant."""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources
from typing import Any

EVENTS_PATH = "/slack/events"
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"


@cache
def _packaged() -> dict[str, Any]:
    text = resources.files("bot.slack").joinpath("manifest.json").read_text(encoding="utf-8")
    manifest: dict[str, Any] = json.loads(text)
    return manifest


def manifest(public_url: str | None = None) -> dict[str, Any]:
    """The manifest for Socket Mode, or for HTTP mode when Slack reaches us at `public_url`.

    In HTTP mode the slash command, events and interactivity all post to /slack/events, and
    installs come back to /slack/oauth_redirect.
    """
    result = copy.deepcopy(_packaged())
    if public_url is None:
        return result
    base = public_url.rstrip("/")
    settings = result["settings"]
    settings["socket_mode_enabled"] = False
    settings["event_subscriptions"]["request_url"] = base + EVENTS_PATH
    settings["interactivity"]["request_url"] = base + EVENTS_PATH
    for command in result["features"]["slash_commands"]:
        command["url"] = base + EVENTS_PATH
    result["oauth_config"]["redirect_urls"] = [base + REDIRECT_PATH]
    return result


def bot_scopes() -> tuple[str, ...]:
    """The bot token scopes the manifest asks for (the OAuth install asks for the same)."""
    return tuple(_packaged()["oauth_config"]["scopes"]["bot"])


def bot_events() -> tuple[str, ...]:
    """The events the manifest subscribes to."""
    return tuple(_packaged()["settings"]["event_subscriptions"]["bot_events"])


def slash_command() -> str:
    """The slash command's name, `/paper`."""
    command: str = _packaged()["features"]["slash_commands"][0]["command"]
    return command
