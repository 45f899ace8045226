"""The learned order: a list, a week of candidates, and the paper the group would keep first."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from digest import weekly
from digest.models import Digest, DigestItem, Match, NominationStatus, Subscription, Workspace
from digest.relevance import (
    MIN_ENTRIES,
    Example,
    Relevance,
    RelevanceModel,
    TrainingSet,
    training_set,
)
from storage.store import SqlStore
from tests.digest_world import make_subscription, make_topic, make_workspace
from tests.factories import make_paper

MON = datetime(2026, 6, 29, 9, 0, tzinfo=UTC)

# What the group keeps: LLM serving and inference systems (titles as a list has them).
LIST = [
    "Efficient Memory Management for Large Language Model Serving with PagedAttention",
    "Orca: A Distributed Serving System for Transformer-Based Generative Models",
    "SGLang: Efficient Execution of Structured Language Model Programs",
    "DistServe: Disaggregating Prefill and Decoding for Goodput-optimized LLM Serving",
    "Splitwise: Efficient Generative LLM Inference Using Phase Splitting",
    "Sarathi-Serve: Taming Throughput-Latency Tradeoff in LLM Inference",
    "FlexGen: High-Throughput Generative Inference of Large Language Models with a Single GPU",
    "S-LoRA: Serving Thousands of Concurrent LoRA Adapters",
    "Punica: Multi-Tenant LoRA Serving",
    "Llumnix: Dynamic Scheduling for Large Language Model Serving",
    "Mooncake: A KVCache-centric Disaggregated Architecture for LLM Serving",
    "CacheGen: KV Cache Compression and Streaming for Fast Language Model Serving",
    "Fast Distributed Inference Serving for Large Language Models",
    "AlpaServe: Statistical Multiplexing with Model Parallelism for Deep Learning Serving",
    "Infinite-LLM: Efficient LLM Service for Long Context with DistAttention",
    "Medusa: Simple LLM Inference Acceleration Framework with Multiple Decoding Heads",
    "SpecInfer: Accelerating Generative LLM Serving with Tree-based Speculative Inference",
    "Prompt Cache: Modular Attention Reuse for Low-Latency Inference",
    "Andes: Defining and Enhancing Quality-of-Experience in LLM-Based Text Streaming Services",
    "ServerlessLLM: Low-Latency Serverless Inference for Large Language Models",
    "FlashDecoding++: Faster Large Language Model Inference on GPUs",
    "PowerInfer: Fast Large Language Model Serving with a Consumer-grade GPU",
    "dLoRA: Dynamically Orchestrating Requests and Adapters for LoRA LLM Serving",
    "Aladdin: Joint Placement and Scaling for SLO-Aware LLM Serving",
]
# A week of candidates a broad rule matched: the rule scores the others higher.
OTHERS = [
    "Diffusion Models for High-Resolution Image Synthesis of Urban Scenes",
    "A Benchmark for Robotic Grasping of Deformable Objects",
    "Protein Structure Prediction with Equivariant Graph Networks",
    "Federated Learning under Label Noise: A Survey",
    "Sign Language Recognition from Monocular Video",
    "Contrastive Pretraining for Remote Sensing Imagery",
    "On the Convergence of Adam in Non-Convex Optimization",
    "Evaluating Fairness of Credit Scoring Models",
    "Music Generation with Hierarchical Transformers",
    "Neural Radiance Fields for Dynamic Human Avatars",
    "Causal Discovery from Time Series with Latent Confounders",
    "Quantum Circuit Optimization with Reinforcement Learning",
    "Point Cloud Segmentation for Autonomous Driving",
    "Legal Document Summarization with Long-Context Models",
    "Weather Forecasting with Graph Neural Operators",
]
CHOSEN = "Prefix-Aware KV Cache Scheduling for Throughput-Optimal LLM Serving"
CHOSEN_ID = "2606.00099"
# What the digests showed before and nobody nominated.
LET_PASS = [
    "Self-Supervised Depth Estimation for Endoscopy",
    "Graph Contrastive Learning for Recommendation",
    "A Dataset of Annotated Bird Songs",
    "Adversarial Robustness of Vision Transformers",
]


def _paper(arxiv_id: str, title: str, announced: date = date(2026, 6, 23)) -> Any:
    return make_paper(arxiv_id, title, abstract=f"We study {title.lower()}.", announced=announced)


async def _world(
    store: SqlStore, entries: int = len(LIST), ranking: str = "learned"
) -> tuple[Workspace, Subscription, dict[str, str]]:
    """A list of `entries` entries, digests that showed papers let pass, and a week of
    candidates; returns the workspace, its subscription and the candidates' titles by id."""
    workspace = await make_workspace(store)
    topic = await make_topic(store, workspace, "broad", "ti:a")
    sub = await make_subscription(store, workspace, "c-1", topic, watermark=MON - timedelta(7))
    week = {f"2606.{i:05d}": title for i, title in enumerate(OTHERS, 1)}
    week[CHOSEN_ID] = CHOSEN
    shown = {f"2605.{i:05d}": title for i, title in enumerate(LET_PASS, 1)}
    async with store.unit() as unit:
        settings = replace(workspace.settings, ranking=ranking)
        workspace = await unit.workspaces.update_settings(workspace.id, settings)
        await unit.papers.upsert_many([_paper(i, t) for i, t in week.items()])
        await unit.papers.upsert_many([_paper(i, t, date(2026, 5, 4)) for i, t in shown.items()])
        section = await unit.lists.add_section(workspace.id, "Serving", None)
        for title in LIST[:entries]:
            await unit.lists.add_entry(workspace.id, section.id, title, MON - timedelta(30))
        old = Digest(workspace.id, "c-1", None, MON - timedelta(30), (), ("broad",))
        items = tuple(
            DigestItem(_paper(i, t, date(2026, 5, 4)), topic.id, "broad", 1.0)
            for i, t in shown.items()
        )
        await unit.digests.save(replace(old, items=items))
        scored = [
            Match(i, topic.id, 2.0 if i == CHOSEN_ID else 3.0, ("ti:a",), MON - timedelta(2))
            for i in week
        ]
        await unit.matches.add_many(scored)
    return workspace, sub, week


