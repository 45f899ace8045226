"""Match papers against every topic at once: rules compiled into one inverted index.

Each distinct rule is indexed under a *cover*: a few keys (tokens, prefixes, categories, venues,
has:code) such that a paper can only match the rule if it holds one of them. A term covers itself;
an OR is covered by the union of its options' covers; an AND by the cover of its rarest included
part (ANDNOT parts never help a paper match, so they are never indexed). A paper is tokenised once,
its keys are looked up (prefix rules through a memo of every token seen so far), and only the
rules found are evaluated.

Score: every positive term (one not under ANDNOT) of a matching rule that occurs in the paper adds
its weight once: 3 for the title, 1 each for the abstract, comment, journal ref and authors, 1 for
a category, venue or has:code term. Those terms, rendered, are the match's `terms`.
"""

from __future__ import annotations

import json
import logging
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from digest.models import Match, Paper, Topic
from digest.paper_text import PaperText, has_phrase, has_prefix, name_matches
from digest.query import Node, Or, QueryError, Term, parse, positive_terms, render
from digest.text import word_key

log = logging.getLogger(__name__)

TITLE_WEIGHT = 3.0
OTHER_WEIGHT = 1.0
PART_WEIGHTS = {"ti": TITLE_WEIGHT, "abs": OTHER_WEIGHT, "co": OTHER_WEIGHT, "jr": OTHER_WEIGHT}
ALL_PARTS = ("ti", "abs", "co", "jr", "au")
RARE_SHARE = 0.002  # assumed share of papers holding a key the frequency table does not list
MEMO_LIMIT = 2_000_000  # token memo entries before it is cleared (bounds memory on long runs)

Tree = int | tuple[str, tuple["Tree", ...], tuple["Tree", ...]]
CoverKey = tuple[str, str]  # ("w", token key) | ("p", prefix key) | ("o", "c:cs.DC" etc.)


@cache
def key_shares() -> dict[str, float]:
    """Share of papers holding each common match key (digest/data/key_frequencies.json)."""
    text = resources.files("digest").joinpath("data/key_frequencies.json").read_text("utf-8")
    shares: dict[str, float] = json.loads(text)["share"]
    return shares


class CompiledTerm:
    """A term with its match keys, its weight function's inputs and its rendered text."""

    __slots__ = ("keys", "kind", "parts", "rendered", "term", "whole")

    def __init__(self, term: Term) -> None:
        self.term = term
        self.kind = term.kind
        self.rendered = term.render()
        self.keys = tuple(word_key(word) for word in term.words)
        self.whole = tuple(key for key in self.keys if len(key) > 1)  # au: anchors
        self.parts = ALL_PARTS if term.field == "all" else (term.field,)

    def weight(self, text: PaperText) -> float:
        """What this term adds to a paper's score (0 when it does not occur)."""
        kind = self.kind
        if kind == "category":
            return OTHER_WEIGHT if self.term.key in text.categories else 0.0
        if kind == "venue":
            hit = text.venue == self.term.words[0].casefold() and (
                not self.term.key or text.venue_year == self.term.key
            )
            return OTHER_WEIGHT if hit else 0.0
        if kind == "has":
            return OTHER_WEIGHT if text.has_code else 0.0
        if kind == "name":
            if not any(key in text.author_set for key in self.whole):
                return 0.0
            hit = any(name_matches(self.keys, name) for name in text.authors)
            return OTHER_WEIGHT if hit else 0.0
        total = 0.0
        for part in self.parts:
            if self._in_part(part, text):
                total += PART_WEIGHTS.get(part, OTHER_WEIGHT)
        return total

    def _in_part(self, part: str, text: PaperText) -> bool:
        if self.kind == "prefix":
            return has_prefix(text.sorted_keys(part), self.keys[0])
        words = _PART_SETS[part](text)
        if self.kind == "word":
            return self.keys[0] in words
        if not all(key in words for key in self.keys):
            return False
        if part == "au":  # a phrase never spans two authors
            return any(has_phrase(name, self.keys) for name in text.authors)
        return has_phrase(_PART_SEQUENCES[part](text), self.keys)


