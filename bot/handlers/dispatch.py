"""Platform-neutral handlers: an event comes in, one core call runs, a message goes out."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, time
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot import messages
from bot.commands import BY_NAME, COMMANDS, WEEKDAY_CHOICES, CommandError
from bot.ports import ActionEvent, ChannelRef, Invocation, OutboundMessage, ReactionEvent, UserRef
from digest import lists, nominations, topics, weekly
from digest.arxiv import FeedError, split_id
from digest.list_markdown import StyleError, check_style
from digest.list_view import section_paths
from digest.lists import ListError, section_path_of
from digest.models import (
    NominationStatus,
    Paper,
    Subscription,
    Topic,
    Workspace,
    WorkspaceSettings,
)
from digest.nominations import NominationError
from digest.ports import Clock, Store, Unit
from digest.query import QueryError, parse, render
from digest.sections import SectionSuggester, training_examples
from digest.topics import TopicError

log = logging.getLogger(__name__)

Listener = Callable[[], Awaitable[None]]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Defaults:
    """Defaults for new subscriptions and topics, from the settings."""

    timezone: str = "UTC"
    weekday: int = 0
    at: time = time(9, 0)
    cap: int = 15
    backlog_weeks: int = 4


class UserError(Exception):
    """Something the user can fix; the message is shown to them."""


def _rule_error(rule: str, error: QueryError) -> str:
    caret = " " * min(error.position, len(rule)) + "^"
    return f"That rule does not parse: {error}.\n```\n{rule}\n{caret}\n```"


def _paper_id(text: str) -> str:
    try:
        return split_id(text.strip().strip("<>"))[0]
    except FeedError as exc:
        raise UserError(
            f"`{text}` is not an arXiv id; use one like `2406.12345` or an arxiv.org link."
        ) from exc


def _parse_time(text: str) -> time:
    try:
        return time.fromisoformat(text if len(text) > 2 else f"{int(text):02d}:00")
    except ValueError as exc:
        raise UserError(f"`{text}` is not a time; use 24-hour `HH:MM`, like `09:00`.") from exc


def _parse_zone(text: str) -> str:
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UserError(f"`{text}` is not an IANA time zone; try `Europe/Berlin`.") from exc
    return text


def _parse_weekday(text: str) -> int:
    day = text.strip().lower()[:3]
    if day not in WEEKDAY_CHOICES:
        raise UserError(f"`{text}` is not a weekday; use one of {', '.join(WEEKDAY_CHOICES)}.")
    return WEEKDAY_CHOICES.index(day)


def _when(instant: datetime, zone: str) -> str:
    local = instant.astimezone(ZoneInfo(zone))
    return f"{local:%a %d %b %H:%M} {zone}"


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
        self.store = store
        self.clock = clock
        self.defaults = defaults or Defaults()
        self.suggester = suggester or SectionSuggester()
        self._subscriptions_changed = on_subscriptions_changed
        self._outbox_changed = on_outbox_changed

    async def _notify(self, subscriptions: bool = False, outbox: bool = False) -> None:
        if subscriptions and self._subscriptions_changed:
            await self._subscriptions_changed()
        if outbox and self._outbox_changed:
            await self._outbox_changed()

    async def _workspace(self, unit: Unit, channel: ChannelRef) -> Workspace:
        return await unit.workspaces.get_or_create(
            channel.platform, channel.workspace_id, channel.workspace_name or channel.workspace_id
        )

    # -- entry points -------------------------------------------------------------------------

    async def command(self, invocation: Invocation) -> OutboundMessage:
        """Run a `/paper` command and return the reply."""
        spec = BY_NAME.get(invocation.command)
        if spec is None:
            return messages.reply(f"Unknown command `{invocation.command}`. Try `/paper help`.")
        if spec.admin_only and not invocation.user.is_admin:
            return messages.reply(
                f"Only admins can use `/paper {spec.name}`. Ask someone with the admin role."
            )
        method = getattr(self, "_cmd_" + spec.name.replace("-", "_"))
        return await self._guard(method(invocation), f"command {spec.name}", invocation)

    async def reaction(self, event: ReactionEvent) -> OutboundMessage | None:
        """A reaction on a posted paper: the nomination emoji nominates, removing it withdraws."""
        return await self._guard(self._reaction(event), "reaction", event)

    async def action(self, event: ActionEvent) -> OutboundMessage:
        """A button press: nominate, approve or reject."""
        result = await self._guard(self._action(event), f"action {event.action}", event)
        return result or messages.reply("Done.")

    async def _guard(self, work: Awaitable[T], what: str, event: object) -> T | OutboundMessage:
        try:
            return await work
        except QueryError as exc:
            return messages.reply(f"That rule does not parse: {exc}.")
        except (UserError, NominationError, TopicError, CommandError, ListError) as exc:
            return messages.reply(str(exc))
        except Exception:
            log.exception("%s failed for %r", what, event)
            return messages.reply("Something went wrong on my side; it has been logged.")

    # -- commands -----------------------------------------------------------------------------

    async def _cmd_help(self, invocation: Invocation) -> OutboundMessage:
        lines = []
        for spec in COMMANDS:
            marker = " (admins)" if spec.admin_only else ""
            lines.append(f"`{spec.usage}`: {spec.help}{marker}")
        return messages.reply("\n".join(lines), title="paperbot commands")

    async def _cmd_topics(self, invocation: Invocation) -> OutboundMessage:
        async with self.store.unit() as unit:
            workspace = await self._workspace(unit, invocation.channel)
            found = await unit.topics.list(workspace.id)
        if not found:
            return messages.reply("No topics yet. An admin can add one with `/paper topic-add`.")
        lines = [f"**{t.name}**: `{t.rule}`" for t in found]
        return messages.reply("\n".join(lines), title="Topics")

    async def _cmd_topic_add(self, invocation: Invocation) -> OutboundMessage:
        name, rule = invocation.options["name"], invocation.options["rule"]
        today = self.clock.now().date()
        try:
            async with self.store.unit() as unit:
                workspace = await self._workspace(unit, invocation.channel)
                topic, found = await topics.create_topic(
                    unit,
                    workspace.id,
                    name,
                    rule,
                    invocation.user.id,
                    today,
                    self.defaults.backlog_weeks,
                )
        except QueryError as exc:
            return messages.reply(_rule_error(rule, exc))
        return messages.public(
            f"Created topic **{topic.name}**: `{render(parse(topic.rule))}`. "
            f"It matches {found} paper{'s' if found != 1 else ''} of the last "
            f"{self.defaults.backlog_weeks} weeks. Subscribe with `/paper subscribe {topic.name}`."
        )

    async def _cmd_topic_edit(self, invocation: Invocation) -> OutboundMessage:
        name, rule = invocation.options["topic"], invocation.options["rule"]
        today = self.clock.now().date()
        try:
            async with self.store.unit() as unit:
                workspace = await self._workspace(unit, invocation.channel)
                topic, found = await topics.edit_topic(
                    unit, workspace.id, name, rule, today, self.defaults.backlog_weeks
                )
        except QueryError as exc:
            return messages.reply(_rule_error(rule, exc))
        return messages.public(
            f"Topic **{topic.name}** now reads `{render(parse(topic.rule))}` "
            f"and matches {found} recent papers."
        )

    async def _cmd_topic_remove(self, invocation: Invocation) -> OutboundMessage:
        name = invocation.options["topic"]
        async with self.store.unit() as unit:
            workspace = await self._workspace(unit, invocation.channel)
            topic = await unit.topics.get_by_name(workspace.id, name)
            if topic is None:
                raise UserError(f"There is no topic `{name}`. See `/paper topics`.")
            await unit.topics.delete(topic.id)
        await self._notify(subscriptions=True)
        return messages.public(f"Removed topic **{name}** and its subscriptions.")

    async def _cmd_topic_check(self, invocation: Invocation) -> OutboundMessage:
        rule = invocation.options["rule"]
        weeks = self.defaults.backlog_weeks or 4
        try:
            async with self.store.unit() as unit:
                check = await topics.check_rule(unit, rule, self.clock.now().date(), weeks)
        except QueryError as exc:
            return messages.reply(_rule_error(rule, exc))
        text = (
            f"Understood as `{check.normalised}`.\n"
            f"Matches {check.matched} of {check.scanned} papers of the last {weeks} weeks."
        )
        if check.api.query is not None:
            text += f"\narXiv API query: `{check.api.query}`"
        if check.sample:
            text += "\nFor example: " + "; ".join(f"“{title}”" for title in check.sample)
        return messages.reply(text)

    async def _cmd_subscribe(self, invocation: Invocation) -> OutboundMessage:
        options = invocation.options
        name = options["topic"]
        async with self.store.unit() as unit:
            workspace = await self._workspace(unit, invocation.channel)
            topic = await unit.topics.get_by_name(workspace.id, name.lower())
            if topic is None:
                known = ", ".join(t.name for t in await unit.topics.list(workspace.id))
                raise UserError(
                    f"There is no topic `{name}`."
                    + (f" Topics: {known}." if known else " An admin can add one.")
                )
            existing = await unit.subscriptions.find(invocation.channel.id, topic.id)
            resumed = 0
            if existing and existing.paused:
                resumed = await self._resume(unit, workspace.id, invocation.channel.id)
            elif existing:
                raise UserError(f"This channel is already subscribed to **{topic.name}**.")
        if existing:
            await self._notify(subscriptions=True, outbox=bool(resumed))
            return messages.public(f"Resumed this channel's digest of **{topic.name}**.")
        # A paused subscription resumes above; a new one is created in its own transaction.
        async with self.store.unit() as unit:
            settings = workspace.settings
            # A channel's subscriptions share one schedule, so the channel gets one digest.
            siblings = await unit.subscriptions.for_channel(workspace.id, invocation.channel.id)
            base = siblings[0] if siblings else None
            weekday = (
                _parse_weekday(options["weekday"])
                if "weekday" in options
                else (base.weekday if base else settings.digest_weekday)
            )
            at = (
                _parse_time(options["time"])
                if "time" in options
                else (base.at if base else settings.digest_time)
            )
            zone = (
                _parse_zone(options["timezone"])
                if "timezone" in options
                else (base.timezone if base else settings.timezone)
            )
            subscription = await unit.subscriptions.create(
                workspace.id,
                invocation.channel.id,
                topic.id,
                weekday,
                at,
                zone,
                self.defaults.cap,
                None,
            )
            for sibling in siblings:
                if (sibling.weekday, sibling.at, sibling.timezone) != (weekday, at, zone):
                    await unit.subscriptions.set_schedule(sibling.id, weekday, at, zone)
        await self._notify(subscriptions=True)
        due = weekly.next_due(subscription, self.clock.now())
        return messages.public(
            f"Subscribed this channel to **{topic.name}**. "
            f"First digest: {_when(due, subscription.timezone)}."
        )

    async def _cmd_unsubscribe(self, invocation: Invocation) -> OutboundMessage:
        name = invocation.options["topic"]
        async with self.store.unit() as unit:
            workspace = await self._workspace(unit, invocation.channel)
            topic = await unit.topics.get_by_name(workspace.id, name.lower())
            found = topic and await unit.subscriptions.find(invocation.channel.id, topic.id)
            if not found:
                raise UserError(f"This channel is not subscribed to `{name}`.")
            await unit.subscriptions.delete(found.id)
        await self._notify(subscriptions=True)
        return messages.public(f"Unsubscribed this channel from **{name}**.")

    async def _cmd_subscriptions(self, invocation: Invocation) -> OutboundMessage:
        async with self.store.unit() as unit:
            workspace = await self._workspace(unit, invocation.channel)
            subs = await unit.subscriptions.for_channel(workspace.id, invocation.channel.id)
            names = await unit.topics.get_many(s.topic_id for s in subs)
        if not subs:
            return messages.reply("This channel has no subscriptions. Try `/paper subscribe`.")
        now = self.clock.now()
        lines = []
        for sub in subs:
            state = (
                f"paused: {sub.paused_reason}"
                if sub.paused
                else ("next digest " + _when(weekly.next_due(sub, now), sub.timezone))
            )
            lines.append(f"**{names[sub.topic_id].name}** ({state})")
        return messages.reply("\n".join(lines), title="Subscriptions")

    async def _cmd_preview(self, invocation: Invocation) -> OutboundMessage:
        async with self.store.unit() as unit:
            workspace = await self._workspace(unit, invocation.channel)
            subs = await unit.subscriptions.for_channel(workspace.id, invocation.channel.id)
            if not subs:
                raise UserError("This channel has no subscriptions. Try `/paper subscribe`.")
            digest = await weekly.build_digest(
                unit, workspace.id, invocation.channel.id, subs, self.clock.now()
            )
        if not digest.items:
            return messages.reply("Nothing new so far for the next digest.")
        lines = [
            f"{i}. [{item.paper.title}]({item.paper.abs_url}) ({item.topic_name})"
            for i, item in enumerate(digest.items, 1)
        ]
        if digest.more_matched:
            lines.append(f"…and {digest.more_matched} more over the limit of {digest.cap}.")
        due = min(weekly.next_due(s, self.clock.now()) for s in subs)
        title = f"Next digest so far ({_when(due, subs[0].timezone)})"
        return messages.reply("\n".join(lines), title=title)

    async def _cmd_more(self, invocation: Invocation) -> OutboundMessage:
        page_text = invocation.options.get("page", "1").strip()
        if not page_text.isdigit() or int(page_text) < 1:
            raise UserError(f"`{page_text}` is not a page number; try `/paper more 2`.")
        async with self.store.unit() as unit:
            workspace = await self._workspace(unit, invocation.channel)
            digest = await unit.digests.latest(workspace.id, invocation.channel.id)
            if digest is None:
                raise UserError("This channel has had no digest yet.")
            return await self._more(unit, digest.id or 0, int(page_text))

    async def _more(self, unit: Unit, digest_id: int, page: int) -> OutboundMessage:
        items = await unit.digests.overflow(digest_id)
        if not items:
            return messages.reply("The last digest showed everything that matched.")
        start = (page - 1) * MORE_PER_PAGE
        papers = await unit.papers.get_many(
            i.paper_id for i in items[start : start + MORE_PER_PAGE]
        )
        return messages.more_message(items, papers, page, MORE_PER_PAGE)

    async def _cmd_digest(self, invocation: Invocation) -> OutboundMessage:
        key = invocation.options.get("key")
        value = invocation.options.get("value", "").strip()
        channel = invocation.channel.id
        async with self.store.unit() as unit:
            workspace = await self._workspace(unit, invocation.channel)
            subs = await unit.subscriptions.for_channel(workspace.id, channel)
            if not subs:
                raise UserError("This channel has no subscriptions. Try `/paper subscribe`.")
            ids = [s.id for s in subs]
            resumed = 0
            if key == "resume":
                resumed = await self._resume(unit, workspace.id, channel)
            elif key and not value:
                raise UserError(f"Give a value: `/paper digest {key} <value>`.")
            elif key == "cap":
                await unit.subscriptions.set_options(ids, cap=_parse_cap(value))
            elif key == "when-empty":
                await unit.subscriptions.set_options(ids, quiet_when_empty=_parse_quiet(value))
            elif key in ("weekday", "time", "timezone"):
                first = subs[0]
                weekday = _parse_weekday(value) if key == "weekday" else first.weekday
                at = _parse_time(value) if key == "time" else first.at
                zone = _parse_zone(value) if key == "timezone" else first.timezone
                for sub in subs:
                    await unit.subscriptions.set_schedule(sub.id, weekday, at, zone)
            elif key:
                raise UserError(f"Unknown digest setting `{key}`. Try `/paper help`.")
            subs = await unit.subscriptions.for_channel(workspace.id, channel)
            names = await unit.topics.get_many(s.topic_id for s in subs)
        if key:
            await self._notify(subscriptions=True, outbox=bool(resumed))
        return messages.reply(
            _describe_digest(subs, names, self.clock.now()), title="This channel's digest"
        )

    async def _resume(self, unit: Unit, workspace_id: int, channel_id: str) -> int:
        """Un-pause a channel's subscriptions and put its held messages back in line."""
        for sub in await unit.subscriptions.for_channel(workspace_id, channel_id):
            if sub.paused:
                await unit.subscriptions.set_paused(sub.id, False, None)
        return await unit.outbox.requeue_failed(workspace_id, channel_id, self.clock.now())

    async def _cmd_nominate(self, invocation: Invocation) -> OutboundMessage:
        paper_id = _paper_id(invocation.options["paper"])
        return await self._nominate(invocation.channel, invocation.user, paper_id, "command")

    async def _cmd_withdraw(self, invocation: Invocation) -> OutboundMessage:
        paper_id = _paper_id(invocation.options["paper"])
        async with self.store.unit() as unit:
            workspace = await self._workspace(unit, invocation.channel)
            removed = await nominations.withdraw(unit, workspace, paper_id, invocation.user.id)
        if not removed:
            return messages.reply(f"You have no vote on a pending nomination of `{paper_id}`.")
        return messages.reply(f"Withdrew your vote for `{paper_id}`.")

    async def _cmd_nominations(self, invocation: Invocation) -> OutboundMessage:
        async with self.store.unit() as unit:
            workspace = await self._workspace(unit, invocation.channel)
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

    async def _cmd_approve(self, invocation: Invocation) -> OutboundMessage:
        paper_id = _paper_id(invocation.options["paper"])
        section = invocation.options.get("section", "").strip().strip('"') or None
        return await self._decide(invocation.channel, invocation.user, paper_id, True, section)

    async def _cmd_reject(self, invocation: Invocation) -> OutboundMessage:
        paper_id = _paper_id(invocation.options["paper"])
        reason = invocation.options.get("reason") or None
        return await self._decide(invocation.channel, invocation.user, paper_id, False, reason)

    async def _cmd_list(self, invocation: Invocation) -> OutboundMessage:
        async with self.store.unit() as unit:
            workspace = await self._workspace(unit, invocation.channel)
            sections = await unit.lists.sections(workspace.id)
            entries = await unit.lists.entries(workspace.id)
            paths = {s.id: await section_path_of(unit, workspace.id, s.id) for s in sections}
        if not entries:
            return messages.reply("The list is empty. Nominate papers with `/paper nominate`.")
        lines = []
        for section in sections:
            inside = [e for e in entries if e.section_id == section.id]
            if inside:
                lines.append(f"**{paths[section.id]}** ({len(inside)})")
                lines += [
                    f"• #{e.id} {e.title}" + (f" ({e.venue})" if e.venue else "")
                    for e in inside[-5:]
                ]
        return messages.reply("\n".join(lines), title=workspace.settings.list_title)

    async def _cmd_list_move(self, invocation: Invocation) -> OutboundMessage:
        async with self.store.unit() as unit:
            workspace = await self._workspace(unit, invocation.channel)
            entry, path = await lists.move_entry(
                unit, workspace.id, invocation.options["entry"], invocation.options["section"]
            )
        return messages.public(f"Moved {lists.describe_entry(entry)} to {path}.")

    async def _cmd_list_remove(self, invocation: Invocation) -> OutboundMessage:
        async with self.store.unit() as unit:
            workspace = await self._workspace(unit, invocation.channel)
            entry, path = await lists.remove_entry(
                unit,
                workspace.id,
                invocation.options["entry"],
                invocation.user.id,
                self.clock.now(),
            )
        return messages.public(
            f"Removed {lists.describe_entry(entry)} from {path}. It stays in the list's history."
        )

    async def _cmd_section_rename(self, invocation: Invocation) -> OutboundMessage:
        old = invocation.options["section"]
        async with self.store.unit() as unit:
            workspace = await self._workspace(unit, invocation.channel)
            section = await lists.rename_section(
                unit, workspace.id, old, invocation.options["title"]
            )
            path = await section_path_of(unit, workspace.id, section.id)
        return messages.public(f"Renamed section “{old}” to “{path}”.")

    async def _cmd_section_move(self, invocation: Invocation) -> OutboundMessage:
        async with self.store.unit() as unit:
            workspace = await self._workspace(unit, invocation.channel)
            section, position, count = await lists.reorder_section(
                unit, workspace.id, invocation.options["section"], invocation.options["where"]
            )
            path = await section_path_of(unit, workspace.id, section.id)
        return messages.public(f"“{path}” is now section {position} of {count} at its level.")

    async def _cmd_settings(self, invocation: Invocation) -> OutboundMessage:
        key = invocation.options.get("key")
        value = invocation.options.get("value", "").strip()
        async with self.store.unit() as unit:
            workspace = await self._workspace(unit, invocation.channel)
            settings = workspace.settings
            if key:
                if not value:
                    raise UserError(f"Give a value: `/paper settings {key} <value>`.")
                settings = _change_setting(settings, key, value)
                await unit.workspaces.update_settings(workspace.id, settings)
        if key:
            await self._notify(subscriptions=True)
        return messages.reply(_describe_settings(settings), title="Settings")

    # -- nominations --------------------------------------------------------------------------

    async def _suggest(self, workspace_id: int, paper: Paper) -> list[tuple[int, str]]:
        """The most likely sections for a paper as (section id, path); none if anything fails."""
        try:
            async with self.store.unit() as unit:
                examples = await training_examples(unit, workspace_id)
                sections = await unit.lists.sections(workspace_id)
            paths = await self.suggester.suggest(
                workspace_id, examples, paper.title, paper.abstract
            )
        except Exception:
            # A suggestion is a convenience: a nomination must not fail for want of one.
            log.exception("section suggestion failed for %s", paper.arxiv_id)
            return []
        ids = {lists.SECTION_SEPARATOR.join(p): i for i, p in section_paths(sections).items()}
        return [(ids[path], path) for path in paths if path in ids]

    async def _nominate(
        self, channel: ChannelRef, user: UserRef, paper_id: str, source: str
    ) -> OutboundMessage:
        now = self.clock.now()
        async with self.store.unit() as unit:
            workspace = await self._workspace(unit, channel)
            paper = await unit.papers.get(paper_id)
        suggestions = await self._suggest(workspace.id, paper) if paper is not None else []
        top = suggestions[0][1] if suggestions else None
        async with self.store.unit() as unit:
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
                notices = [messages.public(outcome, title="Your nomination").to_payload()]
                for voter in result.nomination.voters:
                    await unit.outbox.enqueue(workspace.id, "@" + voter, "dm", notices)
        await self._notify(outbox=result.created or result.entry is not None)
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
        self, channel: ChannelRef, user: UserRef, paper_id: str, approve: bool, text: str | None
    ) -> OutboundMessage:
        if not user.is_admin:
            return messages.reply("Only admins can approve or reject nominations.")
        now = self.clock.now()
        async with self.store.unit() as unit:
            workspace = await self._workspace(unit, channel)
            paper = await unit.papers.get(paper_id)
            pending = await unit.nominations.get_for_paper(workspace.id, paper_id)
        if approve and text is None and paper is not None and pending is not None:
            # No section named: file it where the list's own entries say it most likely goes.
            suggested = await self._suggest(workspace.id, paper)
            text = suggested[0][1] if suggested else None
        async with self.store.unit() as unit:
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
            notices = [messages.public(outcome, title="Your nomination").to_payload()]
            for voter in decided.voters:
                await unit.outbox.enqueue(workspace.id, "@" + voter, "dm", notices)
        await self._notify(outbox=bool(decided.voters))
        return messages.public(outcome)

    async def _reaction(self, event: ReactionEvent) -> OutboundMessage | None:
        async with self.store.unit() as unit:
            workspace = await self._workspace(unit, event.message.channel)
            if event.emoji != workspace.settings.nomination_emoji:
                return None
            paper_id = await unit.outbox.paper_for_message(
                event.message.channel.id, event.message.id
            )
        if paper_id is None:
            return None
        if event.added:
            return await self._nominate(event.message.channel, event.user, paper_id, "reaction")
        async with self.store.unit() as unit:
            await nominations.withdraw(unit, workspace, paper_id, event.user.id)
        return None

    async def _action(self, event: ActionEvent) -> OutboundMessage:
        if event.action == messages.NOMINATE:
            return await self._nominate(event.message.channel, event.user, event.value, "button")
        if event.action == messages.MORE:
            return await self._more_button(event)
        if event.action == messages.APPROVE:
            paper_id, section_id = messages.parse_approve_value(event.value)
            section = None
            if section_id is not None:
                async with self.store.unit() as unit:
                    workspace = await self._workspace(unit, event.message.channel)
                    section = await section_path_of(unit, workspace.id, section_id) or None
            return await self._decide(event.message.channel, event.user, paper_id, True, section)
        if event.action == messages.REJECT:
            return await self._decide(event.message.channel, event.user, event.value, False, None)
        return messages.reply("That button is no longer in use.")

    async def _more_button(self, event: ActionEvent) -> OutboundMessage:
        async with self.store.unit() as unit:
            workspace = await self._workspace(unit, event.message.channel)
            digest = await unit.digests.get(int(event.value)) if event.value.isdigit() else None
            if digest is None or digest.workspace_id != workspace.id:
                return messages.reply("That digest is no longer stored.")
            return await self._more(unit, digest.id or 0, 1)

    # -- autocomplete -------------------------------------------------------------------------

    async def autocomplete(self, channel: ChannelRef, kind: str, prefix: str) -> list[str]:
        """Up to 25 suggestions for an option being typed."""
        prefix = prefix.strip().lower()
        if kind == "timezone":
            zones = sorted(z for z in available_timezones() if prefix in z.lower())
            return zones[:25]
        async with self.store.unit() as unit:
            workspace = await self._workspace(unit, channel)
            if kind == "topic":
                names = [t.name for t in await unit.topics.list(workspace.id)]
            elif kind == "nomination":
                pending = await unit.nominations.list(workspace.id, NominationStatus.PENDING)
                names = [n.paper_id for n in pending]
            elif kind == "section":
                paths = section_paths(await unit.lists.sections(workspace.id))
                names = [lists.SECTION_SEPARATOR.join(path) for path in paths.values()]
            elif kind == "entry":
                names = [f"#{e.id} {e.title}"[:100] for e in await unit.lists.entries(workspace.id)]
            else:
                names = []
        return [name for name in names if prefix in name.lower()][:25]