def _over_the_cap(digest: Digest) -> bool:
    """Whether the chosen paper fell over the cap (the rule scores it lowest of 16 for 15)."""
    return [o.paper_id for o in digest.overflow] == [CHOSEN_ID]


async def _build(store: SqlStore, sub: Subscription, relevance: Relevance | None) -> Digest:
    async with store.unit() as unit:
        return await weekly.build_digest(unit, sub.workspace_id, "c-1", [sub], MON, relevance)


async def _trained(store: SqlStore, workspace: Workspace) -> Relevance:
    relevance = Relevance()
    async with store.unit() as unit:
        await relevance.train(workspace.id, await training_set(unit, workspace.id))
    return relevance


async def test_the_paper_the_group_would_keep_comes_first(sqlite_store: SqlStore) -> None:
    workspace, sub, _ = await _world(sqlite_store)
    relevance = await _trained(sqlite_store, workspace)
    digest = await _build(sqlite_store, sub, relevance)
    assert digest.items[0].paper.title == CHOSEN
    # It says why: like entries of the list, naming the most similar one.
    likeness = digest.items[0].likeness
    assert likeness is not None and likeness.count >= 1
    assert likeness.example in [title[:59].rstrip() + "…" for title in LIST] + LIST
    # The rule's order, for the same week, leaves it out.
    assert _over_the_cap(await _build(sqlite_store, sub, None))


async def test_the_rule_setting_keeps_todays_order(sqlite_store: SqlStore) -> None:
    workspace, sub, _ = await _world(sqlite_store, ranking="rule")
    relevance = await _trained(sqlite_store, workspace)
    assert relevance.model(workspace.id) is not None
    digest = await _build(sqlite_store, sub, relevance)
    assert _over_the_cap(digest)
    assert all(item.likeness is None for item in digest.items)


async def test_fewer_than_twenty_entries_keep_todays_order(sqlite_store: SqlStore) -> None:
    workspace, sub, _ = await _world(sqlite_store, entries=MIN_ENTRIES - 1)
    relevance = await _trained(sqlite_store, workspace)
    assert relevance.model(workspace.id) is None and relevance.trainings == 0
    digest = await _build(sqlite_store, sub, relevance)
    assert _over_the_cap(digest)
    assert all(item.likeness is None for item in digest.items)


async def test_the_setting_switches_on_both_engines(store: SqlStore) -> None:
    workspace, sub, _ = await _world(store, ranking="rule")
    relevance = await _trained(store, workspace)
    assert _over_the_cap(await _build(store, sub, relevance))
    async with store.unit() as unit:
        learned = replace(workspace.settings, ranking="learned")
        await unit.workspaces.update_settings(workspace.id, learned)
    async with store.unit() as unit:
        stored = await unit.workspaces.get(workspace.id)
    assert stored is not None and stored.settings.ranking == "learned"
    assert (await _build(store, sub, relevance)).items[0].paper.title == CHOSEN


