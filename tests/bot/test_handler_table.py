"""The handler tables: every command and button has exactly one handler."""

from __future__ import annotations

from bot import messages
from bot.commands import BY_NAME, COMMANDS
from bot.handlers.dispatch import ACTION_HANDLERS, COMMAND_HANDLERS


def test_every_command_has_a_handler_and_every_handler_a_command() -> None:
    assert set(COMMAND_HANDLERS) == set(BY_NAME)
    assert len(BY_NAME) == len(COMMANDS)


def test_every_button_has_a_handler() -> None:
    buttons = {messages.NOMINATE, messages.APPROVE, messages.REJECT, messages.MORE}
    assert set(ACTION_HANDLERS) == buttons
