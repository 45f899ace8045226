"""How messages look in a terminal: the console platform's one place for user-visible text."""

from __future__ import annotations

import re

from bot.messages import authors_line
from bot.ports import OutboundMessage, PaperCard

WIDTH = 88
_LINK = re.compile(r"\[([^\]]+)\]\(([^)]+)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def plain(text: str) -> str:
    """Neutral markup as terminal text: bold markers dropped, links as `label <url>`."""
    return _BOLD.sub(r"\1", _LINK.sub(r"\1 <\2>", text))


def _card(card: PaperCard) -> list[str]:
    lines = [f"[{card.arxiv_id}] {card.title}"]
    meta = [authors_line(card.authors)] if card.authors else []
    if card.categories:
        meta.append(card.categories[0])
    if card.venue:
        meta.append(card.venue)
    lines.append("  " + " · ".join(meta))
    link = "  " + card.url
    if card.code_url:
        link += f"  code: {card.code_url}"
    lines.append(link)
    if card.topic:
        matched = f" (matched {', '.join(card.terms)})" if card.terms else ""
        lines.append(f"  topic: {card.topic}{matched}")
    if card.note:
        lines.append(f"  {plain(card.note)}")
    return lines


def render(message: OutboundMessage, where: str, message_id: str | None = None) -> str:
    """A message as a block of terminal lines, headed by where it was posted."""
    head = f"── {where}"
    if message_id:
        head += f" · message {message_id}"
    if message.ephemeral:
        head += " · only you can see this"
    lines = [head + " " + "─" * max(0, WIDTH - len(head) - 1)]
    if message.title:
        lines.append(plain(f"**{message.title}**"))
    if message.text:
        lines += plain(message.text).splitlines()
    for card in message.cards:
        lines += _card(card)
    if message.buttons:
        lines.append("  " + "  ".join(f"[{button.label}]" for button in message.buttons))
    if message.footer:
        lines.append(plain(message.footer))
    return "\n".join("│ " + line if i else line for i, line in enumerate(lines))
