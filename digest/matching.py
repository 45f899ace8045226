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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from digest.compiled_terms import CompiledTerm
from digest.models import Match, Paper, Topic
from digest.paper_text import PaperText, variants
from digest.query import Node, Or, QueryError, Term, parse, positive_terms, render
from digest.text import word_key

log = logging.getLogger(__name__)

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


SINGLE, ALL_OF, ANY_OF, TREE = 0, 1, 2, 3  # rule shapes, each evaluated its own fastest way


@dataclass(slots=True)
class _Rule:
    """One distinct rule (several topics may share it) compiled for evaluation."""

    tree: Tree
    positive: tuple[int, ...]  # distinct term ids not under an ANDNOT
    topic_ids: list[int]
    shape: int = TREE
    include: tuple[int, ...] = ()  # ALL_OF: terms that must all occur
    exclude: tuple[int, ...] = ()  # ALL_OF: terms that must not occur


def _shape(tree: Tree) -> tuple[int, tuple[int, ...], tuple[int, ...]]:
    """How to evaluate a rule: one term, an AND of terms, an OR of terms, or a general tree."""
    if isinstance(tree, int):
        return SINGLE, (tree,), ()
    operator, first, second = tree
    if all(isinstance(child, int) for child in (*first, *second)):
        plain_first = tuple(child for child in first if isinstance(child, int))
        plain_second = tuple(child for child in second if isinstance(child, int))
        return (ALL_OF if operator == "&" else ANY_OF), plain_first, plain_second
    return TREE, (), ()


def name_cover(keys: tuple[str, ...]) -> set[str]:
    """Author keys one of which every author that an author term matches holds.

    A match lands some whole word of the term on a name token with the same key (the anchor)
    and every other word on another token starting with that word's first letter (equal, an
    initial of it, or started by it). So a one-word term is covered by "@token", and a longer one
    by "@token x" for each token an anchor can be and x the first letter of one other word.
    """
    if len(keys) == 1:
        return {"@" + form for form in variants(keys[0])}
    cover: set[str] = set()
    for i, anchor in enumerate(keys):
        if len(anchor) > 1:
            other = keys[i + 1] if i + 1 < len(keys) else keys[i - 1]
            cover.update(f"@{form} {other[0]}" for form in variants(anchor))
    return cover


def author_keys(authors: tuple[tuple[str, ...], ...], anchors: frozenset[str]) -> set[str]:
    """The author keys of a paper (see name_cover); pairs only for tokens some rule anchors on."""
    found = set()
    for name in authors:
        for i, token in enumerate(name):
            found.add("@" + token)
            if token in anchors:
                for j, other in enumerate(name):
                    if i != j:
                        found.add(f"@{token} {other[0]}")
    return found


class _Covers:
    """Chooses index keys for rules, preferring keys few papers hold."""

    def __init__(self, shares: Mapping[str, float]) -> None:
        self.shares = shares
        self.sorted_words = sorted(k for k in shares if ":" not in k)

    def share(self, key: CoverKey) -> float:
        space, value = key
        if value.startswith("@"):  # an author key: as common as the token, less for a pair
            token, _, initial = value[1:].partition(" ")
            return self.shares.get(word_key(token), RARE_SHARE) / (10 if initial else 1)
        if space != "p":
            return self.shares.get(word_key(value) if space == "w" else value, RARE_SHARE)
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
        if term.kind == "name":
            return {("o", key) for key in name_cover(compiled.keys)}
        # word or phrase: every key occurs where the term does; the rarest is enough, looked
        # up as each token that carries it
        rarest = min(compiled.keys, key=lambda key: self.shares.get(key, RARE_SHARE))
        return {("w", form) for form in variants(rarest)}

    def cost(self, cover: set[CoverKey]) -> float:
        return sum(self.share(key) for key in cover)


