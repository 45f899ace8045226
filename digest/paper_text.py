"""A paper tokenised once per field, with the term tests the matcher runs on it.

Papers keep their plain folded tokens; the plural folding of match keys (digest.text.word_key) is
applied on the rule side instead: a key is looked for as each token that folds to it (`variants`:
"model" as "model" and "models"). That gives the same matches as folding every paper token, and
leaves tokenising a paper at one regex pass per field, which is most of the matcher's work.
"""

from __future__ import annotations

from digest import taxonomy
from digest.models import Paper
from digest.text import tokens, word_key

# Which parts of a paper a token occurs in, as bits of one int per token.
TITLE, ABSTRACT, COMMENT, JOURNAL_REF, AUTHORS = 1, 2, 4, 8, 16
PART_BITS = {"ti": TITLE, "abs": ABSTRACT, "co": COMMENT, "jr": JOURNAL_REF, "au": AUTHORS}


class PaperText:
    """A paper's folded tokens: in order per field, and one map token -> parts it occurs in."""

    __slots__ = (
        "_author_keys",
        "abstract",
        "authors",
        "categories",
        "comment",
        "has_code",
        "journal_ref",
        "parts",
        "title",
        "venue",
        "venue_year",
    )

    def __init__(self, paper: Paper, tokenise: bool = True) -> None:
        """The paper's tokens, or (`tokenise` False: it holds no token a rule looks for) only
        its categories, venue and code link."""
        if tokenise:
            self.title = tuple(tokens(paper.title))
            self.abstract = tuple(tokens(paper.abstract))
            self.comment = tuple(tokens(paper.comment)) if paper.comment else ()
            self.journal_ref = tuple(tokens(paper.journal_ref)) if paper.journal_ref else ()
            self.authors = tuple(tuple(tokens(name)) for name in paper.author_names)
        else:
            self.title = self.abstract = self.comment = self.journal_ref = ()
            self.authors = ()
        # one dict instead of a set per field: built mostly in C (the abstract is most tokens),
        # and a term learns every part it occurs in from one lookup
        parts = dict.fromkeys(self.abstract, ABSTRACT)
        for sequence, bit in ((self.title, TITLE), (self.comment, COMMENT)):
            for token in sequence:
                parts[token] = parts.get(token, 0) | bit
        for token in self.journal_ref:
            parts[token] = parts.get(token, 0) | JOURNAL_REF
        for name in self.authors:
            for token in name:
                parts[token] = parts.get(token, 0) | AUTHORS
        self.parts = parts
        found: set[str] = set()
        for category in paper.categories:
            found |= taxonomy.paper_keys(category)
        self.categories = frozenset(found)
        venue_name, _, year = (paper.venue or "").partition("'")
        self.venue = venue_name.casefold() if venue_name else None
        self.venue_year = year
        self.has_code = paper.code_url is not None
        self._author_keys: tuple[tuple[str, ...], ...] | None = None

    def author_keys(self) -> tuple[tuple[str, ...], ...]:
        """Each author's name tokens as match keys (made when an author term first asks)."""
        if self._author_keys is None:
            self._author_keys = tuple(tuple(word_key(t) for t in name) for name in self.authors)
        return self._author_keys

    def sequence(self, bit: int) -> tuple[str, ...]:
        """The tokens of the title, abstract, comment or journal ref, in order."""
        if bit == TITLE:
            return self.title
        if bit == ABSTRACT:
            return self.abstract
        return self.comment if bit == COMMENT else self.journal_ref


def variants(key: str) -> tuple[str, ...]:
    """The tokens whose match key is `key` ("model" -> model, models; "gas" -> gas)."""
    found = (key,) if word_key(key) == key else ()
    plural = key + "s"
    return (*found, plural) if word_key(plural) == key else found


def has_phrase(sequence: tuple[str, ...], words: tuple[tuple[str, ...], ...]) -> bool:
    """Whether tokens in a row in `sequence` match `words` (each word given by its variants)."""
    n = len(words)
    last = len(sequence) - n
    for first in words[0]:
        start = 0
        while True:
            try:
                i = sequence.index(first, start)  # C-speed scan to each candidate start
            except ValueError:
                break
            if i > last:
                break
            if all(sequence[i + j] in words[j] for j in range(1, n)):
                return True
            start = i + 1
    return False


def name_matches(words: tuple[str, ...], name_keys: tuple[str, ...]) -> bool:
    """Whether the keys of an author term fit the keys of one author's name tokens.

    Every word must land on its own name token: a whole word on a token with the same key, a
    single letter on a token it starts (an initial), and a whole word on a single-letter token
    that starts it (the paper gives only the initial). At least one whole word must land on an
    equal token, so `au:adrian` does not match every "A. Someone".
    """
    if len(words) > len(name_keys):
        return False
    if len(words) == 2:  # most author terms: first and last name, or surname and initial
        first, second = words
        for i, key in enumerate(name_keys):
            for j, other in enumerate(name_keys):
                if i != j and (
                    (key == first and len(first) > 1 and _fit(second, other))
                    or (key == second and len(second) > 1 and _fit(first, other))
                ):
                    return True
        return False
    for anchor, word in enumerate(words):
        if len(word) < 2:
            continue
        for slot, key in enumerate(name_keys):
            if key == word:
                rest = words[:anchor] + words[anchor + 1 :]
                if _fits(rest, name_keys[:slot] + name_keys[slot + 1 :]):
                    return True
    return False


def _fits(words: tuple[str, ...], keys: tuple[str, ...]) -> bool:
    """Whether every word can take a distinct compatible key (backtracking; names are short)."""
    if not words:
        return True
    word = words[0]
    for i, key in enumerate(keys):
        if _fit(word, key) and _fits(words[1:], keys[:i] + keys[i + 1 :]):
            return True
    return False


def _fit(word: str, key: str) -> bool:
    """A name word fits a name token's key: equal, or one is an initial of the other."""
    return (
        key == word
        or (len(word) == 1 and key.startswith(word))
        or (len(key) == 1 and word.startswith(key))
    )
