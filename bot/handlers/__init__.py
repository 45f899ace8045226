"""Platform-neutral handlers: an event comes in, one core call runs, a message goes out."""

from bot.handlers.context import Defaults, UserError
from bot.handlers.dispatch import Handlers

__all__ = ["Defaults", "Handlers", "UserError"]
