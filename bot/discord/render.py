"""How messages look on Discord: embeds and components, cut to every limit Discord sets.

Literal text (anything from a paper or a user) has its control characters stripped, its bare
URLs defanged and every character Discord's Markdown reacts to escaped with a backslash, so a
title can neither format, link, mention nor spoiler anything. The only links are the bot's own
(arXiv pages, a checked code link). A message is embeds: the heading and body of the message
first (its title in the embed's author line), then one embed per paper card (title linked to
arXiv). Every field is cut at a word boundary with an ellipsis before Discord would refuse it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import discord

from bot.messages import authors_line
from bot.ports import Button, OutboundMessage, PaperCard, Select
from bot.rich_text import Bold, Break, Code, Link, Piece, Plain, Pre, plain_text
from bot.safe_text import cut, defang_urls, fit, strip_controls

# Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits
# and the component reference).
TITLE = 256
DESCRIPTION = 4096
FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
AUTHOR = 256
MESSAGE_TOTAL = 6000
EMBEDS = 10
ROWS = 5
BUTTONS_PER_ROW = 5
BUTTON_LABEL = 80
OPTION_TEXT = 100
PLACEHOLDER = 150
THREAD_NAME = 100
# A card is a summary: its description holds the authors and a short excerpt, not an abstract.
CARD_DESCRIPTION = 700
# ...and its fields a line or two each, so even a card cut everywhere stays under 3000.
CARD_FIELD = 300
# Kept free for the message's own embed when it has cards (its description is cut to the rest).
HEADING_ROOM = 1000
# Where the fingerprint of a message without a link of its own points (it is never shown).
FINGERPRINT_BASE = "https://arxiv.org/"

# Characters Discord's Markdown gives a meaning anywhere: emphasis, code, spoilers, masked links,
# mentions and custom emoji (`<...>`), and the escape itself...
_SPECIAL = re.compile(r"([\\*_~|`\[\]()<@])")
# ...and at the start of a line: quotes, headings, subtext, lists (a piece may start a line).
_LINE_START = re.compile(r"^(\s*)([>#\-+]|\d+(?=\.))", re.MULTILINE)
_STYLES = {
    "primary": discord.ButtonStyle.primary,
    "secondary": discord.ButtonStyle.secondary,
    "danger": discord.ButtonStyle.danger,
}


def literal(value: str) -> str:
    """Literal text as Discord Markdown that shows exactly it: nothing formats, links or pings."""
    value = _SPECIAL.sub(r"\\\1", defang_urls(strip_controls(value, keep_newlines=True)))
    return _LINE_START.sub(_escape_line_start, value)


def _escape_line_start(found: re.Match[str]) -> str:
    mark = found.group(2)
    # `1. item`: the dot after the number is what makes a list.
    return found.group(1) + (mark + "\\" if mark[0].isdigit() else "\\" + mark)


def _verbatim(value: str, keep_newlines: bool) -> str:
    # Inside code Discord reads nothing but the closing backticks, so those are the one thing
    # literal text must not hold there; a look-alike grave accent takes their place. URLs are
    # defanged there too, so that no copy of the text anywhere is a ready link.
    return defang_urls(strip_controls(value, keep_newlines=keep_newlines)).replace("`", "ˋ")


def piece_markdown(piece: Piece) -> str:
    """One piece as Discord Markdown."""
    if isinstance(piece, Plain):
        return literal(piece.text)
    if isinstance(piece, Bold):
        return f"**{literal(piece.text)}**" if piece.text.strip() else literal(piece.text)
    if isinstance(piece, Code):
        body = _verbatim(piece.text, keep_newlines=False)
        return f"`{body}`" if body.strip() else body
    if isinstance(piece, Pre):
        return f"```\n{_verbatim(piece.text, keep_newlines=True)}\n```"
    if isinstance(piece, Link):
        # Parentheses would end the link target early; percent-encoded they mean the same URL.
        url = piece.url.replace("(", "%28").replace(")", "%29")
        return f"[{literal(piece.label) or url}]({url})"
    assert isinstance(piece, Break)
    return "\n"


def markdown(pieces: Sequence[Piece], limit: int) -> str:
    """Pieces as Markdown of at most `limit` characters (cut between or inside pieces)."""
    return "".join(piece_markdown(p) for p in fit(pieces, limit, _width))


def _width(piece: Piece) -> int:
    return len(piece_markdown(piece))


def shown(value: str, limit: int) -> str:
    """Text for a place Discord shows as typed (author line, footer, labels): no Markdown is
    read there, so it is only cut, its controls stripped and its URLs defanged."""
    return cut(defang_urls(strip_controls(value)), limit)


def title_markdown(value: str, limit: int = TITLE) -> str:
    """A literal title for an embed title or field name (which render some Markdown)."""
    return markdown((Plain(value),), limit)


@dataclass
class Rendered:
    """A message as discord.py takes it: embeds and the components' view."""

    embeds: list[discord.Embed] = field(default_factory=list)
    view: discord.ui.View | None = None

    def fingerprinted(self, fingerprint: str) -> Rendered:
        """The same message carrying `fingerprint` in its first embed's URL (see find_sent)."""
        first = self.embeds[0]
        base = (first.url or FINGERPRINT_BASE).split("#", 1)[0]
        first.url = f"{base}#{fingerprint}"
        return self


