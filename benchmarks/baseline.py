"""The yardstick every benchmark runs beside its own timings: a fixed per-rule regex workload.

The machine is shared (two cores, several engineers), so a wall-clock figure alone says little.
Each benchmark runs this fixed work next to what it measures; `load` is the baseline's wall time
over its CPU time (1.0 on an idle machine), and an idle-equivalent figure is a measured wall
time divided by it. Ratios of two runs made side by side compare code, not load.
"""

from __future__ import annotations

import random
import re
import time
from dataclasses import dataclass

WORDS = [
    "model",
    "learning",
    "data",
    "network",
    "training",
    "language",
    "inference",
    "serving",
    "cache",
    "graph",
    "agent",
    "reinforcement",
    "diffusion",
    "vision",
    "robot",
    "privacy",
    "quantum",
    "kernel",
    "sparse",
    "attention",
    "memory",
    "schedule",
    "compiler",
    "storage",
    "database",
    "retrieval",
    "benchmark",
    "transformer",
    "federated",
]
RULES, TEXTS, TEXT_WORDS = 100, 1000, 150


@dataclass(frozen=True, slots=True)
class Baseline:
    """One run of the fixed work: wall and CPU seconds."""

    wall: float
    cpu: float

    @property
    def load(self) -> float:
        """How much slower than idle the machine ran it (wall over CPU time)."""
        return self.wall / self.cpu if self.cpu else 1.0


def run_baseline() -> Baseline:
    """Each of 100 rules as one regex of three words, searched in 1,000 texts."""
    rng = random.Random(0)
    patterns = [
        re.compile(r"\b(?:" + "|".join(rng.sample(WORDS, 3)) + r")s?\b", re.IGNORECASE)
        for _ in range(RULES)
    ]
    texts = [
        " ".join(rng.choices(WORDS + ["the", "of", "a"] * 8, k=TEXT_WORDS)) for _ in range(TEXTS)
    ]
    wall, cpu = time.perf_counter(), time.process_time()
    hits = sum(1 for pattern in patterns for text in texts if pattern.search(text))
    assert hits
    return Baseline(time.perf_counter() - wall, time.process_time() - cpu)


def steadiest(*runs: Baseline) -> Baseline:
    """The run least slowed by load."""
    return min(runs, key=lambda run: run.load)
