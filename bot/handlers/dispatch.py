"""The handlers' entry points: each chat event finds its function in a table and runs guarded.

Commands and actions take a Responder: the handler acknowledges at once with the declared
visibility (bot/commands.py), runs, then answers; the answer is also returned.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from functools import partial
from typing import TypeVar

from bot import messages
from bot.commands import (
    ACTION_BY_NAME,
    BY_NAME,
    COMMANDS,
    CommandError,
    action_reply,
    command_reply,
)
from bot.handlers import autocomplete, lists, nominations, settings, subscriptions, topics
from bot.handlers.context import (
    Context,
    Defaults,
    Listener,
    SubscriptionsListener,
    UserError,
    WorkspaceListener,
    is_admin,
)
from bot.logs import event_context, log_context
from bot.ports import (
    ActionEvent,
    ChannelRef,
    Invocation,
    OutboundMessage,
    ReactionEvent,
    ReplySpec,
    Responder,
    UserRef,
)
from bot.rich_text import BREAK, code, join, text
from digest.lists import ListError
from digest.nominations import NominationError
from digest.offload import Offload
from digest.ports import Clock, Store
from digest.query import QueryError
from digest.relevance import Relevance, training_set
from digest.sections import SectionSuggester, training_examples
from digest.topics import TopicError

log = logging.getLogger(__name__)

T = TypeVar("T")
CommandHandler = Callable[[Context, Invocation], Awaitable[OutboundMessage]]
ActionHandler = Callable[[Context, ActionEvent], Awaitable[OutboundMessage]]
ADMINS_DECIDE = "Only admins can approve or reject nominations."


async def show_help(ctx: Context, invocation: Invocation) -> OutboundMessage:
    """Every command with its usage and what it does."""
    rows = [
        text(code(spec.usage), f": {spec.help}", " (admins)" if spec.admin_only else None)
        for spec in COMMANDS
    ]
    return messages.reply(join(rows, BREAK), title="paperbot commands")


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
    "section-remove": lists.remove_section,
    "settings": settings.workspace_settings,
    "more": subscriptions.more,
    "digest": subscriptions.digest_settings,
}

# One row per action of bot/commands.py's ACTIONS.
ACTION_HANDLERS: Mapping[str, ActionHandler] = {
    messages.NOMINATE: nominations.nominate_button,
    messages.MORE: subscriptions.more_button,
    messages.APPROVE: nominations.approve_button,
    messages.FILE: nominations.file_menu,
    messages.REJECT: nominations.reject_button,
}


class Handlers:
    """Every chat event paperbot understands, with the same behaviour on every platform.

    `offload` runs CPU-heavy work (matching a rule over the backlog, training the section
    model) off the event loop: a thread by default, a process pool in `paperbot run`.
    """

    def __init__(
        self,
        store: Store,
        clock: Clock,
        defaults: Defaults | None = None,
        on_subscriptions_changed: SubscriptionsListener | None = None,
        on_outbox_changed: Listener | None = None,
        suggester: SectionSuggester | None = None,
        offload: Offload | None = None,
        relevance: Relevance | None = None,
        on_list_changed: WorkspaceListener | None = None,
    ) -> None:
        offload = offload or asyncio.to_thread
        self.context = Context(
            store,
            clock,
            defaults or Defaults(),
            suggester or SectionSuggester(run=offload),
            offload,
            relevance or Relevance(run=offload),
            on_subscriptions_changed,
            on_outbox_changed,
            on_list_changed,
        )

    async def command(
        self, invocation: Invocation, responder: Responder | None = None
    ) -> OutboundMessage:
        """Run a `/paper` command: acknowledge, run, answer (and return the answer)."""
        declared = command_reply(invocation.command)
        work = partial(self._command, invocation)
        return await _respond(
            declared, work, f"command {invocation.command}", invocation, responder
        )

    async def _command(self, invocation: Invocation) -> OutboundMessage:
        spec = BY_NAME.get(invocation.command)
        if spec is None:
            return messages.reply(
                "Unknown command ", code(invocation.command), ". Try ", code("/paper help"), "."
            )
        if spec.admin_only and not await self._admin(invocation.channel, invocation.user):
            return messages.reply(
                "Only admins can use ",
                code(f"/paper {spec.name}"),
                ". Ask someone with the admin role.",
            )
        return await COMMAND_HANDLERS[spec.name](self.context, invocation)

    async def reaction(self, event: ReactionEvent) -> OutboundMessage | None:
        """A reaction on a posted paper: the nomination emoji nominates, removing it withdraws.

        Nothing to acknowledge; a reply (when there is one) is only for the user.
        """
        return await _guard(nominations.on_reaction(self.context, event), "reaction", event)

    async def action(
        self, event: ActionEvent, responder: Responder | None = None
    ) -> OutboundMessage:
        """A button press or menu choice: acknowledge, run, answer (and return the answer)."""
        declared = action_reply(event.action)
        work = partial(self._action, event)
        return await _respond(declared, work, f"action {event.action}", event, responder)

    async def _action(self, event: ActionEvent) -> OutboundMessage:
        spec = ACTION_BY_NAME.get(event.action)
        if spec is None:
            return messages.reply("That button is no longer in use.")
        if spec.admin_only and not await self._admin(event.message.channel, event.user):
            return messages.reply(ADMINS_DECIDE)
        return await ACTION_HANDLERS[spec.name](self.context, event)

    async def _admin(self, channel: ChannelRef, user: UserRef) -> bool:
        """Whether the user is an admin of the channel's workspace, by its current settings."""
        async with self.context.store.unit() as unit:
            workspace = await self.context.workspace(unit, channel)
        return is_admin(user, workspace.settings)

    async def autocomplete(self, channel: ChannelRef, kind: str, prefix: str) -> list[str]:
        """Up to 25 suggestions for an option being typed."""
        return await autocomplete.option_values(self.context, channel, kind, prefix)

    async def warm_up(self) -> None:
        """Start training every workspace's section and relevance models in the background
        (at start)."""
        async with self.context.store.unit() as unit:
            workspaces = await unit.workspaces.all()
            lists_of = {w.id: await training_examples(unit, w.id) for w in workspaces}
            kept_of = {w.id: await training_set(unit, w.id) for w in workspaces}
        for workspace_id, examples in lists_of.items():
            if examples:
                self.context.suggester.refresh(workspace_id, examples)
            self.context.relevance.refresh(workspace_id, kept_of[workspace_id])

    async def settle(self) -> None:
        """Wait for background work (section and relevance model trainings) to finish."""
        await self.context.suggester.settle()
        await self.context.relevance.settle()


async def _respond(
    declared: ReplySpec,
    work: Callable[[], Awaitable[OutboundMessage]],
    what: str,
    event: object,
    responder: Responder | None,
) -> OutboundMessage:
    """Acknowledge as declared, run the work guarded, answer: never more public than declared."""
    if responder is not None:
        await responder.acknowledge(declared)
    answer = await _guard(work(), what, event)
    if declared.ephemeral and not answer.ephemeral:
        answer = replace(answer, ephemeral=True)
    if responder is not None:
        await responder.answer(answer)
    return answer


async def _guard(work: Awaitable[T], what: str, event: object) -> T | OutboundMessage:
    """Await a handler; errors a user can fix become their reply, the rest are logged."""
    try:
        with log_context(**event_context(event)):
            return await work
    except UserError as exc:
        return messages.reply(exc.message)
    except QueryError as exc:
        return messages.reply(f"That rule does not parse: {exc}.")
    except (NominationError, TopicError, CommandError, ListError) as exc:
        return messages.reply(str(exc))
    except Exception:
        log.exception("%s failed for %r", what, event)
        return messages.reply("Something went wrong on my side; it has been logged.")
