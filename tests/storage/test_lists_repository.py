"""The list's sections and entries on SQLite and PostgreSQL: links, moves, removal, reordering."""

from __future__ import annotations

from datetime import timedelta

import pytest

from digest.clock import FixedClock
from storage.store import SqlStore
from tests.factories import make_paper


async def _workspace(store: SqlStore) -> int:
    from digest.models import Platform

    async with store.unit() as unit:
        return (await unit.workspaces.get_or_create(Platform.CONSOLE, "lab", "Lab")).id


async def test_entries_keep_links_and_may_have_no_link_at_all(
    store: SqlStore, clock: FixedClock
) -> None:
    ws = await _workspace(store)
    async with store.unit() as unit:
        await unit.papers.upsert_many([make_paper("2401.00001")])
        section = await unit.lists.add_section(ws, "Serving", None)
        linked = await unit.lists.add_entry(
            ws,
            section.id,
            "vLLM",
            clock.now(),
            paper_id="2401.00001",
            links=[("code", "https://github.com/vllm-project/vllm")],
        )
        bare = await unit.lists.add_entry(ws, section.id, "Plumber", clock.now(), venue="MLSys'22")
    async with store.unit() as unit:
        entries = await unit.lists.entries(ws)
    assert [(e.id, e.links, e.paper_id, e.external_url) for e in entries] == [
        (linked.id, (("code", "https://github.com/vllm-project/vllm"),), "2401.00001", None),
        (bare.id, (), None, None),
    ]


async def test_move_remove_rename_and_reorder(store: SqlStore, clock: FixedClock) -> None:
    ws = await _workspace(store)
    async with store.unit() as unit:
        await unit.papers.upsert_many([make_paper("2401.00001")])
        training = await unit.lists.add_section(ws, "Training", None)
        serving = await unit.lists.add_section(ws, "Serving", None)
        survey = await unit.lists.add_section(ws, "Surveys", None)
        a = await unit.lists.add_entry(ws, training.id, "A", clock.now(), paper_id="2401.00001")
        b = await unit.lists.add_entry(ws, training.id, "B", clock.now(), external_url="u:b")
        c = await unit.lists.add_entry(ws, serving.id, "C", clock.now(), external_url="u:c")

    async with store.unit() as unit:
        moved = await unit.lists.move_entry(a.id, serving.id)
        first = await unit.lists.move_entry(b.id, serving.id, 0)
        assert (moved.section_id, first.section_id) == (serving.id, serving.id)
        assert [e.title for e in await unit.lists.entries(ws)] == ["B", "C", "A"]

    later = clock.now() + timedelta(days=1)
    async with store.unit() as unit:
        removed = await unit.lists.remove_entry(c.id, "admin-1", later)
        assert (removed.removed_at, removed.removed_by) == (later, "admin-1")
        assert [e.title for e in await unit.lists.entries(ws)] == ["B", "A"]
        history = await unit.lists.entries(ws, include_removed=True)
        assert [e.title for e in history] == ["B", "C", "A"]
        assert await unit.lists.entry_for_paper(ws, "2401.00001") is not None
        assert (await unit.lists.get_entry(c.id)) == removed

    async with store.unit() as unit:
        renamed = await unit.lists.rename_section(serving.id, "Inference")
        await unit.lists.move_section(survey.id, 0)
        assert renamed.title == "Inference"
        assert [s.title for s in await unit.lists.sections(ws)] == [
            "Surveys",
            "Training",
            "Inference",
        ]
        await unit.lists.move_section(survey.id, 99)
        assert [s.title for s in await unit.lists.sections(ws)] == [
            "Training",
            "Inference",
            "Surveys",
        ]


async def test_stub_papers_are_replaced_by_ingested_records(store: SqlStore) -> None:
    from digest.list_import import stub_paper

    async with store.unit() as unit:
        await unit.papers.upsert_many([stub_paper("2401.00001", "vLLM", "SOSP'23")])
    async with store.unit() as unit:
        stub = await unit.papers.get("2401.00001")
        assert stub is not None and stub.is_stub
        await unit.papers.upsert_many([make_paper("2401.00001", title="Efficient Memory ...")])
    async with store.unit() as unit:
        paper = await unit.papers.get("2401.00001")
    assert paper is not None and not paper.is_stub
    assert paper.title == "Efficient Memory ..."


