"""Words of a typed command, one way for every command and platform: shell (shlex) rules, with
the curly quotes phones and chat apps type (“ ” ‘ ’) read as the straight ones."""

from __future__ import annotations

import io
import shlex

CURLY = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'"})
QUOTES = "\"'"


class WordsError(ValueError):
    """A command line whose quotes do not close."""


def straight_quotes(text: str) -> str:
    """The text with curly quotes made straight."""
    return text.translate(CURLY)


def first_word(text: str) -> tuple[str, str]:
    """The first word of `text` (quotes removed) and the text after it as typed, stripped."""
    stream = io.StringIO(straight_quotes(text))
    lexer = shlex.shlex(stream, posix=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        word = lexer.get_token()
    except ValueError as exc:
        raise WordsError("a quote is never closed; close it, or leave quotes out") from exc
    unread = len(stream.read()) if word is not None else 0
    # Straightening quotes keeps every character in place, so the rest is cut from the original.
    return word or "", text[len(text) - unread :].strip()


def unquoted(value: str) -> str:
    """A name typed with or without quotes around it (`"LLM Systems / Inference"`, “Training”):
    the quotes are not part of it."""
    value = value.strip()
    if value[:1] not in QUOTES and straight_quotes(value[:1]) not in QUOTES:
        return value
    try:
        word, rest = first_word(value)
    except WordsError:
        return value
    return word.strip() if not rest else value
