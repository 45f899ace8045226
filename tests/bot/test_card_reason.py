"""A digest card says why it ranks high, on every platform, with the list's titles as literal
text and within each platform's limits."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.console.render import render as console_render
from bot.discord.render import card_embed
from bot.messages import digest_messages
from bot.ports import OutboundMessage
from bot.rich_text import plain_text
from bot.slack import render as slack_render
from digest.models import Digest, DigestItem, Likeness
from tests.bot.discord.test_render import check_discord
from tests.bot.hostile import HOSTILE, arxiv_urls, check_rendering
from tests.bot.slack.test_render import _check as check_slack
from tests.factories import make_paper

NOW = datetime(2026, 6, 29, 9, 0, tzinfo=UTC)


def _card_message(example: str) -> OutboundMessage:
    item = DigestItem(make_paper(), 1, "serving", 3.0, likeness=Likeness(3, example))
    digest = Digest(1, "c-1", None, NOW, (item,), ("serving",))
    header, card = digest_messages(digest, "⭐", False)
    assert header.title and not header.cards
    return card


def test_the_card_says_why_it_ranks_high() -> None:
    message = _card_message("vLLM")
    (card,) = message.cards
    assert plain_text(card.reason) == "Like 3 papers in your list, e.g. vLLM"
    assert "Like 3 papers in your list, e.g. vLLM" in console_render(message, "#papers")
    embed = card_embed(card)
    assert ("Why", "Like 3 papers in your list, e.g. vLLM") in [
        (f.name, f.value) for f in embed.fields
    ]
    assert "Like 3 papers in your list, e.g. vLLM" in str(slack_render.blocks(message))
    # Through the outbox and back.
    assert OutboundMessage.from_payload(message.to_payload()) == message


def test_a_card_without_a_reason_says_nothing_more() -> None:
    item = DigestItem(make_paper(), 1, "serving", 3.0)
    digest = Digest(1, "c-1", None, NOW, (item,), ("serving",))
    (card,) = digest_messages(digest, "⭐", False)[1].cards
    assert card.reason == ()
    assert "Why" not in [f.name for f in card_embed(card).fields]


@pytest.mark.parametrize("hostile", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_title_in_the_reason_stays_text(hostile: str) -> None:
    message = _card_message(hostile)
    ours = arxiv_urls(["2606.00001"])
    check_discord(message, ours)
    check_slack(slack_render.blocks(message), ours)
    check_rendering(console_render(message, "#papers"), ours)
