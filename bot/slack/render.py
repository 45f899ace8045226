"""How messages look on Slack: Block Kit built with slack-sdk's models, so limits are checked.

Every piece of text that came from a paper or a user is escaped (`&`, `<`, `>`), so no title
can make a link, a mention or `<!channel>`; `link_names` is never set.
"""

from __future__ import annotations

import re
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.messages import authors_line
from bot.ports import Button, OutboundMessage, PaperCard

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_BUTTON_TEXT = 75
_LINK = re.compile(r"\[([^\]]+)\]\(([^)]+)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def escape(text: str) -> str:
    """Text shown as it is: Slack's three control characters escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn(text: str) -> str:
    """Neutral text (`**bold**`, `[label](url)`) as Slack mrkdwn, everything else escaped."""
    escaped = escape(text)
    linked = _LINK.sub(lambda m: f"<{m.group(2)}|{m.group(1)}>", escaped)
    return _BOLD.sub(r"*\1*", linked)


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] or text[: limit - 1]
    return cut + "…"


def _card(card: PaperCard) -> list[Block]:
    title = f"*<{card.url}|{escape(card.title)}>*"
    lines = [title]
    meta = [escape(authors_line(card.authors))] if card.authors else []
    if card.venue:
        meta.append(escape(card.venue))
    if meta:
        lines.append(" · ".join(meta))
    if card.topic:
        matched = f" (matched {escape(', '.join(card.terms))})" if card.terms else ""
        lines.append(f"topic: {escape(card.topic)}{matched}")
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=_cut("\n".join(lines), MAX_SECTION)))
    ]
    context = [f"`{card.arxiv_id}`", *(escape(c) for c in card.categories[:3])]
    if card.code_url:
        context.append(f"<{card.code_url}|code>")
    if card.note:
        context.append(mrkdwn(card.note))
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=" · ".join(context))]))
    return blocks


def _button(button: Button, index: int) -> ButtonElement:
    style = None if button.style == "secondary" else button.style
    return ButtonElement(
        text=_cut(button.label, MAX_BUTTON_TEXT),
        action_id=f"{button.action}:{index}",
        value=button.value,
        style=style,
    )


def blocks(message: OutboundMessage) -> list[dict[str, Any]]:
    """The message as Block Kit JSON (validated by the models)."""
    result: list[Block] = []
    head = f"*{escape(message.title)}*\n" if message.title else ""
    if head or message.text:
        result.append(
            SectionBlock(
                text=MarkdownTextObject(text=_cut(head + mrkdwn(message.text), MAX_SECTION))
            )
        )
    for card in message.cards:
        result += _card(card)
    if message.buttons:
        result.append(ActionsBlock(elements=[_button(b, i) for i, b in enumerate(message.buttons)]))
    if message.footer:
        result.append(ContextBlock(elements=[MarkdownTextObject(text=mrkdwn(message.footer))]))
    if len(result) > MAX_BLOCKS:
        raise ValueError(f"a message of {len(result)} blocks is over Slack's {MAX_BLOCKS}")
    return [block.to_dict() for block in result]


def fallback(message: OutboundMessage) -> str:
    """The notification text (shown where blocks are not)."""
    first = message.title or message.text or (message.cards[0].title if message.cards else "")
    return _cut(escape(_BOLD.sub(r"\1", first)), 300) or "paperbot"
