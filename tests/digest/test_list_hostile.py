"""Reading lists nobody wrote by hand: time linear in the size, and nothing lost to markup.

Each shape below took the old reader from several seconds to hours at these sizes (a quadratic or
worse scan, or a regular expression retrying every split of a run of spaces); here each must read
in a blink, and the work of the Python-level scans is counted to grow in step with the input.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable
from itertools import permutations
from pathlib import Path
from textwrap import dedent
from types import FrameType
from typing import Any

import pytest

from digest import list_import
from digest.list_document import DocSection, ListDocument, ListItem
from digest.list_import import ListImportError, read_list_file
from digest.list_markdown import STYLES, read_list, write_list
from digest.list_markdown.duplicates import NearSearch, find_duplicates, near_budget

# Shapes and the size at which the old reader took longest (seconds, measured on the old code).
SHAPES: dict[str, tuple[Callable[[int], str], int]] = {
    "a line of [": (lambda n: "- " + "[" * n, 64_000),  # 16,000: 31 s
    "link starts": (lambda n: "- " + "[a](" * n, 16_000),  # 4,000: 10 s
    "spaces in a heading": (lambda n: "# a" + " " * n + "b", 4_000),  # 272 s
    "spaces after bold": (lambda n: "**a**" + " " * n + "x", 64_000),  # 56 s
    "spaces in a table rule": (lambda n: "| a |\n|---" + " " * n + "x|", 64_000),  # 59 s
    "links in a table row": (lambda n: "| " + "](" * n, 128_000),  # 20 s
    "image starts": (lambda n: "- x " + "![" * n, 8_000),  # 6 s
    "tag starts": (lambda n: "- x " + "<a" * n, 128_000),  # 13 s
    "spaces after a title": (lambda n: "- t" + " " * n + "x", 64_000),  # 64 s
    "a label over many lines": (lambda n: "- [" + "\na[" * (n // 3), 16_000),  # 5 s
    "many sections": (
        lambda n: "# T\n" + "\n".join(f"## s{i}\n- t" for i in range(n // 12)),
        300_000,
    ),  # 45 s
    "titles sharing a first word": (
        lambda n: "\n".join(
            f"- [Towards a thing number {i}](https://x.org/{i})" for i in range(n // 45)
        ),
        72_000,
    ),  # 12 s
}


@pytest.mark.parametrize("shape", SHAPES)
def test_hostile_lines_are_read_whole(shape: str) -> None:
    make, size = SHAPES[shape]
    read = read_list("## S\n- [First](https://arxiv.org/abs/2401.00001)\n" + make(size))
    assert read.document.items[0].arxiv_id == "2401.00001"  # and reading finished


def _python_lines(run: Callable[[], object]) -> int:
    """How many lines of Python `run` executes: a count of work that no machine's speed changes."""
    count = 0

    def trace(frame: FrameType, event: str, arg: Any) -> Callable[..., Any]:
        nonlocal count
        count += event == "line"
        return trace

    previous = sys.gettrace()
    sys.settrace(trace)
    try:
        run()
    finally:
        sys.settrace(previous)
    return count


@pytest.mark.parametrize("shape", ["a line of [", "link starts"])
def test_reading_work_grows_in_step_with_the_line(shape: str) -> None:
    make = SHAPES[shape][0]
    # Both under the bound on brackets in one line (beyond it, a line is reported, not read).
    small = _python_lines(lambda: read_list(make(400)))
    large = _python_lines(lambda: read_list(make(1_600)))
    # Four times the input, four times the work (the old scans did sixteen times).
    assert large < 5 * small


def test_near_duplicate_search_is_bounded_by_the_list_size() -> None:
    # Titles of the same letters in another order: every cheap test passes, so every candidate
    # pair costs a full comparison; the search stops at its budget and says so.
    words = ["serving", "models", "memory", "kernels", "caching", "batches", "tensors"]
    titles = [" ".join(["Towards", *perm]) for perm in itertools.islice(permutations(words), 3_000)]
    text = "\n".join(["# L", "## S", *(f"- {title}" for title in titles)])
    read = read_list(text)
    assert len(read.document.items) == 3_000
    search = NearSearch()
    find_duplicates(read.document, search)
    assert search.compared == near_budget(3_000)
    assert read.unchecked == (
        "near-duplicate titles: stopped after 8,000 comparisons, "
        "the most a list of this size may cost",
    )


