"""`/paper topics`, `topic-add`, `topic-edit`, `topic-remove` and `topic-check`.

Matching a rule over the backlog runs through the context's offload (off the event loop) within
the CPU budget of `Defaults.match_budget`; a rule over it is refused with a message saying so.
"""

from __future__ import annotations

from bot import messages
from bot.handlers.context import Context, UserError
from bot.handlers.parsing import rule_error
from bot.messages import plural
from bot.ports import Invocation, OutboundMessage
from bot.rich_text import BREAK, bold, code, join, lines, text
from digest import topics
from digest.backlog import BacklogWindow, backlog_window
from digest.ports import Unit
from digest.query import QueryError, parse, render


async def _window(ctx: Context, unit: Unit, weeks: int) -> BacklogWindow:
    """The backlog a rule is matched against: as `paperbot topic check` counts it."""
    return await backlog_window(unit, ctx.clock.now().date(), weeks)


async def show_topics(ctx: Context, invocation: Invocation) -> OutboundMessage:
    """List the workspace's topics and their rules."""
    async with ctx.store.unit() as unit:
        workspace = await ctx.workspace(unit, invocation.channel)
        found = await unit.topics.list(workspace.id)
    if not found:
        return messages.reply(
            "No topics yet. An admin can add one with ", code("/paper topic-add"), "."
        )
    return messages.reply(
        lines(*(text(bold(t.name), ": ", code(t.rule)) for t in found)), title="Topics"
    )


async def add_topic(ctx: Context, invocation: Invocation) -> OutboundMessage:
    """Create a topic and match it against the recent backlog."""
    name, rule = invocation.options["name"], invocation.options["rule"]
    try:
        async with ctx.store.unit() as unit:
            workspace = await ctx.workspace(unit, invocation.channel)
            window = await _window(ctx, unit, ctx.defaults.backlog_weeks)
            topic, found = await topics.create_topic(
                unit,
                workspace.id,
                name,
                rule,
                invocation.user.id,
                window.last,
                window.weeks,
                run=ctx.offload,
                budget=ctx.defaults.match_budget,
            )
    except QueryError as exc:
        return messages.reply(rule_error(rule, exc))
    return messages.public(
        "Created topic ",
        bold(topic.name),
        ": ",
        code(render(parse(topic.rule))),
        f". It matches {plural(found, 'paper')} of {window.describe()}. Subscribe with ",
        code(f"/paper subscribe {topic.name}"),
        ".",
    )


async def edit_topic(ctx: Context, invocation: Invocation) -> OutboundMessage:
    """Change a topic's rule and re-match the recent backlog."""
    name, rule = invocation.options["topic"], invocation.options["rule"]
    try:
        async with ctx.store.unit() as unit:
            workspace = await ctx.workspace(unit, invocation.channel)
            window = await _window(ctx, unit, ctx.defaults.backlog_weeks)
            topic, found = await topics.edit_topic(
                unit,
                workspace.id,
                name,
                rule,
                window.last,
                window.weeks,
                run=ctx.offload,
                budget=ctx.defaults.match_budget,
            )
    except QueryError as exc:
        return messages.reply(rule_error(rule, exc))
    return messages.public(
        "Topic ",
        bold(topic.name),
        " now reads ",
        code(render(parse(topic.rule))),
        f" and matches {plural(found, 'paper')} of {window.describe()}.",
    )


async def remove_topic(ctx: Context, invocation: Invocation) -> OutboundMessage:
    """Delete a topic and its subscriptions."""
    name = invocation.options["topic"]
    async with ctx.store.unit() as unit:
        workspace = await ctx.workspace(unit, invocation.channel)
        topic = await topics.find_topic(unit, workspace.id, name)
        if topic is None:
            raise UserError("There is no topic ", code(name), ". See ", code("/paper topics"), ".")
        await unit.topics.delete(topic.id)
    await ctx.notify(subscriptions=True)
    return messages.public("Removed topic ", bold(topic.name), " and its subscriptions.")


async def check_topic(ctx: Context, invocation: Invocation) -> OutboundMessage:
    """Show how a rule was understood and what it matches, without saving it."""
    rule = invocation.options["rule"]
    try:
        async with ctx.store.unit() as unit:
            window = await _window(ctx, unit, ctx.defaults.backlog_weeks or 4)
            check = await topics.check_rule(
                unit,
                rule,
                window.last,
                window.weeks,
                run=ctx.offload,
                budget=ctx.defaults.match_budget,
            )
    except QueryError as exc:
        return messages.reply(rule_error(rule, exc))
    body = text(
        "Understood as ",
        code(check.normalised),
        ".",
        BREAK,
        f"Matches {check.matched} of {check.scanned} papers of {window.describe()}.",
    )
    if check.api.query is not None:
        body = text(body, BREAK, "arXiv API query: ", code(check.api.query))
    if check.sample:
        examples = join([text(f"“{title}”") for title in check.sample], "; ")
        body = text(body, BREAK, "For example: ", examples)
    return messages.reply(body)
