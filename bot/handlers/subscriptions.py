"""`/paper subscribe`, `unsubscribe`, `subscriptions`, `preview`, `more` and `digest`."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time

from bot import messages
from bot.commands import WEEKDAY_CHOICES
from bot.handlers.context import Context, UserError
from bot.handlers.parsing import (
    parse_cap,
    parse_quiet,
    parse_time,
    parse_weekday,
    parse_zone,
    when,
)
from bot.ports import ActionEvent, Invocation, OutboundMessage
from bot.rich_text import Text, arxiv_link, bold, code, lines, text
from digest import weekly
from digest.models import Subscription, Topic
from digest.ports import Unit
from digest.topics import find_topic

MORE_PER_PAGE = 20
NO_SUBSCRIPTIONS = text("This channel has no subscriptions. Try ", code("/paper subscribe"), ".")


async def subscribe(ctx: Context, invocation: Invocation) -> OutboundMessage:
    """Subscribe the channel to a topic, resume its paused subscription, or move the channel's
    schedule to the weekday, time and zone given; the reply says what changed."""
    options = invocation.options
    name = options["topic"]
    async with ctx.store.unit() as unit:
        workspace = await ctx.workspace(unit, invocation.channel)
        topic = await find_topic(unit, workspace.id, name)
        if topic is None:
            known = ", ".join(t.name for t in await unit.topics.list(workspace.id))
            raise UserError(
                "There is no topic ",
                code(name),
                ".",
                f" Topics: {known}." if known else " An admin can add one.",
            )
        existing = await unit.subscriptions.find(invocation.channel.id, topic.id)
        resumed = 0
        if existing and existing.paused:
            resumed = await resume_channel(ctx, unit, workspace.id, invocation.channel.id)
    if existing and existing.paused:
        here = (workspace.id, invocation.channel.id)
        await ctx.notify(subscriptions=True, outbox=bool(resumed), channel=here)
        return messages.public("Resumed this channel's digest of ", bold(topic.name), ".")
    # A channel's subscriptions share one schedule, so the channel gets one digest.
    async with ctx.store.unit() as unit:
        siblings = await unit.subscriptions.for_channel(workspace.id, invocation.channel.id)
        settings = workspace.settings
        base = siblings[0] if siblings else None
        before = (base.weekday, base.at, base.timezone) if base else None
        weekday, at, zone = (
            parse_weekday(options["weekday"])
            if "weekday" in options
            else (base.weekday if base else settings.digest_weekday),
            parse_time(options["time"])
            if "time" in options
            else (base.at if base else settings.digest_time),
            parse_zone(options["timezone"])
            if "timezone" in options
            else (base.timezone if base else settings.timezone),
        )
        if existing and before == (weekday, at, zone):
            raise UserError("This channel is already subscribed to ", bold(topic.name), ".")
        subscription = existing or await unit.subscriptions.create(
            workspace.id,
            invocation.channel.id,
            topic.id,
            weekday,
            at,
            zone,
            ctx.defaults.cap,
            None,
        )
        for sibling in siblings:
            if (sibling.weekday, sibling.at, sibling.timezone) != (weekday, at, zone):
                await unit.subscriptions.set_schedule(sibling.id, weekday, at, zone)
        others = await unit.topics.get_many(s.topic_id for s in siblings if s.topic_id != topic.id)
    await ctx.notify(subscriptions=True, channel=(workspace.id, invocation.channel.id))
    due = weekly.next_due(
        replace(subscription, weekday=weekday, at=at, timezone=zone), ctx.clock.now()
    )
    moved = ""
    if before is not None and before != (weekday, at, zone):
        names = ", ".join(sorted(t.name for t in others.values()))
        also = f" (for {names} too: a channel has one digest)" if names else ""
        after = _schedule(weekday, at, zone)
        moved = f" The channel's digest moved from {_schedule(*before)} to {after}{also}."
    if existing:
        return messages.public(
            "This channel was already subscribed to ",
            bold(topic.name),
            ".",
            moved,
            f" Next digest: {when(due, zone)}.",
        )
    return messages.public(
        "Subscribed this channel to ",
        bold(topic.name),
        f". First digest: {when(due, zone)}.",
        moved,
    )


def _schedule(weekday: int, at: time, zone: str) -> str:
    """A weekly schedule as `Mon 09:00 UTC`."""
    return f"{WEEKDAY_CHOICES[weekday].title()} {at:%H:%M} {zone}"


async def unsubscribe(ctx: Context, invocation: Invocation) -> OutboundMessage:
    """Stop the channel's digest of a topic."""
    name = invocation.options["topic"]
    async with ctx.store.unit() as unit:
        workspace = await ctx.workspace(unit, invocation.channel)
        topic = await find_topic(unit, workspace.id, name)
        found = topic and await unit.subscriptions.find(invocation.channel.id, topic.id)
        if not found:
            raise UserError("This channel is not subscribed to ", code(name), ".")
        await unit.subscriptions.delete(found.id)
    await ctx.notify(subscriptions=True, channel=(workspace.id, invocation.channel.id))
    return messages.public("Unsubscribed this channel from ", bold(name), ".")


