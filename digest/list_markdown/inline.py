"""Inline Markdown of list lines: links, bracket groups, emphasis, escapes and heading anchors.

Every function here reads a line in time linear in its length: brackets are matched in one pass
with a stack (never by scanning ahead from each opening bracket), and no regular expression can
backtrack over an unbounded stretch (a list line may be half a megabyte of `[`).
"""

from __future__ import annotations

import html
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass
from html.entities import html5

_EMPHASIS = re.compile(r"\*\*|__")
# Neither pattern may cross an opening bracket or `<`, so each scan stops at the next candidate.
_IMAGE = re.compile(r"!\[[^\[\]]*\](?:\([^()]*\)|\[[^\[\]]*\])")
_HTML_TAG = re.compile(r"(?<!\\)</?[a-zA-Z][^<>]*>")
# `(url "title")`: the address, then a quoted title.
_TITLED = re.compile(r"(\S+)\s+(?:\"[^\"]*\"|'[^']*'|\([^()]*\))")
_ANCHOR_DROP = re.compile(r"[^\w\- ]", re.UNICODE)
# A backslash escape or a character reference (`&amp;`, `&#38;`, `&#x26;`), as CommonMark has them.
_ESCAPE_OR_ENTITY = re.compile(
    r"\\([!-/:-@\[-`{-~])|&(#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};)"
)
_ENTITY = re.compile(r"&(?=#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};)")
# `<https://arxiv.org/abs/2401.00001>`: a scheme, a colon, no spaces or angle brackets.
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>]*)>")
# What the scanners stop at; the text between is skipped at the regex engine's speed.
_BRACKET_OR_ESCAPE = re.compile(r"\\.|[\[\]()]", re.DOTALL)
# A backslash before ASCII punctuation (or at the end) escapes it; before a letter it is text.
_ESCAPING_BACKSLASH = re.compile(r"\\(?=[!-/:-@\[-`{-~]|$)")
# Text without any of these is plain as it stands (most titles, notes and headings).
_MARKUP = re.compile(r"[\[<\\!*_&]")

References = Mapping[str, str]
NO_REFERENCES: References = {}


@dataclass(frozen=True, slots=True)
class Link:
    """`[label](url)`, `[label][ref]`, or `<url>` (whose label is the address)."""

    label: str
    url: str


@dataclass(frozen=True, slots=True)
class Group:
    """A bracket group not followed by a link target: `[Training | Google]`."""

    text: str


Token = Link | Group | str


def reference_key(label: str) -> str:
    """A reference label as CommonMark matches it: case-folded, inner spaces collapsed."""
    return " ".join(label.split()).casefold()


class Brackets:
    """Where each `[` and `(` of a line closes, found in one pass; backslash escapes skipped."""

    __slots__ = ("_round", "_square", "opens")

    def __init__(self, text: str) -> None:
        self._square: dict[int, int] = {}
        self._round: dict[int, int] = {}
        self.opens: list[int] = []
        if "[" not in text:
            return  # no label, so no link: its parentheses are never asked for
        square: list[int] = []
        round_: list[int] = []
        for found in _BRACKET_OR_ESCAPE.finditer(text):
            ch = found.group()
            i = found.start()
            if ch == "[":
                square.append(i)
            elif ch == "]":
                if square:
                    self._square[square.pop()] = i
            elif ch == "(":
                round_.append(i)
            elif ch == ")" and round_:
                self._round[round_.pop()] = i
        # Only a `[` that closes can start a link or a group: the others are plain text.
        self.opens = sorted(self._square)

    def square(self, start: int) -> int:
        """Index of the `]` closing the `[` at `start`, or -1."""
        return self._square.get(start, -1)

    def round(self, start: int) -> int:
        """Index of the `)` closing the `(` at `start`, or -1."""
        return self._round.get(start, -1)


def link_destination(target: str) -> str:
    """The address inside `(...)`: without `<>`, a link title (`"..."`) or entities."""
    target = target.strip()
    if target.startswith("<") and ">" in target:
        target = target[1 : target.index(">")]
    elif titled := _TITLED.fullmatch(target):
        target = titled.group(1)
    return decode_entities(target)


def link_at(
    text: str, start: int, brackets: Brackets, references: References
) -> tuple[Link, int] | None:
    """The link whose label opens at `text[start]` (a `[`) and the index just past it, or None."""
    end = brackets.square(start)
    if end == -1:
        return None
    label = text[start + 1 : end]
    after = text[end + 1 : end + 2]
    if after == "(":
        close = brackets.round(end + 1)
        if close != -1:
            return Link(label, link_destination(text[end + 2 : close])), close + 1
    if not references:
        return None
    if after == "[":
        # `[label][ref]`, or `[label][]` which names itself.
        ref_end = brackets.square(end + 1)
        if ref_end != -1:
            target = references.get(reference_key(text[end + 2 : ref_end] or label))
            if target is not None:
                return Link(label, target), ref_end + 1
    shortcut = references.get(reference_key(label))
    return (Link(label, shortcut), end + 1) if shortcut is not None else None


