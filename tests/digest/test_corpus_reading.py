"""Loading a dump with bad records: each refused with its line and reason, the rest stored.

On SQLite and PostgreSQL (PostgreSQL refuses a NUL byte in any text, so one such record used to
roll back the whole batch of up to 5,000 papers).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from digest.ingest import CorpusError, CorpusReading, read_corpus, store_papers
from storage.store import SqlStore

GOOD = {
    "id": "2606.00001",
    "daily_file_date": "2026-06-22",
    "categories": ["cs.DC", "cs.LG"],
    "authors": ["Ada Lovelace", "Alan Turing"],
    "title": "Serving at scale",
    "comment": "Accepted at OSDI 2026",
    "summary": "Code: https://github.com/a/b",
}


def _line(number: int, **changes: object) -> str:
    return json.dumps({**GOOD, "id": f"2606.{number:05d}", **changes})


# (line as written, the reason it is refused, or None when it is stored)
LINES: list[tuple[str, str | None]] = [
    ("\ufeff" + _line(1), None),  # a BOM before the first record
    (_line(2, title={"text": "Nested"}), "title must be a string, not an object"),
    (_line(3, id="2606.00003v99999999999"), "version 99999999999 is not a real arXiv version"),
    (_line(4, title="NUL\x00 in the title", summary="and\x00 abstract", authors=["A\x00da"]), None),
    (_line(5, categories="cs.LG"), "categories must be a list, not the string 'cs.LG'"),
    (_line(6, authors="Ada Lovelace"), "authors must be a list, not the string 'Ada Lovelace'"),
    ('{"id": 2606.10000, "title": "A float id"}', "id is the number 2606.1, not a string"),
    (_line(8, comment="Accepted at OSDI\x00 2026\x07\x1b"), None),
    ("not json at all", "not JSON: Expecting value at column 1"),
    ("[1, 2]", "the line must be a JSON object, not a list"),
    (_line(11, categories=["x" * 41, "cs.LG"]), "the primary category 'xxxx"),
    (_line(12, daily_file_date="2026-13-01"), "daily_file_date '2026-13-01' is not a date"),
    (_line(13, title="A lone surrogate \ud800 here"), None),
    ('{"title": "No id"}', "id is missing"),
    (_line(15, id=2606), "id must be a string, not the number 2606"),
    (_line(16, title=""), "no title"),
    (_line(17, authors=["Ada", {"name": "Alan"}]), "authors[1] must be a string, not an object"),
    ("", None),  # blank lines are skipped, not refused
]


def _write(path: Path, lines: list[str], compress: bool = False) -> Path:
    data = "\n".join(lines).encode("utf-8", "surrogatepass")
    if compress:
        data = gzip.compress(data)
    path.write_bytes(data)
    return path


async def test_bad_records_are_refused_by_line_and_the_rest_stored(
    store: SqlStore, tmp_path: Path
) -> None:
    dump = _write(tmp_path / "dump.jsonl", [line for line, _ in LINES])
    dump.write_bytes(dump.read_bytes() + b'\n{"id": "2606.00019", "title": "caf\xe9"}')
    reading = CorpusReading()
    report = await store_papers(store, read_corpus(dump, reading))
    expected = [(n, why) for n, (_, why) in enumerate(LINES, 1) if why is not None]
    assert [
        (r.line, r.reason[: len(why)])
        for r, (_, why) in zip(reading.refused, expected, strict=False)
    ] == expected
    assert reading.refused[-1].line == len(LINES) + 1
    assert reading.refused[-1].reason.startswith("not UTF-8: the byte 0xe9")
    assert len(reading.refused) == len(expected) + 1
    assert (report.stored.inserted, reading.papers, reading.ended_early) == (4, 4, None)
    async with store.unit() as unit:
        papers = await unit.papers.get_many(f"2606.{n:05d}" for n in (1, 4, 8, 13))
    first, nul, control, surrogate = (papers[f"2606.{n:05d}"] for n in (1, 4, 8, 13))
    assert (first.title, first.categories, first.author_names) == (
        "Serving at scale",
        ("cs.DC", "cs.LG"),
        ("Ada Lovelace", "Alan Turing"),
    )
    assert (nul.title, nul.abstract, nul.author_names) == (
        "NUL in the title",
        "and abstract",
        ("Ada",),
    )
    assert (control.comment, control.venue) == ("Accepted at OSDI 2026", "OSDI'26")
    assert surrogate.title == "A lone surrogate here"


async def test_a_truncated_gzip_keeps_what_was_read_and_says_so(
    store: SqlStore, tmp_path: Path
) -> None:
    whole = gzip.compress("\n".join(_line(n) for n in range(1, 2_001)).encode())
    dump = tmp_path / "cut.jsonl.gz"
    dump.write_bytes(whole[: len(whole) * 3 // 4])
    reading = CorpusReading()
    report = await store_papers(store, read_corpus(dump, reading))
    assert reading.ended_early is not None
    assert reading.ended_early.startswith(f"{dump} ends early after line {reading.lines:,} (")
    assert reading.ended_early.endswith("the papers before it are kept")
    assert 1_000 < report.stored.inserted == reading.papers <= reading.lines < 2_000
    async with store.unit() as unit:
        assert await unit.papers.count() == report.stored.inserted


def test_a_file_that_is_not_gzip_at_all_is_one_error(tmp_path: Path) -> None:
    dump = tmp_path / "plain.jsonl.gz"
    dump.write_text(_line(1), encoding="utf-8")
    with pytest.raises(CorpusError, match="cannot read it as JSON lines"):
        list(read_corpus(dump))
