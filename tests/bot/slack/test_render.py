"""Hostile text through the Slack renderer: every reply and digest message of the seam's table
(tests/bot/hostile.py) rendered as Block Kit, with no link but ours, no mention or special, no
formatting but ours, no control byte, and Slack's limits kept."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from bot.ports import OutboundMessage
from bot.rich_text import Bold, Code, Link, Plain, Pre, text
from bot.slack import render
from digest.clock import FixedClock
from storage.store import SqlStore
from tests.bot.conversation import conversation
from tests.bot.hostile import HOSTILE, arxiv_urls, check_rendering, expected_spans
from tests.bot.test_hostile_text import IDS, _everything

_OUR_LINK = re.compile(r"<([^<>|]*)\|([^<>]*)>")
_CODE = re.compile(r"```\n.*?\n```|`[^`\n]*`", re.DOTALL)


def _texts(value: Any) -> Iterator[tuple[str, str]]:
    """Every (type, text) of a Block Kit value: mrkdwn and plain_text objects."""
    if isinstance(value, dict):
        if value.get("type") in ("mrkdwn", "plain_text") and "text" in value:
            yield value["type"], value["text"]
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)


def _check(blocks: list[dict[str, Any]], ours: set[str]) -> None:
    assert len(blocks) <= render.MAX_BLOCKS
    for kind, shown in _texts(blocks):
        if kind == "plain_text":
            check_rendering(shown, ours)
            continue
        assert len(shown) <= render.MAX_SECTION
        for url, _ in _OUR_LINK.findall(shown):
            assert url in ours, url
        bare = _OUR_LINK.sub(r"\2", shown)
        # No `<` or `>` but our links': no <!channel>, <@U123>, <#C1>, <https://evil|x>.
        assert "<" not in bare
        assert ">" not in bare
        check_rendering(bare, ours)
        # Formatting characters only as our own delimiters: nothing of the table survives
        # outside our code (shown as typed there); `||spoiler||` is Discord's, not Slack's.
        outside = _CODE.sub("", bare)
        assert "`" not in outside
        for attack in ("*b*", "_i_", "~s~", "`b`", "```d```"):
            assert attack not in outside


def _spans(message: OutboundMessage) -> None:
    """Every backtick in a body or footer opens or closes one of our code pieces."""
    for pieces, limit in ((message.body, render.MAX_SECTION), (message.footer, render.MAX_CONTEXT)):
        shown = render.mrkdwn(pieces, limit)
        expected = expected_spans(render.fitted(pieces, limit))
        fences = sum(6 if isinstance(p, Pre) else 2 for p in expected if p.text)
        assert shown.count("`") == fences


@pytest.mark.parametrize("hostile", HOSTILE.values(), ids=HOSTILE.keys())
async def test_hostile_text_never_becomes_markup_on_slack(
    sqlite_store: SqlStore, clock: FixedClock, hostile: str
) -> None:
    messages = await _everything(conversation(sqlite_store, clock), hostile)
    ours = arxiv_urls(IDS)
    for message in messages:
        _check(render.blocks(message), ours)
        _spans(message)
        fallback = render.fallback(message)
        assert "<" not in fallback
        check_rendering(fallback, ours)


def test_pieces_become_mrkdwn() -> None:
    body = text(
        "a & b < c > d ",
        Bold("bold"),
        " ",
        Code("ti:x `y`"),
        " ",
        Link("the paper", "https://arxiv.org/abs/2606.00001"),
        Pre("rule\n   ^"),
    )
    assert render.mrkdwn(body) == (
        "a &amp; b &lt; c &gt; d *bold* `ti:x ˋyˋ` "
        "<https://arxiv.org/abs/2606.00001|the paper>```\nrule\n   ^\n```"
    )
    assert render.mrkdwn(text(Plain("snake_case stays, _edges_ do not, *nor* ~this~"))) == (
        "snake_case stays, ＿edges＿ do not, ∗nor∗ ∼this∼"
    )


def test_long_text_is_cut_to_slacks_limits_at_a_word() -> None:
    long = OutboundMessage(title="t" * 200, body=text("word " * 2000))
    [section] = render.blocks(long)
    shown = section["text"]["text"]
    assert len(shown) <= render.MAX_SECTION
    assert shown.endswith("word…")


def test_more_than_fifty_blocks_is_refused() -> None:
    from bot.ports import PaperCard

    card = PaperCard("2606.00001", "T", (), "https://arxiv.org/abs/2606.00001")
    with pytest.raises(ValueError, match="50"):
        render.blocks(OutboundMessage(cards=(card,) * 30))
