"""A whole paperbot on Slack for tests: the local Slack, a bolt app in HTTP mode for one
workspace, the real Bot (handlers, delivery, scheduler parts) over a real store, and helpers
that send Slack's recorded payloads, adapted and signed, through bolt's dispatch."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.app import Bot
from bot.slack.app import SlackConfig, build_app
from bot.slack.listeners import SlackListeners
from bot.slack.platform import SlackPlatform, Tokens
from bot.slack.users import UserFacts
from config import Settings
from digest.clock import FixedClock
from digest.models import Platform
from storage.store import SqlStore
from tests.bot.slack.conftest import (
    SECRET,
    block_actions,
    form,
    json_headers,
    reaction_event,
    signed_headers,
    slash_command,
)
from tests.bot.slack.slack_api import SlackApi

TEAM = "T0LAB"
TOKEN = "xoxb-lab"
PAPERS = "C0PAPERS"
REVIEW = "C0REVIEW"


@dataclass
class SlackWorld:
    """The bot on the local Slack, and the recorded payloads to talk to it."""

    api: SlackApi
    app: AsyncApp
    bot: Bot
    platform: SlackPlatform
    listeners: SlackListeners
    clock: FixedClock
    shared: Path
    _replies: int = 0

    async def dispatch(self, body: str, headers: dict[str, str]) -> int:
        """One signed request through bolt, then the work it started, to the end."""
        response = await self.app.async_dispatch(AsyncBoltRequest(body=body, headers=headers))
        await self.listeners.settle()
        return response.status

    def stamp(self) -> int:
        """Now, as a request timestamp."""
        return int(self.clock.now().timestamp())

    async def command(self, user: str, channel: str, text: str) -> dict[str, Any]:
        """`/paper <text>` typed by `user` in `channel`; returns what went to response_url."""
        self._replies += 1
        name = f"reply-{self._replies}"
        body = form(
            slash_command(
                self.shared,
                team_id=TEAM,
                channel_id=channel,
                channel_name=channel.lower(),
                user_id=user,
                user_name=user.lower(),
                text=text,
                response_url=self.api.response_url(name),
            )
        )
        assert await self.dispatch(body, signed_headers(body, self.stamp())) == 200
        answers = [reply for n, reply in self.api.responses if n == name]
        assert len(answers) == 1, answers
        return answers[0]

    async def react(
        self, user: str, channel: str, ts: str, reaction: str, added: bool = True
    ) -> None:
        """`user` adds (or removes) `:reaction:` on the message `ts`."""
        event = reaction_event(
            self.shared,
            team_id=TEAM,
            type="reaction_added" if added else "reaction_removed",
            user=user,
            reaction=reaction,
            item={"type": "message", "channel": channel, "ts": ts},
            item_user="UBOT",
        )
        body = json.dumps(event)
        assert await self.dispatch(body, json_headers(body, self.stamp())) == 200

    async def press(
        self, user: str, channel: str, ts: str, element: dict[str, Any], choice: str | None = None
    ) -> dict[str, Any]:
        """`user` presses a button (or picks `choice` in a menu) of the posted message `ts`."""
        self._replies += 1
        name = f"reply-{self._replies}"
        action: dict[str, Any] = {"action_id": element["action_id"], "type": element["type"]}
        if element["type"] == "button":
            action["value"] = element.get("value", "")
        else:
            action["selected_option"] = {
                "value": choice,
                "text": {"type": "plain_text", "text": choice},
            }
        payload = block_actions(
            self.shared,
            team_id=TEAM,
            user_id=user,
            channel_id=channel,
            message_ts=ts,
            action=action,
            response_url=self.api.response_url(name),
        )
        body = form({"payload": json.dumps(payload)})
        assert await self.dispatch(body, signed_headers(body, self.stamp())) == 200
        answers = [reply for n, reply in self.api.responses if n == name]
        assert len(answers) == 1, answers
        return answers[0]


async def slack_world(
    api: SlackApi, store: SqlStore, clock: FixedClock, shared: Path
) -> SlackWorld:
    """The bot over `store` on the local Slack, with admin Ada, members Bo and Cy."""
    api.add_team(TEAM, "lab", TOKEN)
    api.add_user("U0ADA", "ada", TEAM, admin=True)
    api.add_user("U0BO", "bo", TEAM)
    api.add_user("U0CY", "cy", TEAM)
    config = SlackConfig(bot_token=TOKEN, signing_secret=SECRET, api_url=api.base_url)
    app = build_app(config, clock, process_before_response=True)
    platform = SlackPlatform(Tokens(api.base_url, token=TOKEN))
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    bot = Bot(settings, store, clock, {Platform.SLACK: platform}, ingest_enabled=False)
    listeners = SlackListeners(bot.handlers, platform, UserFacts(clock))
    listeners.register(app)
    return SlackWorld(api, app, bot, platform, listeners, clock, shared)
