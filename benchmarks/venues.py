"""Precision and recall of venue detection on the 200 hand-labelled comments, by half.

.venv/bin/python benchmarks/venues.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the labels and scores live in tests/

from tests.digest.venue_labels import LABELS
from tests.digest.venue_scores import score

if __name__ == "__main__":
    halves = {"all 200": LABELS, "first 100 (used while writing)": LABELS[:100]}
    halves["last 100 (held out)"] = LABELS[100:]
    for name, rows in halves.items():
        print(f"{name:<32} {score((comment, label) for _, comment, label in rows)}")
