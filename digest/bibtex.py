"""The shared list as BibTeX: arXiv papers with eprint fields, other entries as @misc links.

Every text field is plain text, written so that BibTeX and LaTeX print it as it reads: each of
TeX's special characters becomes the command that prints it (`&` is `\\&`, `{` is
`\\textbraceleft{}`, `^` is `\\textasciicircum{}`), so no title can end a field early, unbalance
its braces or stop LaTeX. Titles come from hand-kept lists and from arXiv, and neither is valid
TeX by construction; arXiv's math (`$O(n^2)$`) is therefore printed as typed, not typeset.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from digest.arxiv_links import id_full_year
from digest.list_view import ListView, entry_link
from digest.models import ListEntry, Paper
from digest.text import tokens

KEY_WORDS = 4
# Each character TeX gives a meaning, as the text command that prints it.
_TEX = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "$": r"\$",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
}
_TEX_SPECIAL = re.compile("[" + re.escape("".join(_TEX)) + "]")
# In an address, what would unbalance a field or end it: percent-encoded as a browser would.
_URL_UNSAFE = re.compile(r"[{}\\\s\"]")
_KEY_WORD = re.compile(r"[a-z0-9]+")
_AND = re.compile(r"\band\b|,", re.IGNORECASE)


def tex_text(text: str) -> str:
    """Plain text as LaTeX that prints it: specials escaped, white space on one line."""
    return _TEX_SPECIAL.sub(lambda m: _TEX[m.group()], " ".join(text.split()))


def _address(url: str) -> str:
    return _URL_UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), url)


def _author(name: str) -> str:
    # BibTeX splits names at " and " and reads "Last, First": a name holding either is one unit.
    text = tex_text(name)
    return "{" + text + "}" if _AND.search(name) else text


def _year(entry: ListEntry, paper: Paper | None) -> str | None:
    if paper is not None and paper.submitted is not None:
        return str(paper.submitted.year)
    year = id_full_year(entry.paper_id) if entry.paper_id else None
    return str(year) if year is not None else None


def entry_key(entry: ListEntry) -> str:
    """A key that stays the same across exports: the arXiv id, or the title's first words."""
    if entry.paper_id:
        return "arxiv:" + entry.paper_id.replace("/", "_")
    # ASCII words only: BibTeX's keys are bytes, and a key must hold none of `,{}()=#%"`.
    words = [w for token in tokens(entry.title) for w in _KEY_WORD.findall(token)]
    return "list:" + ("-".join(words[:KEY_WORDS]) or f"entry-{entry.id}")


def _record(entry: ListEntry, paper: Paper | None, key: str) -> str:
    url = entry_link(entry)
    fields: list[tuple[str, str | None]] = [
        ("title", "{" + tex_text(entry.title) + "}"),
        ("author", " and ".join(_author(a) for a in paper.author_names) if paper else None),
        ("year", _year(entry, paper)),
    ]
    if entry.paper_id:
        fields += [
            ("eprint", entry.paper_id),
            ("archivePrefix", "arXiv"),
            ("primaryClass", tex_text(paper.primary_category or "") if paper else None),
        ]
    fields += [
        ("doi", _address(paper.doi) if paper and paper.doi else None),
        ("url", _address(url) if url else None),
        ("note", tex_text(entry.venue) if entry.venue else None),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    return f"@misc{{{key},\n{body}\n}}"


@dataclass(frozen=True, slots=True)
class BibTeX:
    """An export: its text, how many records it holds, and how many entries share a record."""

    text: str
    records: int
    shared: int  # entries whose paper an earlier entry already wrote (one record a paper)


def bibtex_document(view: ListView) -> BibTeX:
    """Every live paper once, in list order; the keys do not change when the list grows."""
    records: list[str] = []
    used: set[str] = set()
    seen_papers: set[str] = set()
    shared = 0
    for entry in view.entries:
        if entry.paper_id:
            if entry.paper_id in seen_papers:
                shared += 1
                continue
            seen_papers.add(entry.paper_id)
        key = base = entry_key(entry)
        if key in used:
            key = f"{base}-{entry.id}"
        used.add(key)
        records.append(_record(entry, view.papers.get(entry.paper_id or ""), key))
    text = "\n\n".join(records) + ("\n" if records else "")
    return BibTeX(text, len(records), shared)


def export_bibtex(view: ListView) -> str:
    """The list as a BibTeX file (see bibtex_document)."""
    return bibtex_document(view).text
