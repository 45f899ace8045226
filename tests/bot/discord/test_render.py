"""Discord rendering: every limit held at the limit, and no literal text ever becomes markup."""

from __future__ import annotations

import re
from typing import Any

import discord
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.discord import render as discord_render
from bot.discord.render import literal, markdown, render, with_outcome
from bot.ports import Button, OutboundMessage, PaperCard, Select, SelectOption
from bot.rich_text import BREAK, Bold, Code, Link, Pre, text
from bot.safe_text import defang_urls, strip_controls
from digest.clock import FixedClock
from storage.store import SqlStore
from tests.bot.conversation import conversation
from tests.bot.discord.discord_limits import message_problems
from tests.bot.hostile import HOSTILE, arxiv_urls, check_rendering, code_spans
from tests.bot.test_hostile_text import IDS
from tests.bot.test_hostile_text import _everything as everything

# Beyond the shared table (tests/bot/hostile.py): what only Discord reads.
DISCORD_HOSTILE = {
    "channel mention": "<#1500000000000000011> <:blob:1234567890> <t:1700000000:R>",
    "line starts": "# heading\n> quote\n- item\n1. first\n-# subtext",
    "backslash": "back\\slash\\",
}
# Characters with a meaning in Discord's Markdown; in literal text each must be escaped, and
# these too where they start a line.
SPECIAL = set("\\*_~|`[]()<@")
LINE_START = re.compile(r"^\s*([>#\-+]|\d+\.)", re.MULTILINE)


def _payload(rendered: discord_render.Rendered, nonce: str | None = None) -> dict[str, Any]:
    """The JSON discord.py would send for the message."""
    payload: dict[str, Any] = {"embeds": [embed.to_dict() for embed in rendered.embeds]}
    if rendered.view is not None:
        payload["components"] = rendered.view.to_components()
    if nonce is not None:
        payload["nonce"] = nonce
    return payload


def _unescaped(markup: str) -> list[str]:
    """Special characters of `markup` that are not escaped by a backslash."""
    found, escaped = [], False
    for char in markup:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in SPECIAL:
            found.append(char)
    return found


def _unescape(markup: str) -> str:
    return re.sub(r"\\(.)", r"\1", markup, flags=re.DOTALL)


def _card(**fields: Any) -> PaperCard:
    values: dict[str, Any] = {
        "arxiv_id": "2606.00001",
        "title": "Paged Attention for LLM Serving",
        "authors": ("Ada Lovelace", "Ion Stoica"),
        "url": "https://arxiv.org/abs/2606.00001",
        "categories": ("cs.DC", "cs.LG"),
        "venue": "OSDI'26",
        "code_url": "https://github.com/example/paged",
        "topic": "serving",
        "terms": ("serving",),
    }
    return PaperCard(**{**values, **fields})


@given(st.text())
def test_literal_text_is_shown_exactly_and_never_markup(value: str) -> None:
    shown = literal(value)
    assert _unescaped(shown) == []
    assert LINE_START.search(shown) is None
    assert _unescape(shown) == defang_urls(strip_controls(value, keep_newlines=True))


def _markdown(embed: dict[str, Any]) -> list[str]:
    """The texts of an embed Discord reads as Markdown (title, description, fields)."""
    fields = embed.get("fields", [])
    return [
        embed.get("title", ""),
        embed.get("description", ""),
        *(f["name"] for f in fields),
        *(f["value"] for f in fields),
    ]


def _plain(embed: dict[str, Any]) -> list[str]:
    """The texts Discord shows as they are (author line, footer): no Markdown, no mentions."""
    return [embed.get("footer", {}).get("text", ""), embed.get("author", {}).get("name", "")]


def check_discord(message: OutboundMessage, ours: set[str]) -> None:
    """A message as Discord gets it: within its limits, every URL and link target ours, no
    control byte, no code span broken, and no mention or markup outside the bot's own."""
    payload = _payload(render(message).fingerprinted("paperbot-1"))
    assert message_problems(payload) == []
    for embed in payload["embeds"]:
        assert embed.get("url", "").split("#")[0] in {*ours, "https://arxiv.org/"}
        for shown in _plain(embed):
            check_rendering(shown, ours)
        for shown in _markdown(embed):
            check_rendering(shown, ours)
            code_spans(shown)  # every span closes
            outside = _strip_code(shown)
            for target in re.findall(r"(?<!\\)\]\(([^)]*)\)", outside):
                assert target in ours
            assert not re.search(r"(?<!\\)(@everyone|@here|<[@#!:&t])", outside)


@pytest.mark.parametrize("hostile", [*HOSTILE.values(), *DISCORD_HOSTILE.values()])
def test_hostile_text_in_every_field_of_a_message(hostile: str) -> None:
    card = _card(title=hostile, authors=(hostile,), venue=hostile, topic=hostile, note=hostile)
    message = OutboundMessage(
        title=hostile,
        body=text(hostile, " ", Bold(hostile), " ", Code(hostile), BREAK, Pre(hostile)),
        footer=text(hostile),
        cards=(card,),
    )
    check_discord(message, {card.url, "https://github.com/example/paged"})


@pytest.mark.parametrize("hostile", HOSTILE.values(), ids=HOSTILE.keys())
async def test_hostile_text_through_every_reply_and_digest_message(
    sqlite_store: SqlStore, clock: FixedClock, hostile: str
) -> None:
    """The console conversation of tests/bot/test_hostile_text.py, rendered for Discord."""
    messages = await everything(conversation(sqlite_store, clock), hostile)
    assert len(messages) >= 15
    for message in messages:
        check_discord(message, arxiv_urls(IDS))


