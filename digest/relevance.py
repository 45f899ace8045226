"""Relevance: how likely a group is to keep a paper, learned from what it kept and let pass.

Kept: the list's entries (their titles, and abstracts, authors and categories where the paper is
known), weighted up by the votes of the nomination that brought them in. Let pass: nominations
an admin rejected, and papers the group's digests showed that nobody nominated. A paper's
relevance (0 to 1) comes from TF-IDF over its hashed words, word pairs, authors and categories:
how alike it is to the list's entries, and a logistic regression's probability that it is kept
(see RelevanceModel). A digest in the learned order ranks by relevance + 0.05 x match score.

Models are kept per workspace under a hash of their training data and trained in the background
(a thread or process pool, digest.background_training) when that changes; a digest never waits
for one: it ranks with the newest model ready, or in today's rule order before there is one.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Any

from digest.background_training import BackgroundModels
from digest.models import (
    LEARNED_MIN_ENTRIES,
    DigestCandidate,
    Likeness,
    NominationStatus,
    Paper,
    Subscription,
)
from digest.offload import Offload
from digest.ports import Unit
from digest.text import keys

# Fewer entries than this teach too little: the workspace keeps the rule order.
# The learned order's value of a candidate: relevance + MATCH_WEIGHT x match score. Scores are
# mostly 2 or 3, so the rule's score breaks near ties and relevance decides the rest.
MATCH_WEIGHT = 0.05
# How many shown-and-let-pass papers the model learns from: the most recent ones.
MAX_LET_PASS = 5000
# How many of the most similar entries a paper's similarity to the list is the mean of.
SIMILAR = 3
# A list entry this similar (cosine of TF-IDF vectors) makes a paper "like" it on its card.
LIKE = 0.2
# The regression's inverse regularisation, and its class weights (none: each example weighs
# its own weight, however many more papers were let pass than kept). On every section of
# cv-arxiv-daily in benchmarks/ranking.py, weak regularisation and unweighted classes rank
# better than C=16 with balanced classes (recall@15 94/61/69/65% -> 100/70/73/71%).
C = 256.0
CLASS_WEIGHT: str | None = None
_FEATURES = 2**18
_EXAMPLE_CHARS = 60


# A paper's relevance (0 to 1) under a model, and the list's entries it is like.
Judged = tuple[float, Likeness | None]


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
        """Whether the list has enough entries to learn from (LEARNED_MIN_ENTRIES)."""
        return self.entries >= LEARNED_MIN_ENTRIES


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
    """A workspace's model: TF-IDF over hashed tokens, a logistic regression (kept against
    let pass), and the vectors of the list's entries.

    A paper's relevance is the mean of two numbers between 0 and 1: the regression's
    probability that it is kept, and its similarity to the list (the mean cosine of its
    SIMILAR most similar entries). On the lists in ../shared the mean ranks better than
    either alone (benchmarks/ranking.py). Before anything was let pass there is no regression,
    and the similarity alone is the relevance.

    Trained with scikit-learn, it keeps only what scoring needs (the IDF weights, the entries'
    vectors and the regression's weights side by side in one matrix), so a batch of papers is
    scored with one sparse product, without scikit-learn's per-call checks.
    """

    def __init__(self, training: TrainingSet) -> None:
        from scipy.sparse import csr_matrix, hstack
        from sklearn.feature_extraction.text import TfidfTransformer
        from sklearn.linear_model import LogisticRegression

        examples = training.examples
        counts = hashed(examples)
        tfidf = TfidfTransformer(sublinear_tf=True).fit(counts)
        vectors = tfidf.transform(counts)
        labels = [e.kept for e in examples]
        kept = [i for i, e in enumerate(examples) if e.kept]
        columns = [vectors[kept].T]
        self._intercept: float | None = None
        if len(set(labels)) == 2:
            classifier = LogisticRegression(C=C, class_weight=CLASS_WEIGHT, solver="liblinear")
            classifier.fit(vectors, labels, sample_weight=[e.weight for e in examples])
            # The weights of "kept" (True, the second of the sorted classes).
            assert list(classifier.classes_) == [False, True]
            columns.append(csr_matrix(classifier.coef_[0]).T)
            self._intercept = float(classifier.intercept_[0])
        self._idf = tfidf.idf_
        self._entries = len(kept)
        self._weights = hstack(columns, format="csr")
        self._titles = tuple(examples[i].title for i in kept)

    def vectors(self, counts: Any) -> Any:
        """The TF-IDF vectors (rows) of papers' hashed token counts (`hashed`), as
        scikit-learn's TfidfTransformer(sublinear_tf=True) makes them."""
        import numpy as np
        from scipy.sparse import csr_matrix

        counts = csr_matrix(counts, dtype=np.float64, copy=True)
        data = counts.data
        np.log(data, out=data)
        data += 1.0
        data *= self._idf[counts.indices]
        rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
        norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=counts.shape[0]))
        norms[norms == 0] = 1.0
        data /= norms[rows]
        return counts

    def judge(self, vectors: Any) -> list[Judged]:
        """For each paper (rows of `vectors`): its relevance, and the entries it is like."""
        import numpy as np
        from scipy.special import expit

        product = (vectors @ self._weights).toarray()
        similar = product[:, : self._entries]
        nearest = np.sort(similar, axis=1)[:, -SIMILAR:].mean(axis=1)
        relevance = nearest
        if self._intercept is not None:
            relevance = (expit(product[:, self._entries] + self._intercept) + nearest) / 2
        out: list[Judged] = []
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


@dataclass(frozen=True, slots=True)
class _Counts:
    """One paper's hashed token counts: the columns and values of its sparse row."""

    indices: Any
    data: Any


