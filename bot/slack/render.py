"""How messages look on Slack: Block Kit built with slack-sdk's models, so its limits are checked.

Literal text (every Plain, Bold, Code and Pre piece, titles, authors, labels) is made inert for
Slack's mrkdwn: control characters stripped, bare URLs defanged, `&`, `<` and `>` escaped (so
no title can make a link, a mention or `<!channel>`), and the characters that open formatting
(`*`, `~`, a backtick, an underscore at a word's edge) swapped for look-alikes that do not.
Only Link pieces become links, to URLs the bot built. `link_names` is never set, and posts turn
unfurling off (bot/slack/platform.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    Option,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)

from bot.messages import authors_line
from bot.ports import Button, Component, OutboundMessage, PaperCard, Select
from bot.rich_text import Bold, Break, Code, Link, Piece, Plain, Pre, Text, plain_text
from bot.safe_text import cut, defang_urls, fit, strip_controls

MAX_BLOCKS = 50
MAX_SECTION = 3000
# A title past this is cut (a section holds 3000 characters, and authors follow it).
MAX_TITLE = 1000
MAX_CONTEXT = 2000
MAX_BUTTON = 75
MAX_OPTION = 75
MAX_PLACEHOLDER = 150
MAX_ELEMENTS = 25
MAX_FALLBACK = 3000
# Look-alikes for the characters that open mrkdwn formatting in literal text.
_INERT = str.maketrans({"*": "∗", "~": "∼", "`": "ˋ"})
_EDGE_UNDERSCORE = re.compile(r"(?<!\w)_|_(?!\w)")


def escape(value: str) -> str:
    """Literal text as inert mrkdwn (see the module's docstring)."""
    value = defang_urls(strip_controls(value))
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _EDGE_UNDERSCORE.sub("＿", value.translate(_INERT))


def _code(value: str, keep_newlines: bool = False) -> str:
    """Literal text for inside a code span or block: no backtick can end it early."""
    value = defang_urls(strip_controls(value, keep_newlines=keep_newlines)).replace("`", "ˋ")
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def piece(item: Piece) -> str:
    """One piece as mrkdwn."""
    if isinstance(item, Break):
        return "\n"
    if isinstance(item, Link):
        return f"<{item.url}|{escape(item.label)}>"
    if isinstance(item, Bold):
        return f"*{escape(item.text)}*" if item.text.strip() else escape(item.text)
    if isinstance(item, Code):
        return f"`{_code(item.text)}`" if item.text else ""
    if isinstance(item, Pre):
        return f"```\n{_code(item.text, keep_newlines=True)}\n```"
    assert isinstance(item, Plain)
    return escape(item.text)


def width(item: Piece) -> int:
    """A piece's length once rendered (what Slack's limits count)."""
    return len(piece(item))


def fitted(pieces: Sequence[Piece], limit: int = MAX_SECTION) -> Text:
    """The pieces that fit in `limit` rendered characters, the last cut at a word."""
    return fit(pieces, limit, width)


def mrkdwn(pieces: Sequence[Piece], limit: int = MAX_SECTION) -> str:
    """Pieces as mrkdwn, cut at a word boundary to fit `limit` once rendered."""
    return "".join(piece(p) for p in fitted(pieces, limit))


def _plain(value: str, limit: int) -> PlainTextObject:
    """A plain_text object (Slack never formats it); emoji shortcodes stay as typed."""
    return PlainTextObject(text=cut(defang_urls(strip_controls(value)), limit) or " ", emoji=False)


def _section(pieces: Sequence[Piece]) -> SectionBlock | None:
    text = mrkdwn(pieces, MAX_SECTION)
    return SectionBlock(text=MarkdownTextObject(text=text)) if text.strip() else None


def _context(parts: Sequence[str]) -> ContextBlock | None:
    joined = " · ".join(p for p in parts if p)
    if not joined:
        return None
    return ContextBlock(elements=[MarkdownTextObject(text=joined[:MAX_CONTEXT])])


def card_blocks(card: PaperCard) -> list[Block]:
    """A paper: its title linking to arXiv, authors and venue, matched terms; a context line."""
    title = mrkdwn([Link(card.title.strip() or card.arxiv_id, card.url)], MAX_TITLE)
    details = [authors_line(card.authors)] if card.authors else []
    if card.venue:
        details.append(card.venue)
    rest: list[Piece] = []
    if details:
        rest += [Break(), Plain(" · ".join(details))]
    if card.terms:
        rest += [Break(), Plain("matched: " + ", ".join(card.terms))]
    text = f"*{title}*" + mrkdwn(rest, MAX_SECTION - len(title) - 2)
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=text))]
    context = [f"`{_code(card.arxiv_id)}`", *(escape(c) for c in card.categories[:3])]
    if card.code_url:
        context.append(piece(Link("code", card.code_url)))
    if card.topic:
        context.append("topic: " + escape(card.topic))
    if card.note:
        context.append(escape(card.note))
    if card.reason:
        context.append(mrkdwn(card.reason, MAX_CONTEXT))
    found = _context(context)
    if found is not None:
        blocks.append(found)
    return blocks


def _button(button: Button) -> ButtonElement:
    return ButtonElement(
        text=_plain(button.label, MAX_BUTTON),
        action_id=button.id,
        value=button.value or button.action,
        style=None if button.style == "secondary" else button.style,
    )


def _select(select: Select) -> StaticSelectElement:
    options = [
        Option(
            value=option.value,
            text=_plain(option.label, MAX_OPTION),
            description=_plain(option.description, MAX_OPTION) if option.description else None,
        )
        for option in select.options
    ]
    return StaticSelectElement(
        placeholder=_plain(select.placeholder, MAX_PLACEHOLDER),
        action_id=select.id,
        options=options,
    )


def _component(component: Component) -> ButtonElement | StaticSelectElement:
    return _button(component) if isinstance(component, Button) else _select(component)


def blocks(message: OutboundMessage) -> list[dict[str, Any]]:
    """The message as Block Kit JSON, validated by slack-sdk's models (ValueError if not)."""
    result: list[Block] = []
    head: list[Piece] = []
    if message.title:
        head += [Bold(message.title), Break()] if message.body else [Bold(message.title)]
    section = _section([*head, *message.body])
    if section is not None:
        result.append(section)
    for card in message.cards:
        result += card_blocks(card)
    # Action ids are unique within a block because component ids are (`pb:approve:12:3`).
    for start in range(0, len(message.components), MAX_ELEMENTS):
        chunk = message.components[start : start + MAX_ELEMENTS]
        result.append(ActionsBlock(elements=[_component(c) for c in chunk]))
    footer = mrkdwn(message.footer, MAX_CONTEXT)
    if footer.strip():
        result.append(ContextBlock(elements=[MarkdownTextObject(text=footer)]))
    if len(result) > MAX_BLOCKS:
        raise ValueError(f"a message of {len(result)} blocks is over Slack's {MAX_BLOCKS}")
    return [block.to_dict() for block in result]


def fallback(message: OutboundMessage) -> str:
    """The message's `text`: what notifications and screen readers show (escaped as well)."""
    first: Text = message.body
    if message.title:
        first = (Plain(message.title), Break(), *message.body)
    elif not first and message.cards:
        first = (Plain(message.cards[0].title),)
    return escape(cut(plain_text(first), MAX_FALLBACK)) or "paperbot"
