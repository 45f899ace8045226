"""arXiv's category table: ids, archives, aliases and suggestions."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from digest import taxonomy

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("value", "spelled", "key"),
    [
        ("cs.DC", "cs.DC", "c:cs.DC"),
        ("CS.dc", "cs.DC", "c:cs.DC"),
        ("cs.SY", "cs.SY", "c:eess.SY"),
        ("eess.SY", "eess.SY", "c:eess.SY"),
        ("math.IT", "math.IT", "c:cs.IT"),
        ("cmp-lg", "cmp-lg", "c:cs.CL"),
        ("cs", "cs", "a:cs"),
        ("cs.*", "cs", "a:cs"),
        ("quant-ph", "quant-ph", "a:quant-ph"),
    ],
)
def test_resolve(value: str, spelled: str, key: str) -> None:
    found = taxonomy.resolve(value)
    assert (found.id, found.key) == (spelled, key)


@pytest.mark.parametrize(
    ("value", "suggestion"),
    [("cs.LGG", "cs.LG"), ("cd.DC", "cs.DC"), ("Machine Learning", "cs.LG"), ("xyzzy", None)],
)
def test_unknown_categories_come_with_the_closest_one(value: str, suggestion: str | None) -> None:
    with pytest.raises(taxonomy.UnknownCategory) as caught:
        taxonomy.resolve(value)
    assert caught.value.suggestion == suggestion


def test_a_paper_in_an_alias_is_found_under_both_names_and_archives() -> None:
    assert taxonomy.paper_keys("cs.SY") == taxonomy.paper_keys("eess.SY")
    assert {"c:eess.SY", "a:cs", "a:eess"} <= taxonomy.paper_keys("cs.SY")
    assert taxonomy.paper_keys("68T05") == frozenset({"c:68T05"})  # an ACM/MSC code, not arXiv's


def test_the_table_is_what_the_tool_derives(shared: Path) -> None:
    source = shared / "taxonomy" / "arxiv_taxonomy.json"
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        from make_category_table import derive
    finally:
        sys.path.pop(0)
    committed = json.loads((ROOT / "digest" / "data" / "arxiv_categories.json").read_text())
    assert derive(json.loads(source.read_text())) == committed
    assert len(committed["categories"]) > 150
    assert "cs.DC" in committed["categories"]


def test_the_tool_says_when_the_taxonomy_is_absent(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "make_category_table.py"), str(tmp_path / "no")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "is absent" in result.stderr
