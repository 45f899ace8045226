"""The digest candidates query looks up "shown here before" among the channel's own digests.

Looking it up by paper instead visits every digest, of every workspace, that showed the paper:
a cost per candidate that grows with the number of subscriptions (recording 10x the digests took
17x the time). SQLite's plan is read with EXPLAIN QUERY PLAN; PostgreSQL plans by statistics,
but OFFSET 0 keeps the lookup a subquery run per candidate (a semi-join read the paper's items
in every workspace: at 10,000 subscriptions, 5.9 ms a channel instead of 0.23 ms).
"""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import pytest
from sqlalchemy import event

from digest.clock import FixedClock
from digest.models import Digest, DigestItem, Match, Platform
from storage.store import SqlStore
from tests.factories import make_paper


async def _candidates_statement(store: SqlStore, clock: FixedClock) -> tuple[str, Any]:
    """The SQL and parameters of one candidates query over a channel with some history."""
    paper = make_paper()
    start = clock.now()
    async with store.unit() as unit:
        workspace = await unit.workspaces.get_or_create(Platform.DISCORD, "g-1", "Lab")
        await unit.papers.upsert_many([paper])
        topic = await unit.topics.create(workspace.id, "moe", "ti:moe", "", None)
        subscription = await unit.subscriptions.create(
            workspace.id, "C1", topic.id, 0, time(9), "UTC", 15, start
        )
        await unit.matches.add_many(
            [Match(paper.arxiv_id, topic.id, 3.0, ("ti:moe",), start + timedelta(hours=1))]
        )
        items = (DigestItem(paper, topic.id, "moe", 3.0),)
        await unit.digests.save(Digest(workspace.id, "C1", None, start, items, ("moe",)))
    seen: list[tuple[str, Any]] = []

    def keep(_conn: object, _cursor: object, statement: str, parameters: Any, *_: object) -> None:
        seen.append((statement, parameters))

    event.listen(store.engine.sync_engine, "before_cursor_execute", keep)
    try:
        async with store.unit() as unit:
            found = await unit.digests.candidates(
                [subscription], {subscription.id: start}, start + timedelta(days=7)
            )
    finally:
        event.remove(store.engine.sync_engine, "before_cursor_execute", keep)
    assert [(c.match.paper_id, c.shown) for c in found] == [(paper.arxiv_id, True)]
    (query,) = [s for s in seen if "digest_items" in s[0]]
    return query


async def _plan(store: SqlStore, clock: FixedClock, explain: str) -> list[str]:
    """The lines of the engine's plan (`explain`: its EXPLAIN command) of the candidates query."""
    statement, parameters = await _candidates_statement(store, clock)
    async with store.engine.connect() as conn:
        rows = await conn.exec_driver_sql(f"{explain} {statement}", parameters)
        return [str(row[-1]) for row in rows]


async def test_shown_is_looked_up_among_the_channels_digests(
    sqlite_store: SqlStore, clock: FixedClock
) -> None:
    steps = await _plan(sqlite_store, clock, "EXPLAIN QUERY PLAN")
    assert any("digests USING COVERING INDEX ix_digests_channel" in s for s in steps), steps
    assert not any("ix_digest_items_paper_id" in s for s in steps), steps


@pytest.mark.parametrize("migrated_url", ["postgresql"], indirect=True)
async def test_postgresql_looks_shown_up_per_candidate_not_by_a_semi_join(
    store: SqlStore, clock: FixedClock
) -> None:
    steps = "\n".join(await _plan(store, clock, "EXPLAIN"))
    assert "SubPlan" in steps, steps
    assert "Semi Join" not in steps, steps
