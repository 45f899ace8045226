"""Posting the outbox: each message once, retried on passing errors, kept on permanent ones."""

from __future__ import annotations

import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from bot.messages import public
from bot.ports import ChannelRef, ChatPlatform, OutboundMessage, PostError, UserRef
from digest.models import OutboxMessage, Platform, Workspace
from digest.ports import Clock, Store

log = logging.getLogger(__name__)

BASE_DELAY = 5.0
MAX_DELAY = 3600.0
MAX_ATTEMPTS = 10


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """What one pass over the outbox did."""

    posted: int = 0
    retried: int = 0
    failed: int = 0


def backoff(attempts: int, retry_after: float | None, rng: random.Random) -> float:
    """Seconds to wait: the platform's Retry-After if given, else exponential with jitter."""
    if retry_after is not None:
        return retry_after
    return float(min(MAX_DELAY, BASE_DELAY * 2**attempts)) * (0.5 + rng.random() / 2)


class Delivery:
    """Posts due outbox messages through the platform their workspace lives on."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        platforms: Mapping[Platform, ChatPlatform],
        rng: random.Random | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.platforms = platforms
        self.rng = rng or random.Random()

    async def deliver_due(self) -> DeliveryReport:
        """Post every due message, in order; each outcome is committed before the next post."""
        posted = retried = failed = 0
        async with self.store.unit() as unit:
            due = await unit.outbox.due(self.clock.now())
            workspaces = {w.id: w for w in await unit.workspaces.all()}
        for message in due:
            outcome = await self._deliver(message, workspaces[message.workspace_id])
            posted += outcome == "posted"
            retried += outcome == "retry"
            failed += outcome == "failed"
        return DeliveryReport(posted, retried, failed)

    async def _deliver(self, message: OutboxMessage, workspace: Workspace) -> str:
        platform = self.platforms.get(workspace.platform)
        if platform is None:
            return "skipped"
        content = OutboundMessage.from_payload(message.payload)
        try:
            if message.channel_id.startswith("@"):
                ref = await platform.direct_message(UserRef(message.channel_id[1:]), content)
            else:
                channel = ChannelRef(
                    workspace.platform,
                    workspace.external_id,
                    message.channel_id,
                    workspace_name=workspace.name,
                )
                ref = await platform.send(channel, content)
        except PostError as error:
            return await self._failed(message, workspace, error)
        paper_id = content.cards[0].arxiv_id if len(content.cards) == 1 else None
        async with self.store.unit() as unit:
            await unit.outbox.mark_posted(message.id, ref.id, paper_id, self.clock.now())
        return "posted"

    async def _failed(self, message: OutboxMessage, workspace: Workspace, error: PostError) -> str:
        now = self.clock.now()
        if not error.permanent and message.attempts + 1 < MAX_ATTEMPTS:
            delay = backoff(message.attempts, error.retry_after, self.rng)
            log.warning(
                "post %d to %s failed (%s); retry in %.0fs",
                message.id,
                message.channel_id,
                error,
                delay,
            )
            async with self.store.unit() as unit:
                await unit.outbox.mark_retry(message.id, str(error), now + timedelta(seconds=delay))
            return "retry"
        log.error("post %d to %s failed for good: %s", message.id, message.channel_id, error)
        async with self.store.unit() as unit:
            await unit.outbox.mark_failed(message.id, str(error))
            if message.kind == "digest":
                for sub in await unit.subscriptions.for_channel(workspace.id, message.channel_id):
                    await unit.subscriptions.set_paused(sub.id, True, str(error))
                target = workspace.settings.review_channel
                if target and target != message.channel_id:
                    notice = public(
                        f"I could not post the digest in <#{message.channel_id}>: {error}. "
                        "Its subscriptions are paused; fix access and subscribe again.",
                        title="Digest paused",
                    )
                    await unit.outbox.enqueue(workspace.id, target, "notice", [notice.to_payload()])
        return "failed"
