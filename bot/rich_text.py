"""Message text as typed pieces, so a renderer always knows what is literal text and what is ours.

The text of every piece is literal: it may have come from a paper or a user, and each platform's
renderer escapes it for its own syntax (inside bold and code too). Only the piece's type says how
it looks, and only a Link has a target, whose URL the bot built and checked (`safe_url`). So
`**x**`, `[x](https://evil)`, `<!channel>` or a backtick in a title are shown as typed; they never
become formatting, a link or a ping.

Handlers write `text("Created topic ", bold(name), ": ", code(rule), ".")`: a bare string is a
Plain piece, so text is literal unless the bot wraps it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from digest.arxiv_links import abs_url

# Characters RFC 3986 allows in a URL; anything else (spaces, quotes, <>, |, backslash, controls)
# could end a link early on some platform, so such a URL is never made a link.
_URL_CHARS = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%"
)
MAX_URL = 2000


def safe_url(url: str) -> bool:
    """Whether a URL may be a link target: http(s), with a host, only URL characters."""
    if not url or len(url) > MAX_URL or not set(url) <= _URL_CHARS:
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


@dataclass(frozen=True, slots=True)
class Plain:
    """Literal text, shown as it is (escaped by the renderer)."""

    text: str


@dataclass(frozen=True, slots=True)
class Bold:
    """Literal text in bold."""

    text: str


@dataclass(frozen=True, slots=True)
class Code:
    """Literal text in an inline code span (a rule, an id, a command)."""

    text: str


@dataclass(frozen=True, slots=True)
class Pre:
    """Literal text in a preformatted block; may hold line breaks (a rule with a caret under it)."""

    text: str


@dataclass(frozen=True, slots=True)
class Link:
    """A link the bot built: `label` is literal text, `url` passed `safe_url`."""

    label: str
    url: str

    def __post_init__(self) -> None:
        if not safe_url(self.url):
            raise ValueError(f"not a URL the bot may link to: {self.url[:80]!r}")


@dataclass(frozen=True, slots=True)
class Break:
    """A line break."""


Piece = Plain | Bold | Code | Pre | Link | Break
Text = tuple[Piece, ...]
Part = Piece | str | Sequence[Piece] | None
BREAK = Break()


def text(*parts: Part) -> Text:
    """Pieces from parts: a string is Plain, a piece stays, a sequence of pieces is spliced in."""
    pieces: list[Piece] = []
    for part in parts:
        if part is None or part == "":
            continue
        if isinstance(part, str):
            pieces.append(Plain(part))
        elif isinstance(part, Plain | Bold | Code | Pre | Link | Break):
            pieces.append(part)
        else:
            pieces.extend(part)
    return tuple(pieces)


def lines(*rows: Part) -> Text:
    """Parts one per line (each row is a string, a piece or a sequence of pieces)."""
    return join([text(row) for row in rows], BREAK)


def join(items: Iterable[Text], separator: Piece | str) -> Text:
    """Texts joined with a separator between them."""
    out: list[Piece] = []
    sep = Plain(separator) if isinstance(separator, str) else separator
    for i, item in enumerate(items):
        if i:
            out.append(sep)
        out.extend(item)
    return tuple(out)


def bold(value: str) -> Bold:
    """Literal text in bold."""
    return Bold(value)


def code(value: str) -> Code:
    """Literal text as code."""
    return Code(value)


def arxiv_link(label: str, arxiv_id: str) -> Link:
    """A link to a paper's arXiv abstract page."""
    return Link(label, abs_url(arxiv_id))


def checked_link(label: str, url: str | None) -> Link | Plain:
    """A link to `url` if it may be one, else the label alone (a code link read from a paper)."""
    return Link(label, url) if url and safe_url(url) else Plain(label)


def plain_text(pieces: Sequence[Piece]) -> str:
    """The text as plain text: links as their labels, code in backticks, bold as is.

    For logs, tests and a platform's notification fallback; a renderer never starts from it.
    """
    out = []
    for piece in pieces:
        if isinstance(piece, Break):
            out.append("\n")
        elif isinstance(piece, Link):
            out.append(piece.label)
        elif isinstance(piece, Code):
            out.append(f"`{piece.text}`")
        else:
            out.append(piece.text)
    return "".join(out)


def links(pieces: Sequence[Piece]) -> list[Link]:
    """The links among the pieces."""
    return [piece for piece in pieces if isinstance(piece, Link)]


_KINDS: Mapping[str, type[Plain | Bold | Code | Pre]] = {
    "plain": Plain,
    "bold": Bold,
    "code": Code,
    "pre": Pre,
}


def text_to_json(pieces: Sequence[Piece]) -> list[dict[str, str]]:
    """Pieces as JSON values: `{"plain": "..."}`, `{"link": label, "url": ...}`, `{"br": ""}`."""
    out: list[dict[str, str]] = []
    for piece in pieces:
        if isinstance(piece, Break):
            out.append({"br": ""})
        elif isinstance(piece, Link):
            out.append({"link": piece.label, "url": piece.url})
        else:
            kind = next(k for k, v in _KINDS.items() if isinstance(piece, v))
            out.append({kind: piece.text})
    return out


def text_from_json(value: Any) -> Text:
    """Pieces back from JSON; a string (a row written before pieces existed) is plain text.

    Old rows held `**bold**` and `[label](url)` in one string: they are shown as written, never
    parsed into formatting or links again, and nothing of them is lost.
    """
    if value is None:
        return ()
    if isinstance(value, str):
        return lines(*value.split("\n")) if value else ()
    pieces: list[Piece] = []
    for item in value:
        if "br" in item:
            pieces.append(BREAK)
        elif "link" in item:
            pieces.append(checked_link(str(item["link"]), str(item.get("url", ""))))
        else:
            kind = next((k for k in _KINDS if k in item), None)
            if kind is None:
                raise ValueError(f"unknown text piece {item!r}")
            pieces.append(_KINDS[kind](str(item[kind])))
    return tuple(pieces)
