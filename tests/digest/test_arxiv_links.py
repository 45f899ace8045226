"""arXiv ids in the links hand-kept lists use."""

from __future__ import annotations

import pytest

from digest.arxiv_links import (
    arxiv_id_from_text,
    arxiv_id_from_url,
    id_full_year,
    id_year,
    is_arxiv_host,
)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://arxiv.org/abs/2309.08125", "2309.08125"),
        ("https://arxiv.org/abs/2312.06902v1", "2312.06902"),
        ("https://arxiv.org/pdf/1909.08053.pdf", "1909.08053"),
        ("https://arxiv.org/pdf/2309.10285v1.pdf", "2309.10285"),
        ("https://arxiv.org/pdf/2407.04656", "2407.04656"),
        ("https://arxiv.org/html/2406.12345v3", "2406.12345"),
        ("http://arxiv.org/abs/1706.03762", "1706.03762"),
        ("https://www.arxiv.org/abs/2401.09670/", "2401.09670"),
        ("https://export.arxiv.org/abs/0704.0001", "0704.0001"),
        ("https://arxiv.org/pdf/2104.10350.pdf?fbclid=IwAR2o0", "2104.10350"),
        ("https://arxiv.org/abs/2312.04429#:~:text=In%20this", "2312.04429"),
        ("https://arxiv.org/abs/hep-th/9901001", "hep-th/9901001"),
        ("https://arxiv.org/abs/hep-th/9901001v2", "hep-th/9901001"),
        ("https://arxiv.org/pdf/astro-ph/0601001v1.pdf", "astro-ph/0601001"),
        ("https://arxiv.org/abs/math.gt/0309136", "math.GT/0309136"),
        ("https://openreview.net/pdf?id=uLpyWQPyF9", None),
        ("https://github.com/arxiv/abs/2401.09670", None),
        ("https://arxiv.org/list/cs.DC/recent", None),
    ],
)
def test_ids_are_read_from_every_link_form(url: str, expected: str | None) -> None:
    assert arxiv_id_from_url(url) == expected


def test_typed_ids_and_hosts() -> None:
    assert arxiv_id_from_text("arXiv:2406.12345v2") == "2406.12345"
    assert arxiv_id_from_text("hep-th/9901001") == "hep-th/9901001"
    assert arxiv_id_from_text("not an id") is None
    assert is_arxiv_host("https://arxiv.org/list/cs.DC/recent")
    assert not is_arxiv_host("https://example.org/arxiv.org/abs/1")
    assert (id_year("2406.12345"), id_year("hep-th/9901001")) == (24, 99)
    years = [id_full_year(i) for i in ("2406.12345", "hep-th/9901001", "0704.0001", "math/9108001")]
    assert years == [2024, 1999, 2007, 1991]
