"""The handlers' entry points: each chat event finds its function in a table and runs guarded."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import TypeVar

from bot import messages
from bot.commands import BY_NAME, COMMANDS, CommandError
from bot.handlers import autocomplete, lists, nominations, settings, subscriptions, topics
from bot.handlers.context import Context, Defaults, Listener, UserError
from bot.ports import ActionEvent, ChannelRef, Invocation, OutboundMessage, ReactionEvent
from digest.lists import ListError
from digest.nominations import NominationError
from digest.ports import Clock, Store
from digest.query import QueryError
from digest.sections import SectionSuggester
from digest.topics import TopicError

log = logging.getLogger(__name__)

T = TypeVar("T")
CommandHandler = Callable[[Context, Invocation], Awaitable[OutboundMessage]]
ActionHandler = Callable[[Context, ActionEvent], Awaitable[OutboundMessage]]


async def show_help(ctx: Context, invocation: Invocation) -> OutboundMessage:
    """Every command with its usage and what it does."""
    lines = []
    for spec in COMMANDS:
        marker = " (admins)" if spec.admin_only else ""
        lines.append(f"`{spec.usage}`: {spec.help}{marker}")
    return messages.reply("\n".join(lines), title="paperbot commands")


# One row per command of bot/commands.py; a test checks that the two agree.
COMMAND_HANDLERS: Mapping[str, CommandHandler] = {
    "help": show_help,
    "subscribe": subscriptions.subscribe,
    "unsubscribe": subscriptions.unsubscribe,
    "subscriptions": subscriptions.show_subscriptions,
    "topics": topics.show_topics,
    "topic-add": topics.add_topic,
    "topic-edit": topics.edit_topic,
    "topic-remove": topics.remove_topic,
    "topic-check": topics.check_topic,
    "preview": subscriptions.preview,
    "nominate": nominations.nominate,
    "withdraw": nominations.withdraw,
    "nominations": nominations.show_nominations,
    "approve": nominations.approve,
    "reject": nominations.reject,
    "list": lists.show_list,
    "list-move": lists.move_entry,
    "list-remove": lists.remove_entry,
    "section-rename": lists.rename_section,
    "section-move": lists.move_section,
    "settings": settings.workspace_settings,
    "more": subscriptions.more,
    "digest": subscriptions.digest_settings,
}

ACTION_HANDLERS: Mapping[str, ActionHandler] = {
    messages.NOMINATE: nominations.nominate_button,
    messages.MORE: subscriptions.more_button,
    messages.APPROVE: nominations.approve_button,
    messages.REJECT: nominations.reject_button,
}


class Handlers:
    """Every chat event paperbot understands, with the same behaviour on every platform."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        defaults: Defaults | None = None,
        on_subscriptions_changed: Listener | None = None,
        on_outbox_changed: Listener | None = None,
        suggester: SectionSuggester | None = None,
    ) -> None:
        self.context = Context(
            store,
            clock,
            defaults or Defaults(),
            suggester or SectionSuggester(),
            on_subscriptions_changed,
            on_outbox_changed,
        )

    async def command(self, invocation: Invocation) -> OutboundMessage:
        """Run a `/paper` command and return the reply."""
        spec = BY_NAME.get(invocation.command)
        if spec is None:
            return messages.reply(f"Unknown command `{invocation.command}`. Try `/paper help`.")
        if spec.admin_only and not invocation.user.is_admin:
            return messages.reply(
                f"Only admins can use `/paper {spec.name}`. Ask someone with the admin role."
            )
        handler = COMMAND_HANDLERS[spec.name]
        work = handler(self.context, invocation)
        return await _guard(work, f"command {spec.name}", invocation)

    async def reaction(self, event: ReactionEvent) -> OutboundMessage | None:
        """A reaction on a posted paper: the nomination emoji nominates, removing it withdraws."""
        return await _guard(nominations.on_reaction(self.context, event), "reaction", event)

    async def action(self, event: ActionEvent) -> OutboundMessage:
        """A button press: nominate, approve, reject, or show a digest's overflow."""
        handler = ACTION_HANDLERS.get(event.action)
        if handler is None:
            return messages.reply("That button is no longer in use.")
        result = await _guard(handler(self.context, event), f"action {event.action}", event)
        return result or messages.reply("Done.")

    async def autocomplete(self, channel: ChannelRef, kind: str, prefix: str) -> list[str]:
        """Up to 25 suggestions for an option being typed."""
        return await autocomplete.option_values(self.context, channel, kind, prefix)


async def _guard(work: Awaitable[T], what: str, event: object) -> T | OutboundMessage:
    """Await a handler; errors a user can fix become their reply, the rest are logged."""
    try:
        return await work
    except QueryError as exc:
        return messages.reply(f"That rule does not parse: {exc}.")
    except (UserError, NominationError, TopicError, CommandError, ListError) as exc:
        return messages.reply(str(exc))
    except Exception:
        log.exception("%s failed for %r", what, event)
        return messages.reply("Something went wrong on my side; it has been logged.")
