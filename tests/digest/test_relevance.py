"""The learned order: a list, a week of candidates, and the paper the group would keep first."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from digest import weekly
from digest.models import LEARNED_MIN_ENTRIES, Digest, NominationStatus, Subscription, Workspace
from digest.relevance import (
    Example,
    Relevance,
    RelevanceModel,
    TrainingSet,
    training_set,
)
from storage.store import SqlStore
from tests.digest_world import make_subscription
from tests.relevance_world import (
    CHOSEN,
    CHOSEN_ID,
    LET_PASS,
    LIST,
    MON,
    OTHERS,
)
from tests.relevance_world import paper as _paper
from tests.relevance_world import world as _world


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
    workspace, sub, _ = await _world(sqlite_store, entries=LEARNED_MIN_ENTRIES - 1)
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


async def test_a_list_shrunk_below_the_minimum_while_training_keeps_the_rule_order() -> None:
    relevance = Relevance()
    workspace_id = 1
    enough = TrainingSet(tuple(Example(title) for title in LIST), len(LIST))
    few = TrainingSet(enough.examples[: LEARNED_MIN_ENTRIES - 1], LEARNED_MIN_ENTRIES - 1)
    relevance.refresh(workspace_id, enough)
    relevance.refresh(workspace_id, few)  # entries removed while the model trains
    await relevance.settle()
    assert relevance.model(workspace_id) is None
    relevance.refresh(workspace_id, enough)  # and back: it learns again
    await relevance.settle()
    assert relevance.model(workspace_id) is not None
