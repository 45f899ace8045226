"""What a paper must hold for a few rules to match it: the matcher's pre-filter before tokenising.

With a handful of topics (ingestion), most papers match none, and tokenising them is most of the
matching. A paper is tokenised only when its folded text holds a needle at the start of a token;
otherwise only its categories, venue and code link are looked at. The needles are chosen so that
this changes no match and no score:

- a text term (word, prefix, phrase, author) occurs only where one of its needles does (its
  lookup tokens, its prefix, its author anchors);
- a rule that cannot match without text needs the needles of one way it can match: an OR each
  option's, an AND its rarest part's, an ANDNOT its included part's. If the paper holds none,
  the rule does not match it, so no term of the rule is counted;
- a rule that can match without text (`cat:cs.DC OR abs:serving`) needs the needles of every
  text term it holds, positive or not, so that a score or an ANDNOT is never decided on a paper
  that was not tokenised.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from digest.compiled_terms import CompiledTerm

_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
# A rule tree as the matcher compiles it: a term id, or (operator, parts, excluded parts).
Tree = int | tuple[str, tuple["Tree", ...], tuple["Tree", ...]]


def term_needles(term: CompiledTerm) -> frozenset[str]:
    """Strings one of which starts a token of a paper's folded text wherever the term occurs
    (empty for a term that needs no text: a category, venue or has:code)."""
    found = set(term.lookup)
    if term.kind == "prefix":
        found.add(term.keys[0])
    found.update(key[1:].partition(" ")[0] for key in term.others if key.startswith("@"))
    return frozenset(found)


def _tree_terms(tree: Tree) -> Iterable[int]:
    if isinstance(tree, int):
        yield tree
        return
    _, include, exclude = tree
    for part in (*include, *exclude):
        yield from _tree_terms(part)


def rule_needles(
    tree: Tree, terms: Sequence[CompiledTerm], share: Callable[[CompiledTerm], float]
) -> frozenset[str]:
    """Needles one of which a paper holds if the rule matches it, and holds if any of the
    rule's terms occurs in it where that could change the rule's match or score."""
    needed = _needed(tree, terms, share)
    if needed is not None:
        return needed[0]
    return frozenset().union(*(term_needles(terms[i]) for i in _tree_terms(tree)))


def _needed(
    tree: Tree, terms: Sequence[CompiledTerm], share: Callable[[CompiledTerm], float]
) -> tuple[frozenset[str], float] | None:
    """(needles, expected share of papers) of a rule that needs text; None if it does not."""
    if isinstance(tree, int):
        term = terms[tree]
        needles = term_needles(term)
        return (needles, share(term)) if needles else None
    operator, include, _ = tree
    parts = [_needed(part, terms, share) for part in include]
    if operator == "|":
        if any(part is None for part in parts):
            return None
        found = [part for part in parts if part is not None]
        return (
            frozenset().union(*(needles for needles, _ in found)),
            min(1.0, sum(s for _, s in found)),
        )
    narrowing = [part for part in parts if part is not None]
    if not narrowing:
        return None
    return min(narrowing, key=lambda part: (part[1], len(part[0])))


def shortest(needles: Iterable[str]) -> tuple[str, ...]:
    """The needles that start with no other one ("inferences" starts where "inference" does)."""
    held = set(needles)
    return tuple(sorted(n for n in held if not any(o != n and n.startswith(o) for o in held)))


def starts_token(folded: str, needle: str) -> bool:
    """Whether `needle` starts a token somewhere in folded text.

    No token starts after an ASCII letter or digit. (In Unicode text a letter before an ASCII
    needle may not start one either; taking it as a start only tokenises a paper more.)
    """
    at = folded.find(needle)
    while at > 0 and folded[at - 1] in _WORD_CHARS:
        at = folded.find(needle, at + 1)
    return at >= 0
