"""Answering an interaction: defer at once when the answer may be slow, then follow up.

Discord wants a first response within 3 seconds and fixes its visibility there: a deferral
made public cannot be followed by an answer only the user sees. So a slow command defers with
the visibility it declared; an error after a public deferral removes the "thinking" message
and answers privately. A command declared quick that is still running after AUTO_DEFER seconds
is deferred then, so it never misses Discord's deadline. A public answer to a button or menu
(an admin's decision on a review message) edits the message it was on: its embeds stay, the
decision is added, the components go.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import discord

from bot.discord.render import Rendered, render, with_outcome
from bot.ports import OutboundMessage, ReplySpec

log = logging.getLogger(__name__)

AUTO_DEFER = 2.0


class InteractionResponder:
    """The Responder (bot/ports.py) of one Discord interaction."""

    def __init__(
        self, interaction: discord.Interaction, on_component: bool, auto_defer: float = AUTO_DEFER
    ) -> None:
        self.interaction = interaction
        self.on_component = on_component
        self.auto_defer = auto_defer
        self.spec = ReplySpec(ephemeral=True)
        self._timer: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    async def acknowledge(self, spec: ReplySpec) -> None:
        """Defer now if the answer may be slow; otherwise only if it is not ready in time."""
        self.spec = spec
        if spec.slow:
            await self._defer()
        else:
            self._timer = asyncio.create_task(self._defer_later())

    async def _defer_later(self) -> None:
        await asyncio.sleep(self.auto_defer)
        await self._defer()

    async def _defer(self) -> None:
        async with self._lock:
            response = self.interaction.response
            if response.is_done():
                return
            if self.on_component and not self.spec.ephemeral:
                await response.defer()  # the message itself will change: no "thinking" line
            else:
                await response.defer(ephemeral=self.spec.ephemeral, thinking=True)

    async def answer(self, message: OutboundMessage) -> None:
        """Send the answer the way the first response allows."""
        if self._timer is not None:
            self._timer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._timer
        async with self._lock:
            try:
                await self._answer(message)
            except discord.HTTPException:
                # The interaction expired (15 minutes) or was answered elsewhere: the user
                # sees Discord's "did not respond"; nothing else can be done with it.
                log.exception("could not answer interaction %s", self.interaction.id)

    async def _answer(self, message: OutboundMessage) -> None:
        interaction = self.interaction
        response = interaction.response
        decided = self.on_component and not message.ephemeral and interaction.message is not None
        if decided:
            assert interaction.message is not None
            embeds = with_outcome(interaction.message.embeds, message)
            if response.is_done():
                await interaction.edit_original_response(embeds=embeds, view=None)
            else:
                await response.edit_message(embeds=embeds, view=None)
            return
        rendered = render(message)
        if not response.is_done():
            await _send(rendered, message.ephemeral, response.send_message)
            return
        deferred_public = not self.spec.ephemeral and not self.on_component
        if message.ephemeral and deferred_public:
            # The public "thinking" message cannot turn private: replace it.
            await interaction.delete_original_response()
        await _send(rendered, message.ephemeral, interaction.followup.send)


async def _send(rendered: Rendered, ephemeral: bool, send: Any) -> None:
    if rendered.view is None:
        await send(embeds=rendered.embeds, ephemeral=ephemeral)
    else:
        await send(embeds=rendered.embeds, view=rendered.view, ephemeral=ephemeral)
