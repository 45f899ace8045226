"""Nominations and their review: commands, the nomination reaction, and the review components.

Section suggestions never wait for the section model (digest.sections): a nomination is answered
from the newest model ready. Every change to the list starts its retraining in the background.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from bot import messages
from bot.command_words import unquoted
from bot.handlers import parsing
from bot.handlers.context import Context
from bot.messages import plural
from bot.ports import ActionEvent, ChannelRef, Invocation, OutboundMessage, ReactionEvent, UserRef
from bot.rich_text import arxiv_link, code, lines, text
from digest import lists, nominations
from digest.list_view import section_paths
from digest.lists import section_path_of
from digest.models import NominationStatus, Paper
from digest.ports import Unit
from digest.sections import paper_example, training_examples

log = logging.getLogger(__name__)
# Emoji presentation selectors: ⭐ and ⭐️ are the same reaction.
_VARIATIONS = str.maketrans("", "", "\ufe0e\ufe0f")


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
        return messages.reply("You have no vote on a pending nomination of ", code(paper_id), ".")
    return messages.reply("Withdrew your vote for ", code(paper_id), ".")


async def show_nominations(ctx: Context, invocation: Invocation) -> OutboundMessage:
    """List the nominations waiting for review."""
    async with ctx.store.unit() as unit:
        workspace = await ctx.workspace(unit, invocation.channel)
        pending = await unit.nominations.list(workspace.id, NominationStatus.PENDING)
        papers = await unit.papers.get_many(n.paper_id for n in pending)
    if not pending:
        return messages.reply("No nominations are waiting for review.")
    rows = [
        text(
            code(n.paper_id),
            " ",
            arxiv_link(papers[n.paper_id].title, n.paper_id),
            f" ({plural(len(n.votes), 'vote')})",
        )
        for n in pending
    ]
    return messages.reply(lines(*rows), title="Waiting for review")


async def approve(ctx: Context, invocation: Invocation) -> OutboundMessage:
    """Approve a nomination into a section (the suggested one if none is named)."""
    paper_id = parsing.paper_id(invocation.options["paper"])
    section = unquoted(invocation.options.get("section", "")) or None
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
    """The Approve button of a review message: into the section it names, if it names one."""
    return await _decide_on(ctx, event, True, _section_of(event.value))


async def file_menu(ctx: Context, event: ActionEvent) -> OutboundMessage:
    """The section menu of a review message: approve into the section chosen."""
    choice = event.choice or ""
    return await _decide_on(ctx, event, True, int(choice) if choice.isdigit() else None)


async def reject_button(ctx: Context, event: ActionEvent) -> OutboundMessage:
    """The Reject button of a review message."""
    return await _decide_on(ctx, event, False, None)


def _section_of(value: str) -> int | None:
    parsed = messages.parse_approve_value(value)
    if parsed is not None:
        return parsed[1]
    # A button posted before nominations were named by id: `<paper id> <section id>`.
    _, _, section = value.partition(" ")
    return int(section) if section.isdigit() else None


async def _decide_on(
    ctx: Context, event: ActionEvent, approve: bool, section_id: int | None
) -> OutboundMessage:
    """Decide the nomination a review component names, filing into `section_id` if given."""
    channel = event.message.channel
    parsed = messages.parse_approve_value(event.value)
    async with ctx.store.unit() as unit:
        workspace = await ctx.workspace(unit, channel)
        if parsed is None:
            paper_id = event.value.partition(" ")[0]  # an older button named the paper itself
        else:
            nomination = await unit.nominations.get(parsed[0])
            if nomination is None or nomination.workspace_id != workspace.id:
                return messages.reply("That nomination is no longer stored.")
            paper_id = nomination.paper_id
        section = None
        if approve and section_id is not None:
            section = await section_path_of(unit, workspace.id, section_id) or None
    return await _decide(ctx, channel, event.user, paper_id, approve, section)


async def on_reaction(ctx: Context, event: ReactionEvent) -> OutboundMessage | None:
    """The nomination emoji on a posted paper nominates it; removing the emoji withdraws."""
    async with ctx.store.unit() as unit:
        workspace = await ctx.workspace(unit, event.message.channel)
        wanted = workspace.settings.nomination_emoji
        if event.emoji.translate(_VARIATIONS) != wanted.translate(_VARIATIONS):
            return None
        paper_id = await unit.outbox.paper_for_message(event.message.channel.id, event.message.id)
    if paper_id is None:
        return None
    if event.added:
        return await _nominate(ctx, event.message.channel, event.user, paper_id, "reaction")
    async with ctx.store.unit() as unit:
        await nominations.withdraw(unit, workspace, paper_id, event.user.id)
    return None


async def _suggest(
    ctx: Context, workspace_id: int, paper: Paper
) -> tuple[list[tuple[int, str, float]], dict[str, int]]:
    """The most likely sections for a paper as (section id, path, confidence), none if
    anything fails; and every section of the list by path, in list order."""
    async with ctx.store.unit() as unit:
        examples = await training_examples(unit, workspace_id)
        sections = await unit.lists.sections(workspace_id)
    ids = {lists.SECTION_SEPARATOR.join(p): i for i, p in section_paths(sections).items()}
    try:
        ranked = await ctx.suggester.suggest(workspace_id, examples, paper_example(paper))
    except Exception:
        # A suggestion is a convenience: a nomination must not fail for want of one.
        log.exception("section suggestion failed for %s", paper.arxiv_id)
        return [], ids
    return [(ids[s.section], s.section, s.confidence) for s in ranked if s.section in ids], ids


async def _nominate(
    ctx: Context, channel: ChannelRef, user: UserRef, paper_id: str, source: str
) -> OutboundMessage:
    now = ctx.clock.now()
    async with ctx.store.unit() as unit:
        workspace = await ctx.workspace(unit, channel)
        paper = await unit.papers.get(paper_id)
    suggestions, sections = await _suggest(ctx, workspace.id, paper) if paper else ([], {})
    top = suggestions[0][1] if suggestions else None
    async with ctx.store.unit() as unit:
        result = await nominations.nominate(
            unit, workspace, paper_id, user.id, source, now, section=top
        )
        votes = len(result.nomination.votes)
        if result.created and result.entry is None:
            target = workspace.settings.review_channel or channel.id
            review = messages.review_message(
                result.paper,
                result.nomination.id,
                votes,
                suggestions,
                [(section_id, path) for path, section_id in sections.items()],
            )
            await unit.outbox.enqueue(workspace.id, target, "review", [review.to_payload()])
        if result.entry is not None:
            where = await section_path_of(unit, workspace.id, result.entry.section_id)
            outcome = (
                f"“{result.paper.title}” reached {votes} votes and joined the list under {where}."
            )
            await _tell_voters(unit, workspace.id, result.nomination.voters, outcome)
            # The reply is only for the voter; the channel hears of the new entry too.
            announcement = messages.public(outcome).to_payload()
            await unit.outbox.enqueue(workspace.id, channel.id, "announcement", [announcement])
    await ctx.notify(outbox=result.created or result.entry is not None)
    title = result.paper.title
    if result.entry is not None:
        await ctx.list_changed(workspace.id)
        return messages.reply(outcome)
    if result.created:
        return messages.reply(f"Nominated “{title}”. Admins will review it.")
    if result.vote_added:
        return messages.reply(f"Added your vote for “{title}” ({votes} votes).")
    return messages.reply(f"You already nominated “{title}” ({votes} votes).")


async def _decide(
    ctx: Context, channel: ChannelRef, user: UserRef, paper_id: str, approve: bool, note: str | None
) -> OutboundMessage:
    """Approve (into section `note`) or reject (with reason `note`); the caller checked admin."""
    now = ctx.clock.now()
    async with ctx.store.unit() as unit:
        workspace = await ctx.workspace(unit, channel)
        paper = await unit.papers.get(paper_id)
        pending = await unit.nominations.get_for_paper(workspace.id, paper_id)
    if approve and note is None and paper is not None and pending is not None:
        # No section named: file it where the list's own entries say it most likely goes.
        suggested, _ = await _suggest(ctx, workspace.id, paper)
        note = suggested[0][1] if suggested else None
    async with ctx.store.unit() as unit:
        title = paper.title if paper else paper_id
        if approve:
            decided, entry = await nominations.approve(
                unit, workspace, paper_id, user.id, note, None, now
            )
            where = await section_path_of(unit, workspace.id, entry.section_id)
            outcome = f"“{title}” was approved and added to the list under {where}."
        else:
            decided = await nominations.reject(unit, workspace, paper_id, user.id, note, now)
            outcome = f"“{title}” was not added to the list" + (f": {note}" if note else ".")
        await _tell_voters(unit, workspace.id, decided.voters, outcome)
    await ctx.notify(outbox=bool(decided.voters))
    if approve:
        await ctx.list_changed(workspace.id)
    else:
        await ctx.decisions_changed(workspace.id)
    return messages.public(outcome)


async def _tell_voters(unit: Unit, workspace_id: int, voters: Iterable[str], outcome: str) -> None:
    """Queue a direct message with the nomination's outcome to everyone who voted for it."""
    notices = [messages.public(outcome, title="Your nomination").to_payload()]
    for voter in voters:
        await unit.outbox.enqueue(workspace_id, "@" + voter, "dm", notices)