_PART_SETS: dict[str, Callable[[PaperText], frozenset[str]]] = {
    "ti": lambda t: t.title_set,
    "abs": lambda t: t.abstract_set,
    "co": lambda t: t.comment_set,
    "jr": lambda t: t.journal_ref_set,
    "au": lambda t: t.author_set,
}
_PART_SEQUENCES: dict[str, Callable[[PaperText], tuple[str, ...]]] = {
    "ti": lambda t: t.title,
    "abs": lambda t: t.abstract,
    "co": lambda t: t.comment,
    "jr": lambda t: t.journal_ref,
}


@dataclass(slots=True)
class _Rule:
    """One distinct rule (several topics may share it) compiled for evaluation."""

    tree: Tree
    positive: tuple[int, ...]
    topic_ids: list[int]


class _Covers:
    """Chooses index keys for rules, preferring keys few papers hold."""

    def __init__(self, shares: Mapping[str, float]) -> None:
        self.shares = shares
        self.sorted_words = sorted(k for k in shares if ":" not in k)

    def share(self, key: CoverKey) -> float:
        space, value = key
        if space != "p":
            return self.shares.get(value, RARE_SHARE)
        # a prefix is as common as the common keys it starts, at least
        i = bisect_left(self.sorted_words, value)
        total = RARE_SHARE
        while i < len(self.sorted_words) and self.sorted_words[i].startswith(value):
            total += self.shares[self.sorted_words[i]]
            i += 1
        return min(total, 1.0)

    def of_term(self, compiled: CompiledTerm) -> set[CoverKey]:
        term = compiled.term
        if term.kind == "category":
            return {("o", term.key)}
        if term.kind == "venue":
            return {("o", "v:" + term.words[0].casefold())}
        if term.kind == "has":
            return {("o", "h:" + term.words[0])}
        if term.kind == "prefix":
            return {("p", compiled.keys[0])}
        if term.kind == "name":  # any whole word may be the one that lands on an equal token
            return {("w", key) for key in compiled.whole}
        # word or phrase: every key occurs where the term does; the rarest is enough
        return {min((("w", key) for key in compiled.keys), key=self.share)}

    def cost(self, cover: set[CoverKey]) -> float:
        return sum(self.share(key) for key in cover)


