"""A paper tokenised once into match keys per field, with the term tests the matcher runs on it."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

from digest import taxonomy
from digest.models import Paper
from digest.text import keys


class PaperText:
    """A paper's match keys per field (title, abstract, comment, journal ref, each author)."""

    __slots__ = (
        "_sorted",
        "abstract",
        "abstract_set",
        "all_keys",
        "author_set",
        "authors",
        "categories",
        "comment",
        "comment_set",
        "has_code",
        "journal_ref",
        "journal_ref_set",
        "title",
        "title_set",
        "venue",
        "venue_year",
    )

    def __init__(self, paper: Paper) -> None:
        self.title = tuple(keys(paper.title))
        self.abstract = tuple(keys(paper.abstract))
        self.comment = tuple(keys(paper.comment)) if paper.comment else ()
        self.journal_ref = tuple(keys(paper.journal_ref)) if paper.journal_ref else ()
        self.authors = tuple(tuple(keys(name)) for name in paper.author_names)
        self.title_set = frozenset(self.title)
        self.abstract_set = frozenset(self.abstract)
        self.comment_set = frozenset(self.comment)
        self.journal_ref_set = frozenset(self.journal_ref)
        self.author_set = frozenset(key for name in self.authors for key in name)
        self.all_keys = (
            self.title_set | self.abstract_set | self.comment_set | self.journal_ref_set
        ) | self.author_set
        found: set[str] = set()
        for category in paper.categories:
            found |= taxonomy.paper_keys(category)
        self.categories = frozenset(found)
        venue_name, _, year = (paper.venue or "").partition("'")
        self.venue = venue_name.casefold() if venue_name else None
        self.venue_year = year
        self.has_code = paper.code_url is not None
        self._sorted: dict[str, list[str]] = {}

    def sorted_keys(self, field: str) -> list[str]:
        """The distinct keys of one field ("ti", "abs", "co", "jr", "au"), sorted for bisect."""
        found = self._sorted.get(field)
        if found is None:
            source = {
                "ti": self.title_set,
                "abs": self.abstract_set,
                "co": self.comment_set,
                "jr": self.journal_ref_set,
                "au": self.author_set,
            }[field]
            found = self._sorted[field] = sorted(source)
        return found


def has_phrase(sequence: tuple[str, ...], words: tuple[str, ...]) -> bool:
    """Whether `words` occur in a row in `sequence`."""
    n = len(words)
    first = words[0]
    start = 0
    try:
        while True:
            i = sequence.index(first, start)  # C-speed scan to each candidate start
            if sequence[i : i + n] == words:
                return True
            start = i + 1
    except ValueError:
        return False


def has_prefix(sorted_keys: Sequence[str], prefix: str) -> bool:
    """Whether some key in the sorted `sorted_keys` starts with `prefix`."""
    i = bisect_left(sorted_keys, prefix)
    return i < len(sorted_keys) and sorted_keys[i].startswith(prefix)


def name_matches(words: tuple[str, ...], name: tuple[str, ...]) -> bool:
    """Whether the keys of an author term fit one author's name keys.

    Every word must land on its own name token: a whole word on an equal token, a single letter on
    a token it starts (an initial), and a whole word on a single-letter token that starts it (the
    paper gives only the initial). At least one whole word must land on an equal token, so
    `au:adrian` does not match every "A. Someone".
    """
    if len(words) > len(name):
        return False
    for anchor, word in enumerate(words):
        if len(word) < 2:
            continue
        for slot, token in enumerate(name):
            if token == word:
                rest = words[:anchor] + words[anchor + 1 :]
                if _fits(rest, [t for i, t in enumerate(name) if i != slot]):
                    return True
    return False


def _fits(words: tuple[str, ...], tokens: list[str]) -> bool:
    """Whether every word can take a distinct compatible token (backtracking; names are short)."""
    if not words:
        return True
    word = words[0]
    for i, token in enumerate(tokens):
        if (
            token == word
            or (len(word) == 1 and token.startswith(word))
            or (len(token) == 1 and word.startswith(token))
        ) and _fits(words[1:], tokens[:i] + tokens[i + 1 :]):
            return True
    return False
