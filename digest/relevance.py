"""Relevance: how likely a group is to keep a paper, learned from what it kept and let pass.

Kept: the list's entries (their titles, and abstracts, authors and categories where the paper is
known), weighted up by the votes of the nomination that brought them in. Let pass: nominations
an admin rejected, and papers the group's digests showed that nobody nominated. A paper's
relevance (0 to 1) comes from TF-IDF over its hashed words, word pairs, authors and categories:
how alike it is to the list's entries, and a logistic regression's probability that it is kept
(see RelevanceModel). A digest in the learned order ranks by relevance + 0.05 x match score.

Models are kept per workspace under a hash of their training data and trained in the background
(a thread or process pool) when that changes; a digest never waits for one: it ranks with the
newest model ready, or in today's rule order before there is one.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Any

from digest.models import DigestCandidate, Likeness, NominationStatus, Paper, Subscription
from digest.offload import Offload
from digest.ports import Unit
from digest.text import keys

log = logging.getLogger(__name__)

# Fewer entries than this teach too little: the workspace keeps the rule order.
MIN_ENTRIES = 20
# The learned order's value of a candidate: relevance + MATCH_WEIGHT x match score. Scores are
# mostly 2 or 3, so the rule's score breaks near ties and relevance decides the rest.
MATCH_WEIGHT = 0.05
# How many shown-and-let-pass papers the model learns from: the most recent ones.
MAX_LET_PASS = 5000
# How many of the most similar entries a paper's similarity to the list is the mean of.
SIMILAR = 3
# A list entry this similar (cosine of TF-IDF vectors) makes a paper "like" it on its card.
LIKE = 0.2
_FEATURES = 2**18
_EXAMPLE_CHARS = 60


@dataclass(frozen=True, slots=True)
class Example:
    """One paper as the model reads it, labelled kept or let pass, with its weight."""

    title: str
    abstract: str = ""
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    kept: bool = True
    weight: float = 1.0

    @classmethod
    def of(cls, paper: Paper, kept: bool = True, weight: float = 1.0) -> Example:
        """A known paper's fields (a stub from an imported list has only its title)."""
        if paper.is_stub:
            return cls(paper.title, kept=kept, weight=weight)
        return cls(paper.title, paper.abstract, paper.author_names, paper.categories, kept, weight)


@dataclass(frozen=True, slots=True)
class TrainingSet:
    """What a workspace's model learns from; `entries` counts the list's entries among it."""

    examples: tuple[Example, ...]
    entries: int

    @property
    def version(self) -> str:
        """A hash of the data: it changes exactly when the model must be retrained."""
        digest = hashlib.sha256()
        for e in self.examples:
            fields = (e.title, e.abstract, *e.authors, "|", *e.categories, f"{e.kept}{e.weight}")
            digest.update("\x1f".join(fields).encode() + b"\x1e")
        return digest.hexdigest()

    @property
    def enough(self) -> bool:
        """Whether the list has enough entries to learn from (MIN_ENTRIES)."""
        return self.entries >= MIN_ENTRIES


def features(example: Example) -> list[str]:
    """The model's tokens of a paper: title words twice (short and telling), abstract words,
    word pairs of both, each author, each category."""
    title = keys(example.title)
    words = keys(example.abstract)
    out = [*title, *title, *words]
    out += [f"{a} {b}" for part in (title, words) for a, b in pairwise(part)]
    out += ["au:" + " ".join(keys(name)) for name in example.authors]
    out += ["cat:" + category for category in example.categories]
    return out


def hashed(examples: Sequence[Example]) -> Any:
    """The papers' token counts, hashed (rows of a sparse matrix; the same for every model)."""
    # scikit-learn loads slowly; it is imported only where a model is trained or used.
    from sklearn.feature_extraction import FeatureHasher

    hasher = FeatureHasher(_FEATURES, input_type="string", alternate_sign=False)
    return hasher.transform(features(e) for e in examples)


