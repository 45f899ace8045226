"""Section suggestion: which sections of the list a nominated paper most likely belongs in.

A linear model is learned from what the list and the database know of the entries already on
the list: titles, abstracts, authors, arXiv categories and venues of the papers the database
holds, and the sections' own names (a section with few entries, or none yet, is still known by
what its name says). Its scores are blended with the votes of the entries that share an author
with the paper, and turned into a confidence per section. The model is kept per workspace under
a hash of its training data and retrained in the background when that changes (in a thread or
process pool); a suggestion never waits for it: it uses the newest model ready, or the sections'
sizes before there is one.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from digest.background_training import BackgroundModels
from digest.list_document import SECTION_SEPARATOR
from digest.list_venues import split_venue
from digest.list_view import section_paths
from digest.models import Paper
from digest.offload import Offload
from digest.ports import Unit

TOP = 3
# A classifier needs two sections to tell apart; with one, every paper goes there.
MIN_SECTIONS = 2
# How sharply the classifier's scores become confidences (a softmax's inverse temperature).
SHARPNESS = 3.0
# How much the sections of entries sharing an author with the paper weigh against the text.
AUTHOR_WEIGHT = 0.3
# How much the venue and categories weigh beside the words of the title and abstract.
META_WEIGHT = 0.5
BALANCE = 0.5


@dataclass(frozen=True, slots=True)
class Example:
    """A paper as the model reads it (with its section when it is a training example)."""

    title: str
    section: str = ""
    abstract: str = ""
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    venue: str | None = None

    @property
    def text(self) -> str:
        """The title twice (it is short and telling), then the abstract."""
        return paper_text(self.title, self.abstract)

    @property
    def facts(self) -> str:
        """The venue's name (not its year) and the arXiv categories, as tokens."""
        tokens = [f"cat:{c.casefold()}" for c in self.categories]
        if self.venue:
            name, _ = split_venue(self.venue)
            tokens += [f"venue:{w.casefold()}" for w in name.replace("@", " ").split()]
        return " ".join(tokens) or "none"


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A section a paper likely belongs in, and how sure the model is (0 to 1)."""

    section: str
    confidence: float


def paper_text(title: str, abstract: str = "") -> str:
    """What the model reads of a paper: the title twice (it is short and telling), the abstract."""
    return f"{title}. {title}. {abstract}".strip()


def paper_example(paper: Paper, section: str = "", title: str | None = None) -> Example:
    """What the database knows of a paper (a stub knows its title and venue only)."""
    known = not paper.is_stub
    return Example(
        title=title or paper.title,
        section=section,
        abstract=paper.abstract if known else "",
        authors=tuple(a.name for a in paper.authors) if known else (),
        categories=paper.categories if known else (),
        venue=paper.venue,
    )


async def training_examples(unit: Unit, workspace_id: int) -> list[Example]:
    """The list's live entries as examples, in list order, with what the database knows."""
    sections = await unit.lists.sections(workspace_id)
    paths = section_paths(sections)
    entries = await unit.lists.entries(workspace_id)
    papers = await unit.papers.get_many(e.paper_id for e in entries if e.paper_id)
    examples = []
    for entry in entries:
        section = SECTION_SEPARATOR.join(paths.get(entry.section_id, ()))
        paper = papers.get(entry.paper_id or "")
        venue = entry.venue_tag or entry.venue  # the workshop of `NAIC @ SIGCOMM'25` tells too
        if paper is None:
            examples.append(Example(entry.title, section, venue=venue))
        else:
            example = paper_example(paper, section, entry.title)
            examples.append(replace(example, venue=venue or paper.venue))
    # A section without entries yet (and none below it) is known by its name: a paper may
    # still belong there.
    parents = {s.parent_id for s in sections}
    filled = {e.section for e in examples}
    empty = [SECTION_SEPARATOR.join(paths[s.id]) for s in sections if s.id not in parents]
    examples.extend(section_names([path for path in empty if path not in filled]))
    return examples


def section_names(sections: Sequence[str]) -> list[Example]:
    """Each section as an example of itself: its path's words, and its own title alone."""
    named = []
    for path in dict.fromkeys(sections):
        parts = path.split(SECTION_SEPARATOR)
        named.append(Example(" ".join(parts), path))
        if len(parts) > 1:
            named.append(Example(parts[-1], path))
    return named


def examples_version(examples: Sequence[Example]) -> str:
    """A hash of the training data: it changes exactly when the model must be retrained."""
    digest = hashlib.sha256()
    for example in examples:
        for value in (
            example.section,
            example.title,
            example.abstract,
            *example.authors,
            "\x1d",
            *example.categories,
            example.venue or "",
        ):
            digest.update(value.encode() + b"\x1f")
        digest.update(b"\x1e")
    return digest.hexdigest()