async def test_add_entries_appends_in_order_after_the_entries_already_there(
    store: SqlStore, clock: FixedClock
) -> None:
    from digest.models import NewListEntry

    ws = await _workspace(store)
    async with store.unit() as unit:
        await unit.papers.upsert_many([make_paper("2401.00001")])
        serving = await unit.lists.add_section(ws, "Serving", None)
        training = await unit.lists.add_section(ws, "Training", None)
        first = await unit.lists.add_entry(ws, serving.id, "Orca", clock.now())
        added = await unit.lists.add_entries(
            ws,
            [
                NewListEntry(serving.id, "vLLM", paper_id="2401.00001", venue="SOSP'23"),
                NewListEntry(training.id, "ZeRO", links=(("code", "https://x.org/zero"),)),
                NewListEntry(serving.id, "Sarathi", external_url="https://x.org/s", note="n"),
            ],
            clock.now(),
            added_by="import",
            approved_by="import",
        )
    assert added == 3
    async with store.unit() as unit:
        entries = await unit.lists.entries(ws)
    assert [(e.section_id, e.position, e.title) for e in entries] == [
        (serving.id, 0, "Orca"),
        (serving.id, 1, "vLLM"),
        (serving.id, 2, "Sarathi"),
        (training.id, 0, "ZeRO"),
    ]
    vllm, sarathi, zero = entries[1], entries[2], entries[3]
    assert (vllm.paper_id, vllm.venue, vllm.added_by, vllm.approved_by) == (
        "2401.00001",
        "SOSP'23",
        "import",
        "import",
    )
    assert (sarathi.external_url, sarathi.note, sarathi.links) == ("https://x.org/s", "n", ())
    assert zero.links == (("code", "https://x.org/zero"),)
    assert entries[0].id == first.id and vllm.added_at == clock.now()


async def test_removed_sections_stay_as_history_and_a_section_with_entries_is_never_deleted(
    store: SqlStore, clock: FixedClock
) -> None:
    from sqlalchemy import delete
    from sqlalchemy.exc import IntegrityError

    from storage.tables import ListSectionRow

    ws = await _workspace(store)
    async with store.unit() as unit:
        kept = await unit.lists.add_section(ws, "Kept", None)
        gone = await unit.lists.add_section(ws, "Gone", None)
        below = await unit.lists.add_section(ws, "Below", gone.id)
        entry = await unit.lists.add_entry(ws, below.id, "Old", clock.now(), external_url="u:o")
        await unit.lists.remove_entry(entry.id, "admin", clock.now())
        await unit.lists.remove_sections([gone.id, below.id], "admin", clock.now())
        await unit.lists.remove_sections([gone.id], "someone else", clock.now())  # no change
    async with store.unit() as unit:
        assert [s.id for s in await unit.lists.sections(ws)] == [kept.id]
        every = await unit.lists.sections(ws, include_removed=True)
        assert [(s.title, s.removed_at) for s in every] == [
            ("Kept", None),
            ("Gone", clock.now()),
            ("Below", clock.now()),
        ]
        row = await unit.session.get_one(ListSectionRow, gone.id)
        assert row.removed_by == "admin"
        # A new section at the top goes after the live ones; reordering skips removed ones.
        later = await unit.lists.add_section(ws, "Later", None)
        moved = await unit.lists.move_section(later.id, 0)
        assert moved.position == 0
        assert [s.title for s in await unit.lists.sections(ws)] == ["Later", "Kept"]
    # The database refuses to delete a section a (removed) entry names: no history cascades.
    with pytest.raises(IntegrityError):
        async with store.unit() as unit:
            await unit.session.execute(delete(ListSectionRow).where(ListSectionRow.id == below.id))
    async with store.unit() as unit:
        history = await unit.lists.entries(ws, include_removed=True)
        assert [(e.id, e.section_id) for e in history] == [(entry.id, below.id)]
