"""`paperbot list enrich` (and `list import --fetch`): the list's papers fetched from arXiv."""

from __future__ import annotations

from bot.admin_notice import notify_admins
from bot.app import arxiv_source
from bot.cli.common import opened_store, pick_workspace
from bot.messages import plural, public
from bot.ports import OutboundMessage
from bot.rich_text import Part, code
from config import Settings
from digest.list_enrich import EnrichReport, VenueNote, enrich_list

MAX_NOTES_SHOWN = 20
MAX_NOTES_TOLD = 10


def _note_line(note: VenueNote) -> str:
    return f"#{note.entry_id} “{note.title[:80]}” ({note.arxiv_id})"


def _print_report(report: EnrichReport, requests: int) -> None:
    stored = report.stored.stored
    print(
        f"asked arXiv for {plural(report.asked, 'paper')} in {plural(requests, 'request')}: "
        f"stored {stored.inserted + stored.updated:,} records ({stored.unchanged:,} unchanged), "
        f"{len(report.missing):,} not found on arXiv; {report.stored.matches:,} new topic matches"
    )
    if report.missing:
        shown = ", ".join(report.missing[:MAX_NOTES_SHOWN])
        more = len(report.missing) - MAX_NOTES_SHOWN
        print(f"  not on arXiv: {shown}" + (f" … and {more:,} more" if more > 0 else ""))
    for note in report.disagreements[:MAX_NOTES_SHOWN]:
        print(
            f"  venue differs: {_note_line(note)}: the list says {note.listed}, "
            f"arXiv's comment {note.derived} (the list's is kept)"
        )
    for note in report.unlisted_venues[:MAX_NOTES_SHOWN]:
        print(f"  venue not on the list: {_note_line(note)}: arXiv's comment says {note.derived}")
    for notes, what in ((report.disagreements, "differences"), (report.unlisted_venues, "more")):
        if len(notes) > MAX_NOTES_SHOWN:
            print(f"  … and {len(notes) - MAX_NOTES_SHOWN:,} {what}")


def disagreement_notice(notes: tuple[VenueNote, ...]) -> OutboundMessage:
    """The admins' notice of venues the list and arXiv disagree on."""
    parts: list[Part] = [
        f"arXiv names another venue than the list for {plural(len(notes), 'entry')}; "
        "the list's venue is kept:"
    ]
    for note in notes[:MAX_NOTES_TOLD]:
        parts += [
            f"\n• #{note.entry_id} {note.title[:80]} (",
            code(note.arxiv_id),
            f"): the list says {note.listed}, arXiv {note.derived}",
        ]
    if len(notes) > MAX_NOTES_TOLD:
        parts.append(f"\n… and {len(notes) - MAX_NOTES_TOLD} more (`paperbot list enrich`).")
    return public(*parts, title="Venues to check")


async def enrich(settings: Settings, wanted: str | None, refresh: bool) -> int:
    """Fetch the list's papers from arXiv, print what came back, tell the admins of conflicts."""
    source = arxiv_source(settings)
    try:
        async with opened_store(settings) as store:
            async with store.unit() as unit:
                workspace = await pick_workspace(unit, wanted, settings)
            report = await enrich_list(store, source, workspace.id, refresh=refresh)
            told = None
            if report.disagreements:
                async with store.unit() as unit:
                    notice = disagreement_notice(report.disagreements)
                    told = await notify_admins(unit, workspace, notice)
    finally:
        source.close()
    _print_report(report, source.requests)
    if told:
        print(f"told the admins in {told} of {plural(len(report.disagreements), 'difference')}")
    if report.error:
        print(
            f"stopped: {report.error}; {plural(report.not_asked, 'paper')} not asked yet: "
            "run `paperbot list enrich` again"
        )
        return 1
    return 0
