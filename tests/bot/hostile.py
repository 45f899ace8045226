"""Hostile text, and what must hold for every message built from it, on the neutral value and on
a rendering. The Discord and Slack renderer tests push the same table through their renderers."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from bot.ports import OutboundMessage, Select
from bot.rich_text import Code, Link, Piece, Pre

# What a title, an author, a rule, a section name or a reason may hold to attack a chat.
HOSTILE: dict[str, str] = {
    "everyone": "@everyone read this",
    "here": "@here now",
    "user mention": "<@123> and <@!456> and <@&789>",
    "slack specials": "<!channel> <!here> <!subteam^S123|@team>",
    "slack link": "<https://evil.example/x|totally arXiv>",
    "markdown link": "[totally arxiv](https://evil.example/phish)",
    "bare url": "see https://evil.example/phish and www.evil.example",
    "backticks": "a `b` ``c`` ```d``` e\\`f\\",
    "spoiler": "||spoiler|| text",
    "emphasis": "*b* _i_ ~s~ ~~s~~ __u__ **bb** > quote",
    "long": "Attention " + "overlong words " * 700,  # 10 kB
    "controls": "nul\x00esc\x1b[31mred\x1b]8;;https://evil.example\x07x\u202egnp.exe\u2066y\x85",
}

_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s>)\]]*")
_INVISIBLE = {"\u200e", "\u200f", "\ufeff", *map(chr, range(0x202A, 0x202F))}
_INVISIBLE |= set(map(chr, range(0x2066, 0x2070))) | {"\u061c"}


def arxiv_urls(paper_ids: Iterable[str]) -> set[str]:
    """The links the bot may make for these papers."""
    return {f"https://arxiv.org/abs/{paper_id}" for paper_id in paper_ids}


def _pieces(message: OutboundMessage) -> list[Piece]:
    return [*message.body, *message.footer]


def check_neutral(message: OutboundMessage, ours: set[str], hostile: str) -> None:
    """No link but ours; user text never in a URL or a component id or value."""
    for piece in _pieces(message):
        if isinstance(piece, Link):
            assert piece.url in ours, piece
    for card in message.cards:
        assert card.url in ours, card
        assert card.code_url is None or card.code_url in ours, card
    marker = hostile[:12]
    for component in message.components:
        assert marker not in component.id, component
        if isinstance(component, Select):
            assert all(marker not in option.value for option in component.options)


def code_spans(rendered: str) -> list[str]:
    """The contents of the code spans and fenced blocks of a rendering, in order.

    CommonMark's rule: a run of n backticks opens a span that the next run of exactly n
    closes; a backslash escapes the character after it. A run that nothing closes fails.
    """
    spans: list[str] = []
    i = 0
    while i < len(rendered):
        if rendered[i] == "\\":
            i += 2
            continue
        if rendered[i] != "`":
            i += 1
            continue
        j = i
        while j < len(rendered) and rendered[j] == "`":
            j += 1
        fence = j - i
        close = re.compile(rf"(?<!`)`{{{fence}}}(?!`)").search(rendered, j)
        assert close is not None, f"an unclosed code span at {i}: {rendered[i : i + 40]!r}"
        spans.append(rendered[j : close.start()])
        i = close.end()
    return spans


def check_rendering(rendered: str, ours: set[str]) -> None:
    """No control byte, and every URL in the text is one the bot built."""
    for char in rendered:
        assert char == "\n" or (unicodedata.category(char) != "Cc" and char not in _INVISIBLE), (
            f"control character {char!r} in {rendered[:80]!r}"
        )
    for url in _URL.findall(rendered):
        assert url in ours, f"a link the bot did not build: {url!r}"


def expected_spans(pieces: Iterable[Piece]) -> list[Piece]:
    """The pieces that render as code spans or blocks, in order."""
    return [piece for piece in pieces if isinstance(piece, Code | Pre)]
