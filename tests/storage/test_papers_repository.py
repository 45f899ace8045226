"""Papers and harvest watermarks, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

from digest.models import Author, Paper
from storage.paper_rows import strings_json
from storage.store import SqlStore
from tests.factories import make_paper


async def test_upsert_inserts_then_keeps_newest_version(store: SqlStore) -> None:
    async with store.unit() as unit:
        first = await unit.papers.upsert_many([make_paper(version=2)])
    assert (first.inserted, first.updated, first.unchanged) == (1, 0, 0)

    async with store.unit() as unit:
        older = await unit.papers.upsert_many([make_paper(version=1, title="Old title")])
        newer = await unit.papers.upsert_many([make_paper(version=3, title="New title")])
    assert (older.inserted, older.updated, older.unchanged) == (0, 0, 1)
    assert (newer.updated, newer.written_ids) == (1, ("2606.00001",))

    async with store.unit() as unit:
        paper = await unit.papers.get("2606.00001")
        assert await unit.papers.count() == 1
    assert paper is not None
    assert (paper.version, paper.title) == (3, "New title")


async def test_duplicates_in_one_batch_keep_the_newest(store: SqlStore) -> None:
    batch = [make_paper(version=1), make_paper(version=4, title="v4"), make_paper(version=2)]
    async with store.unit() as unit:
        result = await unit.papers.upsert_many(batch)
        paper = await unit.papers.get("2606.00001")
    assert result.inserted == 1
    assert paper is not None and paper.title == "v4"


async def test_papers_round_trip_every_field_with_aware_datetimes(store: SqlStore) -> None:
    original = make_paper(comment="Accepted at OSDI 2026", venue="OSDI'26")
    async with store.unit() as unit:
        await unit.papers.upsert_many([original])
    async with store.unit() as unit:
        loaded = await unit.papers.get(original.arxiv_id)
    assert loaded == original
    assert loaded.submitted is not None and loaded.submitted.tzinfo is not None
    assert loaded.submitted.utcoffset() == timedelta(0)


async def test_announced_between_is_inclusive_and_ordered(store: SqlStore) -> None:
    papers = [
        make_paper("2606.00003", announced=date(2026, 6, 24)),
        make_paper("2606.00001", announced=date(2026, 6, 22)),
        make_paper("2606.00002", announced=date(2026, 6, 29)),
    ]
    async with store.unit() as unit:
        await unit.papers.upsert_many(papers)
        found = await unit.papers.announced_between(date(2026, 6, 22), date(2026, 6, 24))
    assert [p.arxiv_id for p in found] == ["2606.00001", "2606.00003"]


async def test_many_papers_cross_batch_boundaries(store: SqlStore) -> None:
    papers = [make_paper(f"2606.{i:05d}") for i in range(1, 1203)]
    async with store.unit() as unit:
        result = await unit.papers.upsert_many(papers)
        got = await unit.papers.get_many(p.arxiv_id for p in papers)
    assert result.inserted == 1202
    assert len(got) == 1202


async def test_harvest_watermark_is_stored_in_utc(store: SqlStore) -> None:
    berlin = timezone(timedelta(hours=2))
    mark = datetime(2026, 6, 29, 2, 0, tzinfo=berlin)
    async with store.unit() as unit:
        assert await unit.harvest.get_watermark("cs.DC") is None
        await unit.harvest.set_watermark("cs.DC", mark)
    async with store.unit() as unit:
        got = await unit.harvest.get_watermark("cs.DC")
    assert got == mark
    assert got is not None and got.tzinfo == UTC


async def test_upsert_counts_a_mixed_batch(store: SqlStore) -> None:
    async with store.unit() as unit:
        await unit.papers.upsert_many(
            [make_paper("2606.00001", version=2), make_paper("2606.00002")]
        )
    batch = [
        make_paper("2606.00001", version=1),  # older: unchanged
        make_paper("2606.00002", version=3, title="v3"),  # newer: updated
        make_paper("2606.00003"),  # new: inserted
        make_paper("2606.00003"),  # the same again in the batch: unchanged
    ]
    async with store.unit() as unit:
        result = await unit.papers.upsert_many(batch)
        paper = await unit.papers.get("2606.00002")
    assert (result.inserted, result.updated, result.unchanged) == (1, 1, 2)
    assert sorted(result.written_ids) == ["2606.00002", "2606.00003"]
    assert paper is not None and (paper.version, paper.title) == (3, "v3")


async def test_count_updated_between_by_category(store: SqlStore) -> None:
    base = datetime(2026, 6, 19, 17, 0, tzinfo=UTC)  # make_paper's updated time
    papers = [
        make_paper("2606.00001", categories=("cs.DC", "cs.LG")),
        make_paper("2606.00002", categories=("cs.LG",)),
        make_paper("2606.00003", categories=("stat.ML",)),
    ]
    async with store.unit() as unit:
        await unit.papers.upsert_many(papers)
        window = (base - timedelta(hours=1), base + timedelta(hours=1))
        assert await unit.papers.count_updated_between("cs.LG", *window) == 2
        assert await unit.papers.count_updated_between("cs.DC", *window) == 1
        assert await unit.papers.count_updated_between("cs.*", *window) == 2
        # a paper in several of the categories asked for counts once
        assert await unit.papers.count_updated_between(("cs.DC", "cs.LG"), *window) == 2
        assert await unit.papers.count_updated_between(("cs.DC", "stat.*"), *window) == 2
        assert (
            await unit.papers.count_updated_between(
                "cs.LG", base + timedelta(hours=1), base + timedelta(hours=2)
            )
            == 0
        )
        # The end is exclusive.
        assert (
            await unit.papers.count_updated_between("cs.LG", base - timedelta(hours=1), base) == 0
        )


async def test_all_watermarks(store: SqlStore) -> None:
    mark = datetime(2026, 6, 22, 18, 0, tzinfo=UTC)
    async with store.unit() as unit:
        await unit.harvest.set_watermark("cs.LG", mark)
        await unit.harvest.set_watermark("cs.DC", mark - timedelta(days=1))
    async with store.unit() as unit:
        assert await unit.harvest.all() == {"cs.DC": mark - timedelta(days=1), "cs.LG": mark}


async def test_rows_written_in_bulk_read_back_whole(store: SqlStore) -> None:
    # Bulk rows skip SQLAlchemy's per-value conversions: every kind of value must still come
    # back as the ORM would have stored it (affiliations, links, no dates, a non-UTC time).
    tokyo = timezone(timedelta(hours=9))
    full = replace(
        make_paper("2606.00007", comment="Accepted at OSDI 2026", venue="OSDI'26"),
        authors=(Author("Ada Lovelace", ("Analytical Engine Co",)), Author("Ion Stoica")),
        doi="10.1145/1234567.8901234",
        links=("https://github.com/example/repo",),
        code_url="https://github.com/example/repo",
        submitted=datetime(2026, 6, 20, 9, 30, 15, 123456, tzinfo=tokyo),
    )
    bare = replace(make_paper("2606.00008", announced=None), submitted=None, updated=None)
    async with store.unit() as unit:
        result = await unit.papers.upsert_many([full, bare])
    async with store.unit() as unit:
        loaded = await unit.papers.get_many(["2606.00007", "2606.00008"])
        window = await unit.papers.announced_between(date(2026, 6, 23), date(2026, 6, 23))
    assert result.inserted == 2
    assert loaded == {"2606.00007": full, "2606.00008": bare}
    assert [p.arxiv_id for p in window] == ["2606.00007"]


async def test_a_stub_is_replaced_and_a_reload_writes_nothing(store: SqlStore) -> None:
    stub = replace(make_paper("2606.00009", title="From a list"), version=0)
    async with store.unit() as unit:
        await unit.papers.upsert_many([stub])
    record = make_paper("2606.00009", version=1)
    async with store.unit() as unit:
        first = await unit.papers.upsert_many([record, make_paper("2606.00010")])
    async with store.unit() as unit:
        again = await unit.papers.upsert_many([record, make_paper("2606.00010")])
        paper = await unit.papers.get("2606.00009")
    assert (first.inserted, first.updated, first.unchanged) == (1, 1, 0)
    assert (again.inserted, again.updated, again.unchanged, again.written_ids) == (0, 0, 2, ())
    assert paper == record


def test_string_lists_are_written_as_json_writes_them() -> None:
    for items in ([], ["cs.DC"], ["Zoë Müller", 'a "quoted"\\ name', "tab\there", "😀"]):
        assert strings_json(items) == json.dumps(items)


async def test_matchable_papers_carry_what_rules_are_matched_on(store: SqlStore) -> None:
    full = replace(
        make_paper("2606.00011", comment="Accepted at OSDI 2026", venue="OSDI'26"),
        authors=(Author("Ada Lovelace", ("Analytical Engine Co",)),),
        journal_ref="Proc. OSDI 2026",
        code_url="https://github.com/example/repo",
        doi="10.1145/1",
    )
    async with store.unit() as unit:
        await unit.papers.upsert_many([full, make_paper("2606.00012", announced=date(2026, 6, 24))])
        found = await unit.papers.matchable_between(date(2026, 6, 23), date(2026, 6, 23))
    # what a rule reads is all there; dates, version, DOI and links are not read from the rows
    assert found == [
        Paper(
            arxiv_id=full.arxiv_id,
            title=full.title,
            abstract=full.abstract,
            authors=full.authors,
            categories=full.categories,
            comment=full.comment,
            journal_ref=full.journal_ref,
            venue=full.venue,
            code_url=full.code_url,
        )
    ]
