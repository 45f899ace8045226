"""Terms compiled for the matcher: their match keys, the tokens carrying them, a weight function."""

from __future__ import annotations

from collections.abc import Callable

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
    prefix_parts,
    variants,
)
from digest.query import Term
from digest.text import word_key

TITLE_WEIGHT = 3.0
OTHER_WEIGHT = 1.0
ALL_PARTS = TITLE | ABSTRACT | COMMENT | JOURNAL_REF | AUTHORS
TEXT_PARTS = (TITLE, ABSTRACT, COMMENT, JOURNAL_REF)
# the weight of a term found in a set of parts: 3 for the title, 1 for each other part
PARTS_WEIGHT = tuple(
    (TITLE_WEIGHT if bits & TITLE else 0.0) + OTHER_WEIGHT * bin(bits & ~TITLE).count("1")
    for bits in range(ALL_PARTS + 1)
)

Weigher = Callable[[PaperText], float]
_NO_ANCHORS: frozenset[str] = frozenset()  # one shared empty set: most terms are no author terms


class CompiledTerm:
    """A term with its match keys, the tokens that carry them, its weight function and text."""

    __slots__ = ("anchors", "bits", "forms", "keys", "kind", "rendered", "term", "weigh")

    def __init__(self, term: Term) -> None:
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
        self.weigh: Weigher = _weigher(self)

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
        return any(
            name_matches(self.keys, name)
            for name in text.authors
            if not self.anchors.isdisjoint(name)
        )


def _weigher(compiled: CompiledTerm) -> Weigher:
    """A function giving the term's weight on a paper, specialised to the term's kind.

    These run for every candidate rule's terms, so each kind gets the shortest test: one or two
    dict lookups for a word, a set lookup for a category, a bail-out before phrase scans.
    """
    term, bits = compiled.term, compiled.bits
    if term.kind == "category":
        category = term.key
        return lambda t: OTHER_WEIGHT if category in t.categories else 0.0
    if term.kind == "venue":
        venue, year = term.words[0].casefold(), term.key
        return lambda t: (
            OTHER_WEIGHT if t.venue == venue and (not year or t.venue_year == year) else 0.0
        )
    if term.kind == "has":
        return lambda t: OTHER_WEIGHT if t.has_code else 0.0
    if term.kind == "name":
        return _name_weigher(compiled)
    if term.kind == "prefix":
        prefix = compiled.keys[0]
        return lambda t: PARTS_WEIGHT[prefix_parts(t, prefix) & bits]
    if term.kind == "phrase":
        return lambda t: PARTS_WEIGHT[compiled.phrase_parts(t)]
    forms = compiled.forms[0]
    if len(forms) == 1:
        form = forms[0]
        return lambda t: PARTS_WEIGHT[t.parts.get(form, 0) & bits]
    one, other = forms
    return lambda t: PARTS_WEIGHT[(t.parts.get(one, 0) | t.parts.get(other, 0)) & bits]


def _name_weigher(compiled: CompiledTerm) -> Weigher:
    anchors = compiled.anchors
    single = len(compiled.keys) == 1  # one whole word: it must be one of an author's tokens

    def name(t: PaperText) -> float:
        get = t.parts.get
        for form in anchors:
            if get(form, 0) & AUTHORS:
                return OTHER_WEIGHT if single or compiled.names_match(t) else 0.0
        return 0.0

    return name