class RelevanceModel:
    """A workspace's model: TF-IDF over hashed tokens, a class-balanced logistic regression
    (kept against let pass), and the vectors of the list's entries.

    A paper's relevance is the mean of two numbers between 0 and 1: the regression's
    probability that it is kept, and its similarity to the list (the mean cosine of its
    SIMILAR most similar entries). On the lists in ../shared the mean ranks better than
    either alone (benchmarks/ranking.py). Before anything was let pass there is no regression,
    and the similarity alone is the relevance.
    """

    def __init__(self, training: TrainingSet) -> None:
        from sklearn.feature_extraction.text import TfidfTransformer
        from sklearn.linear_model import LogisticRegression

        examples = training.examples
        counts = hashed(examples)
        self._tfidf = TfidfTransformer(sublinear_tf=True).fit(counts)
        vectors = self._tfidf.transform(counts)
        labels = [e.kept for e in examples]
        self._classifier: LogisticRegression | None = None
        if len(set(labels)) == 2:
            self._classifier = LogisticRegression(
                C=16.0, class_weight="balanced", solver="liblinear"
            )
            self._classifier.fit(vectors, labels, sample_weight=[e.weight for e in examples])
        kept = [i for i, e in enumerate(examples) if e.kept]
        self._kept = vectors[kept].T.tocsr()
        self._titles = tuple(examples[i].title for i in kept)

    def vectors(self, counts: Any) -> Any:
        """The TF-IDF vectors (rows) of papers' hashed token counts (`hashed`)."""
        return self._tfidf.transform(counts)

    def judge(self, vectors: Any) -> list[tuple[float, Likeness | None]]:
        """For each paper (rows of `vectors`): its relevance, and the entries it is like."""
        import numpy as np

        similar = (vectors @ self._kept).toarray()
        nearest = np.sort(similar, axis=1)[:, -SIMILAR:].mean(axis=1)
        relevance = nearest
        if self._classifier is not None:
            column = list(self._classifier.classes_).index(True)
            relevance = (self._classifier.predict_proba(vectors)[:, column] + nearest) / 2
        out: list[tuple[float, Likeness | None]] = []
        for value, row in zip(relevance, similar, strict=True):
            count = int((row >= LIKE).sum())
            likeness = Likeness(count, _short(self._titles[int(row.argmax())])) if count else None
            out.append((float(value), likeness))
        return out

    def rank(self, examples: Sequence[Example]) -> list[float]:
        """Each paper's relevance (for benchmarks and tools that hold no candidates)."""
        return [relevance for relevance, _ in self.judge(self.vectors(hashed(examples)))]


def _short(title: str) -> str:
    title = " ".join(title.split())
    return title if len(title) <= _EXAMPLE_CHARS else title[: _EXAMPLE_CHARS - 1].rstrip() + "…"


def learned_rank(relevance: float, score: float) -> float:
    """A candidate's value in the learned order (higher first)."""
    return relevance + MATCH_WEIGHT * score


async def training_set(unit: Unit, workspace_id: int) -> TrainingSet:
    """What the workspace kept (entries, weighted by votes) and let pass (rejected, or shown in
    a digest and never nominated)."""
    entries = await unit.lists.entries(workspace_id)
    nominations = await unit.nominations.list(workspace_id)
    shown = await unit.digests.shown_in_workspace(workspace_id, MAX_LET_PASS)
    votes = {n.paper_id: len(n.votes) for n in nominations}
    rejected = [n.paper_id for n in nominations if n.status is NominationStatus.REJECTED]
    listed = {e.paper_id for e in entries if e.paper_id}
    let_pass = [p for p in shown if p not in votes and p not in listed]
    papers = await unit.papers.get_many([*listed, *rejected, *let_pass])
    examples: list[Example] = []
    for entry in entries:
        weight = float(max(1, votes.get(entry.paper_id or "", 1)))
        paper = papers.get(entry.paper_id or "")
        if paper is None:
            examples.append(Example(entry.title, weight=weight))
        else:
            examples.append(replace(Example.of(paper, weight=weight), title=entry.title))
    for paper_id in [*rejected, *let_pass]:
        if paper_id in papers:
            examples.append(Example.of(papers[paper_id], kept=False))
    return TrainingSet(tuple(examples), len(entries))


