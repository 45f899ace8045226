"""Nominations: one per paper per workspace, votes per user, decided once by an admin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from digest.lists import add_paper, section_path_of
from digest.models import ListEntry, Nomination, NominationStatus, Paper, Workspace
from digest.ports import Unit

AUTO_APPROVER = "auto-approval"


class NominationError(Exception):
    """Something the user asked for that cannot be done; the message says why."""


@dataclass(frozen=True, slots=True)
class NominateResult:
    """What a nomination did: a new nomination or an added vote, and any auto-approval."""

    nomination: Nomination
    paper: Paper
    created: bool
    vote_added: bool
    entry: ListEntry | None = None


async def _known_paper(unit: Unit, paper_id: str) -> Paper:
    paper = await unit.papers.get(paper_id)
    if paper is None:
        raise NominationError(
            f"I don't know the paper `{paper_id}`; check the id (like 2406.12345)."
        )
    return paper


async def nominate(
    unit: Unit,
    workspace: Workspace,
    paper_id: str,
    user_id: str,
    source: str,
    now: datetime,
    section: str | None = None,
) -> NominateResult:
    """Nominate a paper, or add the user's vote; at the workspace's vote threshold, approve it.

    `section` is where an auto-approved paper is filed (the most likely section, say).
    """
    paper = await _known_paper(unit, paper_id)
    entry = await unit.lists.entry_for_paper(workspace.id, paper.arxiv_id)
    if entry is not None:
        path = await section_path_of(unit, workspace.id, entry.section_id)
        raise NominationError(f"“{paper.title}” is already on the list, under {path}.")
    nomination = await unit.nominations.get_for_paper(workspace.id, paper.arxiv_id)
    created = nomination is None
    if nomination is None:
        nomination = await unit.nominations.create(workspace.id, paper.arxiv_id, now)
    elif nomination.status is not NominationStatus.PENDING:
        raise NominationError(
            f"“{paper.title}” was already {nomination.status.value}"
            + (f": {nomination.reason}" if nomination.reason else ".")
        )
    added = await unit.nominations.add_vote(nomination.id, user_id, source, now)
    nomination = await unit.nominations.get(nomination.id) or nomination
    threshold = workspace.settings.auto_approve_votes
    new_entry = None
    if threshold and len(nomination.votes) >= threshold:
        nomination, new_entry = await approve(
            unit, workspace, paper.arxiv_id, AUTO_APPROVER, section, None, now
        )
    return NominateResult(nomination, paper, created, added, new_entry)


async def withdraw(unit: Unit, workspace: Workspace, paper_id: str, user_id: str) -> bool:
    """Withdraw the user's vote from a pending nomination; False if there was none."""
    nomination = await unit.nominations.get_for_paper(workspace.id, paper_id)
    if nomination is None or nomination.status is not NominationStatus.PENDING:
        return False
    return await unit.nominations.remove_vote(nomination.id, user_id)


async def _pending(unit: Unit, workspace: Workspace, paper_id: str) -> Nomination:
    nomination = await unit.nominations.get_for_paper(workspace.id, paper_id)
    if nomination is None:
        raise NominationError(f"`{paper_id}` has not been nominated.")
    if nomination.status is not NominationStatus.PENDING:
        raise NominationError(
            f"`{paper_id}` was already {nomination.status.value} by {nomination.decided_by}."
        )
    return nomination


async def approve(
    unit: Unit,
    workspace: Workspace,
    paper_id: str,
    admin_id: str,
    section: str | None,
    reason: str | None,
    now: datetime,
) -> tuple[Nomination, ListEntry]:
    """Approve a pending nomination and add its paper to the list."""
    nomination = await _pending(unit, workspace, paper_id)
    paper = await _known_paper(unit, paper_id)
    existing = await unit.lists.entry_for_paper(workspace.id, paper.arxiv_id)
    if existing is not None:
        # It reached the list another way meanwhile (an import, say): one entry is enough.
        decided = await unit.nominations.decide(
            nomination.id, NominationStatus.APPROVED, admin_id, reason, now, existing.section_id
        )
        return decided, existing
    entry = await add_paper(
        unit,
        workspace.id,
        paper,
        section,
        now,
        added_by=nomination.voters[0] if nomination.voters else None,
        approved_by=admin_id,
    )
    decided = await unit.nominations.decide(
        nomination.id, NominationStatus.APPROVED, admin_id, reason, now, entry.section_id
    )
    return decided, entry


async def reject(
    unit: Unit,
    workspace: Workspace,
    paper_id: str,
    admin_id: str,
    reason: str | None,
    now: datetime,
) -> Nomination:
    """Reject a pending nomination, with an optional reason."""
    nomination = await _pending(unit, workspace, paper_id)
    return await unit.nominations.decide(
        nomination.id, NominationStatus.REJECTED, admin_id, reason, now
    )
