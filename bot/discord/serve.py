"""`paperbot run` on Discord: the bot wired to a DiscordPlatform, until the gateway closes."""

from __future__ import annotations

import logging
import sys

import discord

from bot.app import Bot, open_store
from bot.discord.platform import DiscordPlatform
from bot.offload import ProcessOffload
from config import Settings
from digest.clock import SystemClock
from digest.models import Platform

log = logging.getLogger(__name__)

BAD_TOKEN = """\
Discord refused PAPERBOT_DISCORD_TOKEN ({error}). Copy the bot's token again from the Bot page of
your application at https://discord.com/developers/applications (Reset Token shows a new one)."""


async def run_discord(settings: Settings) -> int:
    """Run the bot on Discord until interrupted; the exit status."""
    assert settings.discord_token is not None
    clock = SystemClock()
    store = await open_store(settings, clock)
    platform = DiscordPlatform(
        settings.discord_token.get_secret_value(), sync_guild=settings.discord_guild
    )
    offload = ProcessOffload()
    bot = Bot(settings, store, clock, {Platform.DISCORD: platform}, offload=offload)
    platform.serve(bot.handlers, bot.delivery.tell_admins)
    try:
        await platform.start()
        await bot.scheduler.start()
        await bot.handlers.warm_up()
        await platform.wait_closed()
    except discord.LoginFailure as error:
        print(BAD_TOKEN.format(error=error), file=sys.stderr)
        return 2
    finally:
        await bot.scheduler.stop()
        await platform.close()
        offload.close()
        await store.close()
    return 0
