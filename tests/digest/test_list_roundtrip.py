"""Round trips: a list read and written again in the same style gives back every entry.

On the real lists in ../shared (the four style excerpts and Awesome-LLM), and, with hypothesis,
on random lists in every style.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.list_document import DocSection, ListDocument, ListItem
from digest.list_markdown import STYLES, read_list, write_list
from digest.list_venues import parse_venue_tag

STYLE_FILES = {
    "llmsys": "llmsys-style.md",
    "bracket-venue": "bracket-venue-style.md",
    "conference-notes": "conference-notes-style.md",
    "table": "table-style.md",
}
# Entries, arXiv ids, sections each file holds (counted by hand on the excerpts). The
# conference-notes file's "useful website" (3 bullets, 4 below them), "TODO list" (6 calls for
# papers) and "arxiv papers" (a link to another file) hold no papers, nor does a "to be updated"
# bullet: they are kept as lines, not entries.
EXPECTED = {
    "llmsys": (28, 22, 5),
    "bracket-venue": (140, 50, 16),
    "conference-notes": (88, 23, 20),
    "table": (31, 24, 4),
}


def _shape(document: ListDocument) -> list[tuple[tuple[str, ...], list[tuple[object, ...]]]]:
    return [(s.path, [i.key() for i in s.items]) for s in document.sections]


@pytest.mark.shared
@pytest.mark.parametrize("style", STYLES)
def test_each_style_file_round_trips_in_its_own_style(shared: Path, style: str) -> None:
    text = (shared / "lists" / "styles" / STYLE_FILES[style]).read_text(encoding="utf-8")
    first = read_list(text)
    assert first.style == style
    items = first.document.items
    assert (len(items), sum(1 for i in items if i.arxiv_id), len(first.document.sections)) == (
        EXPECTED[style]
    )
    again = read_list(write_list(first.document, style), style)
    assert _shape(again.document) == _shape(first.document)
    assert again.document.title == first.document.title


@pytest.mark.shared
def test_awesome_llm_round_trips_in_every_style(shared: Path) -> None:
    readme = shared / "lists" / "Hannibal046_Awesome-LLM" / "README.md"
    first = read_list(readme.read_text(encoding="utf-8"))
    assert first.style == "llmsys"
    assert len(first.document.items) > 350
    assert [p.line for p in first.problems] == [546]  # `[LLM]([https://github.com/...)`
    for style in STYLES:
        again = read_list(write_list(first.document, style), style)
        assert _shape(again.document) == _shape(first.document), style


@pytest.mark.shared
def test_awesome_llm_topic_files_round_trip(shared: Path) -> None:
    for path in sorted((shared / "lists" / "Hannibal046_Awesome-LLM" / "paper_list").glob("*.md")):
        first = read_list(path.read_text(encoding="utf-8"))
        again = read_list(write_list(first.document, first.style), first.style)
        assert _shape(again.document) == _shape(first.document), path.name


@pytest.mark.shared
def test_style_files_convert_into_each_other(shared: Path) -> None:
    for name in STYLE_FILES.values():
        first = read_list((shared / "lists" / "styles" / name).read_text(encoding="utf-8"))
        for style in STYLES:
            again = read_list(write_list(first.document, style), style)
            assert _shape(again.document) == _shape(first.document), (name, style)


# -- random lists ---------------------------------------------------------------------------

_WORD = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-", min_size=1, max_size=9
).filter(
    lambda w: (
        w.strip("-") == w
        and w.lower()
        not in {"paper", "link", "pdf", "arxiv", "abs", "url", "html", "toc", "contents", "arxiv-"}
    )
)
_TEXT = st.lists(_WORD, min_size=1, max_size=6).map(" ".join)
_TITLE = st.one_of(
    _TEXT,
    st.tuples(_TEXT, _TEXT).map(lambda p: f"{p[0]}: {p[1]}"),
    st.tuples(_TEXT, _TEXT).map(lambda p: f"{p[0]} [{p[1]}] (x)"),
)
_ARXIV = st.one_of(
    st.tuples(st.integers(7, 26), st.integers(1, 12), st.integers(1, 99999)).map(
        lambda t: f"{t[0]:02d}{t[1]:02d}.{t[2]:05d}"
    ),
    st.tuples(st.sampled_from(["hep-th", "astro-ph", "cs"]), st.integers(1, 9999999)).map(
        lambda t: f"{t[0]}/99{t[1] % 100000:05d}"
    ),
)
_URL = _WORD.map(lambda w: f"https://example.org/{w}/paper.pdf")
_VENUE = st.tuples(
    st.sampled_from(["OSDI", "SOSP", "MLSys", "NeurIPS", "HotInfra", "ACM CSUR", "arXiv"]),
    st.integers(0, 99),
).map(lambda t: f"{t[0]}'{t[1]:02d}")


@st.composite
def _items(draw: st.DrawFn) -> ListItem:
    arxiv_id = draw(st.none() | _ARXIV)
    url = draw(st.none() | _URL)
    venue = draw(st.none() | _VENUE)
    if venue and venue.startswith("arXiv'") and arxiv_id:
        venue = None  # an arXiv tag of the id's own year says nothing (it is read back as none)
    links: tuple[tuple[str, str], ...] = ()
    if arxiv_id or url:
        links = tuple(draw(st.lists(st.tuples(_WORD, _URL), max_size=2)))
    return ListItem(
        title=draw(_TITLE),
        arxiv_id=arxiv_id,
        url=url,
        venue=venue,
        # llmsys writes venue and note alike (`| SOSP' 23 | Google`), so a note that reads as a
        # venue (`| WWW`) comes back as the venue: the format cannot tell them apart.
        note=draw(st.none() | _TEXT.filter(lambda t: parse_venue_tag(t) is None)),
        links=links,
    )


@st.composite
def _documents(draw: st.DrawFn) -> ListDocument:
    tops = draw(st.lists(_TEXT, min_size=1, max_size=3, unique_by=str.casefold))
    sections: list[DocSection] = []
    for top in tops:
        children = draw(st.lists(_TEXT, max_size=2, unique_by=str.casefold))
        grand = draw(st.lists(_TEXT, max_size=2, unique_by=str.casefold)) if children else []
        own = draw(st.lists(_items(), min_size=0 if children else 1, max_size=3))
        sections.append(DocSection((top,), tuple(own)))
        for i, child in enumerate(children):
            below = grand if i == 0 else []
            items = draw(st.lists(_items(), min_size=0 if below else 1, max_size=3))
            sections.append(DocSection((top, child), tuple(items)))
            for name in below:
                items = draw(st.lists(_items(), min_size=1, max_size=3))
                sections.append(DocSection((top, child, name), tuple(items)))
    return ListDocument(draw(_TEXT), tuple(sections))


@pytest.mark.parametrize("style", STYLES)
@settings(max_examples=150, deadline=None)
@given(document=_documents())
def test_export_then_import_is_the_identity(style: str, document: ListDocument) -> None:
    again = read_list(write_list(document, style), style)
    assert again.document.title == document.title
    assert _shape(again.document) == _shape(document)
    assert again.problems == ()
