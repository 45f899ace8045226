"""Notices for a workspace's admins, queued in the outbox for its review channel."""

from __future__ import annotations

import logging

from bot.ports import OutboundMessage
from bot.rich_text import plain_text
from digest.models import Workspace
from digest.ports import Unit

log = logging.getLogger(__name__)


async def notify_admins(unit: Unit, workspace: Workspace, notice: OutboundMessage) -> str | None:
    """Queue `notice` for the review channel and return that channel; without one, log it."""
    channel = workspace.settings.review_channel
    if channel is None:
        log.warning(
            "no review channel in %s to tell the admins: %s",
            workspace.name,
            plain_text(notice.body),
        )
        return None
    await unit.outbox.enqueue(workspace.id, channel, "notice", [notice.to_payload()])
    return channel
