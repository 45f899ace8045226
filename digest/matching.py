"""Match papers against every topic at once: each term evaluated once per batch of papers.

Papers are taken in batches. A batch is tokenised once and turned around into postings (for
each token, category, venue or author key some rule looks for, the papers holding it). Each
distinct term is then evaluated once over the batch, as the papers it occurs in with its weight
in each, and each distinct rule (several topics may share one) combines its terms' paper sets:
an OR is the union of its options, an AND narrows the papers of its rarest part through the
others, an ANDNOT takes papers away. So the work is per term and per match, not per paper and
candidate rule.

Score: every positive term (one not under ANDNOT) of a matching rule that occurs in the paper adds
its weight once: 3 for the title, 1 each for the abstract, comment, journal ref and authors, 1 for
a category, venue or has:code term. Those terms, rendered, are the match's `terms`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass
from functools import cache
from importlib import resources

from digest.collection_pause import collection_paused
from digest.compiled_terms import OTHER_WEIGHT, RARE_SHARE, CompiledTerm, Occurrences
from digest.matching_pool import batch_bounds, can_fork, match_in_workers
from digest.models import Match, Paper, Topic
from digest.needles import rule_needles, shortest, starts_token
from digest.paper_batch import PaperBatch
from digest.paper_text import PaperText
from digest.query import Node, Or, QueryError, Term, parse, positive_terms, render
from digest.text import fold

log = logging.getLogger(__name__)

# Up to this many needles (tokens, prefixes, author anchors the rules look for), a paper is first
# searched for them as plain substrings, and only a paper holding one is tokenised: a handful of
# topics then costs a few substring searches per paper, not a tokenisation.
SCAN_LIMIT = 40
SHORTEST_LIMIT = 1_000  # needles above which none is looked for (see Matcher)
MEMO_LIMIT = 2_000_000
# A run over at least this many papers may be split over worker processes (match's `workers`):
# below it, starting them costs more than they save.
PARALLEL_MIN = 20_000  # prefix memo entries (tokens seen) before it is cleared

Tree = int | tuple[str, tuple["Tree", ...], tuple["Tree", ...]]
# (paper index in its batch or run, rule index, score, matched terms)
Row = tuple[int, int, float, tuple[str, ...]]


@cache
def key_shares() -> dict[str, float]:
    """Share of papers holding each common match key (digest/data/key_frequencies.json)."""
    text = resources.files("digest").joinpath("data/key_frequencies.json").read_text("utf-8")
    shares: dict[str, float] = json.loads(text)["share"]
    return shares


@dataclass(slots=True)
class _Rule:
    """One distinct rule (several topics may share it) compiled for evaluation."""

    tree: Tree
    positive: tuple[int, ...]  # distinct term ids not under an ANDNOT
    topic_ids: list[int]


class Matcher:
    """Topics compiled once, matched against many papers."""

    def __init__(
        self,
        topics: Iterable[Topic],
        shares: Mapping[str, float] | None = None,
        memo_limit: int = MEMO_LIMIT,
    ) -> None:
        self.topics: list[Topic] = []
        self.rejected: list[tuple[Topic, QueryError]] = []
        self._shares = key_shares() if shares is None else shares
        self._terms: list[CompiledTerm] = []
        self._term_ids: dict[Term, int] = {}
        self._rules: list[_Rule] = []
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
            by_text[normalised] = len(self._rules)
            positive = tuple(
                sorted(
                    dict.fromkeys(self._term_id(t) for t in positive_terms(node)),
                    key=lambda term_id: self._terms[term_id].rendered,
                )
            )
            tree, _ = self._compile(node)
            self._rules.append(_Rule(tree, positive, [topic.id]))
        terms = self._terms
        # the tokens whose postings a batch keeps: those terms are looked up by, and the other
        # words of phrases (to narrow a phrase's papers down before its word order is read)
        self._tokens = {token for term in terms for token in term.lookup}
        self._tokens.update(form for term in terms for forms in term.narrow for form in forms)
        self._others = {key for term in terms for key in term.others}
        self._anchors = frozenset(token for term in terms if term.others for token in term.anchors)
        self._prefixes = {term.keys[0] for term in terms if term.kind == "prefix"}
        self._prefix_lengths = sorted({len(prefix) for prefix in self._prefixes})
        self._stems = {prefix[: self._prefix_lengths[0]] for prefix in self._prefixes}
        # token -> the prefixes it starts with, for every token seen (most start none)
        self._postings: dict[str, tuple[str, ...]] = {}
        self._prefixed: set[str] = set()  # the tokens seen that start some prefix
        self._memo_limit = memo_limit
        # the pre-filter of a few topics (see digest.needles): what a paper must hold to be
        # tokenised, at the start of one of its tokens
        held = set[str]().union(
            *(rule_needles(r.tree, terms, self._term_share) for r in self._rules)
        )
        # `shortest` compares every pair: with thousands of rules it took over a minute, and so
        # many needles never come down to SCAN_LIMIT (going without the pre-filter is always safe)
        needles = shortest(held) if len(held) <= SHORTEST_LIMIT else None
        self._needles = needles if needles is not None and len(needles) <= SCAN_LIMIT else None

    @property
    def rule_count(self) -> int:
        """How many distinct rules the topics hold."""
        return len(self._rules)

    def _term_id(self, term: Term) -> int:
        found = self._term_ids.get(term)
        if found is None:
            found = self._term_ids[term] = len(self._terms)
            self._terms.append(CompiledTerm(term, self._shares))
        return found

    def _compile(self, node: Node) -> tuple[Tree, float]:
        """The rule tree of a node, with the share of papers it is expected to hold."""
        if isinstance(node, Term):
            term_id = self._term_id(node)
            return term_id, self._term_share(self._terms[term_id])
        if isinstance(node, Or):
            options = [self._compile(option) for option in node.options]
            share = min(1.0, sum(s for _, s in options))
            return ("|", tuple(tree for tree, _ in options), ()), share
        # An AND starts from its rarest part and narrows that down through the others, single
        # terms before groups, so the sets it handles stay small.
        parts = sorted(
            (self._compile(child) for child in node.include),
            key=lambda part: (not isinstance(part[0], int), part[1]),
        )
        exclude = tuple(self._compile(child)[0] for child in node.exclude)
        return ("&", tuple(tree for tree, _ in parts), exclude), min(s for _, s in parts)

    def _term_share(self, term: CompiledTerm) -> float:
        shares = self._shares
        if term.kind == "prefix":
            return 1.0  # unknown until the batch's tokens are seen: evaluated after others
        keys = term.others or term.lookup
        return min(1.0, sum(shares.get(key, RARE_SHARE) for key in keys))

    def _starts(self, batch_tokens: set[str]) -> dict[str, list[str]]:
        """For each prefix, the tokens of a batch that start with it (memoised per token)."""
        memo, prefixed = self._postings, self._prefixed
        new = batch_tokens.difference(memo)
        if len(memo) + len(new) > self._memo_limit:
            memo.clear()
            prefixed.clear()
            new = batch_tokens
        room = len(new) <= self._memo_limit
        first, lengths, stems, prefixes = (
            self._prefix_lengths[0],
            self._prefix_lengths,
            self._stems,
            self._prefixes,
        )
        found: dict[str, tuple[str, ...]] = {}
        for token in new:
            if token[:first] in stems:
                starts = tuple(token[:n] for n in lengths if token[:n] in prefixes)
                if starts:
                    found[token] = starts
        if room:
            memo.update(dict.fromkeys(new, ()))
            memo.update(found)
            prefixed.update(found)
            found = {token: memo[token] for token in batch_tokens.intersection(prefixed)}
        by_prefix: dict[str, list[str]] = {}
        for token, starts in found.items():
            for prefix in starts:
                by_prefix.setdefault(prefix, []).append(token)
        return by_prefix

    def _batch(self, texts: Sequence[PaperText]) -> tuple[PaperBatch, dict[str, list[str]]]:
        """A batch's postings, and for each prefix the batch's tokens starting with it."""
        tokens = self._tokens
        starts: dict[str, list[str]] = {}
        if self._prefixes:
            seen = set[str]().union(*(text.parts for text in texts))
            starts = self._starts(seen)
            tokens = tokens.union(*starts.values())
        return PaperBatch(texts, tokens, self._others, self._anchors), starts

    def match_texts(self, texts: Sequence[PaperText], offset: int = 0) -> list[Row]:
        """(paper index + offset, rule index, score, matched terms) for every rule a paper
        matches."""
        batch, starts = self._batch(texts)
        terms = self._terms
        occurrences: list[Occurrences | None] = [None] * len(terms)

        def occurring(term_id: int) -> Occurrences:
            found = occurrences[term_id]
            if found is None:
                found = occurrences[term_id] = terms[term_id].occurrences(batch, starts)
            return found

        rendered = [term.rendered for term in terms]
        out: list[Row] = []
        for number, rule in enumerate(self._rules):
            matched = _select(rule.tree, None, occurring)
            if not matched:
                continue
            weights = [(occurring(term_id), rendered[term_id]) for term_id in rule.positive]
            if len(weights) == 1:  # the papers it matches are the papers its one term is in
                [(weight, shown)] = weights
                hit = (shown,)
                if isinstance(weight, dict):
                    out.extend((index + offset, number, weight[index], hit) for index in matched)
                else:
                    out.extend((index + offset, number, OTHER_WEIGHT, hit) for index in matched)
                continue
            for index in matched:
                score = 0.0
                hits: list[str] = []
                for weight, shown in weights:
                    if index in weight:
                        score += weight[index] if isinstance(weight, dict) else OTHER_WEIGHT
                        hits.append(shown)
                if hits:  # in order already: a rule's positive terms are sorted by their text
                    out.append((index + offset, number, score, tuple(hits)))
        return out

    def _text(self, paper: Paper) -> PaperText:
        """A paper tokenised, or only its other facts when it holds none of the few needles."""
        needles = self._needles
        if needles is None:
            return PaperText(paper)
        if needles:
            # a token of a field is a substring of the folded field (each field folded apart
            # unless all are ASCII: one accented name must not send the whole text down the
            # slow path)
            fields = (paper.title, paper.abstract, paper.comment or "", paper.journal_ref or "")
            text = "\n".join((*fields, *paper.author_names))
            folded = text.lower() if text.isascii() else "\n".join(map(fold, text.split("\n")))
            for needle in needles:
                if starts_token(folded, needle):
                    return PaperText(paper)
        return PaperText(paper, tokenise=False)

    def rows(self, papers: Sequence[Paper]) -> list[Row]:
        """(paper index, rule index, score, matched terms) for every rule a paper matches."""
        found: list[Row] = []
        for start, stop in batch_bounds(len(papers)):
            texts = [self._text(paper) for paper in papers[start:stop]]
            found.extend(self.match_texts(texts, start))
        return found

    def match(self, papers: Sequence[Paper], workers: int = 1) -> list[Match]:
        """Every (paper, topic) pair that matches, with its score and matched terms.

        With `workers` above 1, a run over PARALLEL_MIN papers or more is split over that many
        worker processes (where processes can be forked); a small run stays in this one.
        """
        found: list[Match] = []
        if not self._rules:
            return found
        ids = [paper.arxiv_id for paper in papers]
        topic_ids = [rule.topic_ids for rule in self._rules]
        with collection_paused():
            if workers > 1 and len(papers) >= PARALLEL_MIN and can_fork():
                for (start, stop), packed in match_in_workers(self, papers, workers):
                    indexes, rules, scores, terms, table = packed
                    rows = zip(indexes, rules, scores, map(table.__getitem__, terms), strict=True)
                    found.extend(_matches(ids[start:stop], rows, topic_ids))
            else:
                found.extend(_matches(ids, self.rows(papers), topic_ids))
        return found


def _matches(
    ids: Sequence[str], rows: Iterable[Row], topic_ids: Sequence[list[int]]
) -> Iterator[Match]:
    """The matches of rows, each for every topic that holds the row's rule; `ids` are the papers'
    by the rows' paper index."""
    # a Match made as the tuple it is, without the keyword handling of Match(...) or the length
    # check of Match._make: a corpus run makes over a million
    new = tuple.__new__
    return (
        new(Match, (ids[index], topic_id, score, hits, None))
        for index, rule, score, hits in rows
        for topic_id in topic_ids[rule]
    )


def _select(
    node: Tree, within: Set[int] | None, occurring: Callable[[int], Occurrences]
) -> Set[int]:
    """The papers (of `within`, or all) that a rule tree matches; never changed after.

    A function of its own, not a closure calling itself: that would be a reference cycle keeping
    a batch's postings alive until the next collection, which a run pauses.
    """
    if isinstance(node, int):
        held = occurring(node)
        papers = held.keys() if isinstance(held, dict) else held
        # `&` runs over the smaller side, so a narrow AND never walks a broad term
        return papers if within is None else within & papers
    operator, first, second = node
    if operator == "|":
        union: set[int] = set()
        for option in first:
            union.update(_select(option, within, occurring))
        return union
    for child in first:
        within = _select(child, within, occurring)
        if not within:
            return within
    assert within is not None  # an AND includes at least one part
    for child in second:
        within = within - _select(child, within, occurring)  # a subset of within: a small walk
        if not within:
            break
    return within
