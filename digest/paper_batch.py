"""A batch of tokenised papers turned around: for each key a rule looks for, the papers holding it.

The matcher evaluates every term once per batch, over these postings, instead of every candidate
rule once per paper: a paper is visited once, and only for the keys some rule needs (found with
one C-level set intersection per paper).
"""

from __future__ import annotations

from collections.abc import Sequence

from digest.paper_text import PaperText


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
    """`@token x` for each author token some rule anchors on and x another token's first letter.

    A multi-word author term can only match an author holding one of its whole words (the
    anchor) and another token that starts with a letter of another word (see name_cover).
    """
    found = set()
    for name in authors:
        for i in range(len(name)):
            token = name[i]
            if token in anchors:
                for j, other in enumerate(name):
                    if i != j:
                        found.add(f"@{token} {other[0]}")
    return found
