"""Markdown lists in the styles hand-kept lists use: read any of them, write each of them."""

from __future__ import annotations

import re
from collections.abc import Callable

from digest.list_document import ListDocument, ReadLimits, ReadResult
from digest.list_markdown import bracket_venue, conference_notes, llmsys, table
from digest.list_markdown.reader import read_markdown
from digest.list_styles import AUTO, STYLES
from digest.safe_text import without_controls

# One writer a style name, in the order of STYLES (strict: a style without a writer fails here).
WRITERS: dict[str, Callable[[ListDocument], str]] = dict(
    zip(
        STYLES,
        (llmsys.write, bracket_venue.write, conference_notes.write, table.write),
        strict=True,
    )
)
__all__ = [
    "AUTO",
    "STYLES",
    "WRITERS",
    "StyleError",
    "check_style",
    "detect_style",
    "read_list",
    "write_list",
]

_SIGNS: dict[str, tuple[re.Pattern[str], ...]] = {
    "bracket-venue": (re.compile(r"\s*[-*] \[[^\]]*\d{2}\]\s"),),
    "conference-notes": (
        re.compile(r"\s*[-*] \([^)]*'\s?\d{2}\)\s"),
        re.compile(r"\s*[-*] [^\[].*\[(?:link|paper)\]\("),
        re.compile(r"#{2,6} \[?[A-Za-z]+ (?:19|20)\d{2}\b"),
        re.compile(r"\* [^\[(]"),
    ),
    "llmsys": (re.compile(r"\s*[-*] \[[^\]]*[^\d\]]\]\("),),
}


_SIGN_STARTS = ("-", "*", "#", "|")


def _is_table_entry(line: str) -> bool:
    """A table row holding a link (`| Title | [[paper]](...) |`)."""
    stripped = line.strip()
    return len(stripped) >= 2 and stripped[0] == stripped[-1] == "|" and "](" in stripped


class StyleError(ValueError):
    """A style name this build does not know."""


def check_style(style: str, allow_auto: bool = False) -> str:
    """The style name if known; StyleError naming the known ones otherwise."""
    if style in WRITERS or (allow_auto and style == AUTO):
        return style
    known = ", ".join(STYLES) + (f", {AUTO}" if allow_auto else "")
    raise StyleError(f"unknown list style {style!r}; known styles: {known}")


def detect_style(text: str) -> str:
    """The style a Markdown list is written in, by counting the lines typical of each."""
    scores = dict.fromkeys(STYLES, 0)
    for line in text.splitlines():
        if line.lstrip()[:1] not in _SIGN_STARTS:
            continue  # every sign starts with one of these; most lines of a list do not
        scores["table"] += _is_table_entry(line)
        for style, patterns in _SIGNS.items():
            if any(p.match(line) for p in patterns):
                scores[style] += 1
    if "<!-- TOC -->" in text and scores["bracket-venue"]:
        # Our bracket-venue lists carry this marker; it outweighs venue-less entries.
        scores["bracket-venue"] += sum(scores.values())
    best = max(STYLES, key=lambda style: scores[style])
    return best if scores[best] else "llmsys"


def read_list(text: str, style: str = AUTO, limits: ReadLimits | None = None) -> ReadResult:
    """Read a Markdown list; `auto` detects its style first; ListTooBig past `limits`."""
    check_style(style, allow_auto=True)
    text = without_controls(text.removeprefix("\ufeff"))
    return read_markdown(text, detect_style(text) if style == AUTO else style, limits)


def write_list(document: ListDocument, style: str) -> str:
    """Write a list in one of the styles."""
    return WRITERS[check_style(style)](document)
