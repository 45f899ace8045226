"""What every renderer does to literal text before escaping it for its own syntax.

Control characters are stripped (NUL, ESC and the rest of C0 and C1, bidirectional overrides
and isolates such as U+202E, which could make a title display as something else); bare URLs are
defanged so that no literal text becomes a link on a platform or terminal that links URLs by
itself; lengths are cut to a platform's limit at a word boundary, with an ellipsis. The console
renderer uses these with its own limits, and so do the Discord and Slack renderers with theirs.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import replace

from bot.rich_text import Break, Link, Piece, Plain, Text

ELLIPSIS = "…"
# Bidirectional embeddings, overrides, isolates and marks, and the byte-order mark: invisible
# characters that reorder or hide what is shown.
_INVISIBLE = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u206a\u206b"
    "\u206c\u206d\u206e\u206f\ufeff"
)
_SPACES = frozenset("\t\n\r\v\f\u2028\u2029\x85")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):(//)")


def strip_controls(value: str, keep_newlines: bool = False) -> str:
    """The text without control characters; tabs and line breaks become spaces (or stay `\\n`)."""
    out = []
    for char in value:
        if char in _SPACES:
            out.append("\n" if keep_newlines and char in "\n\u2028\u2029\x85" else " ")
        elif char in _INVISIBLE or unicodedata.category(char) == "Cc":
            continue
        else:
            out.append(char)
    return "".join(out)


def defang_urls(value: str) -> str:
    """`https://x` as `https[:]//x`: readable, but no client makes it a link."""
    return _SCHEME.sub(r"\1[:]\2", value)


def cut(value: str, limit: int) -> str:
    """The text cut to at most `limit` characters at a word boundary, ending in an ellipsis."""
    if len(value) <= limit:
        return value
    if limit <= 1:
        return ELLIPSIS[:limit]
    head = value[: limit - 1]
    space = head.rfind(" ")
    # Cut at the last space unless that loses more than a third of what fits (one long word).
    if space >= (limit - 1) * 2 // 3:
        head = head[:space]
    return head.rstrip() + ELLIPSIS


def _visible(piece: Piece) -> int:
    if isinstance(piece, Break):
        return 1
    return len(piece.label if isinstance(piece, Link) else piece.text)


def fit(pieces: Sequence[Piece], limit: int, width: Callable[[Piece], int] = _visible) -> Text:
    """The pieces that fit in `limit` (measured by `width`, e.g. a piece's rendered length),
    the last one cut at a word boundary with an ellipsis. A link whose label cannot keep a
    word is dropped, never cut into a broken link."""
    out: list[Piece] = []
    left = limit
    for piece in pieces:
        size = width(piece)
        if size <= left:
            out.append(piece)
            left -= size
            continue
        shortened = _shorten(piece, left, width)
        if shortened is not None:
            out.append(shortened)
        elif width(Plain(ELLIPSIS)) <= left:
            out.append(Plain(ELLIPSIS))
        break
    while out and isinstance(out[-1], Break):
        out.pop()
    return tuple(out)


def _shorten(piece: Piece, room: int, width: Callable[[Piece], int]) -> Piece | None:
    """The piece cut until it fits in `room`, or None when nothing useful fits."""
    if isinstance(piece, Break):
        return None
    body = piece.label if isinstance(piece, Link) else piece.text
    size = len(body)
    while size > 1:
        candidate = cut(body, size)
        cut_piece = (
            replace(piece, label=candidate)
            if isinstance(piece, Link)
            else replace(piece, text=candidate)
        )
        overflow = width(cut_piece) - room
        if overflow <= 0:
            return cut_piece
        size -= max(overflow, 1)
    return None
