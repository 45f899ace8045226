"""BibTeX that BibTeX and LaTeX read: every export parses, one record per paper, titles as typed.

Parsed with bibtexparser; each title is then read back as LaTeX (pylatexenc, told what the text
commands the export uses print) and must give the title as the list holds it.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import bibtexparser
import pytest
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

from digest.bibtex import bibtex_document, tex_text
from digest.clock import FixedClock
from digest.list_import import import_list
from digest.list_markdown import read_list
from digest.list_view import ListView
from digest.lists import load_list
from digest.models import Author, ListEntry, ListSection, Paper, Platform
from storage.store import SqlStore

_PRINTED = {
    "textbackslash": "\\",
    "textbraceleft": "{",
    "textbraceright": "}",
    "textasciitilde": "~",
    "textasciicircum": "^",
    "textless": "<",
    "textgreater": ">",
    "textbar": "|",
}


def _latex_reader() -> LatexNodes2Text:
    context = get_default_latex_context_db()
    context.add_context_category(
        "paperbot-export",
        prepend=True,
        macros=[MacroTextSpec(name, printed) for name, printed in _PRINTED.items()],
    )
    return LatexNodes2Text(latex_context=context, math_mode="verbatim")


LATEX = _latex_reader()


def _printed(field: str) -> str:
    """What LaTeX prints for a field's value (its outer braces are BibTeX's)."""
    return " ".join(LATEX.latex_to_text(field).split())


def _parsed(text: str) -> bibtexparser.Library:
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == []  # a broken or duplicate-keyed record lands here
    return library


HOSTILE_TITLES = [
    "$O(n^2)$ attention, in {linear} time",
    "An unbalanced { brace",
    "and a closing } one",
    r"Back\slash \textbf{not a command}",
    "100% of #tags & under_scores ~ tilde ^ caret",
    "Thinking with <think> | tokens",
    "@misc{injected, title = {x}}",
]


def _view(titles: list[str]) -> ListView:
    now = datetime(2026, 6, 1, tzinfo=UTC)
    section = ListSection(1, 1, "S", 0)
    entries = [
        ListEntry(n, 1, 1, title, n, paper_id=f"2401.{n:05d}", venue="OSDI'24", added_at=now)
        for n, title in enumerate(titles, 1)
    ]
    entries.append(
        ListEntry(99, 1, 1, "A link {with} a %20 address", 99, external_url="https://x.org/a b{c}")
    )
    entries.append(ListEntry(100, 1, 1, "The first paper again", 100, paper_id="2401.00001"))
    papers = {
        "2401.00001": Paper(
            "2401.00001",
            "t",
            (Author("Research and Development Team"), Author("Lovelace, Ada"), Author("A. Turing")),
            ("cs.DC",),
            doi="10.1000/{odd}_doi",
        )
    }
    return ListView("L", (section,), tuple(entries), papers)


def test_every_tex_special_is_escaped_and_prints_as_typed() -> None:
    view = _view(HOSTILE_TITLES)
    export = bibtex_document(view)
    assert (export.records, export.shared) == (len(HOSTILE_TITLES) + 1, 1)
    library = _parsed(export.text)
    assert len(library.entries) == export.records
    titles = [_printed(entry["title"]) for entry in library.entries]
    assert titles == [*HOSTILE_TITLES, "A link {with} a %20 address"]
    first = library.entries[0]
    assert first["author"] == "{Research and Development Team} and {Lovelace, Ada} and A. Turing"
    assert first["doi"] == "10.1000/%7Bodd%7D_doi"
    assert library.entries[-1]["url"] == "https://x.org/a%20b%7Bc%7D"
    for entry in library.entries:
        value = entry["title"]
        assert value.count("{") == value.count("}")  # BibTeX counts braces, escaped or not


def test_tex_text_leaves_plain_titles_alone() -> None:
    assert tex_text("vLLM: Easy, Fast, and Cheap LLM Serving") == (
        "vLLM: Easy, Fast, and Cheap LLM Serving"
    )
    assert tex_text("Caf\u00e9 \u2014 \u201cquoted\u201d\n  on two lines") == (
        "Caf\u00e9 \u2014 \u201cquoted\u201d on two lines"
    )


STYLE_FILES = [
    "styles/llmsys-style.md",
    "styles/bracket-venue-style.md",
    "styles/conference-notes-style.md",
    "styles/table-style.md",
    "Hannibal046_Awesome-LLM/README.md",
]


async def _exported(store: SqlStore, clock: FixedClock, path: Path, workspace: str) -> None:
    read = read_list(await asyncio.to_thread(path.read_text, encoding="utf-8"))
    async with store.unit() as unit:
        ws = await unit.workspaces.get_or_create(Platform.CONSOLE, workspace, workspace)
        await import_list(unit, ws.id, read, clock.now())
        view = await load_list(unit, ws.id, "L")
    _check_export(view)


@pytest.mark.shared
@pytest.mark.parametrize("name", STYLE_FILES)
async def test_every_export_of_the_real_lists_parses_with_one_record_per_paper(
    shared: Path, sqlite_store: SqlStore, clock: FixedClock, name: str
) -> None:
    await _exported(sqlite_store, clock, shared / "lists" / name, "lab")


@pytest.mark.shared
async def test_the_awesome_llm_topic_files_export_too(
    shared: Path, sqlite_store: SqlStore, clock: FixedClock
) -> None:
    topics = sorted((shared / "lists" / "Hannibal046_Awesome-LLM" / "paper_list").glob("*.md"))
    assert len(topics) > 10
    for path in topics:
        await _exported(sqlite_store, clock, path, path.stem)


def _check_export(view: ListView) -> None:
    export = bibtex_document(view)
    library = _parsed(export.text)
    papers = {e.paper_id for e in view.entries if e.paper_id}
    without_paper = [e for e in view.entries if not e.paper_id]
    assert len(library.entries) == export.records == len(papers) + len(without_paper)
    assert export.records + export.shared == len(view.entries)
    written = {entry.key: _printed(entry["title"]) for entry in library.entries}
    first_of_each = {}
    for entry in view.entries:
        first_of_each.setdefault(entry.paper_id or f"entry {entry.id}", entry)
    assert sorted(written.values()) == sorted(
        " ".join(e.title.split()) for e in first_of_each.values()
    )