def _change_setting(settings: WorkspaceSettings, key: str, value: str) -> WorkspaceSettings:
    if key == "review-channel":
        return replace(settings, review_channel=value.lstrip("#<>").rstrip(">"))
    if key == "admin-role":
        return replace(settings, admin_role=value)
    if key == "emoji":
        return replace(settings, nomination_emoji=value)
    if key == "timezone":
        return replace(settings, timezone=_parse_zone(value))
    if key == "weekday":
        return replace(settings, digest_weekday=_parse_weekday(value))
    if key == "time":
        return replace(settings, digest_time=_parse_time(value))
    if key == "auto-approve":
        if value.lower() in ("off", "0", "none"):
            return replace(settings, auto_approve_votes=None)
        if not value.isdigit():
            raise UserError("auto-approve takes a number of votes, or `off`.")
        return replace(settings, auto_approve_votes=int(value))
    if key == "list-title":
        return replace(settings, list_title=value)
    if key == "list-style":
        try:
            return replace(settings, list_style=check_style(value.strip().lower()))
        except StyleError as exc:
            raise UserError(str(exc)) from exc
    raise UserError(f"Unknown setting `{key}`.")


def _describe_settings(settings: WorkspaceSettings) -> str:
    day = WEEKDAY_CHOICES[settings.digest_weekday]
    return "\n".join(
        [
            f"review-channel: {settings.review_channel or '(the channel of the nomination)'}",
            f"admin-role: {settings.admin_role or '(server administrators)'}",
            f"emoji: {settings.nomination_emoji}",
            f"default schedule: {day} {settings.digest_time:%H:%M} {settings.timezone}",
            f"auto-approve: {settings.auto_approve_votes or 'off'}",
            f"list: {settings.list_title} ({settings.list_style} style)",
        ]
    )


