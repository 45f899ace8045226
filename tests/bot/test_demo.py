"""`paperbot demo` runs the whole loop offline and shows a real digest and a Markdown list."""

from __future__ import annotations

import io
import json
import re
from importlib.resources import files

import pytest

from bot.__main__ import main
from bot.demo.script import SAMPLE, run_demo


def _sample() -> dict[str, str]:
    text = files("bot.demo").joinpath(SAMPLE).read_text(encoding="utf-8")
    rows = [json.loads(line) for line in text.splitlines() if line]
    return {row["id"]: row["title"] for row in rows}


def _sample_titles() -> set[str]:
    return set(_sample().values())


async def test_demo_prints_a_digest_of_real_titles_and_a_markdown_list() -> None:
    out = io.StringIO()
    markdown = await run_demo(out)
    printed = out.getvalue()
    shown = [title for title in _sample_titles() if title in printed]
    assert len(shown) >= 5, "the digest should show several real sample titles"
    assert "Weekly digest: llm-inference, moe" in printed
    assert "[Nominate]" in printed
    assert "Nomination to review" in printed
    assert "was approved and added to the list under LLM Systems / Inference" in printed
    entries = [line for line in markdown.splitlines() if line.startswith("- [")]
    assert len(entries) == 1
    link = re.search(r"\]\(https://arxiv\.org/abs/(\d{4}\.\d{5})\)", entries[0])
    assert link is not None
    title = _sample()[link.group(1)]
    assert title in printed
    # llmsys style: `- [Name](link): rest of the title`
    assert title.split(":")[0] in entries[0]
    assert "## LLM Systems" in markdown
    assert "### Inference" in markdown


def test_demo_command_keeps_its_database_for_the_other_commands(
    tmp_path: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "demo"  # type: ignore[operator]
    assert main(["demo", "--keep", str(folder)]) == 0
    capsys.readouterr()
    monkeypatch.setenv("PAPERBOT_DATABASE_URL", f"sqlite+aiosqlite:///{folder}/demo.db")
    assert main(["--env-file", "/dev/null", "list", "export", "--format", "bibtex"]) == 0
    bibtex = capsys.readouterr().out
    assert bibtex.startswith("@misc{")
    assert "archivePrefix = {arXiv}" in bibtex