class _Next:
    """The next escape, autolink and closing `[` at or after a position, each found once."""

    def __init__(self, text: str, brackets: Brackets, start: int) -> None:
        self.text = text
        self.opens = brackets.opens
        self.open_index = bisect_left(self.opens, start)
        self.escape = text.find("\\", start)
        self.autolink = _AUTOLINK.search(text, start)

    def at_or_after(self, i: int) -> int:
        """The first position >= i where a token other than plain text may start, or -1."""
        if -1 < self.escape < i:
            self.escape = self.text.find("\\", i)
        if self.autolink is not None and self.autolink.start() < i:
            self.autolink = _AUTOLINK.search(self.text, i)
        while self.open_index < len(self.opens) and self.opens[self.open_index] < i:
            self.open_index += 1
        found = [
            self.escape,
            self.autolink.start() if self.autolink else -1,
            self.opens[self.open_index] if self.open_index < len(self.opens) else -1,
        ]
        return min((at for at in found if at != -1), default=-1)


def tokenize(
    text: str,
    references: References = NO_REFERENCES,
    start: int = 0,
    brackets: Brackets | None = None,
) -> list[Token]:
    """Split a line (from `start` on) into links, bracket groups and plain text, in order."""
    if _MARKUP.search(text, start) is None:
        return [text[start:]] if start < len(text) else []
    if brackets is None:
        brackets = Brackets(text)
    tokens: list[Token] = []
    plain: list[str] = []

    def flush() -> None:
        joined = "".join(plain)
        if joined:
            tokens.append(joined)
        plain.clear()

    following = _Next(text, brackets, start)
    i = start
    while (at := following.at_or_after(i)) != -1:
        plain.append(text[i:at])
        if at == following.escape:
            plain.append(text[at : at + 2])
            i = at + 2
            continue
        autolink = following.autolink
        if autolink is not None and at == autolink.start():
            flush()
            url = decode_entities(autolink.group(1))
            tokens.append(Link(url, url))
            i = autolink.end()
            continue
        flush()
        found = link_at(text, at, brackets, references)
        if found is not None:
            tokens.append(found[0])
            i = found[1]
        else:
            end = brackets.square(at)
            tokens.append(Group(text[at + 1 : end]))
            i = end + 1
    plain.append(text[i:])
    flush()
    return tokens


def _unescaped(found: re.Match[str]) -> str:
    if found.group(1) is not None:
        return found.group(1)
    entity = found.group(2)
    if entity.startswith("#"):
        return html.unescape("&" + entity)
    return html5.get(entity, "&" + entity)


def unescape(text: str) -> str:
    """Drop Markdown backslash escapes and decode character references (`&amp;` is `&`)."""
    return _ESCAPE_OR_ENTITY.sub(_unescaped, text)


def decode_entities(text: str) -> str:
    """Character references decoded (`&amp;` -> `&`), backslashes kept (a link's address)."""
    if "&" not in text:
        return text
    return _ESCAPE_OR_ENTITY.sub(
        lambda m: m.group(0) if m.group(1) is not None else _unescaped(m), text
    )


def escape_entities(text: str) -> str:
    """`&` escaped where it would start a character reference, so `&amp;` stays as typed."""
    return _ENTITY.sub(r"\\&", text) if "&" in text else text


def escape_label(text: str) -> str:
    """Escape brackets so a title survives inside `[...]`; `\\Sigma` stays as it is.

    Only a backslash that would escape what follows it (or that ends the text) is doubled.
    """
    escaped = _ESCAPING_BACKSLASH.sub(r"\\\\", text) if "\\" in text else text
    escaped = escaped.replace("[", "\\[").replace("]", "\\]")
    return escape_entities(escaped.replace("<", "\\<"))


def escape_cell(text: str) -> str:
    """Escape pipes so text survives inside a table cell."""
    return text.replace("|", "\\|")


def plain_text(text: str) -> str:
    """Text without emphasis markers, images, HTML tags or escapes, on one line."""
    if _MARKUP.search(text) is None:
        return " ".join(text.split())
    text = _IMAGE.sub("", text)
    text = _HTML_TAG.sub("", text)
    text = _EMPHASIS.sub("", text)
    return " ".join(unescape(text).split())


def heading_text(text: str, references: References = NO_REFERENCES) -> str:
    """A heading's words: links reduced to their labels, no emphasis, no trailing colon."""
    text = _IMAGE.sub("", text)
    parts = []
    for token in tokenize(text, references):
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
