"""The git command line in a scratch clone: clone, check out, commit as the bot, push.

Every command runs as a subprocess awaited on the event loop (never blocking it), with no
terminal prompt and a timeout. A GitHub token reaches git as an HTTP header through
GIT_CONFIG_* variables, never in a URL or an argument; whatever git prints is masked (the
token, any other secret, and credentials written into a remote URL) before it is raised.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.logs import RedactingFilter
from digest.publish_options import without_credentials
from digest.publishing import PublishError


def mask_text(text: str, secrets: Sequence[str]) -> str:
    """`text` with every secret and every user:password@ of a URL replaced by `***`."""
    return without_credentials(RedactingFilter(tuple(secrets)).redact(text))


@dataclass(frozen=True, slots=True)
class GitIdentity:
    """Who the bot's commits are by."""

    name: str
    email: str


class GitWorkdir:
    """One scratch clone of the target repository."""

    def __init__(
        self,
        folder: Path,
        identity: GitIdentity,
        token: str | None = None,
        secrets: Sequence[str] = (),
        timeout: float = 120.0,
        environment: Mapping[str, str] | None = None,
    ) -> None:
        self.folder = folder
        self.timeout = timeout
        self.secrets = tuple(secrets) + ((token,) if token else ())
        env = dict(environment or {})
        env |= {
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_AUTHOR_NAME": identity.name,
            "GIT_AUTHOR_EMAIL": identity.email,
            "GIT_COMMITTER_NAME": identity.name,
            "GIT_COMMITTER_EMAIL": identity.email,
        }
        if token:
            basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
            self.secrets += (basic,)
            env |= {
                "GIT_CONFIG_COUNT": "1",
                "GIT_CONFIG_KEY_0": "http.extraHeader",
                "GIT_CONFIG_VALUE_0": f"Authorization: Basic {basic}",
            }
        self._env = env

    async def git(self, *args: str, check: bool = True, cwd: Path | None = None) -> str:
        """Run one git command; its output, or PublishError (masked) when it fails."""
        code, out, err = await self._run(args, cwd or self.folder, capture=True)
        if check and code != 0:
            said = [
                line.strip()
                for line in (err or out).decode("utf-8", "replace").splitlines()
                if line.strip() and not line.startswith(("To ", "hint:"))
            ]
            detail = " / ".join(said[-4:])
            raise PublishError(mask_text(f"git {args[0]} failed: {detail}", self.secrets))
        return out.decode("utf-8", "replace").strip()

    async def _run(self, args: Sequence[str], cwd: Path, capture: bool) -> tuple[int, bytes, bytes]:
        """One git process: its exit status and output. A git that outlives the timeout, or
        whose caller is cancelled (a shutdown), is killed and reaped, never left running."""
        pipe = asyncio.subprocess.PIPE if capture else asyncio.subprocess.DEVNULL
        process = await asyncio.create_subprocess_exec(
            "git",
            *args,
            cwd=cwd,
            env=self._env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=pipe,
            stderr=pipe,
        )
        try:
            out, err = await asyncio.wait_for(process.communicate(), self.timeout)
        except TimeoutError:
            raise PublishError(f"git {args[0]} took over {self.timeout:.0f} s") from None
        finally:
            if process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                # Reaped even while being cancelled: the kill makes this wait short.
                await asyncio.shield(process.wait())
        return process.returncode or 0, out or b"", err or b""

    async def clone(self, repository: str) -> None:
        """Clone the repository (an empty one too) into the scratch folder."""
        await self.git("clone", "--quiet", "--no-tags", repository, str(self.folder), cwd=Path())

    async def has_remote_branch(self, branch: str) -> bool:
        """True when the remote has `branch`."""
        found = await self.git("rev-parse", "--verify", "--quiet", f"origin/{branch}", check=False)
        return bool(found)

    async def is_merged(self, branch: str, into: str) -> bool:
        """True when the remote's `branch` is part of its `into` (a pull request was merged)."""
        status = await self.git_status(
            "merge-base", "--is-ancestor", f"origin/{branch}", f"origin/{into}"
        )
        return status == 0

    async def git_status(self, *args: str) -> int:
        """Run one git command for its exit status alone."""
        code, _, _ = await self._run(args, self.folder, capture=False)
        return code

    async def start_branch(self, branch: str, start: str | None) -> None:
        """Check out `branch` at the remote's `start` branch, or as a first branch."""
        if start is not None:
            await self.git("checkout", "--quiet", "-B", branch, f"origin/{start}")
        else:
            await self.git("checkout", "--quiet", "--orphan", branch)

    async def commit_file(self, path: str, text: str, message: str) -> bool:
        """Write `text` to `path`, commit it as the bot; False when the file was unchanged."""
        target = self.folder / path
        await asyncio.to_thread(_write, target, text)
        await self.git("add", "--", path)
        if await self.git_status("diff", "--cached", "--quiet") == 0:
            return False
        note = self.folder.parent / "commit-message.txt"
        await asyncio.to_thread(_write, note, message)
        await self.git("commit", "--quiet", "--no-verify", "--cleanup=verbatim", "-F", str(note))
        return True

    async def head(self) -> str | None:
        """The commit checked out, if any."""
        found = await self.git("rev-parse", "--verify", "--quiet", "HEAD", check=False)
        return found or None

    async def push(self, branch: str, force: bool = False) -> None:
        """Push the checked-out commit to the remote's `branch`."""
        lease = [f"--force-with-lease={branch}"] if force else []
        await self.git("push", "--quiet", *lease, "origin", f"HEAD:refs/heads/{branch}")


def _write(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
