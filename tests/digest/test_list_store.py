"""The list in the database: import, export in each style, admin changes, BibTeX and JSON."""

from __future__ import annotations

import json
from difflib import unified_diff
from pathlib import Path
from textwrap import dedent

import pytest

from digest import nominations
from digest.clock import FixedClock
from digest.list_import import import_list
from digest.list_markdown import STYLES, read_list
from digest.lists import (
    ListError,
    export_bibtex,
    export_json,
    export_markdown,
    find_entry,
    load_list,
    move_entry,
    remove_entry,
    rename_section,
    reorder_section,
)
from digest.models import Platform, Workspace
from storage.store import SqlStore
from tests.factories import make_paper

LIST = dedent(
    """\
    # Group list

    ## Training
    - [Megatron-LM](https://arxiv.org/pdf/1909.08053.pdf): Training Multi-Billion Models | NVIDIA
    - [Oobleck](https://arxiv.org/abs/2309.08125): Resilient Training | SOSP' 23
    - Plumber: Diagnosing Bottlenecks | MLSys' 22
    ## Serving
    - [Orca](https://www.usenix.org/conference/osdi22/presentation/yu): Serving | OSDI 22
    - [vLLM](https://arxiv.org/abs/2309.06180): PagedAttention | SOSP' 23
    """
)


async def _workspace(store: SqlStore) -> Workspace:
    async with store.unit() as unit:
        workspace = await unit.workspaces.get_or_create(Platform.CONSOLE, "lab", "Lab")
        await unit.papers.upsert_many([make_paper("2309.06180", title="Efficient Memory")])
    return workspace


async def _imported(store: SqlStore, clock: FixedClock, text: str = LIST) -> Workspace:
    workspace = await _workspace(store)
    async with store.unit() as unit:
        report = await import_list(unit, workspace.id, read_list(text), clock.now())
    assert (report.added, report.sections, report.stubs) == (
        len(read_list(text).document.items),
        len(read_list(text).document.sections),
        sum(1 for i in read_list(text).document.items if i.arxiv_id) - 1,
    )
    return workspace


async def test_import_creates_stubs_keeps_titles_and_exports_the_same_list(
    sqlite_store: SqlStore, clock: FixedClock
) -> None:
    ws = await _imported(sqlite_store, clock)
    async with sqlite_store.unit() as unit:
        stub = await unit.papers.get("1909.08053")
        known = await unit.papers.get("2309.06180")
        view = await load_list(unit, ws.id, "Group list")
    assert stub is not None and stub.is_stub
    assert stub.title == "Megatron-LM: Training Multi-Billion Models"
    assert known is not None and known.title == "Efficient Memory"  # not replaced by the stub
    # The entry keeps the list's own title for a paper the database already knew.
    assert [e.title for e in view.entries][-1] == "vLLM: PagedAttention"
    for style in STYLES:
        again = read_list(export_markdown(view, style), style).document
        original = read_list(LIST).document
        assert [(s.path, [i.key() for i in s.items]) for s in again.sections] == [
            (s.path, [i.key() for i in s.items]) for s in original.sections
        ]


async def test_importing_again_reports_papers_already_on_the_list(
    sqlite_store: SqlStore, clock: FixedClock
) -> None:
    ws = await _imported(sqlite_store, clock)
    async with sqlite_store.unit() as unit:
        report = await import_list(unit, ws.id, read_list(LIST), clock.now())
    assert (report.added, report.stubs, report.sections) == (0, 0, 0)
    assert [(a.line, a.section) for a in report.already_listed] == [
        (4, "Training"),
        (5, "Training"),
        (6, "Training"),
        (8, "Serving"),
        (9, "Serving"),
    ]


@pytest.mark.parametrize("style", STYLES)
async def test_one_approval_changes_one_line_of_the_export(
    sqlite_store: SqlStore, clock: FixedClock, style: str
) -> None:
    ws = await _imported(sqlite_store, clock)
    async with sqlite_store.unit() as unit:
        await unit.papers.upsert_many([make_paper("2606.00001", title="New Serving Paper")])
        before = export_markdown(await load_list(unit, ws.id, "Group list"), style)
        await nominations.nominate(unit, ws, "2606.00001", "ada", "command", clock.now())
        await nominations.approve(unit, ws, "2606.00001", "admin", "Serving", None, clock.now())
        after = export_markdown(await load_list(unit, ws.id, "Group list"), style)
    changed = [
        line
        for line in unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))
    ]
    assert len(changed) == 1 and changed[0].startswith("+")
    assert "New Serving Paper" in changed[0]


