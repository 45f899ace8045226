"""Buttons and menus that work after a restart: one persistent item for every `pb:` id."""

from __future__ import annotations

import re
from typing import Any, cast

import discord

from bot.ports import COMPONENT_PREFIX

# `pb:<action>:<value>` (bot/ports.py): the id is the whole state of the component.
TEMPLATE = re.compile(rf"{re.escape(COMPONENT_PREFIX)}:[a-z][a-z-]*:.*")


class PaperbotComponent(discord.ui.DynamicItem[discord.ui.Item[Any]], template=TEMPLATE):
    """Any button or menu of ours, rebuilt from the message a press came from.

    discord.py matches the custom id of every component press against the template, also on
    messages posted before the last restart, so no view has to be kept or re-registered.
    """

    def __init__(self, item: discord.ui.Item[Any]) -> None:
        super().__init__(item)

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[discord.Client],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> PaperbotComponent:
        """The item as it is on the message (a Button or a Select)."""
        return cls(item)

    async def callback(self, interaction: discord.Interaction[discord.Client]) -> None:
        """Hand the press to the client's component listener (the adapter)."""
        listener = getattr(interaction.client, "component_listener", None)
        if listener is not None:
            await listener(interaction, self.custom_id)


def chosen(interaction: discord.Interaction[Any]) -> str | None:
    """The option a menu press chose (None for a button)."""
    data = cast("dict[str, Any]", interaction.data or {})
    values = data.get("values") or []
    return str(values[0]) if values else None
