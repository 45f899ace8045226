"""Nominations: one per paper, votes per user, decided once by an admin, auto-approval."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from digest import nominations
from digest.clock import FixedClock
from digest.lists import add_paper
from digest.models import NominationStatus, Platform, Workspace, WorkspaceSettings
from digest.nominations import NominationError
from storage.store import SqlStore
from tests.factories import make_paper

PAPER = "2606.00001"


async def _setup(store: SqlStore, auto: int | None = None) -> Workspace:
    async with store.unit() as unit:
        workspace = await unit.workspaces.get_or_create(Platform.CONSOLE, "lab", "Lab")
        if auto:
            workspace = await unit.workspaces.update_settings(
                workspace.id, replace(WorkspaceSettings(), auto_approve_votes=auto)
            )
        await unit.papers.upsert_many([make_paper(PAPER), make_paper("2606.00002", title="Other")])
    return workspace


async def test_one_nomination_per_paper_and_one_vote_per_user(
    sqlite_store: SqlStore, clock: FixedClock
) -> None:
    ws = await _setup(sqlite_store)
    async with sqlite_store.unit() as unit:
        first = await nominations.nominate(unit, ws, PAPER, "ada", "command", clock.now())
        again = await nominations.nominate(unit, ws, PAPER, "ada", "reaction", clock.now())
        other = await nominations.nominate(unit, ws, PAPER, "bo", "button", clock.now())
        assert (first.created, first.vote_added) == (True, True)
        assert (again.created, again.vote_added) == (False, False)
        assert (other.created, other.vote_added) == (False, True)
        assert other.nomination.id == first.nomination.id
        assert other.nomination.voters == ("ada", "bo")
        assert len(await unit.nominations.list(ws.id)) == 1


async def test_withdrawing_removes_only_that_vote(
    sqlite_store: SqlStore, clock: FixedClock
) -> None:
    ws = await _setup(sqlite_store)
    async with sqlite_store.unit() as unit:
        await nominations.nominate(unit, ws, PAPER, "ada", "command", clock.now())
        await nominations.nominate(unit, ws, PAPER, "bo", "command", clock.now())
        assert await nominations.withdraw(unit, ws, PAPER, "ada")
        assert not await nominations.withdraw(unit, ws, PAPER, "ada")
        assert not await nominations.withdraw(unit, ws, "2606.00002", "ada")
        nomination = await unit.nominations.get_for_paper(ws.id, PAPER)
    assert nomination is not None and nomination.voters == ("bo",)


async def test_a_paper_on_the_list_cannot_be_nominated(
    sqlite_store: SqlStore, clock: FixedClock
) -> None:
    ws = await _setup(sqlite_store)
    async with sqlite_store.unit() as unit:
        await add_paper(unit, ws.id, make_paper(PAPER), "Serving / Caches", clock.now())
        with pytest.raises(NominationError, match="already on the list, under Serving / Caches"):
            await nominations.nominate(unit, ws, PAPER, "ada", "command", clock.now())
        with pytest.raises(NominationError, match="don't know the paper"):
            await nominations.nominate(unit, ws, "2606.99999", "ada", "command", clock.now())


async def test_approve_once_with_who_when_reason_and_section(
    sqlite_store: SqlStore, clock: FixedClock
) -> None:
    ws = await _setup(sqlite_store)
    later = clock.now() + timedelta(hours=3)
    async with sqlite_store.unit() as unit:
        await nominations.nominate(unit, ws, PAPER, "ada", "command", clock.now())
        decided, entry = await nominations.approve(
            unit, ws, PAPER, "admin", "Serving", "a must-read", later
        )
        assert (decided.status, decided.decided_by, decided.decided_at, decided.reason) == (
            NominationStatus.APPROVED,
            "admin",
            later,
            "a must-read",
        )
        assert decided.section_id == entry.section_id
        assert (entry.added_by, entry.approved_by, entry.paper_id) == ("ada", "admin", PAPER)
        with pytest.raises(NominationError, match="already approved by admin"):
            await nominations.approve(unit, ws, PAPER, "admin2", None, None, later)
        with pytest.raises(NominationError, match="already approved"):
            await nominations.reject(unit, ws, PAPER, "admin2", None, later)
        with pytest.raises(NominationError, match="not been nominated"):
            await nominations.reject(unit, ws, "2606.00002", "admin", None, later)


async def test_reject_keeps_the_reason_and_blocks_renomination(
    sqlite_store: SqlStore, clock: FixedClock
) -> None:
    ws = await _setup(sqlite_store)
    async with sqlite_store.unit() as unit:
        await nominations.nominate(unit, ws, PAPER, "ada", "command", clock.now())
        rejected = await nominations.reject(unit, ws, PAPER, "admin", "off topic", clock.now())
        assert (rejected.status, rejected.reason) == (NominationStatus.REJECTED, "off topic")
        with pytest.raises(NominationError, match="already rejected: off topic"):
            await nominations.nominate(unit, ws, PAPER, "bo", "command", clock.now())
        assert await unit.lists.entries(ws.id) == []


async def test_auto_approval_at_the_workspace_threshold(
    sqlite_store: SqlStore, clock: FixedClock
) -> None:
    ws = await _setup(sqlite_store, auto=2)
    async with sqlite_store.unit() as unit:
        first = await nominations.nominate(unit, ws, PAPER, "ada", "command", clock.now())
        assert first.entry is None
        second = await nominations.nominate(
            unit, ws, PAPER, "bo", "reaction", clock.now(), section="Serving"
        )
        assert second.entry is not None
        assert second.nomination.status is NominationStatus.APPROVED
        assert second.nomination.decided_by == nominations.AUTO_APPROVER
        entries = await unit.lists.entries(ws.id)
        sections = await unit.lists.sections(ws.id)
    assert [e.paper_id for e in entries] == [PAPER]
    assert [s.title for s in sections] == ["Serving"]


async def test_approving_a_paper_that_reached_the_list_meanwhile_adds_no_second_entry(
    sqlite_store: SqlStore, clock: FixedClock
) -> None:
    ws = await _setup(sqlite_store)
    async with sqlite_store.unit() as unit:
        await nominations.nominate(unit, ws, PAPER, "ada", "command", clock.now())
        existing = await add_paper(unit, ws.id, make_paper(PAPER), "Imported", clock.now())
        decided, entry = await nominations.approve(
            unit, ws, PAPER, "admin", None, None, clock.now()
        )
        assert entry == existing
        assert decided.status is NominationStatus.APPROVED
        assert len(await unit.lists.entries(ws.id)) == 1
