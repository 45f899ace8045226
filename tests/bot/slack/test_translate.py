"""What Slack sends, read as the user meant it."""

from __future__ import annotations

import pytest

from bot.slack.translate import command_text


@pytest.mark.parametrize(
    ("sent", "meant"),
    [
        ("settings review-channel <#C0REVIEW|paper-review>", "settings review-channel C0REVIEW"),
        ("settings review-channel <#C0REVIEW>", "settings review-channel C0REVIEW"),
        ("settings admin-role <!subteam^S0REV|@reviewers>", "settings admin-role S0REV"),
        (
            "nominate <https://arxiv.org/abs/2406.12345>",
            "nominate https://arxiv.org/abs/2406.12345",
        ),
        (
            "nominate <https://arxiv.org/abs/2406.12345|arxiv.org/abs/2406.12345>",
            "nominate https://arxiv.org/abs/2406.12345",
        ),
        ("reject 2406.12345 ask <@U0BO|bo>", "reject 2406.12345 ask U0BO"),
        ('topic-check ti:"a &amp; b" ANDNOT abs:x&lt;y', 'topic-check ti:"a & b" ANDNOT abs:x<y'),
        ("topic-check <!here> &lt;!channel&gt;", "topic-check @here <!channel>"),
    ],
)
def test_command_text_is_unescaped(sent: str, meant: str) -> None:
    assert command_text(sent) == meant
