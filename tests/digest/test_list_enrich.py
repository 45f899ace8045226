"""Enriching an imported list from a local server that plays arXiv's id_list queries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from digest.arxiv_fetch import ArxivApiSource
from digest.list_enrich import enrich_list, same_venue
from digest.list_import import import_list
from digest.list_markdown import read_list
from digest.models import Platform
from storage.store import SqlStore
from tests.digest.arxiv_server import ApiServer, IdIndex, Reply, Responder
from tests.digest.atom import Entry
from tests.digest.conftest import Waits

Serve = Callable[[Responder], ApiServer]
MakeSource = Callable[..., ArxivApiSource]
NOW = datetime(2026, 6, 28, 18, 0, tzinfo=UTC)


def paper_id(n: int) -> str:
    return f"2401.{n:05d}"


def list_text(count: int, venues: dict[int, str] | None = None) -> str:
    venues = venues or {}
    rows = [
        f"- [Paper {n}](https://arxiv.org/abs/{paper_id(n)}): a subtitle"
        + (f" | {venues[n]}" if n in venues else "")
        for n in range(count)
    ]
    return "# Our list\n\n## Serving\n" + "\n".join(rows) + "\n"


async def imported(store: SqlStore, text: str) -> int:
    async with store.unit() as unit:
        workspace = await unit.workspaces.get_or_create(Platform.CONSOLE, "lab", "Lab")
        await import_list(unit, workspace.id, read_list(text), NOW)
    return workspace.id


def arxiv_entry(n: int, comment: str | None = None) -> Entry:
    return Entry(
        paper_id(n),
        version=2,
        title=f"Paper {n}: the full title",
        summary=f"Abstract of paper {n}.",
        categories=("cs.DC", "cs.LG"),
        authors=(("Ada Lovelace", ("Analytical Engines",)), ("Alan Turing", ())),
        comment=comment,
    )


async def test_stubs_get_their_records_in_batches_of_200_three_seconds_apart(
    store: SqlStore, serve: Serve, make_source: MakeSource, waits: Waits
) -> None:
    workspace = await imported(store, list_text(450))
    server = serve(IdIndex([arxiv_entry(n) for n in range(450)]))
    source = make_source(server, delay=3.0)
    source._monotonic = lambda: 100.0  # no time passes between the requests
    report = await enrich_list(store, source, workspace)

    asked = [r["id_list"].split(",") for r in server.requests]
    assert [len(ids) for ids in asked] == [200, 200, 50]
    assert [i for ids in asked for i in ids] == [paper_id(n) for n in range(450)]
    assert [r["max_results"] for r in server.requests] == ["200", "200", "50"]
    assert waits == [3.0, 3.0]
    assert report.asked == 450 and report.stored.stored.updated == 450
    assert report.missing == () and report.error is None
    async with store.unit() as unit:
        paper = await unit.papers.get(paper_id(7))
    assert paper is not None and not paper.is_stub
    assert paper.title == "Paper 7: the full title"
    assert paper.abstract == "Abstract of paper 7."
    assert paper.author_names == ("Ada Lovelace", "Alan Turing")
    assert paper.authors[0].affiliations == ("Analytical Engines",)
    assert paper.categories == ("cs.DC", "cs.LG")
    assert paper.submitted == datetime(2026, 6, 19, 15, 0, tzinfo=UTC)
    assert paper.announced is not None

    again = await enrich_list(store, source, workspace)
    assert again.asked == 0 and len(server.requests) == 3  # nothing is a stub any more


async def test_a_venue_the_list_states_wins_and_a_disagreement_is_reported(
    store: SqlStore, serve: Serve, make_source: MakeSource
) -> None:
    venues = {0: "OSDI'24", 1: "NeurIPS' 25", 2: "SOSP'23"}
    workspace = await imported(store, list_text(4, venues))
    comments = {
        0: "Accepted at NSDI 2024",  # disagrees
        1: "To appear in NeurIPS 2025",  # agrees
        2: "12 pages",  # names no venue
        3: "Accepted at OSDI 2024",  # the list states none
    }
    server = serve(IdIndex([arxiv_entry(n, comments[n]) for n in range(4)]))
    report = await enrich_list(store, make_source(server), workspace)

    assert [(d.arxiv_id, d.listed, d.derived) for d in report.disagreements] == [
        (paper_id(0), "OSDI'24", "NSDI'24")
    ]
    assert [(u.arxiv_id, u.listed, u.derived) for u in report.unlisted_venues] == [
        (paper_id(3), None, "OSDI'24")
    ]
    async with store.unit() as unit:
        papers = await unit.papers.get_many(paper_id(n) for n in range(4))
        entries = await unit.lists.entries(workspace)
    assert [papers[paper_id(n)].venue for n in range(4)] == [
        "OSDI'24",
        "NeurIPS'25",
        "SOSP'23",
        "OSDI'24",
    ]
    assert [e.venue for e in entries] == ["OSDI'24", "NeurIPS'25", "SOSP'23", None]


async def test_ids_arxiv_lacks_are_reported_and_asked_again_later(
    store: SqlStore, serve: Serve, make_source: MakeSource
) -> None:
    workspace = await imported(store, list_text(3))
    server = serve(IdIndex([arxiv_entry(0), arxiv_entry(2)]))
    report = await enrich_list(store, make_source(server), workspace)
    assert report.missing == (paper_id(1),)
    again = await enrich_list(store, make_source(server), workspace)
    assert again.asked == 1 and again.missing == (paper_id(1),)


async def test_a_failed_request_keeps_what_came_before_and_a_rerun_finishes(
    store: SqlStore, serve: Serve, make_source: MakeSource
) -> None:
    workspace = await imported(store, list_text(5))
    index = IdIndex([arxiv_entry(n) for n in range(5)])
    faults = [Reply(b"<feed", status=200)] + [Reply(b"down", status=503)] * 3

    def flaky(params: dict[str, str]) -> Reply:
        # The first batch's first answer is cut short, then it comes; the second fails 3 times.
        if faults and (paper_id(2) in params["id_list"] or len(faults) == 4):
            return faults.pop(0)
        return index(params)

    server = serve(flaky)
    report = await enrich_list(store, make_source(server, attempts=3), workspace, batch=2)
    assert report.error is not None and "HTTP 503" in report.error
    assert report.asked == 2 and report.not_asked == 3
    assert len(server.requests) == 5
    async with store.unit() as unit:
        papers = await unit.papers.get_many(paper_id(n) for n in range(5))
    assert [papers[paper_id(n)].is_stub for n in range(5)] == [False, False, True, True, True]

    rerun = await enrich_list(store, make_source(server), workspace, batch=2)
    assert rerun.error is None and rerun.asked == 3


async def test_refresh_asks_for_every_paper(
    store: SqlStore, serve: Serve, make_source: MakeSource
) -> None:
    workspace = await imported(store, list_text(2))
    server = serve(IdIndex([arxiv_entry(n) for n in range(2)]))
    await enrich_list(store, make_source(server), workspace)
    report = await enrich_list(store, make_source(server), workspace, refresh=True)
    assert report.asked == 2 and report.stored.stored.unchanged == 2


async def test_the_recorded_answer_for_two_ids_one_missing(
    shared: Path, store: SqlStore, serve: Serve, make_source: MakeSource
) -> None:
    folder = shared / "arxiv-api" / "recorded-2026"
    body = next(folder.glob("id_0808.05394_1707.08567_*.xml")).read_bytes()
    text = (
        "# L\n\n## A\n- [Missing](https://arxiv.org/abs/0808.05394)\n"
        "- [AEW10](https://arxiv.org/abs/1707.08567)\n"
    )
    workspace = await imported(store, text)
    server = serve(lambda params: Reply(body))
    report = await enrich_list(store, make_source(server), workspace)
    assert server.requests[0]["id_list"] == "0808.05394,1707.08567"
    assert report.missing == ("0808.05394",)
    async with store.unit() as unit:
        paper = await unit.papers.get("1707.08567")
    assert paper is not None and paper.categories == ("cs.IT",)
    assert paper.author_names[0] == "Kees A. Schouhamer Immink"


def test_same_venue_ignores_spacing_case_and_qualifiers() -> None:
    assert same_venue("OSDI '24", "OSDI'24")
    assert same_venue("NAIC @ SIGCOMM'25", "SIGCOMM'25")
    assert same_venue("neurips'25 Spotlight", "NeurIPS'25")
    assert not same_venue("OSDI'24", "NSDI'24")
    assert not same_venue("OSDI'24", "OSDI'25")
