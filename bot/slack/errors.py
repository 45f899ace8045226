"""Slack's Web API errors in the seam's terms: retry later, this message refused, channel gone."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

from bot.ports import PostError
from bot.slack.client import retry_after

# The channel (or the bot's access to it, or the whole workspace's token) is gone: the
# channel's queue is held and its admins told.
GONE = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "account_inactive",
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "token_expired",
        "team_access_not_granted",
        "restricted_action",
        "ekm_access_denied",
        "cannot_dm_bot",
        "user_not_found",
        "user_disabled",
        "method_not_supported_for_channel_type",
    }
)
# This message will never be taken, but the channel's other messages can be.
REFUSED = frozenset(
    {
        "msg_too_long",
        "invalid_blocks",
        "invalid_blocks_format",
        "invalid_metadata_format",
        "invalid_metadata_schema",
        "metadata_too_large",
        "metadata_must_be_sent_from_app",
        "no_text",
        "too_many_attachments",
        "invalid_arguments",
        "invalid_attachments",
    }
)


def error_code(error: SlackApiError) -> str:
    """The `error` field of Slack's answer (`ratelimited`, `channel_not_found`, ...)."""
    return str(error.response.get("error", "")) if error.response is not None else ""


def post_error(error: SlackApiError) -> PostError:
    """The seam's PostError for a failed Web API call."""
    code = error_code(error)
    status = error.response.status_code if error.response is not None else 0
    if code == "ratelimited" or status == 429:
        headers = error.response.headers if error.response is not None else None
        return PostError.rate_limited(retry_after(headers), f"Slack: {code or 'ratelimited'}")
    if code in GONE:
        return PostError.gone(f"Slack: {code}")
    if code in REFUSED:
        return PostError.refused(f"Slack: {code}")
    # 5xx answers, `internal_error`, `fatal_error`, `service_unavailable` and anything new.
    return PostError.unavailable(f"Slack: {code or f'HTTP {status}'}")
