"""The app manifest asks for exactly what the adapter uses: a scope for every Web API method it
calls and every event it handles, and nothing more."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.__main__ import main
from bot.slack import manifest as manifests
from bot.slack.manifest import bot_events, bot_scopes, manifest

SLACK_PACKAGE = Path(manifests.__file__).parent
# Slack's documented bot scopes per Web API method (docs.slack.dev/reference/methods).
METHOD_SCOPES: dict[str, set[str]] = {
    "chat_postMessage": {"chat:write"},
    "chat_update": {"chat:write"},
    "chat_postEphemeral": {"chat:write"},
    "conversations_join": {"channels:join"},
    # Public channels, private channels and direct messages, one scope each.
    "conversations_history": {"channels:history", "groups:history", "im:history"},
    "conversations_replies": {"channels:history", "groups:history", "im:history"},
    "conversations_open": {"im:write"},
    "reactions_add": {"reactions:write"},
    "users_info": {"users:read"},
    "usergroups_list": {"usergroups:read"},
    "usergroups_users_list": {"usergroups:read"},
    "views_open": set(),
    "views_update": set(),
    "auth_test": set(),
}
EVENT_SCOPES: dict[str, set[str]] = {
    "reaction_added": {"reactions:read"},
    "reaction_removed": {"reactions:read"},
    "app_uninstalled": set(),
    "tokens_revoked": set(),
}
COMMAND_SCOPES = {"commands"}


def _web_api_methods_called() -> set[str]:
    """Every AsyncWebClient method named in bot/slack: `client.users_info(...)` or, for calls
    made through the platform's token helper, the method's name as a string."""
    # The class's own methods are the Web API's (`chat_postMessage`); its base holds helpers.
    methods = {name for name, value in vars(AsyncWebClient).items() if callable(value)}
    found: set[str] = set()
    for path in SLACK_PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in methods:
                found.add(node.attr)
            elif isinstance(node, ast.Constant) and node.value in methods:
                found.add(node.value)
    return found


def test_every_method_called_has_its_scope_and_no_scope_is_extra() -> None:
    called = _web_api_methods_called()
    unknown = called - METHOD_SCOPES.keys()
    assert not unknown, f"add the scopes of {sorted(unknown)} to METHOD_SCOPES"
    needed = set().union(
        *(METHOD_SCOPES[m] for m in called), *(EVENT_SCOPES[e] for e in bot_events())
    )
    assert set(bot_scopes()) == needed | COMMAND_SCOPES
    assert len(bot_scopes()) == len(set(bot_scopes()))


def test_socket_mode_manifest_has_no_urls() -> None:
    socket = manifest()
    assert socket["settings"]["socket_mode_enabled"] is True
    assert "request_url" not in json.dumps(socket)
    assert socket["settings"]["interactivity"]["is_enabled"] is True
    assert socket["settings"]["org_deploy_enabled"] is False
    [command] = socket["features"]["slash_commands"]
    assert (command["command"], command["should_escape"]) == ("/paper", True)


def test_http_manifest_points_everything_at_the_public_url() -> None:
    http = manifest("https://bot.example.org/")
    assert http["settings"]["socket_mode_enabled"] is False
    assert http["settings"]["event_subscriptions"]["request_url"] == (
        "https://bot.example.org/slack/events"
    )
    assert http["settings"]["interactivity"]["request_url"] == (
        "https://bot.example.org/slack/events"
    )
    assert http["features"]["slash_commands"][0]["url"] == "https://bot.example.org/slack/events"
    assert http["oauth_config"]["redirect_urls"] == ["https://bot.example.org/slack/oauth_redirect"]
    assert http["oauth_config"]["scopes"] == manifest()["oauth_config"]["scopes"]


def test_the_command_line_prints_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["slack-manifest", "--url", "https://bot.example.org"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == manifest("https://bot.example.org")
    assert main(["slack-manifest", "--url", "http://bot.example.org"]) == 1
    assert "https://" in capsys.readouterr().err