async def show_subscriptions(ctx: Context, invocation: Invocation) -> OutboundMessage:
    """List the channel's topics and when each next digest comes."""
    async with ctx.store.unit() as unit:
        workspace = await ctx.workspace(unit, invocation.channel)
        subs = await unit.subscriptions.for_channel(workspace.id, invocation.channel.id)
        names = await unit.topics.get_many(s.topic_id for s in subs)
    if not subs:
        return messages.reply(NO_SUBSCRIPTIONS)
    now = ctx.clock.now()
    rows = []
    for sub in subs:
        state = (
            f"paused: {sub.paused_reason}"
            if sub.paused
            else ("next digest " + when(weekly.next_due(sub, now), sub.timezone))
        )
        rows.append(text(bold(names[sub.topic_id].name), f" ({state})"))
    return messages.reply(lines(*rows), title="Subscriptions")


async def preview(ctx: Context, invocation: Invocation) -> OutboundMessage:
    """Show what the channel's next digest would hold so far."""
    async with ctx.store.unit() as unit:
        workspace = await ctx.workspace(unit, invocation.channel)
        subs = await _channel_subscriptions(unit, workspace.id, invocation.channel.id)
        digest = await weekly.build_digest(
            unit, workspace.id, invocation.channel.id, subs, ctx.clock.now(), ctx.relevance
        )
    if not digest.items:
        return messages.reply("Nothing new so far for the next digest.")
    rows = [
        text(f"{i}. ", arxiv_link(item.paper.title, item.paper.arxiv_id), f" ({item.topic_name})")
        for i, item in enumerate(digest.items, 1)
    ]
    if digest.more_matched:
        rows.append(text(f"…and {digest.more_matched} more over the limit of {digest.cap}."))
    due = min(weekly.next_due(s, ctx.clock.now()) for s in subs)
    title = f"Next digest so far ({when(due, subs[0].timezone)})"
    return messages.reply(lines(*rows), title=title)


async def more(ctx: Context, invocation: Invocation) -> OutboundMessage:
    """A page of the papers the channel's last digest left out over its cap."""
    page_text = invocation.options.get("page", "1").strip()
    if not page_text.isdigit() or int(page_text) < 1:
        raise UserError(code(page_text), " is not a page number; try ", code("/paper more 2"), ".")
    async with ctx.store.unit() as unit:
        workspace = await ctx.workspace(unit, invocation.channel)
        digest = await unit.digests.latest(workspace.id, invocation.channel.id)
        if digest is None:
            raise UserError("This channel has had no digest yet.")
        return await _overflow_page(unit, digest.id or 0, int(page_text))


async def more_button(ctx: Context, event: ActionEvent) -> OutboundMessage:
    """The first page of a digest's overflow, from the button under that digest."""
    async with ctx.store.unit() as unit:
        workspace = await ctx.workspace(unit, event.message.channel)
        digest = await unit.digests.get(int(event.value)) if event.value.isdigit() else None
        if digest is None or digest.workspace_id != workspace.id:
            return messages.reply("That digest is no longer stored.")
        return await _overflow_page(unit, digest.id or 0, 1)


