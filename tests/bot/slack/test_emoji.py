"""Slack's shortcodes and the seam's Unicode emoji, both ways."""

from __future__ import annotations

import pytest

from bot.slack.emoji import to_name, to_unicode


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("star", "⭐"),
        (":star:", "⭐"),
        ("+1", "👍"),
        ("thumbsup", "👍"),
        ("+1::skin-tone-2", "👍🏻"),
        ("heart_eyes", "😍"),
        ("white_check_mark", "✅"),
        ("partyparrot", ":partyparrot:"),
    ],
)
def test_shortcodes_become_unicode(name: str, expected: str) -> None:
    assert to_unicode(name) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("⭐", "star"),
        ("👍", "thumbsup"),
        ("👍🏽", "thumbsup::skin-tone-4"),
        (":partyparrot:", "partyparrot"),
    ],
)
def test_unicode_becomes_a_name_slack_knows(text: str, expected: str) -> None:
    assert to_name(text) == expected
    assert to_unicode(to_name(text)) == text
