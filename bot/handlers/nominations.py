"""Nominations and their review: commands, the nomination reaction, and the review buttons."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from bot import messages
from bot.handlers import parsing
from bot.handlers.context import Context
from bot.ports import ActionEvent, ChannelRef, Invocation, OutboundMessage, ReactionEvent, UserRef
from digest import lists, nominations
from digest.list_view import section_paths
from digest.lists import section_path_of
from digest.models import NominationStatus, Paper
from digest.ports import Unit
from digest.sections import training_examples

log = logging.getLogger(__name__)


async def nominate(ctx: Context, invocation: Invocation) -> OutboundMessage:
    """Propose a paper for the list, or add a vote to its pending nomination."""
    paper_id = parsing.paper_id(invocation.options["paper"])
    return await _nominate(ctx, invocation.channel, invocation.user, paper_id, "command")


async def withdraw(ctx: Context, invocation: Invocation) -> OutboundMessage:
    """Take back the user's vote on a pending nomination."""
    paper_id = parsing.paper_id(invocation.options["paper"])
    async with ctx.store.unit() as unit:
        workspace = await ctx.workspace(unit, invocation.channel)
        removed = await nominations.withdraw(unit, workspace, paper_id, invocation.user.id)
    if not removed:
        return messages.reply(f"You have no vote on a pending nomination of `{paper_id}`.")
    return messages.reply(f"Withdrew your vote for `{paper_id}`.")


async def show_nominations(ctx: Context, invocation: Invocation) -> OutboundMessage:
    """List the nominations waiting for review."""
    async with ctx.store.unit() as unit:
        workspace = await ctx.workspace(unit, invocation.channel)
        pending = await unit.nominations.list(workspace.id, NominationStatus.PENDING)
        papers = await unit.papers.get_many(n.paper_id for n in pending)
    if not pending:
        return messages.reply("No nominations are waiting for review.")
    lines = [
        f"`{n.paper_id}` [{papers[n.paper_id].title}]({papers[n.paper_id].abs_url}) "
        f"({len(n.votes)} vote{'s' if len(n.votes) != 1 else ''})"
        for n in pending
    ]
    return messages.reply("\n".join(lines), title="Waiting for review")


async def approve(ctx: Context, invocation: Invocation) -> OutboundMessage:
    """Approve a nomination into a section (the suggested one if none is named)."""
    paper_id = parsing.paper_id(invocation.options["paper"])
    section = invocation.options.get("section", "").strip().strip('"') or None
    return await _decide(ctx, invocation.channel, invocation.user, paper_id, True, section)


async def reject(ctx: Context, invocation: Invocation) -> OutboundMessage:
    """Reject a nomination, with an optional reason told to the nominators."""
    paper_id = parsing.paper_id(invocation.options["paper"])
    reason = invocation.options.get("reason") or None
    return await _decide(ctx, invocation.channel, invocation.user, paper_id, False, reason)


async def nominate_button(ctx: Context, event: ActionEvent) -> OutboundMessage:
    """The Nominate button under a paper of a digest."""
    return await _nominate(ctx, event.message.channel, event.user, event.value, "button")


async def approve_button(ctx: Context, event: ActionEvent) -> OutboundMessage:
    """An Approve button of a review message, possibly naming a suggested section."""
    paper_id, section_id = messages.parse_approve_value(event.value)
    section = None
    if section_id is not None:
        async with ctx.store.unit() as unit:
            workspace = await ctx.workspace(unit, event.message.channel)
            section = await section_path_of(unit, workspace.id, section_id) or None
    return await _decide(ctx, event.message.channel, event.user, paper_id, True, section)


async def reject_button(ctx: Context, event: ActionEvent) -> OutboundMessage:
    """The Reject button of a review message."""
    return await _decide(ctx, event.message.channel, event.user, event.value, False, None)


async def on_reaction(ctx: Context, event: ReactionEvent) -> OutboundMessage | None:
    """The nomination emoji on a posted paper nominates it; removing the emoji withdraws."""
    async with ctx.store.unit() as unit:
        workspace = await ctx.workspace(unit, event.message.channel)
        if event.emoji != workspace.settings.nomination_emoji:
            return None
        paper_id = await unit.outbox.paper_for_message(event.message.channel.id, event.message.id)
    if paper_id is None:
        return None
    if event.added:
        return await _nominate(ctx, event.message.channel, event.user, paper_id, "reaction")
    async with ctx.store.unit() as unit:
        await nominations.withdraw(unit, workspace, paper_id, event.user.id)
    return None


