"""Precision and recall of venue detection against hand-labelled comments."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from digest.venues import detect_venue


@dataclass(frozen=True, slots=True)
class VenueScore:
    """Exact-match counts: a detection is right only if name, year and suffix all agree."""

    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        """Share of detected venues that are right."""
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        """Share of labelled venues detected right."""
        wanted = self.true_positives + self.false_negatives
        return self.true_positives / wanted if wanted else 1.0

    def __str__(self) -> str:
        return (
            f"precision {self.precision:.3f}, recall {self.recall:.3f} "
            f"({self.true_positives} right, {self.false_positives} wrong or spurious, "
            f"{self.false_negatives} missed or wrong)"
        )


def score(labelled: Iterable[tuple[str, str | None]]) -> VenueScore:
    """Score detect_venue on (comment, expected venue or None) pairs."""
    tp = fp = fn = 0
    for comment, expected in labelled:
        got = detect_venue(comment)
        if got is not None and got == expected:
            tp += 1
            continue
        fp += got is not None
        fn += expected is not None
    return VenueScore(tp, fp, fn)
