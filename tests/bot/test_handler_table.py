"""The handler tables: every command and button has exactly one handler."""

from __future__ import annotations

from bot import messages
from bot.commands import ACTION_BY_NAME, ACTIONS, BY_NAME, COMMANDS
from bot.handlers.dispatch import ACTION_HANDLERS, COMMAND_HANDLERS


def test_every_command_has_a_handler_and_every_handler_a_command() -> None:
    assert set(COMMAND_HANDLERS) == set(BY_NAME)
    assert len(BY_NAME) == len(COMMANDS)


def test_every_button_and_menu_has_a_handler() -> None:
    actions = {messages.NOMINATE, messages.APPROVE, messages.FILE, messages.REJECT, messages.MORE}
    assert set(ACTION_HANDLERS) == actions == set(ACTION_BY_NAME)
    assert len(ACTION_BY_NAME) == len(ACTIONS)
