"""The git runner never leaves a git process behind: not on a timeout, not on a cancellation.

A `git` that hangs is a real executable on the PATH the runner is given (a shell script that
records its pid and sleeps), so the real subprocess path is what is tested.
"""

from __future__ import annotations

import asyncio
import os
import stat
from pathlib import Path

import pytest

from bot.git_repo import GitIdentity, GitWorkdir
from digest.publishing import PublishError

IDENTITY = GitIdentity("paperbot", "paperbot@example.org")


def hanging_git(folder: Path) -> tuple[dict[str, str], Path]:
    """A PATH whose `git` writes its pid to a file and then sleeps for a minute."""
    bin_dir = folder / "bin"
    bin_dir.mkdir()
    pid_file = folder / "git.pid"
    script = bin_dir / "git"
    script.write_text(f'#!/bin/sh\necho $$ > "{pid_file}"\nexec sleep 60\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return {"PATH": f"{bin_dir}:/usr/bin:/bin"}, pid_file


def read_pid(pid_file: Path) -> int | None:
    text = pid_file.read_text().strip() if pid_file.exists() else ""
    return int(text) if text else None


async def started_pid(pid_file: Path) -> int:
    for _ in range(200):
        pid = read_pid(pid_file)
        if pid is not None:
            return pid
        await asyncio.sleep(0.01)
    raise AssertionError("the hanging git never started")


def is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize("call", ["git", "git_status"])
async def test_a_git_over_its_timeout_is_killed_and_named(tmp_path: Path, call: str) -> None:
    environment, pid_file = hanging_git(tmp_path)
    workdir = GitWorkdir(tmp_path, IDENTITY, timeout=0.5, environment=environment)
    with pytest.raises(PublishError, match="git diff took over"):
        await getattr(workdir, call)("diff", "--cached", "--quiet")
    assert not is_running(await started_pid(pid_file))


@pytest.mark.parametrize("call", ["git", "git_status"])
async def test_a_cancelled_publish_leaves_no_git_running(tmp_path: Path, call: str) -> None:
    environment, pid_file = hanging_git(tmp_path)
    workdir = GitWorkdir(tmp_path, IDENTITY, timeout=30, environment=environment)
    task = asyncio.create_task(getattr(workdir, call)("push", "origin", "main"))
    pid = await started_pid(pid_file)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not is_running(pid)
