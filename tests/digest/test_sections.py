"""Section suggestion: learned from the list, retrained when it changes, accurate enough."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

import pytest

from digest.list_markdown import read_list
from digest.sections import Example, SectionSuggester
from tests.digest.section_eval import evaluate

P = ParamSpec("P")
T = TypeVar("T")

EXAMPLES = [
    Example("Paged KV cache for LLM serving", "Inference / Serving"),
    Example("Continuous batching to serve language models", "Inference / Serving"),
    Example("Speculative decoding for fast inference serving", "Inference / Serving"),
    Example("Pipeline parallel training of large models", "Training / Distributed"),
    Example("ZeRO: memory optimizations for data parallel training", "Training / Distributed"),
    Example("Tensor parallelism across GPUs for model training", "Training / Distributed"),
    Example("Cluster scheduler for deep learning jobs", "Scheduling"),
    Example("GPU cluster job scheduling with fairness", "Scheduling"),
]


async def test_suggests_the_likely_sections_first() -> None:
    suggester = SectionSuggester()
    await suggester.train(1, EXAMPLES)
    got = await suggester.suggest(1, EXAMPLES, "Serving LLMs with a paged KV cache")
    assert got[0] == "Inference / Serving"
    assert len(got) == 3 and len(set(got)) == 3
    got = await suggester.suggest(1, EXAMPLES, "Fair scheduling of training jobs on a cluster")
    assert got[0] == "Scheduling"


async def test_trains_once_per_list_state_and_per_workspace() -> None:
    suggester = SectionSuggester()
    await suggester.suggest(1, EXAMPLES, "a")
    await suggester.suggest(1, EXAMPLES, "b")  # while the first training runs: not again
    await suggester.settle()
    await suggester.suggest(1, EXAMPLES, "c")
    assert suggester.trainings == 1
    await suggester.train(2, EXAMPLES)
    assert suggester.trainings == 2
    grown = [*EXAMPLES, Example("Elastic training on spot instances", "Training / Distributed")]
    await suggester.train(1, grown)
    assert suggester.trainings == 3


async def test_small_lists_still_answer() -> None:
    suggester = SectionSuggester()
    assert await suggester.suggest(1, [], "anything") == []
    one = [Example("Anything at all", "Only")]
    assert await suggester.suggest(1, one, "something") == ["Only"]
    two = [Example("serving systems", "A"), Example("training systems", "B")]
    await suggester.train(1, two)
    assert (await suggester.suggest(1, two, "training"))[0] == "B"


class HeldOffload:
    """An offload whose work waits until the test lets it go: a training that takes long."""

    def __init__(self) -> None:
        self.release = threading.Event()

    def __call__(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Awaitable[T]:
        def held() -> T:
            self.release.wait()
            return fn(*args, **kwargs)

        return asyncio.to_thread(held)


async def test_a_suggestion_never_waits_for_training() -> None:
    offload = HeldOffload()
    suggester = SectionSuggester(run=offload)
    title = "Fair scheduling of training jobs on a cluster"
    # No model yet and its training held: the answer comes from the sections' sizes, at once.
    first = await suggester.suggest(1, EXAMPLES, title)
    assert first == ["Inference / Serving", "Training / Distributed", "Scheduling"]
    assert not suggester.ready(1, EXAMPLES)
    offload.release.set()
    await suggester.settle()
    assert suggester.ready(1, EXAMPLES)
    assert (await suggester.suggest(1, EXAMPLES, title))[0] == "Scheduling"
    # The list grows: until its model is trained, the newest model ready answers.
    offload.release.clear()
    grown = [*EXAMPLES, Example("Gang scheduling of GPU jobs", "Scheduling")]
    assert (await suggester.suggest(1, grown, title))[0] == "Scheduling"
    assert not suggester.ready(1, grown)
    offload.release.set()
    await suggester.settle()
    assert suggester.ready(1, grown) and suggester.trainings == 2


@pytest.mark.shared
def test_accuracy_on_held_out_newest_entries(shared: Path) -> None:
    # Floors a little under what benchmarks/section_suggestion.py measures (see the README).
    awesome = shared / "lists" / "Hannibal046_Awesome-LLM" / "README.md"
    result = evaluate(read_list(awesome.read_text(encoding="utf-8")).document)
    assert (result.train, result.test) == (295, 74)
    assert result.accuracy_at_1 >= 0.40
    assert result.accuracy_at_3 >= 0.55
    assert result.accuracy_at_3 > result.baseline_at_3
    bracket = shared / "lists" / "styles" / "bracket-venue-style.md"
    result = evaluate(read_list(bracket.read_text(encoding="utf-8")).document)
    assert result.seen_accuracy_at_3 >= 0.5
    assert result.accuracy_at_1 >= result.baseline_at_1
