"""Platform-neutral handlers: an event comes in, one core call runs, a message goes out."""

from bot.handlers.dispatch import Defaults, Handlers, UserError

__all__ = ["Defaults", "Handlers", "UserError"]
