"""Match papers against topic rules: which topics match, with a score and the matched terms."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from digest.models import Match, Paper, Topic
from digest.query import Node, Or, Term, parse
from digest.text import tokens

TITLE_WEIGHT = 3.0
OTHER_WEIGHT = 1.0


@dataclass(frozen=True, slots=True)
class PaperText:
    """A paper tokenised once, per searchable field."""

    title: tuple[str, ...]
    abstract: tuple[str, ...]
    authors: tuple[tuple[str, ...], ...]
    comment: tuple[str, ...]
    journal_ref: tuple[str, ...]
    categories: frozenset[str]
    venue: str | None
    has_code: bool

    @classmethod
    def of(cls, paper: Paper) -> PaperText:
        """Tokenise a paper."""
        return cls(
            title=tuple(tokens(paper.title)),
            abstract=tuple(tokens(paper.abstract)),
            authors=tuple(tuple(tokens(name)) for name in paper.author_names),
            comment=tuple(tokens(paper.comment or "")),
            journal_ref=tuple(tokens(paper.journal_ref or "")),
            categories=frozenset(c.casefold() for c in paper.categories),
            venue=paper.venue.casefold() if paper.venue else None,
            has_code=paper.code_url is not None,
        )


def _contains(words: tuple[str, ...], term: Term) -> bool:
    if term.kind == "prefix":
        return any(word.startswith(term.words[0]) for word in words)
    if len(term.words) == 1:
        return term.words[0] in words
    n = len(term.words)
    return any(words[i : i + n] == term.words for i in range(len(words) - n + 1))


def _term_hits(term: Term, text: PaperText) -> float:
    """The weight a term earns on a paper (0 when it does not match)."""
    if term.field == "cat":
        want = term.words[0]
        hit = want in text.categories or (
            "." not in want and any(c.split(".")[0] == want for c in text.categories)
        )
        return OTHER_WEIGHT if hit else 0.0
    if term.field == "venue":
        return OTHER_WEIGHT if text.venue and text.venue.startswith(term.words[0]) else 0.0
    if term.field == "has":
        return OTHER_WEIGHT if text.has_code else 0.0
    if term.field == "au":
        return OTHER_WEIGHT if any(_contains(name, term) for name in text.authors) else 0.0
    score = 0.0
    if term.field in ("ti", "all") and _contains(text.title, term):
        score += TITLE_WEIGHT
    if term.field in ("abs", "all") and _contains(text.abstract, term):
        score += OTHER_WEIGHT
    if term.field in ("co", "all") and _contains(text.comment, term):
        score += OTHER_WEIGHT
    if term.field == "jr" and _contains(text.journal_ref, term):
        score += OTHER_WEIGHT
    if term.field == "all" and any(_contains(name, term) for name in text.authors):
        score += OTHER_WEIGHT
    return score


def evaluate(node: Node, text: PaperText, hits: dict[str, float]) -> bool:
    """Whether `node` matches; adds the weight of every matching positive term to `hits`."""
    if isinstance(node, Term):
        weight = _term_hits(node, text)
        if weight:
            hits[node.render()] = hits.get(node.render(), 0.0) + weight
        return weight > 0
    if isinstance(node, Or):
        matched = False
        for option in node.options:  # every option runs, to collect all matched terms
            matched = evaluate(option, text, hits) or matched
        return matched
    for child in node.include:
        if not evaluate(child, text, hits):
            return False
    return not any(evaluate(child, text, {}) for child in node.exclude)


@dataclass(frozen=True, slots=True)
class CompiledTopic:
    """A topic with its parsed rule."""

    topic: Topic
    rule: Node


class Matcher:
    """Topics compiled once, matched against many papers."""

    def __init__(self, topics: Iterable[Topic]) -> None:
        self.topics = [CompiledTopic(topic, parse(topic.rule)) for topic in topics]

    def match(self, papers: Sequence[Paper]) -> list[Match]:
        """Every (paper, topic) pair that matches, with its score and matched terms."""
        found: list[Match] = []
        for paper in papers:
            text = PaperText.of(paper)
            for compiled in self.topics:
                hits: dict[str, float] = {}
                if evaluate(compiled.rule, text, hits):
                    found.append(
                        Match(
                            paper_id=paper.arxiv_id,
                            topic_id=compiled.topic.id,
                            score=round(sum(hits.values()), 3),
                            terms=tuple(sorted(hits)),
                        )
                    )
        return found