class Matcher:
    """Topics compiled once into one index, matched against many papers."""

    def __init__(
        self,
        topics: Iterable[Topic],
        shares: Mapping[str, float] | None = None,
        memo_limit: int = MEMO_LIMIT,
    ) -> None:
        self.topics: list[Topic] = []
        self.rejected: list[tuple[Topic, QueryError]] = []
        self._terms: list[CompiledTerm] = []
        self._term_ids: dict[Term, int] = {}
        self._rules: list[_Rule] = []
        self._words: dict[str, list[int]] = {}
        self._prefixes: dict[str, list[int]] = {}
        self._others: dict[str, list[int]] = {}
        self._postings: dict[str, tuple[int, ...]] = {}
        self._memo_limit = memo_limit
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
            tree, cover, _ = self._compile(node, covers)
            shape, include, exclude = _shape(tree)
            self._rules.append(_Rule(tree, positive, [topic.id], shape, include, exclude))
            for space, key in cover:
                table = {"w": self._words, "p": self._prefixes, "o": self._others}[space]
                table.setdefault(key, []).append(index)
        self._prefix_lengths = sorted({len(p) for p in self._prefixes})
        self._weighers = [term.weigh for term in self._terms]
        self._rendered = [term.rendered for term in self._terms]
        self._author_rules = any(key.startswith("@") for key in self._others)
        self._anchors = frozenset(
            key[1:].partition(" ")[0] for key in self._others if key.startswith("@") and " " in key
        )

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

    def _compile(self, node: Node, covers: _Covers) -> tuple[Tree, set[CoverKey], float]:
        """The rule tree of a node, with its cover and the cover's cost (one pass)."""
        if isinstance(node, Term):
            term_id = self._term_id(node)
            cover = covers.of_term(self._terms[term_id])
            return term_id, cover, covers.cost(cover)
        if isinstance(node, Or):
            options = [self._compile(option, covers) for option in node.options]
            union: set[CoverKey] = set().union(*(c for _, c, _ in options))
            return ("|", tuple(t for t, _, _ in options), ()), union, covers.cost(union)
        # The part the rule is indexed under (the rarest) likely occurs in the papers that reach
        # it, so it is tested last; the others go rarest first, single terms before groups, so
        # a failing part is usually found with one lookup.
        parts = [self._compile(child, covers) for child in node.include]
        costs = [cost for _, _, cost in parts]
        indexed = costs.index(min(costs))
        order = sorted(
            (i for i in range(len(costs)) if i != indexed),
            key=lambda i: (not isinstance(node.include[i], Term), costs[i]),
        )
        include = tuple(parts[i][0] for i in (*order, indexed))
        # ANDNOT parts never help a paper match, so they are never indexed
        exclude = tuple(self._compile(child, covers)[0] for child in node.exclude)
        _, cover, cost = parts[indexed]
        return ("&", include, exclude), cover, cost

    def _lookup(self, key: str) -> tuple[int, ...]:
        """Rules indexed under a token or under any prefix of it (memoised per token)."""
        found: list[int] = list(self._words.get(key, ()))
        for length in self._prefix_lengths:
            if length > len(key):
                break
            found.extend(self._prefixes.get(key[:length], ()))
        result = tuple(found)
        if len(self._postings) >= self._memo_limit:
            self._postings.clear()
        self._postings[key] = result
        return result

    def candidates(self, text: PaperText) -> set[int]:
        """The rules a paper might match (a superset of those it does)."""
        found: set[int] = set()
        postings = self._postings
        for key in text.parts:
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
            if self._author_rules:
                for key in author_keys(text.authors, self._anchors):
                    if key in others:
                        found.update(others[key])
        return found

    def match_text(self, text: PaperText) -> list[tuple[list[int], float, tuple[str, ...]]]:
        """(topic ids, score, matched terms) for every rule a tokenised paper matches."""
        # the hot loop of ingestion: term weights are memoised per paper and looked up inline
        weights: dict[int, float] = {}
        weigh = self._weighers
        rendered = self._rendered

        def weight(term_id: int) -> float:
            found = weights.get(term_id)
            if found is None:
                found = weights[term_id] = weigh[term_id](text)
            return found

        out: list[tuple[list[int], float, tuple[str, ...]]] = []
        rules = self._rules
        for index in self.candidates(text):
            rule = rules[index]
            shape = rule.shape
            if shape == ALL_OF:
                missing = False
                for term_id in rule.include:
                    value = weights.get(term_id)
                    if value is None:
                        value = weights[term_id] = weigh[term_id](text)
                    if not value:
                        missing = True
                        break
                if missing or any(weight(term_id) for term_id in rule.exclude):
                    continue
            elif shape == TREE and not _holds(rule.tree, weight):
                continue
            # SINGLE and ANY_OF match exactly when some positive term occurs: scoring decides
            score = 0.0
            hits: list[str] = []
            for term_id in rule.positive:
                value = weights.get(term_id)
                if value is None:
                    value = weights[term_id] = weigh[term_id](text)
                if value:
                    score += value
                    hits.append(rendered[term_id])
            if hits:
                if len(hits) > 1:
                    hits.sort()
                out.append((rule.topic_ids, score, tuple(hits)))
        return out

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
    # plain loops, not any()/all() over generators: this runs for every candidate rule
    if operator == "|":
        for option in first:  # noqa: SIM110
            if _holds(option, weight):
                return True
        return False
    for child in first:
        if not _holds(child, weight):
            return False
    for child in second:  # noqa: SIM110
        if _holds(child, weight):
            return False
    return True