async def _suggest(ctx: Context, workspace_id: int, paper: Paper) -> list[tuple[int, str]]:
    """The most likely sections for a paper as (section id, path); none if anything fails."""
    try:
        async with ctx.store.unit() as unit:
            examples = await training_examples(unit, workspace_id)
            sections = await unit.lists.sections(workspace_id)
        paths = await ctx.suggester.suggest(workspace_id, examples, paper.title, paper.abstract)
    except Exception:
        # A suggestion is a convenience: a nomination must not fail for want of one.
        log.exception("section suggestion failed for %s", paper.arxiv_id)
        return []
    ids = {lists.SECTION_SEPARATOR.join(p): i for i, p in section_paths(sections).items()}
    return [(ids[path], path) for path in paths if path in ids]


async def _nominate(
    ctx: Context, channel: ChannelRef, user: UserRef, paper_id: str, source: str
) -> OutboundMessage:
    now = ctx.clock.now()
    async with ctx.store.unit() as unit:
        workspace = await ctx.workspace(unit, channel)
        paper = await unit.papers.get(paper_id)
    suggestions = await _suggest(ctx, workspace.id, paper) if paper is not None else []
    top = suggestions[0][1] if suggestions else None
    async with ctx.store.unit() as unit:
        result = await nominations.nominate(
            unit, workspace, paper_id, user.id, source, now, section=top
        )
        if result.created and result.entry is None:
            target = workspace.settings.review_channel or channel.id
            review = messages.review_message(
                result.paper, len(result.nomination.votes), suggestions
            )
            await unit.outbox.enqueue(workspace.id, target, "review", [review.to_payload()])
        if result.entry is not None:
            where = await section_path_of(unit, workspace.id, result.entry.section_id)
            outcome = (
                f"“{result.paper.title}” reached {len(result.nomination.votes)} votes "
                f"and joined the list under {where}."
            )
            await _tell_voters(unit, workspace.id, result.nomination.voters, outcome)
    await ctx.notify(outbox=result.created or result.entry is not None)
    votes = len(result.nomination.votes)
    title = result.paper.title
    if result.entry is not None:
        return messages.public(outcome)
    if result.created:
        return messages.reply(f"Nominated “{title}”. Admins will review it.")
    if result.vote_added:
        return messages.reply(f"Added your vote for “{title}” ({votes} votes).")
    return messages.reply(f"You already nominated “{title}” ({votes} votes).")


async def _decide(
    ctx: Context, channel: ChannelRef, user: UserRef, paper_id: str, approve: bool, text: str | None
) -> OutboundMessage:
    if not user.is_admin:
        return messages.reply("Only admins can approve or reject nominations.")
    now = ctx.clock.now()
    async with ctx.store.unit() as unit:
        workspace = await ctx.workspace(unit, channel)
        paper = await unit.papers.get(paper_id)
        pending = await unit.nominations.get_for_paper(workspace.id, paper_id)
    if approve and text is None and paper is not None and pending is not None:
        # No section named: file it where the list's own entries say it most likely goes.
        suggested = await _suggest(ctx, workspace.id, paper)
        text = suggested[0][1] if suggested else None
    async with ctx.store.unit() as unit:
        title = paper.title if paper else paper_id
        if approve:
            decided, entry = await nominations.approve(
                unit, workspace, paper_id, user.id, text, None, now
            )
            where = await section_path_of(unit, workspace.id, entry.section_id)
            outcome = f"“{title}” was approved and added to the list under {where}."
        else:
            decided = await nominations.reject(unit, workspace, paper_id, user.id, text, now)
            outcome = f"“{title}” was not added to the list" + (f": {text}" if text else ".")
        await _tell_voters(unit, workspace.id, decided.voters, outcome)
    await ctx.notify(outbox=bool(decided.voters))
    return messages.public(outcome)


async def _tell_voters(unit: Unit, workspace_id: int, voters: Iterable[str], outcome: str) -> None:
    """Queue a direct message with the nomination's outcome to everyone who voted for it."""
    notices = [messages.public(outcome, title="Your nomination").to_payload()]
    for voter in voters:
        await unit.outbox.enqueue(workspace_id, "@" + voter, "dm", notices)
