"""`paperbot --help` stays quick: the command line's modules import heavy libraries lazily."""

from __future__ import annotations

import subprocess
import sys

# What the parser must not pull in: each takes a large share of a second to import.
HEAVY = ("sqlalchemy", "alembic", "discord", "slack_bolt", "slack_sdk", "aiohttp", "pydantic")


def _imported_after(statement: str) -> set[str]:
    """Top-level packages in sys.modules after running `statement` in a fresh interpreter."""
    code = f"{statement}\nimport sys\nprint('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    return {line.split(".")[0] for line in out.splitlines()}


def test_importing_the_command_line_imports_no_heavy_library() -> None:
    loaded = _imported_after("import bot.__main__; bot.__main__.build_parser()")
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


def test_the_check_sees_a_heavy_import() -> None:
    assert "sqlalchemy" in _imported_after("import storage.tables")
