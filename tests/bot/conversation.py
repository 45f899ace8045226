"""A bot on the console platform with a real SQLite store, for tests that read like a chat."""

from __future__ import annotations

import io
from dataclasses import dataclass

from bot.app import Bot
from bot.console.platform import ConsoleChat, ConsolePlatform
from bot.ports import ChannelRef, UserRef
from config import Settings
from digest.clock import FixedClock
from digest.models import Platform
from storage.store import SqlStore

ADMIN = UserRef("u-admin", "ada", platform_admin=True)
MEMBER = UserRef("u-member", "bo")
OTHER = UserRef("u-other", "cy")


@dataclass
class Conversation:
    """The bot, its console, the chat, and two channels."""

    bot: Bot
    console: ConsolePlatform
    chat: ConsoleChat
    papers: ChannelRef
    review: ChannelRef
    out: io.StringIO


def conversation(store: SqlStore, clock: FixedClock, **settings_values: object) -> Conversation:
    """A wired bot on the console platform over `store` (settings as given, else defaults)."""
    out = io.StringIO()
    console = ConsolePlatform(out)
    settings = Settings(_env_file=None, **settings_values)  # type: ignore[call-arg, arg-type]
    bot = Bot(settings, store, clock, {Platform.CONSOLE: console})
    return Conversation(
        bot,
        console,
        ConsoleChat(console, bot.handlers),
        console.channel("c-papers", "papers"),
        console.channel("c-review", "paper-review"),
        out,
    )