async def _overflow_page(unit: Unit, digest_id: int, page: int) -> OutboundMessage:
    items = await unit.digests.overflow(digest_id)
    if not items:
        return messages.reply("The last digest showed everything that matched.")
    start = (page - 1) * MORE_PER_PAGE
    papers = await unit.papers.get_many(i.paper_id for i in items[start : start + MORE_PER_PAGE])
    return messages.more_message(items, papers, page, MORE_PER_PAGE)


async def digest_settings(ctx: Context, invocation: Invocation) -> OutboundMessage:
    """Show or change the channel's digest: cap, when-empty, schedule, or resume it."""
    key = invocation.options.get("key")
    value = invocation.options.get("value", "").strip()
    channel = invocation.channel.id
    async with ctx.store.unit() as unit:
        workspace = await ctx.workspace(unit, invocation.channel)
        subs = await _channel_subscriptions(unit, workspace.id, channel)
        ids = [s.id for s in subs]
        resumed = 0
        if key == "resume":
            resumed = await resume_channel(ctx, unit, workspace.id, channel)
        elif key and not value:
            raise UserError("Give a value: ", code(f"/paper digest {key} <value>"), ".")
        elif key == "cap":
            await unit.subscriptions.set_options(ids, cap=parse_cap(value))
        elif key == "when-empty":
            await unit.subscriptions.set_options(ids, quiet_when_empty=parse_quiet(value))
        elif key in ("weekday", "time", "timezone"):
            first = subs[0]
            weekday = parse_weekday(value) if key == "weekday" else first.weekday
            at = parse_time(value) if key == "time" else first.at
            zone = parse_zone(value) if key == "timezone" else first.timezone
            for sub in subs:
                await unit.subscriptions.set_schedule(sub.id, weekday, at, zone)
        elif key:
            raise UserError(
                "Unknown digest setting ", code(key), ". Try ", code("/paper help"), "."
            )
        subs = await unit.subscriptions.for_channel(workspace.id, channel)
        names = await unit.topics.get_many(s.topic_id for s in subs)
    if key:
        await ctx.notify(subscriptions=True, outbox=bool(resumed), channel=(workspace.id, channel))
    return messages.reply(
        _describe_digest(subs, names, ctx.clock.now()), title="This channel's digest"
    )


async def resume_channel(ctx: Context, unit: Unit, workspace_id: int, channel_id: str) -> int:
    """Un-pause a channel's subscriptions and put its held messages back in line."""
    for sub in await unit.subscriptions.for_channel(workspace_id, channel_id):
        if sub.paused:
            await unit.subscriptions.set_paused(sub.id, False, None)
    return await unit.outbox.requeue_failed(workspace_id, channel_id, ctx.clock.now())


async def _channel_subscriptions(
    unit: Unit, workspace_id: int, channel_id: str
) -> list[Subscription]:
    """The channel's subscriptions, or a UserError that says how to make one."""
    subs = await unit.subscriptions.for_channel(workspace_id, channel_id)
    if not subs:
        raise UserError(NO_SUBSCRIPTIONS)
    return subs


def _describe_digest(subs: list[Subscription], topics: dict[int, Topic], now: datetime) -> Text:
    first = subs[0]
    day = WEEKDAY_CHOICES[first.weekday]
    names = ", ".join(sorted(topics[s.topic_id].name for s in subs if s.topic_id in topics))
    paused = [s for s in subs if s.paused]
    last = (
        text(f"paused: {paused[0].paused_reason} (", code("/paper digest resume"), " to resume)")
        if paused
        else text("next digest: " + when(weekly.next_due(first, now), first.timezone))
    )
    return lines(
        f"topics: {names}",
        f"schedule: {day} {first.at:%H:%M} {first.timezone}",
        f"cap: {max(s.cap for s in subs)} papers",
        "when-empty: " + ("quiet" if all(s.quiet_when_empty for s in subs) else "say"),
        last,
    )
