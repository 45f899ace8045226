"""How well section suggestion works on a list: train on older entries, test on the newest.

Two splits: `age` holds out the newest 20% (by venue year, then arXiv id, then line); `year`
trains on entries up to a year (2024) and tests on the later ones, as a list grows. Sections may
be cut to their first levels (`depth`), as a list's top sections are what a reviewer picks first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace

from digest.arxiv_links import id_full_year
from digest.list_document import SECTION_SEPARATOR, ListDocument, ListItem
from digest.list_venues import split_venue
from digest.sections import Example, SectionModel, section_names

LAST_TRAINING_YEAR = 24


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Accuracy at 1 and 3 of the model, and of always guessing the largest sections."""

    train: int
    test: int
    sections: int
    accuracy_at_1: float
    accuracy_at_3: float
    baseline_at_1: float
    baseline_at_3: float
    with_abstract: int
    unseen: int
    seen_accuracy_at_1: float
    seen_accuracy_at_3: float


def _year(item: ListItem) -> int:
    if item.venue:
        _, year = split_venue(item.venue)
        if year is not None:
            return int(year)
    if item.arxiv_id and (assigned := id_full_year(item.arxiv_id)) is not None:
        return assigned - 2000  # on the venues' two-digit scale; the 1990s come before 00
    return -100  # undated entries count as the oldest


def age_key(item: ListItem) -> tuple[int, str, int]:
    """Older first: the venue's or the arXiv id's year, then the id, then the line."""
    return (_year(item), item.arxiv_id or "", item.line)


Labelled = list[tuple[ListItem, str]]


def _labelled(document: ListDocument, depth: int | None) -> Labelled:
    return [
        (item, SECTION_SEPARATOR.join(s.path[:depth]))
        for s in document.sections
        for item in s.items
    ]


def chronological_split(
    document: ListDocument, test_fraction: float = 0.2, depth: int | None = None
) -> tuple[Labelled, Labelled]:
    """(older, newest) items with their section paths; the newest `test_fraction` are held out."""
    labelled = sorted(_labelled(document, depth), key=lambda pair: age_key(pair[0]))
    cut = round(len(labelled) * (1 - test_fraction))
    return labelled[:cut], labelled[cut:]


def year_split(
    document: ListDocument, last_year: int = LAST_TRAINING_YEAR, depth: int | None = None
) -> tuple[Labelled, Labelled]:
    """(up to `last_year`, after it): undated entries count as old."""
    labelled = _labelled(document, depth)
    train = [(i, s) for i, s in labelled if _year(i) <= last_year]
    return train, [(i, s) for i, s in labelled if _year(i) > last_year]


def item_example(item: ListItem, section: str, known: Mapping[str, Example]) -> Example:
    """An entry as the model reads it: the list's title and venue, the database's facts."""
    paper = known.get(item.arxiv_id or "")
    venue = item.venue_tag or item.venue
    if paper is None:
        return Example(item.title, section, venue=venue)
    return replace(paper, title=item.title, section=section, venue=venue or paper.venue)


def evaluate(
    document: ListDocument,
    known: Mapping[str, Example] | None = None,
    split: str = "age",
    depth: int | None = None,
) -> Evaluation:
    """Train on the older entries of a list, and rank sections for the newer ones.

    `known` holds what the database knows of papers by arXiv id (abstract, authors, categories).
    Every leaf section without older entries is known by its name, as the live list's are.
    """
    known = known or {}
    if split == "age":
        train, test = chronological_split(document, depth=depth)
    else:
        train, test = year_split(document, depth=depth)
    trained = {section for _, section in train}
    leaves = [s for s in document.sections if not document.has_children(s)]
    every = [SECTION_SEPARATOR.join(s.path[:depth]) for s in leaves]
    empty = [e for e in section_names(every) if e.section not in trained]
    model = SectionModel([*(item_example(i, s, known) for i, s in train), *empty])
    counts = Counter(section for _, section in train)
    popular = [section for section, _ in counts.most_common(3)]
    hit1 = hit3 = base1 = base3 = 0
    for item, section in test:
        ranked = [s.section for s in model.rank(item_example(item, "", known), 3)]
        hit1 += bool(ranked[:1] == [section])
        hit3 += section in ranked
        base1 += popular[:1] == [section]
        base3 += section in popular
    size = max(len(test), 1)
    # Entries of a section that has no older entry: only its name tells of it.
    unseen = sum(1 for _, section in test if section not in counts)
    seen = max(len(test) - unseen, 1)
    return Evaluation(
        train=len(train),
        test=len(test),
        sections=len({s for _, s in train + test}),
        accuracy_at_1=hit1 / size,
        accuracy_at_3=hit3 / size,
        baseline_at_1=base1 / size,
        baseline_at_3=base3 / size,
        with_abstract=sum(1 for item, _ in train + test if (item.arxiv_id or "") in known),
        unseen=unseen,
        seen_accuracy_at_1=hit1 / seen,
        seen_accuracy_at_3=hit3 / seen,
    )
