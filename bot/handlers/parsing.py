"""Parsers for what users type into commands; each raises a UserError that says how to fix it."""

from __future__ import annotations

import re
from datetime import datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.commands import WEEKDAY_CHOICES
from bot.handlers.context import UserError
from bot.rich_text import BREAK, Pre, Text, code, text
from digest.arxiv import FeedError, split_id
from digest.query import QueryError, pointed

MAX_CAP = 100
TIME = re.compile(r"^(?P<hour>\d{1,2})(?::(?P<minute>\d{2}))?$")


def rule_error(rule: str, error: QueryError) -> Text:
    """The parse error of a rule, with a caret under the place it went wrong."""
    shown, caret = pointed(rule, error)
    return text(f"That rule does not parse: {error}.", BREAK, Pre(f"{shown}\n{caret}"))


def paper_id(value: str) -> str:
    """The bare arXiv id of an id or an arxiv.org link."""
    try:
        return split_id(value.strip().strip("<>"))[0]
    except FeedError as exc:
        raise UserError(
            code(value),
            " is not an arXiv id; use one like ",
            code("2406.12345"),
            " or an arxiv.org link.",
        ) from exc


def parse_time(value: str) -> time:
    """A 24-hour `HH:MM` or `H:MM` time, or a bare hour."""
    found = TIME.match(value.strip())
    try:
        if found is None:
            raise ValueError(value)
        return time(int(found["hour"]), int(found["minute"] or 0))
    except ValueError as exc:
        raise UserError(
            code(value),
            " is not a time; use 24-hour ",
            code("HH:MM"),
            ", like ",
            code("09:00"),
            ".",
        ) from exc


def parse_zone(value: str) -> str:
    """An IANA time zone name."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UserError(
            code(value), " is not an IANA time zone; try ", code("Europe/Berlin"), "."
        ) from exc
    return value


def parse_weekday(value: str) -> int:
    """A weekday (its first three letters are enough) as 0 for Monday to 6 for Sunday."""
    day = value.strip().lower()[:3]
    if day not in WEEKDAY_CHOICES:
        raise UserError(code(value), f" is not a weekday; use one of {', '.join(WEEKDAY_CHOICES)}.")
    return WEEKDAY_CHOICES.index(day)


def parse_cap(value: str) -> int:
    """A digest's cap: a number of papers from 1 to MAX_CAP."""
    if not value.isdigit() or not 1 <= int(value) <= MAX_CAP:
        raise UserError(code(value), f" is not a cap; give a number of papers from 1 to {MAX_CAP}.")
    return int(value)


def parse_quiet(value: str) -> bool:
    """Whether a digest with nothing new stays quiet (`quiet`) or says so (`say`)."""
    word = value.strip().lower()
    if word in ("quiet", "silent", "skip", "nothing", "off"):
        return True
    if word in ("say", "post", "tell", "on"):
        return False
    raise UserError(
        "when-empty takes ",
        code("say"),
        " (post a short “nothing new” line) or ",
        code("quiet"),
        " (post nothing).",
    )


def when(instant: datetime, zone: str) -> str:
    """An instant as a reader in `zone` sees it, like `Mon 22 Jun 09:00 Europe/Berlin`."""
    local = instant.astimezone(ZoneInfo(zone))
    return f"{local:%a %d %b %H:%M} {zone}"
