"""The digest candidates query looks up "shown here before" in the channel's shown papers.

Looking it up by paper visits every digest, of every workspace, that showed the paper: a cost per
candidate that grows with the number of subscriptions (recording 10x the digests took 17x the
time); looking it up among the channel's digests, each probed for the paper, grows with the
channel's history. `shown_papers` is keyed (workspace, channel, paper): one probe. SQLite's plan
is read with EXPLAIN QUERY PLAN; PostgreSQL plans by statistics, so its plan is read for one
channel among many others' shown papers.
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
    (query,) = [s for s in seen if "shown_papers" in s[0]]
    return query


async def _explain(store: SqlStore, explain: str, statement: str, parameters: Any) -> list[str]:
    """The lines of the engine's plan (`explain`: its EXPLAIN command) of a statement."""
    async with store.engine.connect() as conn:
        rows = await conn.exec_driver_sql(f"{explain} {statement}", parameters)
        return [str(row[-1]) for row in rows]


async def _plan(store: SqlStore, clock: FixedClock, explain: str) -> list[str]:
    """The lines of the engine's plan of the candidates query."""
    return await _explain(store, explain, *await _candidates_statement(store, clock))


async def test_shown_is_one_probe_of_the_channels_shown_papers(
    sqlite_store: SqlStore, clock: FixedClock
) -> None:
    steps = await _plan(sqlite_store, clock, "EXPLAIN QUERY PLAN")
    probe = "(workspace_id=? AND channel_id=? AND paper_id=?)"
    assert any(s.startswith("SEARCH shown_papers") and s.endswith(probe) for s in steps), steps
    assert not any("digest_items" in s or "digests" in s.split() for s in steps), steps


# Other workspaces' channels that were shown the same papers: what a lookup by paper would read.
_OTHERS = (
    "INSERT INTO workspaces (platform, external_id, name, nomination_emoji, timezone,"
    " digest_weekday, digest_time, list_title, list_style, created_at)"
    " SELECT 'console', 'other-' || n, 'Other', 'star', 'UTC', 0, '09:00:00', 'L', 'llmsys',"
    " now() FROM generate_series(1, 300) AS n",
    "INSERT INTO digests (workspace_id, channel_id, window_end, subscription_ids, topic_names,"
    " more_matched, left_out_on_list, left_out_already_shown, created_at)"
    " SELECT w.id, 'C' || c, now(), '[]', '[]', 0, 0, 0, now()"
    " FROM workspaces w, generate_series(1, 10) AS c WHERE w.external_id <> 'g-1'",
    "INSERT INTO shown_papers (workspace_id, channel_id, paper_id, digest_id)"
    " SELECT d.workspace_id, d.channel_id, p.arxiv_id, d.id FROM digests d, papers p"
    " WHERE d.channel_id <> 'C1' OR d.workspace_id <> (SELECT MIN(id) FROM workspaces)",
    "ANALYZE",
)


@pytest.mark.parametrize("migrated_url", ["postgresql"], indirect=True)
async def test_postgresql_probes_the_channels_shown_papers_not_every_workspaces(
    store: SqlStore, clock: FixedClock
) -> None:
    statement, parameters = await _candidates_statement(store, clock)
    async with store.engine.begin() as conn:
        for row in _OTHERS:
            await conn.exec_driver_sql(row)
    steps = "\n".join(await _explain(store, "EXPLAIN", statement, parameters))
    assert "using pk_shown_papers on shown_papers" in steps, steps
    assert "Seq Scan on shown_papers" not in steps, steps
    assert "digest_items" not in steps, steps
