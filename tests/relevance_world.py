"""A world for the learned order: a list the group keeps (LLM serving), a week of candidates
a broad rule matched, where the rule scores the one the group would keep (CHOSEN) lowest, and
papers earlier digests showed that nobody nominated."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from digest.models import Digest, DigestItem, Match, Paper, Subscription, Workspace
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


def paper(arxiv_id: str, title: str, announced: date = date(2026, 6, 23)) -> Paper:
    """A paper whose abstract repeats its title."""
    return make_paper(arxiv_id, title, abstract=f"We study {title.lower()}.", announced=announced)


async def world(
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
        await unit.papers.upsert_many([paper(i, t) for i, t in week.items()])
        await unit.papers.upsert_many([paper(i, t, date(2026, 5, 4)) for i, t in shown.items()])
        section = await unit.lists.add_section(workspace.id, "Serving", None)
        for title in LIST[:entries]:
            await unit.lists.add_entry(workspace.id, section.id, title, MON - timedelta(30))
        old = Digest(workspace.id, "c-1", None, MON - timedelta(30), (), ("broad",))
        items = tuple(
            DigestItem(paper(i, t, date(2026, 5, 4)), topic.id, "broad", 1.0)
            for i, t in shown.items()
        )
        await unit.digests.save(replace(old, items=items))
        scored = [
            Match(i, topic.id, 2.0 if i == CHOSEN_ID else 3.0, ("ti:a",), MON - timedelta(2))
            for i in week
        ]
        await unit.matches.add_many(scored)
    return workspace, sub, week
