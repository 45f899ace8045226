"""Installing paperbot: lower bounds that work, the exact versions CI and the README install,
linters pinned, and CI failing instead of skipping when ../shared is absent."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from tests.conftest import ROOT, shared_or_skip

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
TEST_COMMAND = re.compile(r"^python3 -m venv \.venv && .*\.venv/bin/pytest\b.*$", re.MULTILINE)
# The oldest release with what paperbot uses: NoDecode (pydantic-settings), the SPDX
# `license = "MIT"` string (setuptools, PEP 639).
NEEDED = {"pydantic-settings": Version("2.7"), "setuptools": Version("77")}


def _requirements() -> list[Requirement]:
    project = PYPROJECT["project"]
    return [
        Requirement(text)
        for text in [
            *PYPROJECT["build-system"]["requires"],
            *project["dependencies"],
            *project["optional-dependencies"]["test"],
        ]
    ]


def _lowest(requirement: Requirement) -> Version:
    bounds = [Version(s.version) for s in requirement.specifier if s.operator in (">=", "==")]
    assert bounds, f"{requirement} has no lower bound"
    return max(bounds)


def _constraints() -> dict[str, Version]:
    lines = (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
    pins = [line.split("==") for line in lines if line and not line.startswith("#")]
    return {_key(name): Version(version) for name, version in pins}


def _key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_requirement_has_a_lower_bound_that_has_what_the_code_uses() -> None:
    lowest = {_key(r.name): _lowest(r) for r in _requirements()}
    for name, needed in NEEDED.items():
        assert lowest[name] >= needed, f"{name} allows {lowest[name]}, the code needs {needed}"


def test_ruff_and_mypy_are_pinned_exactly_and_as_in_the_constraints() -> None:
    pins = _constraints()
    for requirement in _requirements():
        if requirement.name in ("ruff", "mypy"):
            (spec,) = requirement.specifier
            assert spec.operator == "=="
            assert pins[requirement.name] == Version(spec.version)


def test_the_constraints_satisfy_every_requirement() -> None:
    pins = _constraints()
    for requirement in _requirements():
        if _key(requirement.name) in pins:  # the build backend is not installed
            assert pins[_key(requirement.name)] in requirement.specifier, requirement


def test_ci_runs_the_readme_test_command_with_the_constraints() -> None:
    readme = TEST_COMMAND.findall((ROOT / "README.md").read_text(encoding="utf-8"))
    ci = TEST_COMMAND.findall((ROOT / ".ci" / "run").read_text(encoding="utf-8"))
    assert readme
    assert ci
    assert readme[0] == ci[0].removesuffix(" || exit $?")
    assert "-c constraints.txt" in ci[0]


def test_the_minimum_versions_script_is_documented() -> None:
    assert (ROOT / "tools" / "check_min_versions.sh").is_file()
    assert "bash tools/check_min_versions.sh" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_a_missing_shared_folder_fails_under_ci(tmp_path: Path) -> None:
    missing = tmp_path / "shared" / "data"
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        shared_or_skip(missing, in_ci=True)
    with pytest.raises(pytest.skip.Exception, match="absent"):
        shared_or_skip(missing, in_ci=False)
    missing.mkdir(parents=True)
    assert shared_or_skip(missing, in_ci=True) == missing
