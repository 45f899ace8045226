"""How messages look in a terminal: the console platform's one place for user-visible text.

The console's syntax is a small part of Markdown: code in backtick spans (fenced with more
backticks than the text holds), preformatted blocks in ``` fences, links as `label <url>`.
Literal text never holds a backtick (it shows ˋ instead), so the only code spans are the bot's;
bare URLs in it are defanged (`https[:]//`), so the only URLs a terminal can make clickable are
the bot's own; control characters are stripped; every field is cut at a word boundary.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.messages import authors_line
from bot.ports import Button, OutboundMessage, PaperCard, Select
from bot.rich_text import Bold, Break, Code, Link, Piece, Plain, Pre
from bot.safe_text import cut, defang_urls, fit, strip_controls

WIDTH = 88
TITLE_LIMIT = 256
TEXT_LIMIT = 4000
FIELD_LIMIT = 300
LABEL_LIMIT = 80
_TICKS = re.compile(r"`+")


def literal(value: str, limit: int = FIELD_LIMIT) -> str:
    """Literal text for the terminal: cut, controls stripped, URLs defanged, no backtick.

    A backtick becomes ˋ (U+02CB), which looks the same but opens no code span; a backslash
    run at the end is doubled, so it cannot escape the backtick of a code span right after it.
    """
    value = defang_urls(strip_controls(cut(value, limit))).replace("`", "ˋ")
    trailing = len(value) - len(value.rstrip("\\"))
    return value + "\\" * trailing


def code_span(value: str) -> str:
    """A code span that holds any text: fenced by one backtick more than its longest run."""
    value = defang_urls(strip_controls(value))
    fence = "`" * (max((len(run) for run in _TICKS.findall(value)), default=0) + 1)
    if value[:1] in ("`", " ") or value[-1:] in ("`", " "):
        value = f" {value} "
    return f"{fence}{value}{fence}"


def pre_block(value: str) -> str:
    """A fenced block that holds any text, line breaks kept."""
    value = defang_urls(strip_controls(value, keep_newlines=True))
    fence = "`" * max(3, max((len(run) for run in _TICKS.findall(value)), default=0) + 1)
    return f"{fence}\n{value}\n{fence}"


def _piece(piece: Piece) -> str:
    if isinstance(piece, Plain | Bold):
        return literal(piece.text, TEXT_LIMIT)
    if isinstance(piece, Code):
        return code_span(piece.text)
    if isinstance(piece, Pre):
        return pre_block(piece.text)
    if isinstance(piece, Link):
        return f"{literal(piece.label)} <{piece.url}>"
    return "\n"


def _width(piece: Piece) -> int:
    return len(_piece(piece))


def fitted(pieces: Sequence[Piece]) -> Sequence[Piece]:
    """The pieces that fit in TEXT_LIMIT as rendered, the last one cut."""
    return fit(pieces, TEXT_LIMIT, _width)


def text_lines(pieces: Sequence[Piece]) -> list[str]:
    """Pieces as terminal lines, cut to TEXT_LIMIT; a preformatted block gets lines of its own."""
    parts: list[str] = []
    after_block = False
    for piece in fitted(pieces):
        if isinstance(piece, Pre):
            if parts and not parts[-1].endswith("\n"):
                parts.append("\n")
            parts.append(pre_block(piece.text))
            after_block = True
            continue
        if after_block:
            after_block = False
            parts.append("\n")
            if isinstance(piece, Break):
                continue
        parts.append(_piece(piece))
    return "".join(parts).split("\n")


def _card(card: PaperCard) -> list[str]:
    lines = [f"[{card.arxiv_id}] {literal(card.title)}"]
    meta = [literal(authors_line(card.authors))] if card.authors else []
    if card.categories:
        meta.append(literal(card.categories[0]))
    if card.venue:
        meta.append(literal(card.venue))
    lines.append("  " + " · ".join(meta))
    link = "  " + card.url
    if card.code_url:
        link += f"  code: {card.code_url}"
    lines.append(link)
    if card.topic:
        matched = f" (matched {literal(', '.join(card.terms))})" if card.terms else ""
        lines.append(f"  topic: {literal(card.topic)}{matched}")
    if card.note:
        lines.append(f"  {literal(card.note)}")
    if card.reason:
        lines += ["  " + line for line in text_lines(card.reason)]
    return lines


def _menu(select: Select) -> str:
    options = "  ".join(
        f"({i}) {literal(option.label, LABEL_LIMIT)}"
        + (f" · {literal(option.description, LABEL_LIMIT)}" if option.description else "")
        for i, option in enumerate(select.options, 1)
    )
    return f"  {literal(select.placeholder, LABEL_LIMIT)} {options}"


def render(message: OutboundMessage, where: str, message_id: str | None = None) -> str:
    """A message as a block of terminal lines, headed by where it was posted."""
    head = f"── {literal(where, LABEL_LIMIT)}"
    if message_id:
        head += f" · message {message_id}"
    if message.ephemeral:
        head += " · only you can see this"
    lines = [head + " " + "─" * max(0, WIDTH - len(head) - 1)]
    if message.title:
        lines.append(literal(message.title, TITLE_LIMIT))
    if message.body:
        lines += text_lines(message.body)
    for card in message.cards:
        lines += _card(card)
    buttons = [c for c in message.components if isinstance(c, Button)]
    if buttons:
        lines.append("  " + "  ".join(f"[{literal(b.label, LABEL_LIMIT)}]" for b in buttons))
    lines += [_menu(c) for c in message.components if isinstance(c, Select)]
    if message.footer:
        lines += text_lines(message.footer)
    return "\n".join("│ " + line if i else line for i, line in enumerate(lines))
