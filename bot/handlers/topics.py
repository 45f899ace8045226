"""`/paper topics`, `topic-add`, `topic-edit`, `topic-remove` and `topic-check`."""

from __future__ import annotations

from bot import messages
from bot.handlers.context import Context, UserError
from bot.handlers.parsing import rule_error
from bot.ports import Invocation, OutboundMessage
from digest import topics
from digest.query import QueryError, parse, render


async def show_topics(ctx: Context, invocation: Invocation) -> OutboundMessage:
    """List the workspace's topics and their rules."""
    async with ctx.store.unit() as unit:
        workspace = await ctx.workspace(unit, invocation.channel)
        found = await unit.topics.list(workspace.id)
    if not found:
        return messages.reply("No topics yet. An admin can add one with `/paper topic-add`.")
    lines = [f"**{t.name}**: `{t.rule}`" for t in found]
    return messages.reply("\n".join(lines), title="Topics")


async def add_topic(ctx: Context, invocation: Invocation) -> OutboundMessage:
    """Create a topic and match it against the recent backlog."""
    name, rule = invocation.options["name"], invocation.options["rule"]
    today = ctx.clock.now().date()
    try:
        async with ctx.store.unit() as unit:
            workspace = await ctx.workspace(unit, invocation.channel)
            topic, found = await topics.create_topic(
                unit,
                workspace.id,
                name,
                rule,
                invocation.user.id,
                today,
                ctx.defaults.backlog_weeks,
            )
    except QueryError as exc:
        return messages.reply(rule_error(rule, exc))
    return messages.public(
        f"Created topic **{topic.name}**: `{render(parse(topic.rule))}`. "
        f"It matches {found} paper{'s' if found != 1 else ''} of the last "
        f"{ctx.defaults.backlog_weeks} weeks. Subscribe with `/paper subscribe {topic.name}`."
    )


async def edit_topic(ctx: Context, invocation: Invocation) -> OutboundMessage:
    """Change a topic's rule and re-match the recent backlog."""
    name, rule = invocation.options["topic"], invocation.options["rule"]
    today = ctx.clock.now().date()
    try:
        async with ctx.store.unit() as unit:
            workspace = await ctx.workspace(unit, invocation.channel)
            topic, found = await topics.edit_topic(
                unit, workspace.id, name, rule, today, ctx.defaults.backlog_weeks
            )
    except QueryError as exc:
        return messages.reply(rule_error(rule, exc))
    return messages.public(
        f"Topic **{topic.name}** now reads `{render(parse(topic.rule))}` "
        f"and matches {found} recent papers."
    )


async def remove_topic(ctx: Context, invocation: Invocation) -> OutboundMessage:
    """Delete a topic and its subscriptions."""
    name = invocation.options["topic"]
    async with ctx.store.unit() as unit:
        workspace = await ctx.workspace(unit, invocation.channel)
        topic = await topics.find_topic(unit, workspace.id, name)
        if topic is None:
            raise UserError(f"There is no topic `{name}`. See `/paper topics`.")
        await unit.topics.delete(topic.id)
    await ctx.notify(subscriptions=True)
    return messages.public(f"Removed topic **{topic.name}** and its subscriptions.")


async def check_topic(ctx: Context, invocation: Invocation) -> OutboundMessage:
    """Show how a rule was understood and what it matches, without saving it."""
    rule = invocation.options["rule"]
    weeks = ctx.defaults.backlog_weeks or 4
    try:
        async with ctx.store.unit() as unit:
            check = await topics.check_rule(unit, rule, ctx.clock.now().date(), weeks)
    except QueryError as exc:
        return messages.reply(rule_error(rule, exc))
    text = (
        f"Understood as `{check.normalised}`.\n"
        f"Matches {check.matched} of {check.scanned} papers of the last {weeks} weeks."
    )
    if check.api.query is not None:
        text += f"\narXiv API query: `{check.api.query}`"
    if check.sample:
        text += "\nFor example: " + "; ".join(f"“{title}”" for title in check.sample)
    return messages.reply(text)
