"""`paperbot topic check RULE`, end to end on a SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.__main__ import main

PAPERS = [
    {
        "id": "2606.00001",
        "daily_file_date": "2026-06-23",
        "categories": ["cs.DC", "cs.LG"],
        "authors": ["Ion Stoica", "Ada Lovelace"],
        "title": "Paged KV Cache Serving for Mixture-of-Experts Models",
        "comment": "OSDI 2026",
        "summary": "We serve MoE models.",
    },
    {
        "id": "2606.00002",
        "daily_file_date": "2026-06-24",
        "categories": ["cs.CV"],
        "authors": ["Someone Else"],
        "title": "The Moelle Dataset",
        "comment": None,
        "summary": "Images.",
    },
]


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A SQLite file holding two papers."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PAPERBOT_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'p.db'}")
    dump = tmp_path / "papers.jsonl"
    dump.write_text("".join(json.dumps(p) + "\n" for p in PAPERS))
    assert main(["ingest", "--from-file", str(dump)]) == 0
    return tmp_path


def test_check_prints_the_rule_api_query_and_matches(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["topic", "check", "MoE AND cat:cs.DC", "--until", "2026-06-28"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "understood as: all:moe AND cat:cs.DC"
    assert out[1] == "arXiv API query: all:moe AND cat:cs.DC"
    assert out[2] == "matches 1 of 2 papers in the 4 weeks to 2026-06-28"
    assert out[3] == "  e.g. Paged KV Cache Serving for Mixture-of-Experts Models"


def test_check_says_when_the_api_cannot_search_a_rule(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["topic", "check", "venue:OSDI", "--until", "2026-06-28"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].startswith("arXiv API query: none (the arXiv API cannot search this rule")
    assert out[2] == "matches 1 of 2 papers in the 4 weeks to 2026-06-28"


def test_check_shows_the_error_under_its_position(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["topic", "check", "ti:llm AND cat:cs.XX"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "ti:llm AND cat:cs.XX"
    assert err[1] == " " * 15 + "^"
    assert err[2].startswith("error: unknown arXiv category 'cs.XX'; did you mean")


def test_check_says_when_no_papers_are_stored_for_the_weeks(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["topic", "check", "moe", "--until", "2020-01-01", "--weeks", "2"]) == 0
    out = capsys.readouterr().out
    assert "matches 0 of 0 papers in the 2 weeks to 2020-01-01" in out
    assert "run `paperbot ingest`" in out