MORE_PER_PAGE = 20
MAX_CAP = 100


def _parse_cap(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= MAX_CAP:
        raise UserError(f"`{text}` is not a cap; give a number of papers from 1 to {MAX_CAP}.")
    return int(text)


def _parse_quiet(text: str) -> bool:
    word = text.strip().lower()
    if word in ("quiet", "silent", "skip", "nothing", "off"):
        return True
    if word in ("say", "post", "tell", "on"):
        return False
    raise UserError(
        "when-empty takes `say` (post a short “nothing new” line) or `quiet` (post nothing)."
    )


def _describe_digest(subs: list[Subscription], topics: dict[int, Topic], now: datetime) -> str:
    first = subs[0]
    day = WEEKDAY_CHOICES[first.weekday]
    names = ", ".join(sorted(topics[s.topic_id].name for s in subs if s.topic_id in topics))
    lines = [
        f"topics: {names}",
        f"schedule: {day} {first.at:%H:%M} {first.timezone}",
        f"cap: {max(s.cap for s in subs)} papers",
        "when-empty: " + ("quiet" if all(s.quiet_when_empty for s in subs) else "say"),
    ]
    paused = [s for s in subs if s.paused]
    if paused:
        lines.append(f"paused: {paused[0].paused_reason} (`/paper digest resume` to resume)")
    else:
        lines.append("next digest: " + _when(weekly.next_due(first, now), first.timezone))
    return "\n".join(lines)
