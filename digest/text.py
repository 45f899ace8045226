"""Text normalisation shared by the matcher and the list tools: Unicode-folded word tokens."""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def fold(text: str) -> str:
    """Unicode-normalise (NFKC), strip accents and case-fold."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFKC", stripped).casefold()


def tokens(text: str) -> list[str]:
    """The folded word tokens of `text`, in order ("Mixture-of-Experts" -> mixture, of, experts)."""
    return _WORD.findall(fold(text))


def normalise_space(text: str) -> str:
    """Collapse runs of white space to one space and trim."""
    return " ".join(text.split())
