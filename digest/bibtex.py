"""The shared list as BibTeX: arXiv papers with eprint fields, other entries as @misc links."""

from __future__ import annotations

import re

from digest.arxiv_links import id_full_year
from digest.list_view import ListView, entry_link
from digest.models import ListEntry, Paper
from digest.text import tokens

_SPECIAL = re.compile(r"([&%$#_])")
KEY_WORDS = 4


def _escape(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _year(entry: ListEntry, paper: Paper | None) -> str | None:
    if paper is not None and paper.submitted is not None:
        return str(paper.submitted.year)
    year = id_full_year(entry.paper_id) if entry.paper_id else None
    return str(year) if year is not None else None


def entry_key(entry: ListEntry) -> str:
    """A key that stays the same across exports: the arXiv id, or the title's first words."""
    if entry.paper_id:
        return "arxiv:" + entry.paper_id.replace("/", "_")
    return "list:" + "-".join(tokens(entry.title)[:KEY_WORDS])


def _record(entry: ListEntry, paper: Paper | None, key: str) -> str:
    fields: list[tuple[str, str | None]] = [
        ("title", "{" + _escape(entry.title) + "}"),
        ("author", " and ".join(paper.author_names) if paper and paper.authors else None),
        ("year", _year(entry, paper)),
    ]
    if entry.paper_id:
        fields += [
            ("eprint", entry.paper_id),
            ("archivePrefix", "arXiv"),
            ("primaryClass", paper.primary_category if paper else None),
        ]
    fields += [
        ("doi", paper.doi if paper else None),
        ("url", entry_link(entry)),
        ("note", _escape(entry.venue) if entry.venue else None),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    return f"@misc{{{key},\n{body}\n}}"


def export_bibtex(view: ListView) -> str:
    """Every live entry once, in list order; the keys do not change when the list grows."""
    records: list[str] = []
    used: set[str] = set()
    seen_papers: set[str] = set()
    for entry in view.entries:
        if entry.paper_id:
            if entry.paper_id in seen_papers:
                continue
            seen_papers.add(entry.paper_id)
        key = base = entry_key(entry)
        if key in used:
            key = f"{base}-{entry.id}"
        used.add(key)
        records.append(_record(entry, view.papers.get(entry.paper_id or ""), key))
    return "\n\n".join(records) + ("\n" if records else "")