class SectionModel:
    """Words, word pairs and title character n-grams, venue and categories; a linear SVM.

    Character n-grams catch system names ("Qwen2-VL", "ZeRO-Offload") that words split badly.
    Each section is also a training example of its own name, and sections are weighed evenly
    (a new section has few entries but is where new papers go). Measured by
    benchmarks/section_suggestion.py.
    """

    def __init__(self, examples: Sequence[Example]) -> None:
        self._counts = Counter(example.section for example in examples)
        self._pipeline = None
        self._by_author: dict[str, Counter[str]] = defaultdict(Counter)
        for example in examples:
            for author in example.authors:
                self._by_author[author.casefold()][example.section] += 1
        if len(self._counts) >= MIN_SECTIONS:
            # scikit-learn loads slowly; import it only when a model is trained.
            from sklearn.compose import ColumnTransformer
            from sklearn.feature_extraction.text import TfidfVectorizer
            from sklearn.pipeline import make_pipeline
            from sklearn.svm import LinearSVC

            features = ColumnTransformer(
                [
                    (
                        "words",
                        TfidfVectorizer(
                            ngram_range=(1, 2), sublinear_tf=True, strip_accents="unicode"
                        ),
                        0,
                    ),
                    (
                        "chars",
                        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
                        1,
                    ),
                    ("facts", TfidfVectorizer(token_pattern=r"\S+", lowercase=False), 2),
                ],
                transformer_weights={"words": 1.0, "chars": 1.0, "facts": META_WEIGHT},
            )
            training = [*examples, *section_names(list(self._counts))]
            sizes = Counter(e.section for e in training)
            # Between even weights and sizes' own: a new section gets a say, a big one keeps its.
            weights = {
                name: (len(training) / (len(sizes) * size)) ** BALANCE
                for name, size in sizes.items()
            }
            self._pipeline = make_pipeline(features, LinearSVC(C=1.0, class_weight=weights))
            self._pipeline.fit(_rows(training), [e.section for e in training])

    def rank(self, paper: Example, top: int = TOP) -> list[Suggestion]:
        """The `top` most likely sections with their confidences, best first."""
        if self._pipeline is None:
            return largest_sections(self._counts, top)
        decision = self._pipeline.decision_function(_rows([paper]))[0]
        classes = [str(c) for c in self._pipeline.classes_]
        if len(classes) == 2:
            # Two classes give one score: positive means the second class.
            scores = [-float(decision), float(decision)]
        else:
            scores = [float(s) for s in decision]
        confidence = _softmax(scores)
        shared = Counter[str]()
        for author in paper.authors:
            shared.update(self._by_author.get(author.casefold(), {}))
        total = sum(shared.values())
        if total:
            blended = [
                (c + AUTHOR_WEIGHT * shared[name] / total) / (1 + AUTHOR_WEIGHT)
                for name, c in zip(classes, confidence, strict=True)
            ]
            confidence = blended
        order = sorted(range(len(classes)), key=lambda i: (-confidence[i], classes[i]))
        # Rounded down to a millionth, so that the confidences of a distribution never add up
        # to more than 1 through floating-point rounding (a sum of 1.0000000000000002 was seen).
        return [Suggestion(classes[i], _floor6(confidence[i])) for i in order[:top]]


def _rows(examples: Sequence[Example]) -> list[tuple[str, str, str]]:
    return [(e.text, e.title, e.facts) for e in examples]


def _softmax(scores: Sequence[float]) -> list[float]:
    best = max(scores)
    weights = [math.exp(SHARPNESS * (s - best)) for s in scores]
    total = sum(weights)
    return [w / total for w in weights]


def largest_sections(counts: Counter[str], top: int = TOP) -> list[Suggestion]:
    """The `top` sections with the most entries (ties in list order), scored by their share."""
    total = sum(counts.values()) or 1
    return [Suggestion(section, count / total) for section, count in counts.most_common(top)]


class SectionSuggester:
    """Suggests sections per workspace from the newest model ready; never waits for training.

    A suggestion for a list state with no model starts that model's training in the background
    through `run` (a thread or process pool) and answers from the model of an earlier state,
    or from the sections' sizes before there is any. Trainings asked for while one runs are
    coalesced: the newest state is trained next.
    """

    def __init__(self, top: int = TOP, run: Offload = asyncio.to_thread) -> None:
        self.top = top
        self._models: BackgroundModels[list[Example], SectionModel] = BackgroundModels(
            SectionModel, run, "section model"
        )

    @property
    def trainings(self) -> int:
        """How many models were trained."""
        return self._models.trainings

    def refresh(self, workspace_id: int, examples: Sequence[Example]) -> None:
        """Start training a model for this list state, unless it is ready or being trained."""
        self._models.refresh(workspace_id, examples_version(examples), list(examples))

    async def settle(self) -> None:
        """Wait until no training runs (at shutdown, and in tests)."""
        await self._models.settle()

    async def train(self, workspace_id: int, examples: Sequence[Example]) -> None:
        """Train the model for this list state now and wait for it (warm-up, tests)."""
        self.refresh(workspace_id, examples)
        await self.settle()

    def ready(self, workspace_id: int, examples: Sequence[Example]) -> bool:
        """Whether the model for exactly this list state is ready."""
        ready = self._models.ready(workspace_id)
        return ready is not None and ready[0] == examples_version(examples)

    async def suggest(
        self, workspace_id: int, examples: Sequence[Example], paper: Example
    ) -> list[Suggestion]:
        """Up to `top` sections for a paper, most likely first; none for an empty list."""
        if not examples:
            return []
        self.refresh(workspace_id, examples)
        ready = self._models.ready(workspace_id)
        if ready is None:
            return largest_sections(Counter(e.section for e in examples), self.top)
        return await asyncio.to_thread(ready[1].rank, paper, self.top)


def _floor6(value: float) -> float:
    """`value` rounded down to six decimals."""
    return math.floor(value * 1_000_000) / 1_000_000
