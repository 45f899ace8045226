"""Words of a typed command, one way for every command and platform: shell (shlex) rules, with
the curly quotes phones and chat apps type (“ ” ‘ ’) read as the straight ones."""

from __future__ import annotations

import io
import shlex

CURLY = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'"})
QUOTES = "\"'"


def straight_quotes(text: str) -> str:
    """The text with curly quotes made straight."""
    return text.translate(CURLY)


def first_word(text: str) -> tuple[str, str]:
    """The first word of `text` (quotes removed) and the text after it as typed, stripped.

    A backslash is an ordinary character (titles hold TeX, paths hold backslashes), and a quote
    that never closes is one too: the word then ends at the next space, as typed.
    """
    text = text.strip()
    stream = io.StringIO(straight_quotes(text))
    lexer = shlex.shlex(stream, posix=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    lexer.escape = ""
    try:
        word = lexer.get_token()
    except ValueError:  # a quote that never closes
        word, *rest = text.split(None, 1)
        return word, "".join(rest).strip()
    unread = len(stream.read()) if word is not None else 0
    # Straightening quotes keeps every character in place, so the rest is cut from the original.
    return word or "", text[len(text) - unread :].strip()


def unquoted(value: str) -> str:
    """A name typed with or without quotes around it (`"LLM Systems / Inference"`, “Training”):
    the quotes are not part of it."""
    value = value.strip()
    if straight_quotes(value[:1]) not in QUOTES or not value:
        return value
    word, rest = first_word(value)
    return word.strip() if not rest else value
