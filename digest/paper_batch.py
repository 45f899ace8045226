"""A batch of tokenised papers turned around: for each key a rule looks for, the papers holding it.

The matcher evaluates every term once per batch, over these postings, instead of every candidate
rule once per paper: a paper is visited once, and only for the keys some rule needs (found with
one C-level set intersection per paper).
"""

from __future__ import annotations

from collections.abc import Sequence

from digest.paper_text import PaperText
from digest.text import word_key


class PaperBatch:
    """Papers by their index in the batch: token -> {paper: part bits}, other key -> papers."""

    __slots__ = ("others", "texts", "tokens")

    def __init__(
        self,
        texts: Sequence[PaperText],
        tokens: set[str],
        others: set[str],
        anchors: frozenset[str],
    ) -> None:
        self.texts = texts
        postings: dict[str, dict[int, int]] = {}
        found: dict[str, set[int]] = {}
        for index, text in enumerate(texts):
            parts = text.parts
            for token in tokens.intersection(parts):
                posting = postings.get(token)
                if posting is None:
                    postings[token] = {index: parts[token]}
                else:
                    posting[index] = parts[token]
            keys = others.intersection(text.categories)
            if text.venue:
                keys.add("v:" + text.venue)
            if text.has_code:
                keys.add("h:code")
            if anchors:
                keys.update(author_pairs(text.authors, anchors))
            for key in others.intersection(keys):
                papers = found.get(key)
                if papers is None:
                    found[key] = {index}
                else:
                    papers.add(index)
        self.tokens = postings
        self.others = found


def author_pairs(authors: tuple[tuple[str, ...], ...], anchors: frozenset[str]) -> set[str]:
    """`@key other` and `@key o*` for each author token some rule anchors on (its key) and each
    other token of the same name (its key, and its key's first letter).

    A multi-word author term can only match an author holding one of its whole words (the
    anchor) and a token that fits each other word (see compiled_terms.name_cover).
    """
    found = set()
    for name in authors:
        if anchors.isdisjoint(name):
            continue
        keys = [word_key(token) for token in name]
        for i, token in enumerate(name):
            if token in anchors:
                key = keys[i]
                for j, other in enumerate(keys):
                    if i != j:
                        found.add(f"@{key} {other}")
                        found.add(f"@{key} {other[0]}*")
    return found