async def test_what_the_group_kept_and_let_pass(store: SqlStore) -> None:
    workspace, _, week = await _world(store)
    async with store.unit() as unit:
        approved = await unit.nominations.create(workspace.id, "2606.00001", MON)
        for voter in ("u-1", "u-2", "u-3"):
            await unit.nominations.add_vote(approved.id, voter, "reaction", MON)
        await unit.nominations.decide(approved.id, NominationStatus.APPROVED, "u-admin", None, MON)
        section = (await unit.lists.sections(workspace.id))[0]
        await unit.lists.add_entry(workspace.id, section.id, week["2606.00001"], MON, "2606.00001")
        rejected = await unit.nominations.create(workspace.id, "2606.00002", MON)
        await unit.nominations.decide(rejected.id, NominationStatus.REJECTED, "u-admin", None, MON)
        pending = await unit.nominations.create(workspace.id, "2606.00003", MON)
        await unit.nominations.add_vote(pending.id, "u-1", "reaction", MON)
        shown = await unit.digests.shown_in_workspace(workspace.id, 2)
        training = await training_set(unit, workspace.id)
    assert len(shown) == 2  # the most recent, at most the limit
    kept = {e.title: e for e in training.examples if e.kept}
    let_pass = {e.title for e in training.examples if not e.kept}
    assert training.entries == len(LIST) + 1 and len(kept) == len(LIST) + 1
    # An approved paper is an entry weighted by its votes, known with its abstract.
    assert kept[week["2606.00001"]].weight == 3.0 and kept[week["2606.00001"]].abstract
    assert let_pass == {week["2606.00002"], *LET_PASS}  # rejected, and shown but let pass
    assert week["2606.00003"] not in kept.keys() | let_pass  # pending: not decided yet


class RecordingOffload:
    """Runs work in a thread, recording each call and the thread it ran on."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.threads: set[int] = set()

    def __call__(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        self.calls.append(getattr(fn, "__name__", repr(fn)))

        def run() -> Any:
            self.threads.add(threading.get_ident())
            return fn(*args, **kwargs)

        return asyncio.to_thread(run)


async def test_training_runs_off_the_loop_and_never_in_a_build(sqlite_store: SqlStore) -> None:
    workspace, sub, _ = await _world(sqlite_store)
    offload = RecordingOffload()
    relevance = Relevance(run=offload)
    # A build before any model: today's order at once, and no training asked for.
    assert _over_the_cap(await _build(sqlite_store, sub, relevance))
    assert offload.calls == [] and relevance.trainings == 0
    async with sqlite_store.unit() as unit:
        training = await training_set(unit, workspace.id)
    relevance.refresh(workspace.id, training)
    relevance.refresh(workspace.id, training)  # the same data: one training
    await relevance.settle()
    assert offload.calls == ["RelevanceModel"] and relevance.trainings == 1
    assert threading.get_ident() not in offload.threads
    # Builds use the model and train nothing.
    assert (await _build(sqlite_store, sub, relevance)).items[0].paper.title == CHOSEN
    assert offload.calls == ["RelevanceModel"]


def test_a_model_without_anything_let_pass_ranks_by_likeness() -> None:
    model = RelevanceModel(TrainingSet(tuple(Example(title) for title in LIST), len(LIST)))
    chosen, other = model.rank([Example(CHOSEN), Example(OTHERS[0])])
    assert chosen > other


async def test_a_new_version_of_a_paper_is_read_and_scored_afresh(store: SqlStore) -> None:
    workspace, sub, week = await _world(store)
    relevance = await _trained(store, workspace)
    first = await _build(store, sub, relevance)
    revised = "2606.00001"
    assert first.items[0].paper.title == CHOSEN
    assert next(i for i in first.items if i.paper.arxiv_id == revised).likeness is None
    # Version 2 of a paper that was nothing like the list now is (its title and abstract moved).
    async with store.unit() as unit:
        title = "SGLang and vLLM: Efficient Memory Management for Large Language Model Serving"
        await unit.papers.upsert_many([replace(_paper(revised, title), version=2)])
    again = await _build(store, sub, relevance)
    item = next(i for i in again.items if i.paper.arxiv_id == revised)
    assert item.paper.version == 2 and item.likeness is not None
    assert [i.paper.arxiv_id for i in again.items][:2] in (
        [revised, CHOSEN_ID],
        [CHOSEN_ID, revised],
    )
    assert week[revised] != title


async def test_each_paper_is_scored_once_per_model_however_many_channels(
    sqlite_store: SqlStore,
) -> None:
    workspace, sub, _ = await _world(sqlite_store)
    relevance = await _trained(sqlite_store, workspace)
    async with sqlite_store.unit() as unit:
        topic = (await unit.topics.get_many([sub.topic_id]))[sub.topic_id]
    other = await make_subscription(sqlite_store, workspace, "c-2", topic, watermark=sub.watermark)
    first = await _build(sqlite_store, sub, relevance)
    async with sqlite_store.unit() as unit:
        second = await weekly.build_digest(unit, workspace.id, "c-2", [other], MON, relevance)
    # The two channels show the same week in the same order; its 16 papers were scored once.
    assert [i.paper.arxiv_id for i in first.items] == [i.paper.arxiv_id for i in second.items]
    assert first.items[0].paper.title == CHOSEN
    assert relevance.scored == len(OTHERS) + 1
