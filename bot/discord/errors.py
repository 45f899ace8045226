"""What discord.py's exceptions mean for the outbox: retry later, this message refused, or gone."""

from __future__ import annotations

import discord

from bot.ports import PostError

# Discord's JSON error codes (https://discord.com/developers/docs/topics/opcodes-and-status-codes).
UNKNOWN_CHANNEL = 10003
UNKNOWN_MESSAGE = 10008
MISSING_ACCESS = 50001
MISSING_PERMISSIONS = 50013
CANNOT_DM = 50007
THREAD_EXISTS = 160004


def post_error(error: discord.HTTPException | discord.RateLimited, what: str) -> PostError:
    """The outbox's reading of a failed call about `what` (a channel, a message, a user).

    A 429 discord.py gave up on and a 5xx are passing; a 403 or 404 on the channel means it is
    gone or closed to the bot; a 400 (or a 403/404 about this message only, like a closed
    direct message or a deleted message) refuses this message alone.
    """
    if isinstance(error, discord.RateLimited):
        # Discord asked for a longer wait than discord.py sits out (RATE_LIMIT_WAIT).
        return PostError.rate_limited(error.retry_after, f"{what}: rate limited")
    detail = f"{what}: {error.status} {error.text or type(error).__name__}"
    if error.status == 429:
        return PostError.rate_limited(None, detail)  # Cloudflare's, without Discord's body
    if error.status >= 500:
        return PostError.unavailable(detail)
    if error.code in (CANNOT_DM, UNKNOWN_MESSAGE):
        return PostError.refused(detail)
    if isinstance(error, discord.Forbidden | discord.NotFound):
        return PostError.gone(detail)
    return PostError.refused(detail)