def _strip_code(markup: str) -> str:
    return re.sub(r"```.*?```|`[^`]*`", "", markup, flags=re.DOTALL)


def test_code_and_blocks_keep_their_fences() -> None:
    assert markdown((Code("a`b``c"),), 100) == "`aˋbˋˋc`"
    assert markdown((Pre("x\n```\ny"),), 100) == "```\nx\nˋˋˋ\ny\n```"
    assert markdown((Link("a [label]", "https://arxiv.org/abs/x(1)"),), 200) == (
        "[a \\[label\\]](https://arxiv.org/abs/x%281%29)"
    )


def test_a_paper_card_at_every_limit_fits_discord() -> None:
    huge = "word " * 3000
    card = _card(
        title=huge,
        authors=tuple(f"Author {n} {huge[:50]}" for n in range(400)),
        venue=huge,
        topic=huge,
        terms=tuple(huge.split()[:400]),
        note=huge,
        categories=tuple(f"cs.{n:02d}" for n in range(400)),
    )
    message = OutboundMessage(
        title=huge,
        body=text(huge, Bold(huge), Code(huge)),
        footer=text(huge),
        cards=(card,) * 12,
        components=tuple(Button("nominate", f"{n:04d}.{'9' * 80}", huge) for n in range(30)),
    )
    rendered = render(message)
    payload = _payload(rendered, nonce="paperbot-9999999999999999")
    assert message_problems(payload) == []
    embeds = payload["embeds"]
    assert len(embeds) <= 10
    assert sum(len(e) for e in rendered.embeds) <= 6000
    heading = embeds[0]
    assert len(heading["author"]["name"]) <= 256
    assert heading["author"]["name"].endswith("…")
    assert heading["footer"]["text"].endswith("…")
    first_card = embeds[1]
    assert len(first_card["title"]) <= 256
    assert first_card["title"].endswith("…")
    assert all(len(f["value"]) <= 1024 for f in first_card["fields"])
    rows = payload["components"]
    assert len(rows) <= 5
    assert all(len(row["components"]) <= 5 for row in rows)
    assert all(len(b["label"]) <= 80 for row in rows for b in row["components"])


def test_one_card_alone_is_a_single_embed_with_its_button() -> None:
    message = OutboundMessage(
        cards=(_card(),), components=(Button("nominate", "2606.00001", "Nominate", "primary"),)
    )
    payload = _payload(render(message).fingerprinted("paperbot-17"))
    (embed,) = payload["embeds"]
    assert embed["title"] == "Paged Attention for LLM Serving"
    assert embed["url"] == "https://arxiv.org/abs/2606.00001#paperbot-17"
    assert embed["description"] == "Ada Lovelace, Ion Stoica"
    assert [(f["name"], f["value"]) for f in embed["fields"]] == [
        ("Categories", "`cs.DC, cs.LG`"),
        ("Venue", "OSDI'26"),
        ("Code", "[repository](https://github.com/example/paged)"),
        ("Topic", "serving"),
        ("Matched", "serving"),
    ]
    ((button,),) = [row["components"] for row in payload["components"]]
    assert button == {
        "type": 2,
        "style": 1,
        "label": "Nominate",
        "custom_id": "pb:nominate:2606.00001",
        "disabled": False,
    } | {
        k: v
        for k, v in button.items()
        if k not in ("type", "style", "label", "custom_id", "disabled")
    }


def test_a_menu_takes_a_row_of_its_own() -> None:
    options = tuple(SelectOption(f"Section {n}", str(n), "suggested") for n in range(25))
    message = OutboundMessage(
        body=text("New nomination (1 vote)."),
        components=(
            Button("approve", "7:3", "Approve → Section 3", "primary"),
            Select("file", "7", "Approve into section…", options),
            Button("reject", "7", "Reject", "danger"),
        ),
    )
    payload = _payload(render(message))
    assert message_problems(payload) == []
    first, second = payload["components"]
    assert [c["custom_id"] for c in first["components"]] == ["pb:approve:7:3", "pb:reject:7"]
    (menu,) = second["components"]
    assert menu["custom_id"] == "pb:file:7"
    assert len(menu["options"]) == 25


def test_a_message_without_a_link_carries_its_fingerprint_unseen() -> None:
    message = OutboundMessage(title="Weekly digest: moe", body=text("**3 new papers**"))
    payload = _payload(render(message).fingerprinted("paperbot-5"))
    (embed,) = payload["embeds"]
    assert embed["author"] == {"name": "Weekly digest: moe"}
    assert "title" not in embed  # the URL links nothing that is shown
    assert embed["url"] == "https://arxiv.org/#paperbot-5"
    assert embed["description"] == "\\*\\*3 new papers\\*\\*"


def test_a_decision_keeps_the_review_and_adds_the_outcome() -> None:
    review = render(OutboundMessage(title="Nomination to review", cards=(_card(),)))
    outcome = OutboundMessage(body=text("“x” was approved and added to the list under A / B."))
    original = [discord.Embed.from_dict(e.to_dict()) for e in review.embeds]
    decided = with_outcome(original, outcome)
    assert [e.to_dict() for e in decided[:-1]] == [e.to_dict() for e in original]
    assert decided[-1].description == "“x” was approved and added to the list under A / B."
