"""Sections emptied on the list leave every export; the empty sections a file had stay as written;
`remove_section` takes an empty section off and keeps its history."""

from __future__ import annotations

import json
from textwrap import dedent

import pytest

from digest.clock import FixedClock
from digest.list_import import import_list
from digest.list_markdown import STYLES, read_list
from digest.lists import (
    ListError,
    SectionNotEmpty,
    export_json,
    export_markdown,
    load_list,
    move_entry,
    remove_entry,
    remove_section,
    section_path_of,
)
from digest.models import Platform, Workspace
from storage.store import SqlStore

# "Agents" is a placeholder the maintainer wrote with no entries: it never becomes a section,
# its lines stand in what the file holds after "Serving".
LIST = dedent(
    """\
    # Group list

    ## Training
    - [Megatron-LM](https://arxiv.org/pdf/1909.08053.pdf): Training Multi-Billion Models | NVIDIA
    - [Oobleck](https://arxiv.org/abs/2309.08125): Resilient Training | SOSP' 23

    ## Serving
    - [vLLM](https://arxiv.org/abs/2309.06180): PagedAttention | SOSP' 23

    ## Agents
    - To be updated

    ## Systems
    ### Inference engines
    - [Orca](https://arxiv.org/abs/2401.00002): Iteration-level scheduling

    ## Surveys
    - [A survey](https://arxiv.org/abs/2401.00001): Of everything
    """
)


async def _imported(store: SqlStore, clock: FixedClock) -> Workspace:
    async with store.unit() as unit:
        workspace = await unit.workspaces.get_or_create(Platform.CONSOLE, "lab", "Lab")
        await import_list(unit, workspace.id, read_list(LIST), clock.now())
    return workspace


async def test_an_unchanged_list_with_a_placeholder_comes_back_as_written(
    store: SqlStore, clock: FixedClock
) -> None:
    ws = await _imported(store, clock)
    async with store.unit() as unit:
        view = await load_list(unit, ws.id, "Group list")
    assert export_markdown(view, "llmsys") == LIST


async def test_sections_emptied_by_moves_leave_every_export(
    store: SqlStore, clock: FixedClock
) -> None:
    ws = await _imported(store, clock)
    async with store.unit() as unit:
        await move_entry(unit, ws.id, "2309.06180", "Training")
        await move_entry(unit, ws.id, "2401.00002", "Training")  # Systems holds an empty one
        view = await load_list(unit, ws.id, "Group list")
    written = export_markdown(view, "llmsys")
    # Serving and Systems (whose only section below is empty) are gone; the placeholder stays.
    assert written == LIST.replace(
        "- [Oobleck](https://arxiv.org/abs/2309.08125): Resilient Training | SOSP' 23\n\n"
        "## Serving\n"
        "- [vLLM](https://arxiv.org/abs/2309.06180): PagedAttention | SOSP' 23\n",
        "- [Oobleck](https://arxiv.org/abs/2309.08125): Resilient Training | SOSP' 23\n"
        "- [vLLM](https://arxiv.org/abs/2309.06180): PagedAttention | SOSP' 23\n"
        "- [Orca](https://arxiv.org/abs/2401.00002): Iteration-level scheduling\n",
    ).replace(
        "## Systems\n### Inference engines\n"
        "- [Orca](https://arxiv.org/abs/2401.00002): Iteration-level scheduling\n\n",
        "",
    )
    for style in STYLES:
        text = export_markdown(view, style)
        assert "Serving" not in text and "Systems" not in text and "Inference engines" not in text
        assert [s.path for s in read_list(text, style).document.sections] == [
            ("Training",),
            ("Surveys",),
        ]
    paths = [s["path"] for s in json.loads(export_json(view))["sections"]]
    assert paths == [["Training"], ["Surveys"]]


async def test_an_emptied_section_is_removed_and_keeps_its_history(
    store: SqlStore, clock: FixedClock
) -> None:
    ws = await _imported(store, clock)
    async with store.unit() as unit:
        with pytest.raises(SectionNotEmpty) as refused:
            await remove_section(unit, ws.id, "Systems", "admin", clock.now())
        assert (refused.value.entries, refused.value.below) == (1, 1)
        assert "“Systems” still holds 1 entry (1 of it in sections below it)" in str(refused.value)
        with pytest.raises(SectionNotEmpty, match="“Training” still holds 2 entries, so it"):
            await remove_section(unit, ws.id, "training", "admin", clock.now())
        with pytest.raises(ListError, match="There is no section “Nowhere”"):
            await remove_section(unit, ws.id, "Nowhere", "admin", clock.now())
        vllm, _ = await remove_entry(unit, ws.id, "2309.06180", "admin", clock.now())
        await move_entry(unit, ws.id, "2401.00002", "Surveys")
        assert await remove_section(unit, ws.id, "Serving", "admin", clock.now()) == ("Serving", 0)
        assert await remove_section(unit, ws.id, "systems", "admin", clock.now()) == (
            "Systems",
            1,
        )
    async with store.unit() as unit:
        live = [s.title for s in await unit.lists.sections(ws.id)]
        every = await unit.lists.sections(ws.id, include_removed=True)
        history = await unit.lists.entries(ws.id, include_removed=True)
        removed_in = await section_path_of(unit, ws.id, vllm.section_id)
        view = await load_list(unit, ws.id, "Group list")
    assert live == ["Training", "Surveys"]
    assert [(s.title, s.removed_at is not None) for s in every] == [
        ("Training", False),
        ("Serving", True),
        ("Systems", True),
        ("Inference engines", True),
        ("Surveys", False),
    ]
    # The entry taken off the list still says where it was.
    assert [e.title for e in history if e.removed_at] == ["vLLM: PagedAttention"]
    assert removed_in == "Serving"
    assert "## Agents\n- To be updated\n" in export_markdown(view, "llmsys")
    async with store.unit() as unit:
        # A section of the same name can be made again; it is a new one.
        _, path = await move_entry(unit, ws.id, "2401.00002", "Serving")
        assert path == "Serving"
        assert [s.title for s in await unit.lists.sections(ws.id)] == [
            "Training",
            "Surveys",
            "Serving",
        ]


async def test_removing_a_section_finds_it_among_the_sections_it_reads_once(
    store: SqlStore, clock: FixedClock
) -> None:
    from sqlalchemy import event

    ws = await _imported(store, clock)
    async with store.unit() as unit:
        await remove_entry(unit, ws.id, "2309.06180", "admin", clock.now())
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(store.engine.sync_engine, "before_cursor_execute", count)
    try:
        async with store.unit() as unit:
            assert await remove_section(unit, ws.id, "Serving", "admin", clock.now()) == (
                "Serving",
                0,
            )
    finally:
        event.remove(store.engine.sync_engine, "before_cursor_execute", count)
    # Once to find it and the sections below it, once inside `entries` (for their order).
    assert sum(1 for s in statements if s.startswith("SELECT list_sections.")) == 2