def test_a_title_repeated_is_one_duplicate_with_every_line() -> None:
    text = "\n".join(["# L", "## S", *["- [The same paper, again](https://x.org/a)"] * 4])
    [duplicate] = read_list(text).duplicates
    assert (duplicate.reason, duplicate.lines) == ("same title, 4 times", (3, 4, 5, 6))


# -- markup the old reader lost ---------------------------------------------------------------

REFERENCES = dedent(
    """\
    # L
    ## S
    - [Full reference][vllm] | SOSP' 23
    - [Collapsed reference][]
    - [Shortcut reference]
    - [Titled reference][t]
    - [Undefined reference][nowhere]
    - Footnote[^1]

    [vllm]: https://arxiv.org/abs/2309.06180
    [collapsed REFERENCE]: https://arxiv.org/pdf/2401.00001v2.pdf
    [Shortcut reference]: <https://arxiv.org/abs/2401.00002>
    [t]: https://arxiv.org/abs/2401.00003 "The title attribute"
    [^1]: https://arxiv.org/abs/2401.00009
    """
)


def test_reference_style_links_give_their_arxiv_ids() -> None:
    items = read_list(REFERENCES, "llmsys").document.items
    assert [(i.title, i.arxiv_id) for i in items] == [
        ("Full reference", "2309.06180"),
        ("Collapsed reference", "2401.00001"),
        ("Shortcut reference", "2401.00002"),
        ("Titled reference", "2401.00003"),
        ("Footnote", None),  # a footnote definition is not a link target
    ]
    assert items[0].venue == "SOSP'23"
    # Without a definition, `[a][b]` is two bracket groups, as before: no title, reported.
    assert [(p.line, p.reason) for p in read_list(REFERENCES, "llmsys").problems] == [
        (7, "no title")
    ]


def test_autolinks_give_their_arxiv_ids() -> None:
    text = "# L\n## S\n- Mamba: Linear-Time Sequence Modeling <https://arxiv.org/abs/2312.00752>\n"
    [item] = read_list(text).document.items
    assert (item.title, item.arxiv_id, item.url) == (
        "Mamba: Linear-Time Sequence Modeling",
        "2312.00752",
        None,
    )


def test_character_references_are_decoded_in_titles_and_links() -> None:
    text = dedent(
        """\
        # L &amp; more
        ## Q&amp;A
        - [Q&amp;A at &#x201C;scale&#8221;](https://arxiv.org/abs/2401.00004 "Q&amp;A")
        - [Tables](https://example.org/paper?id=1&amp;format=pdf)
        - [OSDI'24]&nbsp;[Spaced by an entity](https://arxiv.org/abs/2401.00005)
        """
    )
    read = read_list(text, "bracket-venue")
    assert read.document.title == "L & more"
    assert read.document.sections[0].path == ("Q&A",)
    qa, tables, spaced = read.document.items
    assert (qa.title, qa.arxiv_id) == ("Q&A at \u201cscale\u201d", "2401.00004")
    assert tables.url == "https://example.org/paper?id=1&format=pdf"
    assert (spaced.title, spaced.arxiv_id, spaced.venue) == (
        "Spaced by an entity",
        "2401.00005",
        "OSDI'24",
    )


def test_a_link_wrapped_in_bold_is_an_entry() -> None:
    [item] = read_list(
        "# L\n## S\n- **[Bold title](https://arxiv.org/abs/2401.00006)**\n"
    ).document.items
    assert (item.title, item.arxiv_id) == ("Bold title", "2401.00006")


@pytest.mark.parametrize("style", STYLES)
def test_titles_that_look_like_markup_survive_a_round_trip(style: str) -> None:
    titles = ["R&amp;D at &#38; scale", "Thinking with <think> tokens", "See <https://x.org>"]
    items = tuple(ListItem(t, arxiv_id=f"2401.0000{n}") for n, t in enumerate(titles, 1))
    document = ListDocument("L", (DocSection(("S",), items),))
    again = read_list(write_list(document, style), style).document
    assert [i.title for i in again.items] == titles


def test_control_characters_and_a_bom_lose_nothing() -> None:
    text = (
        "\ufeff# My list\n## S\x00ection\n- [A\x00 title\x07](https://arxiv.org/abs/2401.00007)\n"
    )
    read = read_list(text)
    assert read.document.title == "My list"  # the BOM hid the heading before
    assert read.document.sections[0].path == ("Section",)
    assert read.document.items[0].title == "A title"


