"""Posting the outbox: each message once, in order, retried on passing errors, kept on others.

What is guaranteed: a message is written to the outbox before anything is posted, and claimed
(`sending`, under this process's token, committed) before its post, so two processes never post
the same row. Its platform message id is recorded right after the post. A crash between the
post and that record leaves the row `sending`; once its claim is older than the lease, the next
pass takes it again *in doubt*: it asks the platform for a message with the row's nonce posted
since that claim (`find_sent`) and records that one, or posts again with the same nonce, which
Discord deduplicates (`enforce_nonce`). So nothing is dropped, and nothing is posted twice unless
the platform can neither find nor deduplicate a post made just before a crash (at-least-once for
that single message; Slack finds it by message metadata, the console platform always can within
one process).

A post the platform will never take (`PostError.refused`: too long, invalid blocks) fails alone
and is logged; the channel's other messages go on. A lost channel (`PostError.gone`) holds the
channel's queue, pauses its digest and tells the admins.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from bot.logs import log_context
from bot.messages import public
from bot.ports import ChannelRef, ChatPlatform, MessageRef, OutboundMessage, PostError, UserRef
from bot.rich_text import Part, Text, code
from digest.models import OutboxMessage, Platform, Topic, Workspace
from digest.ports import Clock, Store, Unit

log = logging.getLogger(__name__)

BASE_DELAY = 5.0
MAX_DELAY = 3600.0
MAX_ATTEMPTS = 10
# Longer than any one post may take; a `sending` row older than this was left by a crash.
LEASE = timedelta(seconds=90)
# find_sent looks this much before the claim: the platform's clock may run behind ours.
CLOCK_SKEW = timedelta(minutes=2)
# A pass stops after this many claim rounds, so a platform that keeps saying "retry now"
# cannot hold the loop.
MAX_ROUNDS = 1000
NO_PLATFORM_DELAY = 3600.0
# Told each message's outcome (posted, retry, failed, skipped) and its platform: the metrics.
Outcome = Callable[[OutboxMessage, Platform | None, str], None]


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """What one pass over the outbox did."""

    posted: int = 0
    retried: int = 0
    failed: int = 0


def backoff(attempts: int, retry_after: float | None, rng: random.Random) -> float:
    """Seconds to wait: the platform's Retry-After if given, else exponential with jitter."""
    if retry_after is not None:
        return max(retry_after, 1.0)
    delay = min(MAX_DELAY, BASE_DELAY * 2 ** max(attempts - 1, 0))
    return float(delay) * (0.5 + rng.random() / 2)


def nonce_of(message: OutboxMessage) -> str:
    """The post's idempotency nonce (Discord allows 25 characters)."""
    return f"paperbot-{message.id}"


