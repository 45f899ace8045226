"""Terms compiled for the matcher: the keys they are looked up by, where they occur in a batch."""

from __future__ import annotations

from collections.abc import Mapping, Set

from digest.paper_batch import PaperBatch
from digest.paper_text import (
    ABSTRACT,
    AUTHORS,
    COMMENT,
    JOURNAL_REF,
    PART_BITS,
    TITLE,
    PaperText,
    has_phrase,
    name_matches,
    variants,
)
from digest.query import Term
from digest.text import word_key

TITLE_WEIGHT = 3.0
OTHER_WEIGHT = 1.0
RARE_SHARE = 0.002  # assumed share of papers holding a key the frequency table does not list
# A phrase's papers are narrowed by one more of its words, the rarest after the one it is
# looked up by, if at most this share of papers hold it (a common word's postings cost a batch
# more than it saves: 10,000 rules over the corpus, phrases 1.27 -> 0.57 s)
NARROW_SHARE = 0.1
NARROW_WORDS = 1
ALL_PARTS = TITLE | ABSTRACT | COMMENT | JOURNAL_REF | AUTHORS
TEXT_PARTS = (TITLE, ABSTRACT, COMMENT, JOURNAL_REF)
# the weight of a term found in a set of parts: 3 for the title, 1 for each other part
PARTS_WEIGHT = tuple(
    (TITLE_WEIGHT if bits & TITLE else 0.0) + OTHER_WEIGHT * bin(bits & ~TITLE).count("1")
    for bits in range(ALL_PARTS + 1)
)

# A term's occurrences in a batch: paper index -> the weight it adds to a matching rule's score,
# or (a category, venue, has:code or author term) the papers, where it always adds OTHER_WEIGHT.
Occurrences = dict[int, float] | set[int]
_NO_ANCHORS: frozenset[str] = frozenset()  # one shared empty set: most terms are no author terms
_NO_PAPERS: set[int] = set()  # never changed: occurrences are only read


class CompiledTerm:
    """A term with its match keys, the keys it is looked up by, and its text as shown."""

    __slots__ = (
        "anchors",
        "bits",
        "forms",
        "keys",
        "kind",
        "lookup",
        "narrow",
        "others",
        "rendered",
        "term",
    )

    def __init__(self, term: Term, shares: Mapping[str, float]) -> None:
        self.term = term
        self.kind = term.kind
        self.rendered = term.render()
        # a prefix is used as typed: `fores*` must not lose its `s` and become `fore*`
        prefix = term.kind == "prefix"
        self.keys = term.words if prefix else tuple(word_key(word) for word in term.words)
        self.forms = tuple(variants(key) for key in self.keys)  # per key, the tokens it is
        # an author term's whole words (not initials), as the tokens that carry them
        self.anchors = _NO_ANCHORS
        if term.kind == "name":
            pairs = zip(self.keys, self.forms, strict=True)
            self.anchors = frozenset(form for key, forms in pairs if len(key) > 1 for form in forms)
        self.bits = ALL_PARTS if term.field == "all" else PART_BITS.get(term.field, 0)
        self.lookup, self.others = _lookup_keys(self, shares)
        # a phrase's other word (as its forms) that narrows the papers holding its rarest word
        # before its word order is looked at (see NARROW_SHARE)
        self.narrow: tuple[tuple[str, ...], ...] = ()
        if term.kind == "phrase":
            share = {
                forms: shares.get(key, RARE_SHARE)
                for key, forms in zip(self.keys, self.forms, strict=True)
                if forms != self.lookup
            }
            rest = sorted((f for f in share if share[f] <= NARROW_SHARE), key=share.__getitem__)
            self.narrow = tuple(rest[:NARROW_WORDS])

    def occurrences(self, batch: PaperBatch, starts: Mapping[str, list[str]]) -> Occurrences:
        """The papers of a batch the term occurs in, with its weight in each.

        `starts` gives, for each prefix, the batch's tokens that start with it.
        """
        kind = self.kind
        if kind in ("word", "prefix"):
            tokens = starts.get(self.keys[0], ()) if kind == "prefix" else self.lookup
            return _weights(_parts(batch, tokens, self.bits))
        if kind == "phrase":
            texts = batch.texts
            found: dict[int, float] = {}
            for index in self._phrase_candidates(batch):
                parts = self.phrase_parts(texts[index])
                if parts:
                    found[index] = PARTS_WEIGHT[parts]
            return found
        if kind == "name" and not self.others:  # one word: an author token with its key
            return set(_parts(batch, self.lookup, AUTHORS))
        others = batch.others
        if len(self.others) == 1:
            [key] = self.others
            papers = others.get(key, _NO_PAPERS)
        else:
            papers = set[int]().union(*(others.get(key, ()) for key in self.others))
        if kind == "name":
            if len(self.keys) == 2:  # its pair keys are exact
                return papers
            texts = batch.texts
            return {i for i in papers if self.names_match(texts[i])}
        if kind == "venue" and self.term.key:
            year, texts = self.term.key, batch.texts
            return {i for i in papers if texts[i].venue_year == year}
        return papers

    def _phrase_candidates(self, batch: PaperBatch) -> Set[int]:
        """The papers of a batch that may hold the phrase: those holding its rarest word (in
        its parts) and its narrowing word anywhere, found with set operations in C (most
        papers with the rarest word lack another one)."""
        candidates: Set[int] = _parts(batch, self.lookup, self.bits).keys()
        postings = batch.tokens
        for forms in self.narrow:
            if not candidates:
                break
            held = [posting.keys() for form in forms if (posting := postings.get(form))]
            if len(held) == 1:
                candidates = candidates & held[0]
            else:
                candidates = set[int]().union(*(candidates & papers for papers in held))
        return candidates

    def phrase_parts(self, text: PaperText) -> int:
        """The parts in which a phrase occurs, words in a row (never across two authors)."""
        get = text.parts.get
        candidates = self.bits
        for forms in self.forms:
            bits = 0
            for form in forms:
                bits |= get(form, 0)
            candidates &= bits
            if not candidates:
                return 0
        found = 0
        for bit in TEXT_PARTS:
            if candidates & bit and has_phrase(text.sequence(bit), self.forms):
                found |= bit
        if candidates & AUTHORS and any(has_phrase(name, self.forms) for name in text.authors):
            found |= AUTHORS
        return found

    def names_match(self, text: PaperText) -> bool:
        """Whether a multi-word author term fits one of the paper's authors."""
        anchors = self.anchors
        return any(
            name_matches(self.keys, keys)
            for name, keys in zip(text.authors, text.author_keys(), strict=True)
            if not anchors.isdisjoint(name)
        )


