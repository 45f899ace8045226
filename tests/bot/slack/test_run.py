"""`paperbot run` starts Slack when its variables are set, and stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from pathlib import Path

import pytest

from bot.cli.run import run
from config import Settings
from storage.engine import sqlite_url
from tests.bot.discord import conftest as discord_fixtures
from tests.bot.discord import frames
from tests.bot.discord.fake_discord import TOKEN as DISCORD_TOKEN
from tests.bot.discord.fake_discord import FakeDiscord
from tests.bot.slack.conftest import slash_command
from tests.bot.slack.slack_api import SlackApi

# The local Discord of tests/bot/discord, as a fixture of this module.
local_discord = discord_fixtures.fake_discord


async def test_run_starts_socket_mode_and_stops_on_sigterm(
    shared: Path, slack_api: SlackApi, tmp_path: Path
) -> None:
    slack_api.add_team("T0RUN", "runlab", "xoxb-run")
    slack_api.add_user("U0RUN", "runner", "T0RUN")
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=sqlite_url(tmp_path / "run.db"),
        slack_bot_token="xoxb-run",
        slack_app_token=slack_api.app_token,
        slack_api_url=slack_api.base_url,
    )
    running = asyncio.create_task(run(settings, console=False))
    body = slash_command(
        shared,
        team_id="T0RUN",
        channel_id="C0RUN",
        user_id="U0RUN",
        text="help",
        response_url=slack_api.response_url("help"),
    )
    await slack_api.push("slash_commands", body)
    await slack_api.wait_for(lambda: slack_api.responses)
    os.kill(os.getpid(), signal.SIGTERM)
    assert await asyncio.wait_for(running, 30) == 0
    [(_, answer)] = slack_api.responses
    assert "/paper subscribe" in str(answer["blocks"])
    assert (tmp_path / "run.db").exists()


async def test_run_without_chat_variables_says_what_to_set(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=sqlite_url(tmp_path / "x.db"),
    )
    assert await run(settings, console=False) == 2
    said = capsys.readouterr().err
    assert "PAPERBOT_SLACK_APP_TOKEN" in said
    assert "PAPERBOT_SLACK_CLIENT_ID" in said


async def test_discord_and_slack_run_in_one_process(
    shared: Path, slack_api: SlackApi, local_discord: FakeDiscord, tmp_path: Path
) -> None:
    slack_api.add_team("T0RUN", "runlab", "xoxb-run")
    slack_api.add_user("U0RUN", "runner", "T0RUN")
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=sqlite_url(tmp_path / "both.db"),
        discord_token=DISCORD_TOKEN,
        slack_bot_token="xoxb-run",
        slack_app_token=slack_api.app_token,
        slack_api_url=slack_api.base_url,
    )
    running = asyncio.create_task(run(settings, console=False))
    try:
        await local_discord.wait_for(lambda: local_discord.identifies, within=60)
        frame = frames.command(shared, "help")
        await local_discord.dispatch("INTERACTION_CREATE", frame)
        answers = local_discord.interaction_responses
        await local_discord.wait_for(lambda: answers.get(int(frame["id"])))
        body = slash_command(
            shared,
            team_id="T0RUN",
            channel_id="C0RUN",
            user_id="U0RUN",
            text="help",
            response_url=slack_api.response_url("help"),
        )
        await slack_api.push("slash_commands", body)
        await slack_api.wait_for(lambda: slack_api.responses)
    finally:
        running.cancel()  # Ctrl+C
        with contextlib.suppress(asyncio.CancelledError):
            await running
    assert "/paper subscribe" in str(slack_api.responses[0][1]["blocks"])
