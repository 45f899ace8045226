"""Section suggestion: which sections of the list a nominated paper most likely belongs in.

A TF-IDF model with a linear classifier is learned from the entries already on the list (their
titles, and abstracts where the paper is known). It is kept per workspace under a hash of its
training data and retrained in the background when that changes (3 to 8 s for a few hundred
entries, in a thread or process pool); a suggestion never waits for it: it uses the newest model
ready, or the sections' sizes before there is one.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from digest.list_document import SECTION_SEPARATOR
from digest.list_view import section_paths
from digest.offload import Offload
from digest.ports import Unit

log = logging.getLogger(__name__)

TOP = 3
# A classifier needs two sections to tell apart; with one, every paper goes there.
MIN_SECTIONS = 2


@dataclass(frozen=True, slots=True)
class Example:
    """One entry as training data: its text and its section's path."""

    text: str
    section: str


def paper_text(title: str, abstract: str = "") -> str:
    """What the model reads of a paper: the title twice (it is short and telling), the abstract."""
    return f"{title}. {title}. {abstract}".strip()


async def training_examples(unit: Unit, workspace_id: int) -> list[Example]:
    """The list's live entries as examples, in list order."""
    sections = await unit.lists.sections(workspace_id)
    paths = section_paths(sections)
    entries = await unit.lists.entries(workspace_id)
    papers = await unit.papers.get_many(e.paper_id for e in entries if e.paper_id)
    examples = []
    for entry in entries:
        paper = papers.get(entry.paper_id or "")
        abstract = paper.abstract if paper is not None and not paper.is_stub else ""
        section = SECTION_SEPARATOR.join(paths.get(entry.section_id, ()))
        examples.append(Example(paper_text(entry.title, abstract), section))
    return examples


def examples_version(examples: Sequence[Example]) -> str:
    """A hash of the training data: it changes exactly when the model must be retrained."""
    digest = hashlib.sha256()
    for example in examples:
        digest.update(example.section.encode() + b"\x1f" + example.text.encode() + b"\x1e")
    return digest.hexdigest()


class SectionModel:
    """TF-IDF over words, word pairs and character n-grams, and a linear SVM (one per section).

    Character n-grams catch system names ("Qwen2-VL", "ZeRO-Offload") that words split badly;
    on the lists in ../shared they beat words alone (benchmarks/section_suggestion.py).
    """

    def __init__(self, examples: Sequence[Example]) -> None:
        self._counts = Counter(example.section for example in examples)
        self._pipeline = None
        if len(self._counts) >= MIN_SECTIONS:
            # scikit-learn loads slowly; import it only when a model is trained.
            from sklearn.feature_extraction.text import TfidfVectorizer
            from sklearn.pipeline import make_pipeline, make_union
            from sklearn.svm import LinearSVC

            self._pipeline = make_pipeline(
                make_union(
                    TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, strip_accents="unicode"),
                    TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
                ),
                LinearSVC(C=1.0),
            )
            self._pipeline.fit([e.text for e in examples], [e.section for e in examples])

    def rank(self, text: str, top: int = TOP) -> list[tuple[str, float]]:
        """The `top` most likely sections with their scores, best first."""
        if self._pipeline is None:
            return largest_sections(self._counts, top)
        scores = self._pipeline.decision_function([text])[0]
        classes = self._pipeline.classes_
        if len(classes) == 2:
            # Two classes give one score: positive means the second class.
            scores = [-scores, scores]
        order = sorted(range(len(classes)), key=lambda i: (-scores[i], str(classes[i])))
        return [(str(classes[i]), float(scores[i])) for i in order[:top]]


def largest_sections(counts: Counter[str], top: int = TOP) -> list[tuple[str, float]]:
    """The `top` sections with the most entries (ties in list order), scored by their share."""
    total = sum(counts.values()) or 1
    return [(section, count / total) for section, count in counts.most_common(top)]


class SectionSuggester:
    """Suggests sections per workspace from the newest model ready; never waits for training.

    A suggestion for a list state with no model starts that model's training in the background
    through `run` (a thread or process pool) and answers from the model of an earlier state,
    or from the sections' sizes before there is any. Trainings asked for while one runs are
    coalesced: the newest state is trained next.
    """

    def __init__(self, top: int = TOP, run: Offload = asyncio.to_thread) -> None:
        self.top = top
        self._run = run
        self._ready: dict[int, tuple[str, SectionModel]] = {}
        self._training: dict[int, asyncio.Task[None]] = {}
        self._next: dict[int, tuple[str, list[Example]]] = {}
        self.trainings = 0

    def refresh(self, workspace_id: int, examples: Sequence[Example]) -> None:
        """Start training a model for this list state, unless it is ready or being trained."""
        version = examples_version(examples)
        ready = self._ready.get(workspace_id)
        if ready is not None and ready[0] == version:
            return
        if workspace_id in self._training:
            self._next[workspace_id] = (version, list(examples))
            return
        task = asyncio.create_task(self._train(workspace_id, version, list(examples)))
        self._training[workspace_id] = task

    async def _train(self, workspace_id: int, version: str, examples: list[Example]) -> None:
        try:
            while True:
                model = await self._run(SectionModel, examples)
                self.trainings += 1
                self._ready[workspace_id] = (version, model)
                wanted = self._next.pop(workspace_id, None)
                if wanted is None or wanted[0] == version:
                    return
                version, examples = wanted
        except Exception:
            # A suggestion is a convenience: the sections' sizes stand in until a retraining.
            log.exception("training the section model of workspace %d failed", workspace_id)
        finally:
            self._training.pop(workspace_id, None)

    async def settle(self) -> None:
        """Wait until no training runs (at shutdown, and in tests)."""
        while self._training:
            await asyncio.gather(*self._training.values())

    async def train(self, workspace_id: int, examples: Sequence[Example]) -> None:
        """Train the model for this list state now and wait for it (warm-up, tests)."""
        self.refresh(workspace_id, examples)
        await self.settle()

    def ready(self, workspace_id: int, examples: Sequence[Example]) -> bool:
        """Whether the model for exactly this list state is ready."""
        ready = self._ready.get(workspace_id)
        return ready is not None and ready[0] == examples_version(examples)

    async def suggest(
        self, workspace_id: int, examples: Sequence[Example], title: str, abstract: str = ""
    ) -> list[str]:
        """Up to `top` section paths for a paper, most likely first; none for an empty list."""
        if not examples:
            return []
        self.refresh(workspace_id, examples)
        ready = self._ready.get(workspace_id)
        if ready is None:
            ranked = largest_sections(Counter(e.section for e in examples), self.top)
        else:
            text = paper_text(title, abstract)
            ranked = await asyncio.to_thread(ready[1].rank, text, self.top)
        return [section for section, _ in ranked]