def test_each_item_keeps_its_source_lines() -> None:
    text = dedent(
        """\
        # L
        ## S
        - [SoCC'23] [tf.data service](https://anakli.inf.ethz.ch/tfdata.pdf)
          - [arxiv version](https://arxiv.org/abs/2210.14826)
        - [RecSys'23] [InTune: Reinforcement Learning-based Data Pipeline
        ](https://arxiv.org/abs/2308.08500v2)
        """
    )
    tfdata, intune = read_list(text).document.items
    assert tfdata.layout is not None and intune.layout is not None
    assert tfdata.layout.source + tfdata.children == tuple(text.splitlines()[2:4])
    assert tfdata.children == ("  - [arxiv version](https://arxiv.org/abs/2210.14826)",)
    assert intune.layout.source == tuple(text.splitlines()[4:6])
    assert (tfdata.line, intune.line) == (3, 5)


def test_values_too_long_to_store_are_kept_as_text() -> None:
    long_venue = "A" * 70 + "'24"
    long_archive = "a" * 30 + "/9901001"
    text = (
        f"# {'T' * 300}\n## S\n- [{long_venue}] [A study](https://arxiv.org/abs/{long_archive})\n"
    )
    read = read_list(text, "bracket-venue")
    [item] = read.document.items
    assert (item.venue, item.note) == (None, long_venue)
    assert item.arxiv_id is None
    assert item.url == f"https://arxiv.org/abs/{long_archive}"
    assert [p.reason.split(":")[0] for p in read.problems] == ["arXiv link without a readable id"]
    assert read.document.title == "T" * 200


# -- the file ---------------------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_naming_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(list_import, "MAX_LIST_BYTES", 2_000_000)
    path = tmp_path / "big.md"
    path.write_bytes(b"- [t](https://x.org)\n" * 100_000)
    with pytest.raises(
        ListImportError, match=r"big.md is 2.1 MB; list import reads files of at most 2 MB"
    ):
        read_list_file(path)


@pytest.mark.parametrize(
    ("limit", "text", "message"),
    [
        (
            "MAX_IMPORT_ENTRIES",
            "# L\n## S\n" + "- [t](https://x.org)\n" * 4,
            "more than 3 entries \\(line 6 is past it\\)",
        ),
        (
            "MAX_IMPORT_SECTIONS",
            "# L\n" + "".join(f"## {n}\n" for n in range(4)),
            "more than 3 sections",
        ),
    ],
)
def test_a_file_over_an_import_limit_is_refused_while_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit: str, text: str, message: str
) -> None:
    monkeypatch.setattr(list_import, limit, 3)
    path = tmp_path / "many.md"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(
        ListImportError, match=f"many.md: the list has {message}; an import takes at most 3"
    ):
        read_list_file(path)


def test_a_line_with_thousands_of_brackets_is_reported_not_read() -> None:
    text = "# L\n## S\n- [Kept](https://x.org)\n- [A](https://x.org/a) " + "[b]" * 2_001 + "\n"
    read = read_list(text)
    assert [i.title for i in read.document.items] == ["Kept"]
    assert [(p.line, p.reason) for p in read.problems] == [
        (4, "more than 2,000 brackets: not read as an entry")
    ]


def test_a_file_over_the_line_limit_is_refused_naming_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(list_import, "MAX_LIST_LINES", 1_000)
    path = tmp_path / "tall.md"
    path.write_text("\n" * 1_000, encoding="utf-8")
    with pytest.raises(
        ListImportError, match=r"tall\.md has 1,001 lines; list import reads files of at most 1,000"
    ):
        read_list_file(path)


def test_a_file_that_is_not_utf8_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.md"
    path.write_bytes("# L\n## S\n- [Caf\u00e9](https://x.org)\n".encode("latin-1"))
    with pytest.raises(ListImportError, match=r"not UTF-8 text: line 3 holds the byte 0xe9"):
        read_list_file(path)


def test_a_file_with_a_bom_keeps_its_first_line(tmp_path: Path) -> None:
    path = tmp_path / "bom.md"
    path.write_bytes(
        "# Titled\n## S\n- [T](https://arxiv.org/abs/2401.00008)\n".encode("utf-8-sig")
    )
    read = read_list_file(path)
    assert (read.document.title, read.document.items[0].arxiv_id) == ("Titled", "2401.00008")