class Relevance:
    """Ranks digest candidates per workspace with the newest model ready; never trains in a
    request. `refresh` starts a training in the background through `run` (a thread or process
    pool); trainings asked for while one runs are coalesced (the newest data is trained next).

    Papers' hashed token counts, the same for every model, are cached by arXiv id (a new
    version of a paper barely moves them).
    """

    def __init__(self, run: Offload = asyncio.to_thread, cache_size: int = 50_000) -> None:
        self._run = run
        self._ready: dict[int, tuple[str, RelevanceModel]] = {}
        self._training: dict[int, asyncio.Task[None]] = {}
        self._next: dict[int, TrainingSet] = {}
        self._cache_size = cache_size
        self._counts: dict[str, Any] = {}
        self.trainings = 0

    def refresh(self, workspace_id: int, training: TrainingSet) -> None:
        """Train a model for this data in the background, unless it is ready or under way; too
        little data drops the workspace's model (it goes back to the rule order)."""
        if not training.enough:
            self._ready.pop(workspace_id, None)
            self._next.pop(workspace_id, None)
            return
        ready = self._ready.get(workspace_id)
        if ready is not None and ready[0] == training.version:
            return
        if workspace_id in self._training:
            self._next[workspace_id] = training
            return
        task = asyncio.create_task(self._train(workspace_id, training))
        self._training[workspace_id] = task

    async def _train(self, workspace_id: int, training: TrainingSet) -> None:
        try:
            while True:
                model = await self._run(RelevanceModel, training)
                self.trainings += 1
                self._ready[workspace_id] = (training.version, model)
                wanted = self._next.pop(workspace_id, None)
                if wanted is None or wanted.version == training.version:
                    return
                training = wanted
        except Exception:
            # Ranking is a convenience: the rule order stands in until a retraining.
            log.exception("training the relevance model of workspace %d failed", workspace_id)
        finally:
            self._training.pop(workspace_id, None)

    async def settle(self) -> None:
        """Wait until no training runs (at shutdown, and in tests)."""
        while self._training:
            await asyncio.gather(*self._training.values())

    async def train(self, workspace_id: int, training: TrainingSet) -> None:
        """Train the model for this data now and wait for it (warm-up, tests, benchmarks)."""
        self.refresh(workspace_id, training)
        await self.settle()

    def model(self, workspace_id: int) -> RelevanceModel | None:
        """The workspace's newest model ready, if any."""
        ready = self._ready.get(workspace_id)
        return ready[1] if ready is not None else None

    async def rank(
        self,
        unit: Unit,
        subscriptions: Sequence[Subscription],
        candidates: Sequence[DigestCandidate],
    ) -> list[DigestCandidate]:
        """The candidates with their learned rank and likeness, in workspaces that rank by
        relevance and have a model; the others as they came (the rule order)."""
        workspace_of = {s.id: s.workspace_id for s in subscriptions}
        models = {}
        for workspace_id in set(workspace_of.values()):
            model = self.model(workspace_id)
            workspace = await unit.workspaces.get(workspace_id) if model else None
            if model is not None and workspace and workspace.settings.ranking == "learned":
                models[workspace_id] = model
        if not models:
            return list(candidates)
        from scipy.sparse import vstack

        mine = [c for c in candidates if workspace_of.get(c.subscription_id) in models]
        await self._load(unit, {c.match.paper_id for c in mine})
        ranked: dict[tuple[int, str], tuple[float, Likeness | None]] = {}
        for workspace_id, model in models.items():
            ids = sorted(
                {c.match.paper_id for c in mine if workspace_of[c.subscription_id] == workspace_id}
            )
            ids = [i for i in ids if i in self._counts]
            if not ids:
                continue
            vectors = model.vectors(vstack([self._counts[i] for i in ids], format="csr"))
            for paper_id, judged in zip(ids, model.judge(vectors), strict=True):
                ranked[(workspace_id, paper_id)] = judged
        out = []
        for candidate in candidates:
            workspace_id = workspace_of.get(candidate.subscription_id, 0)
            got = ranked.get((workspace_id, candidate.match.paper_id))
            rank = None if got is None else learned_rank(got[0], candidate.match.score)
            out.append(candidate if got is None else replace(candidate, rank=rank, likeness=got[1]))
        return out

    async def _load(self, unit: Unit, paper_ids: Iterable[str]) -> None:
        missing = sorted(i for i in paper_ids if i not in self._counts)
        if not missing:
            return
        papers = await unit.papers.get_many(missing)
        if len(self._counts) + len(papers) > self._cache_size:
            self._counts.clear()
        ids = list(papers)
        counts = hashed([Example.of(papers[i]) for i in ids])
        self._counts.update((paper_id, counts[row]) for row, paper_id in enumerate(ids))