def _parts(batch: PaperBatch, tokens: tuple[str, ...] | list[str], bits: int) -> dict[int, int]:
    """The papers holding one of `tokens` in one of the parts `bits`, with those parts."""
    postings = batch.tokens
    found: dict[int, int] = {}
    for token in tokens:
        posting = postings.get(token)
        if posting is None:
            continue
        if not found and bits == ALL_PARTS:
            found = dict(posting)
            continue
        for index, held in posting.items():
            parts = held & bits
            if parts:
                found[index] = found.get(index, 0) | parts
    return found


def _weights(parts: dict[int, int]) -> Occurrences:
    weight = PARTS_WEIGHT
    return {index: weight[bits] for index, bits in parts.items()}


def _lookup_keys(
    compiled: CompiledTerm, shares: Mapping[str, float]
) -> tuple[tuple[str, ...], frozenset[str]]:
    """The tokens whose postings a term reads, and the other keys (categories, venue, code,
    author pairs) whose papers it reads."""
    term = compiled.term
    if term.kind == "category":
        return (), frozenset({term.key})
    if term.kind == "venue":
        return (), frozenset({"v:" + term.words[0].casefold()})
    if term.kind == "has":
        return (), frozenset({"h:" + term.words[0]})
    if term.kind == "prefix":
        return (), frozenset()  # the batch's tokens starting with it, found per batch
    if term.kind == "name":
        if len(compiled.keys) == 1:
            return compiled.forms[0], frozenset()
        return (), frozenset(name_cover(compiled.keys))
    if term.kind == "word":
        return compiled.forms[0], frozenset()
    # a phrase occurs only where each of its words does: its rarest word finds the candidates
    rarest = min(compiled.keys, key=lambda key: shares.get(key, RARE_SHARE))
    return variants(rarest), frozenset()


def name_cover(keys: tuple[str, ...]) -> set[str]:
    """Author pair keys (see paper_batch.author_pairs) an author holds if a multi-word author
    term matches it; for a two-word term, exactly when it matches.

    A match lands some whole word of the term on a name token with the same key (the anchor)
    and every other word on another token it fits: the same key, an initial of it (a one-letter
    word), or the initial the paper gives (a one-letter token). A two-word term is therefore
    held by "@anchor word" and "@anchor w" (the word, or the paper's initial of it) when its other
    word is whole, and by "@anchor w*" (a token that starts with it) when that is an initial;
    with more words, "@anchor w*" for one other word w only finds the candidates.
    """
    cover: set[str] = set()
    if len(keys) == 2:
        for anchor, other in (keys, keys[::-1]):
            if len(anchor) > 1:
                if len(other) > 1:
                    cover.update((f"@{anchor} {other}", f"@{anchor} {other[0]}"))
                else:
                    cover.add(f"@{anchor} {other}*")
        return cover
    for i, anchor in enumerate(keys):
        if len(anchor) > 1:
            other = keys[i + 1] if i + 1 < len(keys) else keys[i - 1]
            cover.add(f"@{anchor} {other[0]}*")
    return cover
