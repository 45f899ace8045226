"""`paperbot list import | export | show` against a real SQLite file."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.__main__ import main
from digest.models import Platform
from storage.store import SqlStore

LIST = """# Our reading list

## Serving
- [vLLM](https://arxiv.org/pdf/2309.06180v2.pdf): PagedAttention | SOSP' 23
- [Orca](https://example.org/orca): Iteration-level scheduling | OSDI 22
- [](https://arxiv.org/abs/2401.00002)
## Training
- [ZeRO](https://arxiv.org/abs/1910.02054): Memory optimizations
- [ZeRO again](https://arxiv.org/abs/1910.02054v3)
"""


@pytest.fixture
async def cli_env(
    sqlite_store: SqlStore, sqlite_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Path:
    async with sqlite_store.unit() as unit:
        await unit.workspaces.get_or_create(Platform.CONSOLE, "lab", "Lab")
    monkeypatch.setenv("PAPERBOT_DATABASE_URL", sqlite_database_url)
    return Path("/dev/null")


def test_import_show_and_export(
    cli_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "list.md"
    source.write_text(LIST, encoding="utf-8")
    env = ["--env-file", str(cli_env)]
    assert main([*env, "list", "import", str(source), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "llmsys style, “Our reading list”, 2 sections, 4 entries, 1 lines not read" in out
    assert "line 6: no title" in out
    assert "duplicate (arXiv 1910.02054 appears 2 times), lines 8, 9" in out

    assert main([*env, "list", "import", str(source)]) == 0
    assert "added 4 entries, 2 new sections, 2 papers not yet in the database" in (
        capsys.readouterr().out
    )
    assert main([*env, "list", "show"]) == 0
    shown = capsys.readouterr().out
    assert shown.startswith("Our reading list (llmsys style), 4 entries")
    assert "Serving (2)" in shown

    for style in ("llmsys", "bracket-venue", "conference-notes", "table"):
        assert main([*env, "list", "export", "--format", "md", "--style", style]) == 0
        text = capsys.readouterr().out
        assert "2309.06180" in text and "Orca" in text
    assert main([*env, "list", "export", "--format", "bibtex"]) == 0
    assert "@misc{arxiv:1910.02054," in capsys.readouterr().out
    target = tmp_path / "list.json"
    assert main([*env, "list", "export", "--format", "json", "-o", str(target)]) == 0
    assert '"arxiv_id": "2309.06180"' in target.read_text(encoding="utf-8")


def test_a_missing_file_is_a_clear_error(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--env-file", str(cli_env), "list", "import", "/nonexistent/list.md"]) == 1
    assert "cannot read /nonexistent/list.md" in capsys.readouterr().err


def test_a_file_over_the_size_limit_or_not_utf8_is_one_line_of_error(
    cli_env: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from digest import list_import

    monkeypatch.setattr(list_import, "MAX_LIST_BYTES", 1_000_000)
    big = tmp_path / "big.md"
    big.write_bytes(b"- [t](https://x.org)\n" * 60_000)
    env = ["--env-file", str(cli_env)]
    assert main([*env, "list", "import", str(big)]) == 1
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith("big.md is 1.3 MB; list import reads files of at most 1 MB")
    )
    latin = tmp_path / "latin.md"
    latin.write_bytes(b"# L\n- [Caf\xe9](https://x.org)\n")
    assert main([*env, "list", "import", str(latin)]) == 1
    assert "latin.md is not UTF-8 text: line 2 holds the byte 0xe9" in capsys.readouterr().err


def test_bibtex_export_says_how_many_records_it_wrote(
    cli_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "list.md"
    source.write_text(LIST, encoding="utf-8")  # ZeRO is listed twice, under one arXiv id
    env = ["--env-file", str(cli_env)]
    assert main([*env, "list", "import", str(source)]) == 0
    target = tmp_path / "list.bib"
    assert main([*env, "list", "export", "--format", "bibtex", "-o", str(target)]) == 0
    assert (
        capsys.readouterr()
        .out.strip()
        .endswith(
            f"wrote 3 BibTeX records for 4 entries (1 entry lists a paper another entry already "
            f"wrote) to {target}"
        )
    )
    assert target.read_text(encoding="utf-8").count("@misc{") == 3


async def _take_off_the_survey(url: str) -> None:
    from datetime import UTC, datetime

    from digest.clock import FixedClock
    from digest.lists import remove_entry
    from storage.engine import create_engine

    store = SqlStore(create_engine(url), FixedClock(datetime(2026, 7, 1, tzinfo=UTC)))
    async with store.unit() as unit:
        (workspace,) = await unit.workspaces.all()
        await remove_entry(unit, workspace.id, "2401.00001", "admin", datetime.now(UTC))
    await store.close()


def test_section_remove_from_the_command_line(
    cli_env: Path,
    sqlite_database_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = tmp_path / "list.md"
    source.write_text(LIST + "## Surveys\n- [A survey](https://arxiv.org/abs/2401.00001)\n")
    env = ["--env-file", str(cli_env)]
    assert main([*env, "list", "import", str(source)]) == 0
    capsys.readouterr()
    assert main([*env, "list", "section-remove", "Training"]) == 1
    assert capsys.readouterr().err == (
        "paperbot: section “Training” still holds 2 entries, so it stays; move them to another "
        "section first (/paper list-move in chat), then remove it\n"
    )
    assert main([*env, "list", "section-remove", "Nowhere"]) == 1
    assert "There is no section “Nowhere”. `paperbot list show` shows them." in (
        capsys.readouterr().err
    )
    assert main([*env, "list", "export"]) == 0
    assert "## Surveys" in capsys.readouterr().out
    asyncio.run(_take_off_the_survey(sqlite_database_url))
    assert main([*env, "list", "export"]) == 0
    assert "Surveys" not in capsys.readouterr().out  # no empty heading
    assert main([*env, "list", "show"]) == 0
    assert "\nSurveys (0)\n" in capsys.readouterr().out  # shown, so it can be removed
    assert main([*env, "list", "section-remove", "surveys"]) == 0
    assert capsys.readouterr().out == "removed section “Surveys” from the list of Lab\n"
    assert main([*env, "list", "show"]) == 0
    assert "Surveys" not in capsys.readouterr().out