class Delivery:
    """Posts due outbox messages through the platform their workspace lives on."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        platforms: Mapping[Platform, ChatPlatform],
        rng: random.Random | None = None,
        lease: timedelta = LEASE,
        on_outcome: Outcome | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.platforms = platforms
        self.rng = rng or random.Random()
        self.lease = lease
        self.token = uuid.uuid4().hex
        self._lock = asyncio.Lock()
        self.on_outcome = on_outcome
        self.stopping = False
        self._passing: asyncio.Task[DeliveryReport] | None = None

    async def stop(self, grace: float) -> None:
        """Take no new post; wait up to `grace` seconds for the one being made, then cancel it
        (its row is released in doubt, for the next process to look for before posting)."""
        self.stopping = True
        passing = self._passing
        if passing is None or passing.done():
            return
        try:
            async with asyncio.timeout(grace):
                async with self._lock:
                    return
        except TimeoutError:
            log.warning("a post did not finish within %.0f s of stopping: released", grace)
            passing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait([passing])

    async def deliver_due(self) -> DeliveryReport:
        """Post every due message, digests in order; each outcome is committed before the next."""
        if self.stopping:
            return DeliveryReport()
        async with self._lock:
            self._passing = asyncio.current_task()
            try:
                return await self._deliver_rounds()
            finally:
                self._passing = None

    async def _deliver_rounds(self) -> DeliveryReport:
        counts = {"posted": 0, "retry": 0, "failed": 0, "skipped": 0}
        workspaces: dict[int, Workspace] = {}
        for _ in range(MAX_ROUNDS):
            if self.stopping:
                break
            now = self.clock.now()
            async with self.store.unit() as unit:
                claimed = await unit.outbox.claim(now, self.token, now - self.lease)
                for message in claimed:
                    if message.workspace_id not in workspaces:
                        found = await unit.workspaces.get(message.workspace_id)
                        if found is not None:
                            workspaces[found.id] = found
            if not claimed:
                break
            for index, message in enumerate(claimed):
                if self.stopping:
                    # Claimed but never tried: back in line for whichever process runs next.
                    await self._release(claimed[index:])
                    break
                workspace = workspaces.get(message.workspace_id)
                platform = workspace.platform if workspace else None
                where = {"workspace": message.workspace_id, "channel": message.channel_id}
                with log_context(**where, platform=platform.value if platform else None):
                    outcome = await self._deliver(message, workspace)
                counts[outcome] += 1
                if self.on_outcome is not None:
                    self.on_outcome(message, platform, outcome)
        return DeliveryReport(counts["posted"], counts["retry"], counts["failed"])

    async def _release(self, messages: Sequence[OutboxMessage], in_doubt: bool = False) -> None:
        async with self.store.unit() as unit:
            await unit.outbox.release([m.id for m in messages], self.token, in_doubt)

    async def _deliver(self, message: OutboxMessage, workspace: Workspace | None) -> str:
        platform = self.platforms.get(workspace.platform) if workspace else None
        if workspace is None or platform is None:
            # Another process (or a later start) may have this platform: keep the row.
            async with self.store.unit() as unit:
                await unit.outbox.mark_retry(
                    message.id,
                    "no chat platform for this workspace is running",
                    self.clock.now() + timedelta(seconds=NO_PLATFORM_DELAY),
                    in_doubt=message.in_doubt,
                )
            return "skipped"
        try:
            content = OutboundMessage.from_payload(message.payload)
        except (ValueError, TypeError, KeyError) as error:
            # Nothing a platform could do with it: the row fails alone and stays for a look.
            log.error("outbox row %d cannot be read: %s", message.id, error)
            async with self.store.unit() as unit:
                await unit.outbox.mark_failed(message.id, f"unreadable payload: {error}")
            return "failed"
        channel = ChannelRef(
            workspace.platform,
            workspace.external_id,
            message.channel_id,
            workspace_name=workspace.name,
            thread=await self._thread_of(message),
        )
        try:
            ref = await self._post(platform, channel, content, message)
        except asyncio.CancelledError:
            # Stopping mid-post: the platform may have taken it, so the next try looks first.
            await asyncio.shield(self._release([message], in_doubt=True))
            raise
        except PostError as error:
            return await self._refused(message, workspace, error)
        except Exception as error:
            # Not a refusal we understand (a timeout, a dropped connection): the post may have
            # gone through, so the next attempt looks for it before posting again.
            log.exception("post %d to %s failed unexpectedly", message.id, message.channel_id)
            return await self._retry(message, f"{type(error).__name__}: {error}", None, True)
        paper_id = content.cards[0].arxiv_id if len(content.cards) == 1 else None
        async with self.store.unit() as unit:
            await unit.outbox.mark_posted(message.id, ref.id, paper_id, self.clock.now())
        return "posted"

    async def _thread_of(self, message: OutboxMessage) -> str | None:
        """A digest's papers and closing line belong in the thread of its header (its first
        message), once that is posted."""
        if message.digest_id is None or message.seq == 0:
            return None
        async with self.store.unit() as unit:
            rows = await unit.outbox.for_digest(message.digest_id)
        header = rows[0] if rows else None
        return header.platform_message_id if header is not None and header.seq == 0 else None

    async def tell_admins(self, channel: ChannelRef, title: str, body: Text) -> None:
        """Queue a notice about a channel for its workspace's admins (posted in this pass, or
        the next one)."""
        async with self.store.unit() as unit:
            workspace = await unit.workspaces.get_or_create(
                channel.platform, channel.workspace_id, channel.workspace_name
            )
            subscriptions = await unit.subscriptions.for_channel(workspace.id, channel.id)
            topics = await unit.topics.get_many(s.topic_id for s in subscriptions)
            notice = public(body, title=title)
            await _notify_admins(unit, workspace, channel.id, notice, topics.values())

    async def _post(
        self,
        platform: ChatPlatform,
        channel: ChannelRef,
        content: OutboundMessage,
        message: OutboxMessage,
    ) -> MessageRef:
        nonce = nonce_of(message)
        if message.in_doubt:
            since = (message.claimed_at or self.clock.now() - self.lease) - CLOCK_SKEW
            found = await platform.find_sent(channel, nonce, since)
            if found is not None:
                log.info("post %d was made before a crash: %s", message.id, found.id)
                return found
        if message.channel_id.startswith("@"):
            user = UserRef(message.channel_id[1:], workspace_id=channel.workspace_id)
            return await platform.direct_message(user, content, nonce)
        return await platform.send(channel, content, nonce)

    async def _retry(
        self, message: OutboxMessage, error: str, retry_after: float | None, in_doubt: bool
    ) -> str:
        delay = backoff(message.attempts + 1, retry_after, self.rng)
        log.warning(
            "post %d to %s failed (%s); retry in %.0fs",
            message.id,
            message.channel_id,
            error,
            delay,
        )
        async with self.store.unit() as unit:
            await unit.outbox.mark_retry(
                message.id, error, self.clock.now() + timedelta(seconds=delay), in_doubt
            )
        return "retry"

    async def _refused(self, message: OutboxMessage, workspace: Workspace, error: PostError) -> str:
        tries = message.attempts + 1  # this one included
        if error.kind == "retry" and tries < MAX_ATTEMPTS:
            return await self._retry(message, str(error), error.retry_after, False)
        reason = str(error) if error.permanent else f"gave up after {tries} tries: {error}"
        if error.kind == "refused":
            log.error(
                "post %d (%s) to %s was refused, the channel's other messages go on: %s",
                message.id,
                message.kind,
                message.channel_id,
                reason,
            )
        else:
            log.error("post %d to %s failed for good: %s", message.id, message.channel_id, reason)
        async with self.store.unit() as unit:
            await unit.outbox.mark_failed(message.id, reason)
            if error.kind != "refused" and not message.channel_id.startswith("@"):
                await self._channel_lost(unit, workspace, message, reason)
        return "failed"

    async def _channel_lost(
        self, unit: Unit, workspace: Workspace, message: OutboxMessage, reason: str
    ) -> None:
        """The channel cannot be posted to: hold its queue, pause its digest, tell the admins."""
        channel = message.channel_id
        held = await unit.outbox.fail_pending(workspace.id, channel, f"held: {reason}")
        subscriptions = await unit.subscriptions.for_channel(workspace.id, channel)
        for subscription in subscriptions:
            await unit.subscriptions.set_paused(subscription.id, True, reason)
        if message.kind == "notice":
            return  # the admins' own channel is the one that failed; the log has it
        topics = await unit.topics.get_many(s.topic_id for s in subscriptions)
        names = ", ".join(sorted(t.name for t in topics.values()))
        parts: list[Part] = ["I cannot post in channel ", code(channel), f" any more: {reason}."]
        if subscriptions:
            parts += [
                f" Its weekly digest ({names}) is paused and {held + 1} message(s) are kept. "
                "Give me access again, then run ",
                code("/paper digest resume"),
                " in that channel.",
            ]
        title = "Digest paused" if subscriptions else "Message not posted"
        await _notify_admins(unit, workspace, channel, public(*parts, title=title), topics.values())


async def _notify_admins(
    unit: Unit,
    workspace: Workspace,
    channel: str,
    notice: OutboundMessage,
    topics: Iterable[Topic],
) -> None:
    """Queue a notice about `channel` in the review channel, or, without one (or when it is
    that channel), for the admins who wrote the channel's topics."""
    review = workspace.settings.review_channel
    if review and review != channel:
        await unit.outbox.enqueue(workspace.id, review, "notice", [notice.to_payload()])
        return
    admins = sorted({t.created_by for t in topics if t.created_by})
    for admin in admins:
        await unit.outbox.enqueue(workspace.id, "@" + admin, "notice", [notice.to_payload()])
    if not admins:
        log.error("no admin to tell about %s in %s: %s", channel, workspace.name, notice.text)
