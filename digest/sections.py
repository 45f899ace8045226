"""Section suggestion: which sections of the list a nominated paper most likely belongs in.

A TF-IDF model with a linear classifier is learned from the entries already on the list (their
titles, and abstracts where the paper is known). It is cached per workspace under a hash of its
training data, so it is retrained exactly when the list changes, lazily and in a thread.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from digest.list_document import SECTION_SEPARATOR
from digest.list_view import section_paths
from digest.ports import Unit

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
            return [(section, 1.0) for section, _ in self._counts.most_common(top)]
        scores = self._pipeline.decision_function([text])[0]
        classes = self._pipeline.classes_
        if len(classes) == 2:
            # Two classes give one score: positive means the second class.
            scores = [-scores, scores]
        order = sorted(range(len(classes)), key=lambda i: (-scores[i], str(classes[i])))
        return [(str(classes[i]), float(scores[i])) for i in order[:top]]


class SectionSuggester:
    """Suggests sections per workspace, keeping one trained model per workspace and list state."""

    def __init__(self, top: int = TOP) -> None:
        self.top = top
        self._models: dict[int, tuple[str, SectionModel]] = {}
        self.trainings = 0

    async def model_for(self, workspace_id: int, examples: Sequence[Example]) -> SectionModel:
        """The workspace's model for this training data, trained off the event loop if stale."""
        version = examples_version(examples)
        cached = self._models.get(workspace_id)
        if cached is not None and cached[0] == version:
            return cached[1]
        model = await asyncio.to_thread(SectionModel, list(examples))
        self.trainings += 1
        self._models[workspace_id] = (version, model)
        return model

    async def suggest(
        self, workspace_id: int, examples: Sequence[Example], title: str, abstract: str = ""
    ) -> list[str]:
        """Up to `top` section paths for a paper, most likely first; none for an empty list."""
        if not examples:
            return []
        model = await self.model_for(workspace_id, examples)
        text = paper_text(title, abstract)
        return [section for section, _ in await asyncio.to_thread(model.rank, text, self.top)]
