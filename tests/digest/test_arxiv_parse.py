"""The Atom parser on every recorded API response in ../shared/data/arxiv-api, and own fixtures."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from digest.arxiv import ArxivErrorFeed, FeedError, parse_feed, split_id, window_query
from digest.models import Author
from tests.digest.atom import Entry, feed_xml

ERROR_FEEDS = {"id_abc_s0_m100_b79c8dcf6bc3.xml", "error_incorrect_id_format_1234.12345.xml"}


def recorded(shared: Path, name: str) -> bytes:
    """One recorded response, found in any of the arxiv-api folders."""
    (path,) = (shared / "arxiv-api").glob(f"*/{name}")
    return path.read_bytes()


def test_every_recorded_response_parses_or_is_an_error_feed(shared: Path) -> None:
    files = sorted((shared / "arxiv-api").glob("*/*.xml"))
    assert len(files) >= 26
    for path in files:
        if path.name in ERROR_FEEDS:
            with pytest.raises(ArxivErrorFeed):
                parse_feed(path.read_bytes())
            continue
        page = parse_feed(path.read_bytes())
        assert page.total >= len(page.papers), path.name
        for paper in page.papers:
            assert "v" not in paper.arxiv_id.rsplit("/", 1)[-1], path.name
            assert paper.version >= 1
            assert paper.title and paper.title == " ".join(paper.title.split())
            assert paper.abstract == " ".join(paper.abstract.split())
            assert paper.categories and paper.authors
            assert paper.submitted is not None and paper.submitted.tzinfo is not None
            assert paper.updated is not None and paper.updated >= paper.submitted
            assert paper.announced is not None and paper.announced.weekday() < 5


def test_paging_responses_count_and_position(shared: Path) -> None:
    page = parse_feed(recorded(shared, "q_testing_s10_m10_34e56e15aaac.xml"))
    assert (page.total, page.start, page.per_page, len(page.papers)) == (214881, 10, 10, 10)
    first = parse_feed(recorded(shared, "q_testing_s0_m10_bc5a6c384fe9.xml")).papers[0]
    assert first.arxiv_id == "2202.12139"
    assert first.categories == ("cs.SE", "cs.LG")
    assert first.doi == "10.1109/ICSTW55395.2022.00035"
    assert first.journal_ref is not None and first.journal_ref.startswith("Artificial Intel")
    assert first.comment == "Artificial Intelligence in Software Testing 2022 workshop @ ICST 2022"
    assert "https://arxiv.org/pdf/2202.12139v1" in first.links


def test_empty_feed(shared: Path) -> None:
    page = parse_feed(recorded(shared, "id_0000.0000_s0_m100_8b51d9633a68.xml"))
    assert (page.total, page.papers) == (0, [])


def test_http_400_error_feed_says_what_is_wrong(shared: Path) -> None:
    with pytest.raises(ArxivErrorFeed, match="incorrect id format for abc"):
        parse_feed(recorded(shared, "id_abc_s0_m100_b79c8dcf6bc3.xml"))
    with pytest.raises(ArxivErrorFeed, match=r"incorrect id format for 1234\.12345"):
        parse_feed(recorded(shared, "error_incorrect_id_format_1234.12345.xml"))


def test_id_list_with_one_id_missing_returns_the_other(shared: Path) -> None:
    page = parse_feed(recorded(shared, "id_0808.05394_1707.08567_s0_m100_42e5aa0ec3af.xml"))
    assert [p.arxiv_id for p in page.papers] == ["1707.08567"]
    missing = parse_feed(recorded(shared, "id_0808.05394_s0_m100_7b0c7d0a7cdd.xml"))
    assert missing.papers == []


def test_old_style_ids_with_affiliations_and_journal_ref(shared: Path) -> None:
    (paper,) = parse_feed(recorded(shared, "id_astro-ph_0601001_s0_m100_3150dca9dc76.xml")).papers
    assert (paper.arxiv_id, paper.version) == ("astro-ph/0601001", 1)
    assert paper.categories == ("astro-ph",)
    assert paper.authors[0] == Author("Andrew Gould", ("Ohio State",))
    assert paper.authors[3] == Author("Andrzej Udalski", ("Warsaw University Observatory",))
    assert paper.journal_ref == "ActaAstron.56:1-50,2006"
    (quant,) = parse_feed(recorded(shared, "id_quant-ph_0201082v1_s0_m100_86989fe779ef.xml")).papers
    assert (quant.arxiv_id, quant.version) == ("quant-ph/0201082", 1)


def test_the_paper_titled_zero_keeps_its_title(shared: Path) -> None:
    (paper,) = parse_feed(recorded(shared, "id_2104.12255v1_s0_m100_6ae69987ffe1.xml")).papers
    assert paper.title == "0"
    assert paper.code_url is None


def test_multi_version_entries_keep_version_and_first_announcement(shared: Path) -> None:
    papers = parse_feed(recorded(shared, "q_testing_s0_m100_cfe7536492ca.xml")).papers
    nine = next(p for p in papers if p.arxiv_id == "2409.05654")
    assert nine.version == 9
    assert nine.submitted == datetime(2024, 9, 9, 14, 21, 19, tzinfo=UTC)
    assert nine.updated == datetime(2025, 5, 8, 20, 52, 40, tzinfo=UTC)
    # Submitted Monday 10:21 New York time: Monday evening's mailing, listed Tuesday.
    assert nine.announced == date(2024, 9, 10)
    assert {p.version for p in papers} >= {1, 2, 3}


def test_legacy_2016_format(shared: Path) -> None:
    (paper,) = parse_feed(recorded(shared, "id_list_1111.2011v2.xml")).papers
    assert (paper.arxiv_id, paper.version) == ("1111.2011", 2)
    assert paper.title == (
        "Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit"
    )
    page = parse_feed(recorded(shared, "q_au_del_maestro.xml"))
    assert (page.total, len(page.papers)) == (31, 10)
    with_doi = [p for p in page.papers if p.doi]
    assert with_doi and all(p.doi and p.doi.startswith("10.") for p in with_doi)


def test_manual_example_without_version_in_id(shared: Path) -> None:
    page = parse_feed(recorded(shared, "typical_response_all_electron_max1.xml"))
    (paper,) = page.papers
    assert (paper.arxiv_id, paper.version, page.total) == ("hep-ex/0307015", 1, 1000)
    assert (
        paper.title
        == "Multi-Electron Production at High Transverse Momenta in ep Collisions at HERA"
    )
    assert paper.journal_ref == "Eur.Phys.J. C31 (2003) 17-29"


def test_own_fixture_primary_first_then_cross_lists_and_venue() -> None:
    entry = Entry(
        "2606.01234",
        version=3,
        title="  Serving   LLMs\n  fast ",
        summary="We release code at https://github.com/org/serve-fast.",
        primary="cs.DC",
        categories=("cs.LG", "cs.DC", "cs.OS"),
        authors=(("Ion Stoica", ("UC Berkeley", "Anyscale")), ("Ada Lovelace", ())),
        comment="Accepted at OSDI 2026",
        doi="10.1145/1234",
    )
    (paper,) = parse_feed(feed_xml([entry])).papers
    assert (paper.arxiv_id, paper.version) == ("2606.01234", 3)
    assert paper.title == "Serving LLMs fast"
    assert paper.categories == ("cs.DC", "cs.LG", "cs.OS")
    assert paper.authors[0].affiliations == ("UC Berkeley", "Anyscale")
    assert paper.venue == "OSDI'26"
    assert paper.code_url == "https://github.com/org/serve-fast"
    assert paper.doi == "10.1145/1234"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (
            b"<feed xmlns='http://www.w3.org/2005/Atom'><entry><id>http://arxiv.org/abs/2606",
            "malformed",
        ),
        (b"<html><body>Service Unavailable</body></html>", "not an Atom feed"),
        (b"", "malformed"),
        (
            feed_xml([Entry("2606.00001")]).replace(b"<title>A paper</title>", b""),
            "has no title",
        ),
        (
            feed_xml([], total=0).replace(
                b">0</opensearch:totalResults", b">many</opensearch:totalResults"
            ),
            "not a number",
        ),
        (
            feed_xml([Entry("2606.00001")]).replace(b"2026-06-19T15:00:00Z", b"yesterday"),
            "bad timestamp",
        ),
    ],
)
def test_broken_feeds_raise_feed_error(body: bytes, reason: str) -> None:
    with pytest.raises(FeedError, match=reason):
        parse_feed(body)


def test_split_id_forms() -> None:
    assert split_id("https://arxiv.org/abs/2606.01234v7") == ("2606.01234", 7)
    assert split_id("arxiv.org/pdf/math.GT/0309136") == ("math.GT/0309136", 1)
    assert split_id("0704.0001") == ("0704.0001", 1)
    # An old-style id typed in lower case is spelled as arXiv does, not cut to `gt/0309136`.
    assert split_id("math.gt/0309136v2") == ("math.GT/0309136", 2)
    assert split_id("arXiv:HEP-TH/9901001") == ("hep-th/9901001", 1)
    with pytest.raises(FeedError):
        split_id("not an id")
    # A longer number holds no id: no silent `2406.12345` out of a typo.
    for typo in ("12406.12345", "2406.123456"):
        with pytest.raises(FeedError):
            split_id(typo)


def test_window_query_ends_a_minute_before_the_deadline() -> None:
    query = window_query(
        ["cs.DC", "cs.LG"],
        datetime(2026, 6, 19, 18, 0, tzinfo=UTC),
        datetime(2026, 6, 22, 18, 0, tzinfo=UTC),
    )
    assert query == "(cat:cs.DC OR cat:cs.LG) AND lastUpdatedDate:[202606191800 TO 202606221759]"
