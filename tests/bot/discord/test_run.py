"""`paperbot run` with PAPERBOT_DISCORD_TOKEN runs the bot on Discord (the fake one here)."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest

from bot.cli.run import run
from config import Settings
from storage.engine import sqlite_url
from tests.bot.discord import frames
from tests.bot.discord.fake_discord import TOKEN, FakeDiscord


def _settings(tmp_path: Path) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None, discord_token=TOKEN, database_url=sqlite_url(tmp_path / "bot.db")
    )


async def test_paperbot_run_answers_commands_until_stopped(
    fake_discord: FakeDiscord, tmp_path: Path, shared: Path
) -> None:
    running = asyncio.create_task(run(_settings(tmp_path), console=False))
    try:
        await fake_discord.wait_for(lambda: fake_discord.identifies, within=60)
        (put,) = fake_discord.sent("PUT", r"/applications/\d+/commands")
        assert [command["name"] for command in put.body] == ["paper"]
        frame = frames.command(shared, "help")
        await fake_discord.dispatch("INTERACTION_CREATE", frame)
        answers = fake_discord.interaction_responses
        (answer,) = await fake_discord.wait_for(lambda: answers.get(int(frame["id"])))
        assert answer["data"]["embeds"][0]["author"]["name"] == "paperbot commands"
    finally:
        running.cancel()  # Ctrl+C
        with contextlib.suppress(asyncio.CancelledError):
            await running
    assert fake_discord.identifies[0]["intents"] == 1025


async def test_a_refused_token_says_where_to_get_one(
    fake_discord: FakeDiscord, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_discord.fail("GET", "/users/@me", 401, message="401: Unauthorized")
    assert await run(_settings(tmp_path), console=False) == 2
    assert "Reset Token" in capsys.readouterr().err