class Relevance:
    """Ranks digest candidates per workspace with the newest model ready; never trains in a
    request. `refresh` starts a training in the background through `run` (a thread or process
    pool); trainings asked for while one runs are coalesced (the newest data is trained next).

    A paper is read and tokenised once per version (its hashed token counts are the same for
    every model) and scored once per model: scores are cached by (model version, arXiv id,
    paper version), so the channels of a workspace share them and a new version of a paper is
    read and scored afresh. What a build has not scored yet is scored in one product per model.
    """

    def __init__(self, run: Offload = asyncio.to_thread, cache_size: int = 50_000) -> None:
        self._models: BackgroundModels[TrainingSet, RelevanceModel] = BackgroundModels(
            RelevanceModel, run, "relevance model"
        )
        self._cache_size = cache_size
        self._counts: dict[tuple[str, int], _Counts] = {}
        self._scores: dict[tuple[str, str, int], Judged] = {}
        self.scored = 0  # papers scored (each once per model and version)

    @property
    def trainings(self) -> int:
        """How many models were trained."""
        return self._models.trainings

    def refresh(self, workspace_id: int, training: TrainingSet) -> None:
        """Train a model for this data in the background, unless it is ready or under way; too
        little data drops the workspace's model (it goes back to the rule order)."""
        if not training.enough:
            self._models.drop(workspace_id)
            return
        self._models.refresh(workspace_id, training.version, training)

    async def settle(self) -> None:
        """Wait until no training runs (at shutdown, and in tests)."""
        await self._models.settle()

    async def train(self, workspace_id: int, training: TrainingSet) -> None:
        """Train the model for this data now and wait for it (warm-up, tests, benchmarks)."""
        self.refresh(workspace_id, training)
        await self.settle()

    def model(self, workspace_id: int) -> RelevanceModel | None:
        """The workspace's newest model ready, if any."""
        ready = self._models.ready(workspace_id)
        return ready[1] if ready is not None else None

    async def rank(
        self,
        unit: Unit,
        subscriptions: Sequence[Subscription],
        candidates: Sequence[DigestCandidate],
    ) -> tuple[list[DigestCandidate], dict[str, Paper]]:
        """The candidates with their learned rank and likeness, in workspaces that rank by
        relevance and have a model; the others as they came (the rule order). With them, the
        papers it read to score (so that the caller need not read them again)."""
        workspace_of = {s.id: s.workspace_id for s in subscriptions}
        learned = {
            workspace_of.get(c.subscription_id, 0) for c in candidates if c.ranking == "learned"
        }
        ready = {
            workspace_id: model
            for workspace_id in learned
            if (model := self._models.ready(workspace_id)) is not None
        }
        if not ready:
            return list(candidates), {}
        wanted = {
            (workspace_of[c.subscription_id], c.match.paper_id, c.paper_version)
            for c in candidates
            if c.ranking == "learned" and workspace_of.get(c.subscription_id, 0) in ready
        }
        unscored = sorted(k for k in wanted if (ready[k[0]][0], k[1], k[2]) not in self._scores)
        papers = await self._read(unit, {(paper_id, v) for _, paper_id, v in unscored})
        self._score(ready, unscored)
        out = []
        for candidate in candidates:
            workspace_id = workspace_of.get(candidate.subscription_id, 0)
            judged = None
            if candidate.ranking == "learned" and workspace_id in ready:
                key = (ready[workspace_id][0], candidate.match.paper_id, candidate.paper_version)
                judged = self._scores.get(key)
            if judged is None:
                out.append(candidate)
                continue
            rank = learned_rank(judged[0], candidate.match.score)
            out.append(candidate._replace(rank=rank, likeness=judged[1]))
        return out, papers

    async def _read(self, unit: Unit, versions: set[tuple[str, int]]) -> dict[str, Paper]:
        """Read and tokenise the papers of these versions not tokenised yet; returns them."""
        missing = sorted(paper_id for paper_id, v in versions if (paper_id, v) not in self._counts)
        if not missing:
            return {}
        papers = await unit.papers.get_many(missing)
        if len(self._counts) + len(papers) > self._cache_size:
            self._counts.clear()
        ids = list(papers)
        counts = hashed([Example.of(papers[i]) for i in ids])
        for row, paper_id in enumerate(ids):
            start, end = counts.indptr[row], counts.indptr[row + 1]
            tokens = _Counts(counts.indices[start:end], counts.data[start:end])
            self._counts[(paper_id, papers[paper_id].version)] = tokens
        return papers

    def _score(
        self,
        ready: dict[int, tuple[str, RelevanceModel]],
        unscored: Sequence[tuple[int, str, int]],
    ) -> None:
        """Score what is not scored yet: one sparse product per workspace model."""
        if len(self._scores) + len(unscored) > self._cache_size:
            self._scores.clear()
        by_workspace: dict[int, list[tuple[str, int]]] = {}
        for workspace_id, paper_id, version in unscored:
            if (paper_id, version) in self._counts:
                by_workspace.setdefault(workspace_id, []).append((paper_id, version))
        for workspace_id, papers in by_workspace.items():
            model_version, model = ready[workspace_id]
            matrix = _stack([self._counts[key] for key in papers])
            self.scored += len(papers)
            for (paper_id, version), judged in zip(
                papers, model.judge(model.vectors(matrix)), strict=True
            ):
                self._scores[(model_version, paper_id, version)] = judged


def _stack(rows: Sequence[_Counts]) -> Any:
    """Papers' hashed token counts as the rows of one sparse matrix."""
    import numpy as np
    from scipy.sparse import csr_matrix

    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([len(r.indices) for r in rows], out=indptr[1:])
    indices = np.concatenate([r.indices for r in rows])
    data = np.concatenate([r.data for r in rows])
    return csr_matrix((data, indices, indptr), shape=(len(rows), _FEATURES))
