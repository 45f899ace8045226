"""Section suggestion: learned from the list, retrained when it changes, accurate enough."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from textwrap import dedent
from typing import ParamSpec, TypeVar

import pytest

from digest.clock import FixedClock
from digest.list_import import import_list
from digest.list_markdown import read_list
from digest.models import Platform
from digest.sections import (
    Example,
    SectionModel,
    SectionSuggester,
    section_names,
    training_examples,
)
from storage.store import SqlStore
from tests.digest.section_eval import evaluate
from tests.factories import make_paper

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
    got = await suggester.suggest(1, EXAMPLES, Example("Serving LLMs with a paged KV cache"))
    assert got[0].section == "Inference / Serving"
    assert len(got) == 3 and len({s.section for s in got}) == 3
    confidences = [s.confidence for s in got]
    assert confidences == sorted(confidences, reverse=True)
    assert 0 < sum(confidences) <= 1 and confidences[0] > 1 / 3
    got = await suggester.suggest(
        1, EXAMPLES, Example("Fair scheduling of training jobs on a cluster")
    )
    assert got[0].section == "Scheduling"


async def test_trains_once_per_list_state_and_per_workspace() -> None:
    suggester = SectionSuggester()
    await suggester.suggest(1, EXAMPLES, Example("a"))
    await suggester.suggest(1, EXAMPLES, Example("b"))  # while the first training runs: not again
    await suggester.settle()
    await suggester.suggest(1, EXAMPLES, Example("c"))
    assert suggester.trainings == 1
    await suggester.train(2, EXAMPLES)
    assert suggester.trainings == 2
    grown = [*EXAMPLES, Example("Elastic training on spot instances", "Training / Distributed")]
    await suggester.train(1, grown)
    assert suggester.trainings == 3


async def test_small_lists_still_answer() -> None:
    suggester = SectionSuggester()
    assert await suggester.suggest(1, [], Example("anything")) == []
    one = [Example("Anything at all", "Only")]
    assert [s.section for s in await suggester.suggest(1, one, Example("something"))] == ["Only"]
    two = [Example("serving systems", "A"), Example("training systems", "B")]
    await suggester.train(1, two)
    assert (await suggester.suggest(1, two, Example("training")))[0].section == "B"


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
    title = Example("Fair scheduling of training jobs on a cluster")
    # No model yet and its training held: the answer comes from the sections' sizes, at once.
    first = [s.section for s in await suggester.suggest(1, EXAMPLES, title)]
    assert first == ["Inference / Serving", "Training / Distributed", "Scheduling"]
    assert not suggester.ready(1, EXAMPLES)
    offload.release.set()
    await suggester.settle()
    assert suggester.ready(1, EXAMPLES)
    assert (await suggester.suggest(1, EXAMPLES, title))[0].section == "Scheduling"
    # The list grows: until its model is trained, the newest model ready answers.
    offload.release.clear()
    grown = [*EXAMPLES, Example("Gang scheduling of GPU jobs", "Scheduling")]
    assert (await suggester.suggest(1, grown, title))[0].section == "Scheduling"
    assert not suggester.ready(1, grown)
    offload.release.set()
    await suggester.settle()
    assert suggester.ready(1, grown) and suggester.trainings == 2


def test_a_section_without_entries_is_known_by_its_name() -> None:
    model = SectionModel([*EXAMPLES, *section_names(["Systems for Agentic AI"])])
    ranked = model.rank(Example("Serving agentic AI workflows of many LLM calls"))
    assert "Systems for Agentic AI" in [s.section for s in ranked]


def test_shared_authors_and_venues_tell_the_section() -> None:
    examples = [
        *EXAMPLES,
        Example("Cutting tail latency", "Networking", authors=("Mohammad Alizadeh",)),
        Example("Congestion control", "Networking", venue="SIGCOMM'24"),
        Example("Datacenter transport", "Networking", venue="NSDI'24"),
    ]
    model = SectionModel(examples)
    vague = Example("A new system for large models")
    by_author = Example("A new system for large models", authors=("Mohammad Alizadeh",))
    by_venue = Example("A new system for large models", venue="SIGCOMM'25")

    def confidence(paper: Example) -> float:
        ranked = {s.section: s.confidence for s in model.rank(paper, 4)}
        return ranked.get("Networking", 0.0)

    assert confidence(by_author) > confidence(vague)
    assert confidence(by_venue) > confidence(vague)


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


async def test_training_examples_carry_what_the_database_knows(
    store: SqlStore, clock: FixedClock
) -> None:
    text = dedent(
        """\
        # L
        ## Serving
        - [NAIC @ SIGCOMM'25] [Known paper](https://arxiv.org/abs/2606.00001)
        - [OSDI'24] [Stub paper](https://arxiv.org/abs/2401.00002)
        - [SOSP'23] Title only
        """
    )
    async with store.unit() as unit:
        workspace = await unit.workspaces.get_or_create(Platform.CONSOLE, "lab", "Lab")
        await import_list(unit, workspace.id, read_list(text), clock.now())
        await unit.papers.upsert_many([make_paper("2606.00001", version=2)])
        await unit.lists.add_section(workspace.id, "Agents", None)
        examples = await training_examples(unit, workspace.id)
    known, stub, alone, *named = examples
    assert (known.title, known.section, known.venue) == (
        "Known paper",
        "Serving",
        "NAIC @ SIGCOMM'25",
    )
    assert known.authors == ("Ada Lovelace", "Ion Stoica") and known.categories == (
        "cs.DC",
        "cs.LG",
    )
    assert known.abstract == "We serve large language models faster."
    assert (stub.title, stub.venue, stub.authors, stub.abstract) == (
        "Stub paper",
        "OSDI'24",
        (),
        "",
    )
    assert (alone.title, alone.venue) == ("Title only", "SOSP'23")
    assert [(e.title, e.section) for e in named] == [("Agents", "Agents")]


async def test_confidences_never_add_up_to_more_than_one() -> None:
    suggester = SectionSuggester()
    await suggester.train(1, EXAMPLES)
    for example in [*EXAMPLES, Example("Serving LLMs with a paged KV cache")]:
        got = await suggester.suggest(1, EXAMPLES, Example(example.title))
        assert sum(s.confidence for s in got) <= 1, example.title