class Matcher:
    """Topics compiled once into one index, matched against many papers."""

    def __init__(self, topics: Iterable[Topic], shares: Mapping[str, float] | None = None) -> None:
        self.topics: list[Topic] = []
        self.rejected: list[tuple[Topic, QueryError]] = []
        self._terms: list[CompiledTerm] = []
        self._term_ids: dict[Term, int] = {}
        self._rules: list[_Rule] = []
        self._words: dict[str, list[int]] = {}
        self._prefixes: dict[str, list[int]] = {}
        self._others: dict[str, list[int]] = {}
        self._postings: dict[str, tuple[int, ...]] = {}
        covers = _Covers(key_shares() if shares is None else shares)
        by_text: dict[str, int] = {}
        for topic in topics:
            try:
                node = parse(topic.rule)
            except QueryError as exc:
                # a rule saved before a validation existed must not stop ingestion for everyone
                log.warning(
                    "topic %s (%s) has a rule that no longer parses: %s", topic.id, topic.name, exc
                )
                self.rejected.append((topic, exc))
                continue
            self.topics.append(topic)
            normalised = render(node)
            if normalised in by_text:
                self._rules[by_text[normalised]].topic_ids.append(topic.id)
                continue
            by_text[normalised] = index = len(self._rules)
            positive = tuple(dict.fromkeys(self._term_id(t) for t in positive_terms(node)))
            self._rules.append(_Rule(self._compile(node), positive, [topic.id]))
            for space, key in self._cover(node, covers)[0]:
                table = {"w": self._words, "p": self._prefixes, "o": self._others}[space]
                table.setdefault(key, []).append(index)
        self._prefix_lengths = sorted({len(p) for p in self._prefixes})

    @property
    def rule_count(self) -> int:
        """How many distinct rules the topics hold."""
        return len(self._rules)

    def _term_id(self, term: Term) -> int:
        found = self._term_ids.get(term)
        if found is None:
            found = self._term_ids[term] = len(self._terms)
            self._terms.append(CompiledTerm(term))
        return found

    def _compile(self, node: Node) -> Tree:
        if isinstance(node, Term):
            return self._term_id(node)
        if isinstance(node, Or):
            return ("|", tuple(self._compile(option) for option in node.options), ())
        include = tuple(self._compile(child) for child in node.include)
        return ("&", include, tuple(self._compile(child) for child in node.exclude))

    def _cover(self, node: Node, covers: _Covers) -> tuple[set[CoverKey], float]:
        if isinstance(node, Term):
            cover = covers.of_term(self._terms[self._term_id(node)])
            return cover, covers.cost(cover)
        if isinstance(node, Or):
            union: set[CoverKey] = set()
            for option in node.options:
                union |= self._cover(option, covers)[0]
            return union, covers.cost(union)
        return min((self._cover(child, covers) for child in node.include), key=lambda c: c[1])

    def _lookup(self, key: str) -> tuple[int, ...]:
        """Rules indexed under a token key or under any prefix of it (memoised per token)."""
        found: list[int] = list(self._words.get(key, ()))
        for length in self._prefix_lengths:
            if length > len(key):
                break
            found.extend(self._prefixes.get(key[:length], ()))
        result = tuple(found)
        if len(self._postings) >= MEMO_LIMIT:
            self._postings.clear()
        self._postings[key] = result
        return result

    def candidates(self, text: PaperText) -> set[int]:
        """The rules a paper might match (a superset of those it does)."""
        found: set[int] = set()
        postings = self._postings
        for key in text.all_keys:
            rules = postings.get(key)
            if rules is None:
                rules = self._lookup(key)
            if rules:
                found.update(rules)
        others = self._others
        if others:
            for key in text.categories:
                if key in others:
                    found.update(others[key])
            if text.venue and "v:" + text.venue in others:
                found.update(others["v:" + text.venue])
            if text.has_code and "h:code" in others:
                found.update(others["h:code"])
        return found

    def match_text(self, text: PaperText) -> Iterator[tuple[list[int], float, tuple[str, ...]]]:
        """(topic ids, score, matched terms) for every rule a tokenised paper matches."""
        weights: dict[int, float] = {}
        terms = self._terms

        def weight(term_id: int) -> float:
            found = weights.get(term_id)
            if found is None:
                found = weights[term_id] = terms[term_id].weight(text)
            return found

        for index in self.candidates(text):
            rule = self._rules[index]
            if not _holds(rule.tree, weight):
                continue
            score = 0.0
            hits: list[str] = []
            for term_id in rule.positive:
                value = weight(term_id)
                if value:
                    score += value
                    hits.append(terms[term_id].rendered)
            yield rule.topic_ids, round(score, 3), tuple(sorted(hits))

    def match(self, papers: Sequence[Paper]) -> list[Match]:
        """Every (paper, topic) pair that matches, with its score and matched terms."""
        found: list[Match] = []
        if not self._rules:
            return found
        for paper in papers:
            for topic_ids, score, hits in self.match_text(PaperText(paper)):
                for topic_id in topic_ids:
                    found.append(Match(paper.arxiv_id, topic_id, score, hits))
        return found


def _holds(node: Tree, weight: Callable[[int], float]) -> bool:
    """Whether a compiled rule tree matches, given each term's weight on the paper."""
    if isinstance(node, int):
        return weight(node) > 0
    operator, first, second = node
    if operator == "|":
        return any(_holds(option, weight) for option in first)
    for child in first:
        if not _holds(child, weight):
            return False
    return not any(_holds(child, weight) for child in second)
