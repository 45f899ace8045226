"""Importing lists that are hostile to the database: bytes PostgreSQL refuses, values too long
for their columns, more sections than anyone can browse. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from digest import list_import
from digest.clock import FixedClock
from digest.list_import import ListImportError, import_list
from digest.list_markdown import read_list
from digest.models import Platform
from storage.store import SqlStore

HOSTILE = (
    "\ufeff# A list\x00 with a NUL\n"
    "## Serving\x1b[31m\n"
    "- [OSDI'24] [vLLM\x00: Paged\x07Attention](https://arxiv.org/abs/2309.06180)\n"
    f"- [{'V' * 80}'24] [A venue too long to store](https://example.org/a)\n"
    f"- [An old-style id too long](https://arxiv.org/abs/{'a' * 40}/9901001)\n"
    "- [Lone surrogate \ud800 here](https://arxiv.org/abs/2401.00001)\n"
)


async def test_control_characters_and_long_values_are_stored_on_both_engines(
    store: SqlStore, clock: FixedClock
) -> None:
    read = read_list(HOSTILE)
    async with store.unit() as unit:
        workspace = await unit.workspaces.get_or_create(Platform.CONSOLE, "lab", "Lab")
        report = await import_list(unit, workspace.id, read, clock.now())
    assert (report.added, report.stubs) == (4, 2)
    async with store.unit() as unit:
        entries = await unit.lists.entries(workspace.id)
        sections = await unit.lists.sections(workspace.id)
        stub = await unit.papers.get("2309.06180")
    assert [s.title for s in sections] == ["Serving[31m"]
    assert [(e.title, e.paper_id, e.venue, e.note) for e in entries] == [
        ("vLLM: PagedAttention", "2309.06180", "OSDI'24", None),
        ("A venue too long to store", None, None, "V" * 80 + "'24"),
        ("An old-style id too long", None, None, None),
        ("Lone surrogate here", "2401.00001", None, None),
    ]
    assert entries[2].external_url == f"https://arxiv.org/abs/{'a' * 40}/9901001"
    assert stub is not None and stub.title == "vLLM: PagedAttention"
    assert read.document.title == "A list with a NUL"


async def test_a_list_with_too_many_sections_is_refused_before_anything_is_written(
    store: SqlStore, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(list_import, "MAX_IMPORT_SECTIONS", 3)
    text = "# L\n" + "".join(
        f"## Section {n}\n- [Paper {n}](https://x.org/{n})\n" for n in range(4)
    )
    async with store.unit() as unit:
        workspace = await unit.workspaces.get_or_create(Platform.CONSOLE, "lab", "Lab")
        with pytest.raises(
            ListImportError, match="the list has 4 sections; an import takes at most 3"
        ):
            await import_list(unit, workspace.id, read_list(text), clock.now())
    async with store.unit() as unit:
        assert await unit.lists.sections(workspace.id) == []
        assert await unit.lists.entries(workspace.id) == []
