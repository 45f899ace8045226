"""Dependencies point inward: the core imports nothing from the outer layers."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = ("bot", "storage", "discord", "slack_bolt", "slack_sdk", "sqlalchemy", "apscheduler")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_digest_imports_nothing_from_outer_layers() -> None:
    files = sorted((ROOT / "digest").rglob("*.py"))
    assert files, "digest/ has no Python files"
    offending = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in files
        for name in _imports(path)
        if name.split(".")[0] in FORBIDDEN
    }
    assert offending == set()


def test_the_check_sees_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "bad.py"
    sample.write_text("import sqlalchemy.orm\nfrom bot.ports import UserRef\n", encoding="utf-8")
    assert _imports(sample) == {"sqlalchemy.orm", "bot.ports"}


def test_only_config_reads_the_environment() -> None:
    readers = {
        str(path.relative_to(ROOT))
        for folder in ("digest", "storage", "bot")
        for path in (ROOT / folder).rglob("*.py")
        if "os.environ" in path.read_text(encoding="utf-8")
        or "getenv(" in path.read_text(encoding="utf-8")
    }
    assert readers == set()
