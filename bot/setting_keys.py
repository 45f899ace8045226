"""The keys of `/paper settings` (and of `paperbot workspace settings`, which leaves `publish` to
`paperbot list publish`): one list for chat and the command line, importing nothing."""

from __future__ import annotations

SETTING_CHOICES = (
    "review-channel",
    "admin-role",
    "emoji",
    "timezone",
    "weekday",
    "time",
    "auto-approve",
    "list-title",
    "list-style",
    "ranking",
    "publish",
)
# The command line sets every key but `publish` (`paperbot list publish` has its own options).
CLI_SETTING_KEYS = tuple(key for key in SETTING_CHOICES if key != "publish")
