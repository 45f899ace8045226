"""The invite URL asks for exactly the scopes and permissions the README lists."""

from __future__ import annotations

import discord

from bot.discord.invite import SCOPES, bot_permissions, invite_url
from tests.conftest import ROOT

NEEDED = {
    "view_channel",
    "send_messages",
    "send_messages_in_threads",
    "create_public_threads",
    "embed_links",
    "add_reactions",
    "read_message_history",
}


def test_the_bot_asks_for_exactly_seven_permissions() -> None:
    assert bot_permissions() == discord.Permissions(**dict.fromkeys(NEEDED, True))
    assert bot_permissions().value.bit_count() == len(NEEDED)
    expected = 0
    for name in NEEDED:
        expected |= getattr(discord.Permissions, name).flag
    assert bot_permissions().value == expected == 309237730368
    assert SCOPES == ("bot", "applications.commands")


def test_the_readme_shows_the_invite_url() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    url = invite_url("YOUR_APPLICATION_ID")
    assert url == (
        "https://discord.com/oauth2/authorize?client_id=YOUR_APPLICATION_ID"
        "&scope=bot+applications.commands&permissions=309237730368"
    )
    assert url in readme
    assert f"({bot_permissions().value};" in readme
