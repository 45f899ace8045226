"""Topics: saving checks the rule, a new or edited rule is matched against the backlog,
and ingestion matches new papers against every workspace's topics."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from digest import topics
from digest.ingest import compile_topics, store_papers
from digest.models import Platform
from digest.query import QueryError
from storage.store import SqlStore
from tests.factories import make_paper

TODAY = date(2026, 6, 28)
LATER = datetime(2100, 1, 1, tzinfo=UTC)

BACKLOG = [
    make_paper("2606.00001", title="Paged KV Cache Serving", announced=date(2026, 6, 23)),
    make_paper("2606.00002", title="Speculative Decoding", announced=date(2026, 6, 2)),
    make_paper("2605.00003", title="KV Cache Compression", announced=date(2026, 5, 20)),
    make_paper("2606.00004", title="Graph Kernels", abstract="Nothing else.", announced=TODAY),
]


async def _workspace(store: SqlStore, external_id: str = "guild-1") -> int:
    async with store.unit() as unit:
        workspace = await unit.workspaces.get_or_create(Platform.CONSOLE, external_id, "Lab")
    return workspace.id


async def _matched(store: SqlStore, topic_id: int) -> list[str]:
    async with store.unit() as unit:
        found = await unit.matches.for_topics([topic_id], None, LATER)
    return sorted(m.paper_id for m in found)


async def test_a_new_topic_is_matched_against_the_last_four_weeks(sqlite_store: SqlStore) -> None:
    await store_papers(sqlite_store, BACKLOG)
    workspace_id = await _workspace(sqlite_store)
    async with sqlite_store.unit() as unit:
        topic, found = await topics.create_topic(
            unit, workspace_id, "KV-Cache", 'ti:"kv cache"', "u1", TODAY, 4
        )
    assert topic.name == "kv-cache"
    assert found == 1  # 2605.00003 is older than four weeks
    assert await _matched(sqlite_store, topic.id) == ["2606.00001"]


async def test_an_edited_topic_forgets_old_matches_and_rematches(sqlite_store: SqlStore) -> None:
    await store_papers(sqlite_store, BACKLOG)
    workspace_id = await _workspace(sqlite_store)
    async with sqlite_store.unit() as unit:
        topic, _ = await topics.create_topic(unit, workspace_id, "t", "ti:kv", None, TODAY, 4)
    async with sqlite_store.unit() as unit:
        edited, found = await topics.edit_topic(
            unit, workspace_id, "t", "speculative OR graph*", TODAY, 6
        )
    assert edited.rule == "speculative OR graph*"
    assert found == 2
    assert await _matched(sqlite_store, topic.id) == ["2606.00002", "2606.00004"]


@pytest.mark.parametrize("rule", ["", "ti:(kv", "cat:cs.XX", "ANDNOT ti:kv", "title:kv"])
async def test_a_bad_rule_is_refused_and_nothing_is_saved(
    sqlite_store: SqlStore, rule: str
) -> None:
    workspace_id = await _workspace(sqlite_store)
    async with sqlite_store.unit() as unit:
        with pytest.raises(QueryError):
            await topics.create_topic(unit, workspace_id, "t", rule, None, TODAY, 4)
    async with sqlite_store.unit() as unit:
        assert await unit.topics.list(workspace_id) == []


async def test_check_rule_reports_the_normalised_rule_api_query_and_matches(
    sqlite_store: SqlStore,
) -> None:
    await store_papers(sqlite_store, BACKLOG)
    async with sqlite_store.unit() as unit:
        check = await topics.check_rule(unit, "KV cache ANDNOT cat:cs.CV", TODAY, 4)
    assert check.normalised == "all:kv AND all:cache ANDNOT cat:cs.CV"
    assert check.api.query == "all:kv AND all:cache ANDNOT cat:cs.CV"
    assert (check.matched, check.scanned) == (1, 3)
    assert check.sample == ("Paged KV Cache Serving",)


async def test_ingestion_matches_new_papers_against_every_workspaces_topics(
    store: SqlStore,
) -> None:
    first, second = await _workspace(store, "guild-1"), await _workspace(store, "guild-2")
    async with store.unit() as unit:
        a, _ = await topics.create_topic(unit, first, "kv", "ti:kv", None, TODAY, 4)
        b, _ = await topics.create_topic(unit, second, "kv", "TI:KV", None, TODAY, 4)
        c, _ = await topics.create_topic(unit, second, "dc", "cat:cs.DC", None, TODAY, 4)
    matcher = await compile_topics(store)
    assert matcher.rule_count == 2  # the two workspaces' identical rules are compiled once
    report = await store_papers(store, BACKLOG[:1], matcher=matcher)
    assert report.matches == 3
    assert await _matched(store, a.id) == await _matched(store, b.id) == ["2606.00001"]
    assert await _matched(store, c.id) == ["2606.00001"]
    again = await store_papers(store, BACKLOG[:1])  # unchanged papers are not matched again
    assert again.matches == 0