def has_fingerprint(embeds: Sequence[discord.Embed], fingerprint: str) -> bool:
    """Whether a posted message's embeds carry this fingerprint."""
    return bool(embeds) and (embeds[0].url or "").endswith("#" + fingerprint)


def render(message: OutboundMessage) -> Rendered:
    """A neutral message as embeds and a view, within Discord's limits."""
    cards: list[discord.Embed] = []
    room = MESSAGE_TOTAL - HEADING_ROOM
    for card in message.cards[: EMBEDS - 1]:
        embed = card_embed(card)
        if len(embed) > room:
            break  # the rest would not fit in one message's 6000 characters
        cards.append(embed)
        room -= len(embed)
    room += HEADING_ROOM
    embeds = []
    if message.title or message.body or message.footer or not cards:
        embeds.append(_heading(message, room))
    return Rendered(embeds + cards, components_view(message.components))


def _heading(message: OutboundMessage, room: int) -> discord.Embed:
    """The message's own embed: title in the author line, body, footer; in `room` characters
    (the body gets what the title and footer leave, the footer at most half of it)."""
    embed = discord.Embed()
    if message.title:
        embed.set_author(name=shown(message.title, min(AUTHOR, room // 4)))
        room -= len(embed)
    if message.footer:
        footer = shown(plain_text(message.footer), min(FOOTER, room // 2))
        embed.set_footer(text=footer)
        room -= len(footer)
    embed.description = markdown(message.body, min(DESCRIPTION, room)) or "…"
    return embed


def card_embed(card: PaperCard) -> discord.Embed:
    """A paper: its title linked to arXiv, authors, then categories, venue, code, topic, note."""
    embed = discord.Embed(title=title_markdown(card.title), url=card.url)
    about: list[Piece] = []
    if card.authors:
        about.append(Plain(authors_line(card.authors)))
    if card.excerpt:
        about += [Break(), Plain(card.excerpt)]
    if about:
        embed.description = markdown(about, CARD_DESCRIPTION)
    fields: list[tuple[str, Sequence[Piece]]] = []
    if card.categories:
        fields.append(("Categories", [Code(", ".join(card.categories))]))
    if card.venue:
        fields.append(("Venue", [Plain(card.venue)]))
    if card.code_url:
        fields.append(("Code", [Link("repository", card.code_url)]))
    if card.topic:
        fields.append(("Topic", [Plain(card.topic)]))
    if card.terms:
        fields.append(("Matched", [Plain(", ".join(card.terms))]))
    if card.note:
        fields.append(("Note", [Plain(card.note)]))
    if card.reason:
        fields.append(("Why", card.reason))
    for name, value in fields[:FIELDS]:
        inline = name in ("Categories", "Venue", "Code")
        embed.add_field(name=name, value=markdown(value, CARD_FIELD) or "…", inline=inline)
    return embed


def components_view(components: Sequence[Button | Select]) -> discord.ui.View | None:
    """Buttons in rows of five, each menu on a row of its own; five rows at most."""
    if not components:
        return None
    view = discord.ui.View(timeout=None)
    buttons = [c for c in components if isinstance(c, Button)]
    selects = [c for c in components if isinstance(c, Select)]
    rows = -(-len(buttons) // BUTTONS_PER_ROW)
    for index, button in enumerate(buttons[: BUTTONS_PER_ROW * ROWS]):
        view.add_item(
            discord.ui.Button(
                label=shown(button.label, BUTTON_LABEL),
                style=_STYLES[button.style],
                custom_id=button.id,
                row=index // BUTTONS_PER_ROW,
            )
        )
    for row, select in enumerate(selects[: max(ROWS - rows, 0)], rows):
        options = [
            discord.SelectOption(
                label=shown(option.label, OPTION_TEXT),
                value=option.value,
                description=shown(option.description, OPTION_TEXT) if option.description else None,
            )
            for option in select.options
        ]
        view.add_item(
            discord.ui.Select(
                custom_id=select.id,
                placeholder=shown(select.placeholder, PLACEHOLDER),
                options=options,
                row=row,
            )
        )
    # Presses are dispatched by the persistent item handler (bot/discord/components.py), so the
    # view need not be kept in memory after the send: stopped, discord.py does not store it.
    view.stop()
    return view


def thread_name(embeds: Sequence[discord.Embed]) -> str:
    """A digest thread's name, from its header's heading."""
    heading = next((e.author.name for e in embeds if e.author and e.author.name), None)
    return shown(heading or "Papers", THREAD_NAME)


def with_outcome(original: Sequence[discord.Embed], answer: OutboundMessage) -> list[discord.Embed]:
    """A decided review message: its embeds as they were, then the decision (all within limits)."""
    kept = list(original[: EMBEDS - 1])
    room = MESSAGE_TOTAL - sum(len(embed) for embed in kept)
    return [*kept, _heading(answer, room)]