async def test_admin_changes_move_remove_rename_reorder(
    sqlite_store: SqlStore, clock: FixedClock
) -> None:
    ws = await _imported(sqlite_store, clock)
    async with sqlite_store.unit() as unit:
        entry, path = await move_entry(unit, ws.id, "2309.08125", "Training / Resilience")
        assert path == "Training / Resilience"
        assert entry.paper_id == "2309.08125"
        plumber = await find_entry(unit, ws.id, "plumber")
        again = await find_entry(unit, ws.id, f"#{plumber.id} Plumber: Diagnosing")
        assert again.id == plumber.id
        removed, where = await remove_entry(unit, ws.id, f"#{plumber.id}", "admin", clock.now())
        assert (where, removed.removed_by) == ("Training", "admin")
        with pytest.raises(ListError, match="no entry"):
            await find_entry(unit, ws.id, f"#{plumber.id}")
        with pytest.raises(ListError, match="matches 2 entries"):
            await find_entry(unit, ws.id, "training")
        with pytest.raises(ListError, match="not on the list"):
            await find_entry(unit, ws.id, "https://arxiv.org/abs/2401.99999")
        await rename_section(unit, ws.id, "training / resilience", "Fault tolerance")
        with pytest.raises(ListError, match="already a section"):
            await rename_section(unit, ws.id, "Serving", "training")
        with pytest.raises(ListError, match="no section"):
            await rename_section(unit, ws.id, "Nowhere", "X")
        _, position, count = await reorder_section(unit, ws.id, "Serving", "up")
        assert (position, count) == (1, 2)
        with pytest.raises(ListError, match="Say where"):
            await reorder_section(unit, ws.id, "Serving", "sideways")
        markdown = export_markdown(await load_list(unit, ws.id, "Group list"), "llmsys")
    assert markdown.index("## Serving") < markdown.index("## Training")
    assert "### Fault tolerance\n- [Oobleck]" in markdown
    assert "Plumber" not in markdown


async def test_bibtex_and_json(sqlite_store: SqlStore, clock: FixedClock) -> None:
    ws = await _imported(sqlite_store, clock)
    async with sqlite_store.unit() as unit:
        view = await load_list(unit, ws.id, "Group list")
    bibtex = export_bibtex(view)
    assert "@misc{arxiv:2309.06180," in bibtex
    vllm = bibtex[bibtex.index("@misc{arxiv:2309.06180") :].split("\n}\n")[0]
    for field in (
        "eprint = {2309.06180}",
        "archivePrefix = {arXiv}",
        "primaryClass = {cs.DC}",
        "author = {Ada Lovelace and Ion Stoica}",
        "note = {SOSP'23}",
        "year = {2026}",
        "url = {https://arxiv.org/abs/2309.06180}",
    ):
        assert field in vllm
    megatron = bibtex[bibtex.index("@misc{arxiv:1909.08053") :].split("\n}\n")[0]
    assert "year = {2019}" in megatron  # a stub has no date: the id's year stands in
    assert "@misc{list:orca-serving," in bibtex  # a non-arXiv entry keyed by its title
    assert "@misc{list:plumber-diagnosing-bottlenecks," in bibtex
    assert export_bibtex(view) == bibtex  # stable
    doc = json.loads(export_json(view))
    assert [s["path"] for s in doc["sections"]] == [["Training"], ["Serving"]]
    vllm_json, orca_json = doc["sections"][1]["entries"][1], doc["sections"][1]["entries"][0]
    assert (vllm_json["arxiv_id"], vllm_json["url"]) == (
        "2309.06180",
        "https://arxiv.org/abs/2309.06180",
    )
    assert orca_json["url"] == "https://www.usenix.org/conference/osdi22/presentation/yu"
    assert doc["sections"][0]["entries"][2]["url"] is None


@pytest.mark.shared
async def test_importing_a_real_list_and_exporting_it_gives_back_every_entry(
    sqlite_store: SqlStore, clock: FixedClock, shared: Path
) -> None:
    text = (shared / "lists" / "styles" / "bracket-venue-style.md").read_text(encoding="utf-8")
    read = read_list(text)
    ws = await _workspace(sqlite_store)
    async with sqlite_store.unit() as unit:
        report = await import_list(unit, ws.id, read, clock.now())
        view = await load_list(unit, ws.id, read.document.title)
    assert report.added == 140
    again = read_list(export_markdown(view, "bracket-venue"))
    assert again.style == "bracket-venue"
    assert [(s.path, [i.key() for i in s.items]) for s in again.document.sections] == [
        (s.path, [i.key() for i in s.items]) for s in read.document.sections
    ]
