"""Inline Markdown of list lines: links, bracket groups, emphasis, escapes and heading anchors."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_EMPHASIS = re.compile(r"\*\*|__")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_ANCHOR_DROP = re.compile(r"[^\w\- ]", re.UNICODE)
_HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


@dataclass(frozen=True, slots=True)
class Link:
    """`[label](url)`."""

    label: str
    url: str


@dataclass(frozen=True, slots=True)
class Group:
    """A bracket group not followed by a link target: `[Training | Google]`."""

    text: str


Token = Link | Group | str


def closing(text: str, start: int, open_ch: str, close_ch: str) -> int:
    """Index of the bracket closing the one at `start`, or -1; backslash escapes are skipped."""
    depth = 0
    i = start
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == open_ch:
            depth += 1
        elif ch == close_ch:
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def tokenize(text: str) -> list[Token]:
    """Split a line into links, bracket groups and plain text, keeping their order."""
    tokens: list[Token] = []
    plain: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            plain.append(text[i : i + 2])
            i += 2
            continue
        if ch == "[":
            end = closing(text, i, "[", "]")
            if end != -1:
                label = text[i + 1 : end]
                if end + 1 < len(text) and text[end + 1] == "(":
                    close = closing(text, end + 1, "(", ")")
                    if close != -1:
                        if plain:
                            tokens.append("".join(plain))
                            plain = []
                        tokens.append(Link(label, text[end + 2 : close].strip()))
                        i = close + 1
                        continue
                if plain:
                    tokens.append("".join(plain))
                    plain = []
                tokens.append(Group(label))
                i = end + 1
                continue
        plain.append(ch)
        i += 1
    if plain:
        tokens.append("".join(plain))
    return tokens


def unescape(text: str) -> str:
    """Drop Markdown backslash escapes."""
    return re.sub(r"\\([\\`*_{}\[\]()#+\-.!|])", r"\1", text)


def escape_label(text: str) -> str:
    """Escape brackets so a title survives inside `[...]`."""
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def escape_cell(text: str) -> str:
    """Escape pipes so text survives inside a table cell."""
    return text.replace("|", "\\|")


def plain_text(text: str) -> str:
    """Text without emphasis markers, images, HTML tags or escapes, on one line."""
    text = _IMAGE.sub("", text)
    text = _HTML_TAG.sub("", text)
    text = _EMPHASIS.sub("", text)
    return " ".join(unescape(text).split())


def heading_text(text: str) -> str:
    """A heading's words: links reduced to their labels, no emphasis, no trailing colon."""
    text = _IMAGE.sub("", text)
    parts = []
    for token in tokenize(text):
        if isinstance(token, Link):
            parts.append(token.label)
        elif isinstance(token, Group):
            parts.append(f"[{token.text}]")
        else:
            parts.append(token)
    return plain_text("".join(parts)).rstrip(":").strip()


def github_anchor(text: str) -> str:
    """The anchor GitHub gives a heading (before de-duplication)."""
    text = unicodedata.normalize("NFC", text).lower()
    return _ANCHOR_DROP.sub("", text).replace(" ", "-")
