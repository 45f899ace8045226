"""A plain reference evaluator for topic rules: one rule against one paper, written for clarity.

It shares only the token definitions (digest.text) and the taxonomy facts with the compiled
matcher; everything else (fields, phrases, prefixes, names, scoring) is written out again here the
obvious way, so the property tests can check the compiled matcher against it.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import permutations

from digest import taxonomy
from digest.models import Paper
from digest.query import And, Node, Or, Term, positive_terms
from digest.text import keys, tokens, word_key

FIELD_WEIGHTS = {"ti": 3.0, "abs": 1.0, "co": 1.0, "jr": 1.0, "au": 1.0}
ALL_FIELDS = ("ti", "abs", "co", "jr", "au")


def field_texts(
    paper: Paper, field: str, split: Callable[[str], list[str]] = keys
) -> list[list[str]]:
    """The key (or token) sequences of one field: one for most fields, one per author for `au`."""
    if field == "au":
        return [split(name) for name in paper.author_names]
    text = {
        "ti": paper.title,
        "abs": paper.abstract,
        "co": paper.comment or "",
        "jr": paper.journal_ref or "",
    }[field]
    return [split(text)]


def occurs(term: Term, sequence: list[str]) -> bool:
    """Whether a word or phrase term occurs in a key sequence, a prefix in a token sequence."""
    if term.kind == "prefix":  # used as typed, on the tokens as written: `paras*` is no `para*`
        return any(token.startswith(term.words[0]) for token in sequence)
    wanted = [word_key(word) for word in term.words]
    n = len(wanted)
    return any(sequence[i : i + n] == wanted for i in range(len(sequence) - n + 1))


def fits(word: str, token: str) -> bool:
    """A name word fits a name token: equal, or one of them is an initial of the other."""
    return (
        word == token
        or (len(word) == 1 and token.startswith(word))
        or (len(token) == 1 and word.startswith(token))
    )


def name_matches(term: Term, name: list[str]) -> bool:
    """Whether an author term fits one author: try every way to give each word its own token."""
    wanted = [word_key(word) for word in term.words]
    for slots in permutations(range(len(name)), len(wanted)):
        pairs = [(word, name[slot]) for word, slot in zip(wanted, slots, strict=True)]
        anchored = any(len(word) > 1 and word == token for word, token in pairs)
        if anchored and all(fits(word, token) for word, token in pairs):
            return True
    return False


def in_category(term: Term, paper: Paper) -> bool:
    """Whether a paper is listed in a `cat:` term's category or archive, aliases included."""
    wanted = term.words[0]
    for listed in paper.categories:
        for category in taxonomy.same_category(listed):
            if term.key.startswith("a:"):
                archive = taxonomy.archive_of(category) or category.split(".")[0]
                if archive == wanted:
                    return True
            elif taxonomy.canonical(category) == taxonomy.canonical(wanted):
                return True
    return False


def term_weight(term: Term, paper: Paper) -> float:
    """What a term adds to the score of a paper; 0 when it does not occur."""
    if term.kind == "category":
        return 1.0 if in_category(term, paper) else 0.0
    if term.kind == "venue":
        name, _, year = (paper.venue or "").partition("'")
        same = bool(name) and name.casefold() == term.words[0].casefold()
        return 1.0 if same and (term.key in ("", year)) else 0.0
    if term.kind == "has":
        return 1.0 if paper.code_url else 0.0
    if term.kind == "name":
        found = any(name_matches(term, name) for name in field_texts(paper, "au"))
        return 1.0 if found else 0.0
    fields = ALL_FIELDS if term.field == "all" else (term.field,)
    split = tokens if term.kind == "prefix" else keys
    total = 0.0
    for field in fields:
        if any(occurs(term, sequence) for sequence in field_texts(paper, field, split)):
            total += FIELD_WEIGHTS[field]
    return total


def holds(node: Node, paper: Paper) -> bool:
    """Whether a rule matches a paper."""
    if isinstance(node, Term):
        return term_weight(node, paper) > 0
    if isinstance(node, Or):
        return any(holds(option, paper) for option in node.options)
    assert isinstance(node, And)
    return all(holds(child, paper) for child in node.include) and not any(
        holds(child, paper) for child in node.exclude
    )


def reference_match(node: Node, paper: Paper) -> tuple[float, tuple[str, ...]] | None:
    """(score, matched terms) when the rule matches the paper, else None."""
    if not holds(node, paper):
        return None
    weights: dict[str, float] = {}
    for term in positive_terms(node):
        weight = term_weight(term, paper)
        if weight:
            weights[term.render()] = weight
    return round(sum(weights.values()), 3), tuple(sorted(weights))
