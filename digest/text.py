"""Text normalisation shared by the rule language and the matcher: Unicode-folded word tokens."""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# After lower-casing, ASCII words are exactly these; the plain class is faster than the Unicode one.
_ASCII_WORD = re.compile(r"[a-z0-9]+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
# The same tokens of an ASCII text in two C passes, faster than the regex (the matcher tokenises
# every abstract): each byte mapped by bytes.translate (letters lowered, digits kept, anything
# else a space), then str.split.
_ASCII_TOKEN_BYTES = bytes(
    byte + 32 if 65 <= byte <= 90 else byte if 97 <= byte <= 122 or 48 <= byte <= 57 else 32
    for byte in range(256)
)
# word_key over a whole lower-case ASCII text in one pass: the `s` ending a token of four or more
# characters whose previous character is not `s` (fixed pattern; no user text becomes a regex).
_ASCII_PLURAL = re.compile(r"(?<=[a-z0-9]{2}[a-rt-z0-9])s(?![a-z0-9])")


def fold(text: str) -> str:
    """Unicode-normalise (NFKC), strip accents and case-fold."""
    if text.isascii():
        return text.lower()  # casefold() of ASCII is lower(); this path serves most papers
    decomposed = unicodedata.normalize("NFKD", text)
    # only non-ASCII characters can be combining marks: a mostly ASCII abstract with one dash
    # is looked at a character at a time only there
    stripped = _NON_ASCII.sub(_drop_combining, decomposed)
    return unicodedata.normalize("NFKC", stripped).casefold()


def _drop_combining(found: re.Match[str]) -> str:
    return "".join(ch for ch in found[0] if not unicodedata.combining(ch))


def tokens(text: str) -> list[str]:
    """The folded word tokens of `text`, in order ("Mixture-of-Experts" -> mixture, of, experts)."""
    if text.isascii():  # fold() would only lower-case it
        return text.encode("ascii").translate(_ASCII_TOKEN_BYTES).decode("ascii").split()
    folded = fold(text)
    if folded.isascii():
        return _ASCII_WORD.findall(folded)
    return _WORD.findall(folded)


def word_key(token: str) -> str:
    """The form a token is matched by: a folded token without a plural `s` ("models" -> "model").

    Only one trailing `s` goes, and only from tokens of four or more characters not ending in
    `ss`, so "moe", "gas" and "process" stay as they are. Rules and papers go through the same
    function, so a stripped form never has to be a real word.
    """
    if len(token) > 3 and token[-1] == "s" and token[-2] != "s":
        return token[:-1]
    return token


def keys(text: str) -> list[str]:
    """The match keys of `text`, in order: `word_key` of every token."""
    folded = fold(text)
    if folded.isascii():  # the common case, done in C: papers are mostly ASCII
        return _ASCII_WORD.findall(_ASCII_PLURAL.sub("", folded))
    return [word_key(token) for token in _WORD.findall(folded)]


def normalise_space(text: str) -> str:
    """Collapse runs of white space to one space and trim."""
    return " ".join(text.split())
