"""How well section suggestion works on a list: train on older entries, test on the newest."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from digest.arxiv_links import id_full_year
from digest.list_document import ListDocument, ListItem
from digest.list_venues import split_venue
from digest.sections import Example, SectionModel, paper_text


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


def chronological_split(
    document: ListDocument, test_fraction: float = 0.2
) -> tuple[list[tuple[ListItem, str]], list[tuple[ListItem, str]]]:
    """(older, newest) items with their section paths; the newest `test_fraction` are held out."""
    labelled = [(item, s.path_text) for s in document.sections for item in s.items]
    labelled.sort(key=lambda pair: age_key(pair[0]))
    cut = round(len(labelled) * (1 - test_fraction))
    return labelled[:cut], labelled[cut:]


def evaluate(
    document: ListDocument,
    abstracts: Mapping[str, str] | None = None,
    test_fraction: float = 0.2,
) -> Evaluation:
    """Train on the older entries of a list, and rank sections for the newest ones."""
    abstracts = abstracts or {}

    def text(item: ListItem) -> str:
        return paper_text(item.title, abstracts.get(item.arxiv_id or "", ""))

    train, test = chronological_split(document, test_fraction)
    model = SectionModel([Example(text(item), section) for item, section in train])
    counts = Counter(section for _, section in train)
    popular = [section for section, _ in counts.most_common(3)]
    hit1 = hit3 = base1 = base3 = 0
    for item, section in test:
        ranked = [name for name, _ in model.rank(text(item), 3)]
        hit1 += bool(ranked[:1] == [section])
        hit3 += section in ranked
        base1 += popular[:1] == [section]
        base3 += section in popular
    size = max(len(test), 1)
    # Entries of a section that only appears among the newest cannot be suggested at all.
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
        with_abstract=sum(1 for item, _ in train + test if (item.arxiv_id or "") in abstracts),
        unseen=unseen,
        seen_accuracy_at_1=hit1 / seen,
        seen_accuracy_at_3=hit3 / seen,
    )
