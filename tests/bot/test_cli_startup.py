"""`paperbot --help` stays quick: the command line's modules import heavy libraries lazily."""

from __future__ import annotations

import subprocess
import sys

# What the parser must not pull in: each takes a large share of a second to import.
HEAVY = (
    "sqlalchemy",
    "alembic",
    "discord",
    "slack_bolt",
    "slack_sdk",
    "aiohttp",
    "pydantic",
    "sklearn",
    "numpy",
)
# Our own modules `--help` has no use for: the list's readers and writers, publishing and the
# domain values take longer to import than the interpreter takes to start; so does the event loop.
NOT_FOR_HELP = (
    "asyncio",
    "digest.list_markdown",
    "digest.lists",
    "digest.publishing",
    "digest.bibtex",
    "digest.models",
)
HELP = """\
import contextlib, io
from bot.__main__ import main
with contextlib.redirect_stdout(io.StringIO()) as shown:
    try:
        main(["--help"])
    except SystemExit as stop:
        assert stop.code == 0, stop.code
assert "usage: paperbot" in shown.getvalue(), shown.getvalue()
"""


def _modules_after(statement: str) -> set[str]:
    """Every module in sys.modules after running `statement` in a fresh interpreter."""
    code = f"{statement}\nimport sys\nprint('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    return set(out.splitlines())


def _imported_after(statement: str) -> set[str]:
    """Top-level packages in sys.modules after running `statement` in a fresh interpreter."""
    return {name.split(".")[0] for name in _modules_after(statement)}


def test_importing_the_command_line_imports_no_heavy_library() -> None:
    loaded = _imported_after("import bot.__main__; bot.__main__.build_parser()")
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


def test_the_check_sees_a_heavy_import() -> None:
    assert "sqlalchemy" in _imported_after("import storage.tables")


def test_paperbot_help_imports_no_heavy_library() -> None:
    loaded = _imported_after(HELP)
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


def test_paperbot_help_imports_neither_the_list_code_nor_the_event_loop() -> None:
    loaded = _modules_after(HELP)
    assert loaded.isdisjoint(NOT_FOR_HELP), sorted(loaded & set(NOT_FOR_HELP))


def test_the_check_sees_our_own_slow_modules() -> None:
    assert "digest.list_markdown" in _modules_after("import digest.lists")
